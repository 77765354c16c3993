"""List entries: who is on which list, on what basis, from when until when.

An entry comes from grading (the model's list thresholds, R-LST-1…3) or from a department's formal
determination (认定), with its basis, documents and period (R-LST-2). Whether an entry is in force is
asked as of a date, like publicity: it starts on ``started_on``, ends by itself after ``planned_end``,
or is ended (``ended_on``) when its basis ends — a regrading that no longer puts the entity there, a
repair, a correction, a revocation (R-LST-4).
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from sqlalchemy import Date, Enum, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from xinyong.audit.trail import Audited
from xinyong.kit.clock import now
from xinyong.kit.db import Base, UTCDateTime


def _enum(cls, name: str) -> Enum:
    return Enum(cls, name=name, native_enum=False, length=20, values_callable=lambda e: [m.value for m in e])


class ListKind(StrEnum):
    RED = "red"  # 诚信典型（红名单）
    KEY_ATTENTION = "key_attention"  # 重点关注对象
    BLACK = "black"  # 严重失信主体（黑名单）


LIST_LABELS = {ListKind.RED: "红名单", ListKind.KEY_ATTENTION: "重点关注名单", ListKind.BLACK: "黑名单"}
LIST_TITLES = {ListKind.RED: "诚信典型（红名单）", ListKind.KEY_ATTENTION: "重点关注对象名单",
               ListKind.BLACK: "严重失信主体（黑名单）"}
# 信用中国's list category codes for exchange (SPEC §17)
EXCHANGE_CODES = {ListKind.RED: 2, ListKind.KEY_ATTENTION: 4, ListKind.BLACK: 8}


class Basis(StrEnum):
    GRADING = "grading"  # 信用评价结果
    DETERMINATION = "determination"  # 部门认定


BASIS_LABELS = {Basis.GRADING: "信用评价结果", Basis.DETERMINATION: "部门认定"}


class EndReason(StrEnum):
    REGRADED = "regraded"  # 重新评价后不再符合
    REPAIRED = "repaired"  # 信用修复
    CORRECTED = "corrected"  # 认定依据更正
    REVOKED = "revoked"  # 认定被撤销
    LIFTED = "lifted"  # 期满前经认定部门移出


END_LABELS = {EndReason.REGRADED: "重新评价后不再符合列入条件", EndReason.REPAIRED: "信用修复后移出",
              EndReason.CORRECTED: "认定依据经更正后移出", EndReason.REVOKED: "认定被撤销",
              EndReason.LIFTED: "认定部门决定提前移出"}


class ListEntry(Audited, Base):
    __tablename__ = "list_entries"
    __table_args__ = (Index("ix_list_entries_kind_ended", "kind", "ended_on"),
                      Index("ix_list_entries_entity_kind", "entity_id", "kind"),
                      {"comment": "名单（红名单、重点关注名单、黑名单）列入记录"})

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    entity_id: Mapped[int] = mapped_column(ForeignKey("entities.id"), comment="信用主体")
    kind: Mapped[ListKind] = mapped_column(_enum(ListKind, "list_kind"), comment="名单")
    basis: Mapped[Basis] = mapped_column(_enum(Basis, "list_basis"), comment="列入依据类型")
    basis_text: Mapped[str] = mapped_column(Text, comment="列入依据（说明）")
    department_id: Mapped[int | None] = mapped_column(ForeignKey("departments.id"), comment="认定部门（部门认定时）")
    document_number: Mapped[str | None] = mapped_column(String(100), comment="认定文书号")
    run_id: Mapped[int | None] = mapped_column(ForeignKey("grading_runs.id"), comment="依据的评价运行（评价结果时）")
    started_on: Mapped[dt.date] = mapped_column(Date, comment="列入日期")
    planned_end: Mapped[dt.date | None] = mapped_column(Date, comment="计划移出日期（空为随依据动态调整）")
    ended_on: Mapped[dt.date | None] = mapped_column(Date, comment="实际移出日期")
    end_reason: Mapped[EndReason | None] = mapped_column(_enum(EndReason, "list_end_reason"), comment="移出原因")
    end_note: Mapped[str | None] = mapped_column(Text, comment="移出说明")
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"), comment="经办人")
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=now, comment="创建时间")
