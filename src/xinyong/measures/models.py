"""The measures catalog (奖惩措施清单, R-MEA-1) as stored: a stable head row per measure and its versions.

The credit office changes a measure by writing a new version — retiring one too — so the catalog a
department was answered with on any day can be read back, and "the current catalog changed" is simply
"a version row was added" (what the in-process cache of the credit check keys on).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, Boolean, Enum, ForeignKey, Integer, String, Text, UniqueConstraint, sql
from sqlalchemy.orm import Mapped, mapped_column, relationship

from xinyong.audit.trail import Audited
from xinyong.kit.clock import now
from xinyong.kit.db import Base, UTCDateTime

from .matching import KIND_LABELS, Kind  # noqa: F401


def _enum(cls, name: str) -> Enum:
    return Enum(cls, name=name, native_enum=False, length=20, values_callable=lambda e: [m.value for m in e])


class Measure(Audited, Base):
    """A measure's stable identity; its content lives in versions."""

    __tablename__ = "measures"
    __table_args__ = {"comment": "奖惩措施清单：措施"}

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(60), unique=True, comment="措施代码")
    current_version: Mapped[int] = mapped_column(Integer, default=1, comment="现行版本号")
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=now, comment="创建时间")

    versions: Mapped[list[MeasureVersion]] = relationship(back_populates="measure", order_by="MeasureVersion.version")


class MeasureVersion(Audited, Base):
    __tablename__ = "measure_versions"
    __table_args__ = (UniqueConstraint("measure_id", "version"), {"comment": "奖惩措施清单：措施版本"})

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    measure_id: Mapped[int] = mapped_column(ForeignKey("measures.id"), index=True, comment="措施")
    version: Mapped[int] = mapped_column(Integer, comment="版本号")
    name: Mapped[str] = mapped_column(String(200), comment="措施名称")
    kind: Mapped[Kind] = mapped_column(_enum(Kind, "measure_kind"), comment="类型（激励、惩戒）")
    mandatory: Mapped[bool] = mapped_column(Boolean, default=False, server_default=sql.false(),
                                            comment="是否强制性措施（否为推荐性措施）")
    basis: Mapped[str] = mapped_column(Text, comment="依据（文件及条款）")
    triggers: Mapped[Any] = mapped_column(JSON, comment="触发条件：评价模型、等级、名单、分数线（任一条件组满足即适用）")
    matters: Mapped[Any] = mapped_column(JSON, comment="适用事项代码")
    departments: Mapped[Any] = mapped_column(JSON, comment="实施部门（all 为各行政部门）")
    duration: Mapped[str | None] = mapped_column(Text, comment="实施期限（说明）")
    duration_months: Mapped[int | None] = mapped_column(Integer, comment="实施期限（月）")
    extends_to_related: Mapped[bool] = mapped_column(Boolean, default=False, server_default=sql.false(),
                                                     comment="是否延伸至法定代表人、负责人等相关责任人")
    notes: Mapped[str | None] = mapped_column(Text, comment="备注")
    retired: Mapped[bool] = mapped_column(Boolean, default=False, server_default=sql.false(), comment="是否已停用")
    change_note: Mapped[str | None] = mapped_column(Text, comment="本版本修改说明")
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"), comment="修改人")
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=now, comment="版本创建时间")

    measure: Mapped[Measure] = relationship(back_populates="versions")
