from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, Date, Enum, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from xinyong.audit.trail import Audited
from xinyong.kit.clock import now
from xinyong.kit.db import Base, UTCDateTime

from .enums import CATEGORY_LABELS, PUBLICITY_LABELS, Category, Publicity  # noqa: F401


def _enum(cls, name: str) -> Enum:
    return Enum(cls, name=name, native_enum=False, length=20, values_callable=lambda e: [m.value for m in e])


class PublicityRegime(Audited, Base):
    """A named rule for how long a record is public (R-PUB-4, R-PUB-4a, R-PUB-5): a new national rule is a data change."""

    __tablename__ = "publicity_regimes"
    __table_args__ = {"comment": "公示期限规则"}

    code: Mapped[str] = mapped_column(String(40), primary_key=True, comment="规则代码")
    name: Mapped[str] = mapped_column(String(200), comment="规则名称")
    basis: Mapped[str] = mapped_column(Text, comment="依据")
    effective_from: Mapped[dt.date | None] = mapped_column(Date, comment="施行日期")
    rules: Mapped[Any] = mapped_column(JSON, comment="按严重程度的公示期限（月）等")


class InfoType(Audited, Base):
    """信息类型: the stable identity; its content lives in versions (R-CAT-5)."""

    __tablename__ = "info_types"
    __table_args__ = {"comment": "信用信息目录：信息类型"}

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(60), unique=True, comment="类型代码")
    current_version: Mapped[int] = mapped_column(Integer, default=1, comment="现行版本号")
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=now, comment="创建时间")

    versions: Mapped[list[InfoTypeVersion]] = relationship(back_populates="info_type", order_by="InfoTypeVersion.version")


class InfoTypeVersion(Audited, Base):
    """One version of an information type. Records point at the version they were made under, so a
    catalog change never rewrites what was recorded before (R-CAT-5)."""

    __tablename__ = "info_type_versions"
    __table_args__ = (UniqueConstraint("info_type_id", "version"), {"comment": "信用信息目录：类型版本"})

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    info_type_id: Mapped[int] = mapped_column(ForeignKey("info_types.id"), index=True)
    version: Mapped[int] = mapped_column(Integer, comment="版本号")
    name: Mapped[str] = mapped_column(String(100), comment="信息类型名称")
    category: Mapped[Category] = mapped_column(_enum(Category, "info_category"), comment="信息类别")
    subject_kinds: Mapped[Any] = mapped_column(JSON, comment="适用主体类别")
    fields: Mapped[Any] = mapped_column(JSON, comment="信息项定义")
    publicity: Mapped[Publicity] = mapped_column(_enum(Publicity, "publicity"), comment="公开属性")
    regime_code: Mapped[str | None] = mapped_column(ForeignKey("publicity_regimes.code"), comment="公示期限规则")
    usage_scope: Mapped[str] = mapped_column(Text, comment="使用范围")
    validity_months: Mapped[int | None] = mapped_column(Integer, comment="使用期限（月）；空为随文书有效期")
    retention_years: Mapped[int] = mapped_column(Integer, comment="保存期限（年）")
    source_department: Mapped[str] = mapped_column(String(200), comment="数据来源")
    update_cycle: Mapped[str] = mapped_column(String(40), comment="更新周期")
    deadline_workdays: Mapped[int] = mapped_column(Integer, comment="归集时限（自文书形成之日起工作日）")
    basis: Mapped[str] = mapped_column(Text, comment="依据")
    change_note: Mapped[str | None] = mapped_column(Text, comment="本版本修改说明")
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=now, comment="版本创建时间")

    info_type: Mapped[InfoType] = relationship(back_populates="versions")
