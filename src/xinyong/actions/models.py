"""Joint actions (联合奖惩): initiate → push → execute → feedback (002 二(四)3, R-MEA-4), and lifting (R-MEA-6).

An action names an entity by one of its list entries (the basis), the measures chosen from the catalog,
and is pushed as one task per implementing department. Each task is answered executed (执行) or not
applicable (不适用, with a reason) within a deadline in working days. When the basis entry is no longer in
force, every task answered "executed" must be lifted and acknowledged (确认解除; 003 §18).

Whether the basis has ended is asked as of a date from the list entry itself, never stored: a list entry
ends once (``ended_on``, or past ``planned_end``), so "lift due" is derived when a page or the API is read
and a date can be injected in tests, with no job and no second copy of the list's state to drift.

Urging (催办) and correcting an answer (更正反馈) are rows of their own: an urge is a fact about who pressed
whom and when, and a correction keeps the answer it replaced, so neither overwrites what came before.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Date, Enum, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from xinyong.audit.trail import Audited
from xinyong.kit.clock import now
from xinyong.kit.db import Base, UTCDateTime


def _enum(cls, name: str) -> Enum:
    return Enum(cls, name=name, native_enum=False, length=20, values_callable=lambda e: [m.value for m in e])


class ActionKind(StrEnum):
    INCENTIVE = "incentive"  # 联合激励 (red list)
    PUNISHMENT = "punishment"  # 联合惩戒 (black / key-attention list)


ACTION_KIND_LABELS = {ActionKind.INCENTIVE: "联合激励", ActionKind.PUNISHMENT: "联合惩戒"}


class TaskStatus(StrEnum):
    PENDING = "pending"  # 待反馈
    EXECUTED = "executed"  # 已执行
    NOT_APPLICABLE = "not_applicable"  # 不适用


TASK_STATUS_LABELS = {TaskStatus.PENDING: "待反馈", TaskStatus.EXECUTED: "已执行", TaskStatus.NOT_APPLICABLE: "不适用"}


class UrgeReason(StrEnum):
    ANSWER = "answer"  # 逾期未反馈
    LIFT = "lift"  # 依据已终止，未确认解除


URGE_REASON_LABELS = {UrgeReason.ANSWER: "逾期未反馈", UrgeReason.LIFT: "未确认解除"}
URGE_NOTE_MAX = 500


class JointAction(Audited, Base):
    __tablename__ = "joint_actions"
    __table_args__ = {"comment": "联合奖惩（发起）"}

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    entity_id: Mapped[int] = mapped_column(ForeignKey("entities.id"), index=True, comment="信用主体")
    list_entry_id: Mapped[int] = mapped_column(ForeignKey("list_entries.id"), index=True, comment="依据的名单记录")
    kind: Mapped[ActionKind] = mapped_column(_enum(ActionKind, "joint_action_kind"), comment="类型（联合激励、联合惩戒）")
    initiator_department_id: Mapped[int | None] = mapped_column(ForeignKey("departments.id"), index=True,
                                                                comment="发起部门（空为信用办）")
    initiated_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"), comment="发起人")
    reason: Mapped[str] = mapped_column(Text, comment="发起说明")
    measures: Mapped[list[dict[str, Any]]] = mapped_column(JSON, comment="所选措施（发起时的措施清单版本快照）")
    related: Mapped[list[dict[str, Any]]] = mapped_column(JSON, comment="一并惩戒的关联人员（黑名单，发起时快照）")
    initiated_on: Mapped[dt.date] = mapped_column(Date, comment="发起日期")
    due_by: Mapped[dt.date | None] = mapped_column(Date, comment="反馈期限（空为节假日安排未载入）")
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=now, comment="创建时间")


class ActionTask(Audited, Base):
    __tablename__ = "joint_action_tasks"
    __table_args__ = (UniqueConstraint("action_id", "department_id"),
                      {"comment": "联合奖惩实施任务（每个实施部门一项：响应、反馈、解除确认）"})

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    action_id: Mapped[int] = mapped_column(ForeignKey("joint_actions.id"), index=True, comment="联合奖惩")
    department_id: Mapped[int] = mapped_column(ForeignKey("departments.id"), index=True, comment="实施部门")
    measure_codes: Mapped[list[str]] = mapped_column(JSON, comment="本部门实施的措施代码")
    status: Mapped[TaskStatus] = mapped_column(_enum(TaskStatus, "joint_task_status"), default=TaskStatus.PENDING,
                                               comment="反馈状态（待反馈、已执行、不适用）")
    note: Mapped[str | None] = mapped_column(Text, comment="执行情况或不适用理由")
    answered_on: Mapped[dt.date | None] = mapped_column(Date, comment="反馈日期")
    answered_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"), comment="反馈人")
    lift_acknowledged_on: Mapped[dt.date | None] = mapped_column(Date, comment="确认解除日期")
    lift_acknowledged_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"), comment="确认解除人")
    lift_note: Mapped[str | None] = mapped_column(Text, comment="解除说明")


class TaskUrge(Audited, Base):
    """催办: the initiating department or the credit office presses a department that is late (R-MEA-4)."""

    __tablename__ = "joint_action_urges"
    __table_args__ = {"comment": "联合奖惩催办记录（逾期未反馈或未确认解除时由发起部门或信用办催办）"}

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("joint_action_tasks.id"), index=True, comment="被催办的实施任务")
    reason: Mapped[UrgeReason] = mapped_column(_enum(UrgeReason, "joint_urge_reason"),
                                               comment="催办事由（逾期未反馈、未确认解除）")
    note: Mapped[str | None] = mapped_column(String(URGE_NOTE_MAX), comment="催办说明")
    urged_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"), comment="催办人")
    urger_department_id: Mapped[int | None] = mapped_column(ForeignKey("departments.id"), comment="催办部门")
    urged_on: Mapped[dt.date] = mapped_column(Date, comment="催办日期")
    urged_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=now, comment="催办时间")


class AnswerRevision(Audited, Base):
    """An answer a department later corrected (更正反馈): the task keeps the latest, this the one it replaced."""

    __tablename__ = "joint_action_answer_history"
    __table_args__ = {"comment": "联合奖惩反馈更正记录（被更正前的反馈）"}

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("joint_action_tasks.id"), index=True, comment="实施任务")
    status: Mapped[TaskStatus] = mapped_column(_enum(TaskStatus, "joint_task_status"), comment="原反馈状态")
    note: Mapped[str | None] = mapped_column(Text, comment="原执行情况或不适用理由")
    answered_on: Mapped[dt.date | None] = mapped_column(Date, comment="原反馈日期")
    answered_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"), comment="原反馈人")
    replaced_on: Mapped[dt.date] = mapped_column(Date, comment="更正日期")
    replaced_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"), comment="更正人")
    replaced_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=now, comment="更正时间")
