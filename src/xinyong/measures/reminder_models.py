"""Credit reminders and integrity interviews that wait for an answer (R-MEA-5; 000 §33-34).

The reminder or interview itself is a credit record (types ``reminder`` / ``interview``, subject, time,
manner and content) that goes through the normal record path. This row follows what happens next: the
subject rectifies by a date; if not, the department urges (催告) with a new date; ignored after that,
the department escalates — a heavier bad record (``ignored_reminder``, 提醒约谈后拒不整改) through the
normal record path, which lowers the grade by the model's points.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from sqlalchemy import Date, Enum, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from xinyong.audit.trail import Audited
from xinyong.kit.clock import now
from xinyong.kit.db import Base, UTCDateTime


def _enum(cls, name: str) -> Enum:
    return Enum(cls, name=name, native_enum=False, length=20, values_callable=lambda e: [m.value for m in e])


class ReminderKind(StrEnum):
    REMINDER = "reminder"  # 信用提醒
    INTERVIEW = "interview"  # 诚信约谈


class ReminderStatus(StrEnum):
    OPEN = "open"  # 待整改
    URGED = "urged"  # 已催告
    RECTIFIED = "rectified"  # 已整改
    ESCALATED = "escalated"  # 拒不整改，已记入不良信息


KIND_LABELS = {ReminderKind.REMINDER: "信用提醒", ReminderKind.INTERVIEW: "诚信约谈"}
STATUS_LABELS = {ReminderStatus.OPEN: "待整改", ReminderStatus.URGED: "已催告", ReminderStatus.RECTIFIED: "已整改",
                 ReminderStatus.ESCALATED: "拒不整改，已记入不良信息"}


class Reminder(Audited, Base):
    __tablename__ = "reminders"
    __table_args__ = {"comment": "信用提醒、诚信约谈的整改跟踪"}

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    entity_id: Mapped[int] = mapped_column(ForeignKey("entities.id"), index=True, comment="信用主体")
    department_id: Mapped[int] = mapped_column(ForeignKey("departments.id"), index=True, comment="作出部门")
    kind: Mapped[ReminderKind] = mapped_column(_enum(ReminderKind, "reminder_kind"), comment="提醒或约谈")
    record_id: Mapped[int] = mapped_column(ForeignKey("records.id"), comment="提醒或约谈的信用记录")
    manner: Mapped[str] = mapped_column(String(100), comment="方式")
    content: Mapped[str] = mapped_column(Text, comment="内容（整改要求）")
    held_on: Mapped[dt.date] = mapped_column(Date, comment="提醒或约谈日期")
    rectify_by: Mapped[dt.date] = mapped_column(Date, comment="整改期限")
    status: Mapped[ReminderStatus] = mapped_column(_enum(ReminderStatus, "reminder_status"), comment="状态")
    urged_on: Mapped[dt.date | None] = mapped_column(Date, comment="催告日期")
    outcome: Mapped[str | None] = mapped_column(Text, comment="整改情况或升级说明")
    escalated_record_id: Mapped[int | None] = mapped_column(ForeignKey("records.id"), comment="升级后的不良信息记录")
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"), comment="经办人")
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=now, comment="创建时间")
