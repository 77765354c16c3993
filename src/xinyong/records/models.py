from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Boolean, Date, Enum, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from xinyong.audit.trail import Audited
from xinyong.kit.clock import now
from xinyong.kit.db import Base, UTCDateTime

from .periods import Severity


def _enum(cls, name: str) -> Enum:
    return Enum(cls, name=name, native_enum=False, length=30, values_callable=lambda e: [m.value for m in e])


class Status(StrEnum):
    DRAFT = "draft"  # 草稿
    AWAITING_APPROVAL = "awaiting_approval"  # 待部门审核人审批
    SUBMITTED = "submitted"  # 已报送，待信用办审核
    RETURNED = "returned"  # 已退回
    ACCEPTED = "accepted"  # 已入库
    SUPERSEDED = "superseded"  # 已被更正版本取代
    REVOKED = "revoked"  # 已撤销


STATUS_LABELS = {Status.DRAFT: "草稿", Status.AWAITING_APPROVAL: "待部门审批", Status.SUBMITTED: "待信用办审核",
                 Status.RETURNED: "已退回", Status.ACCEPTED: "已入库", Status.SUPERSEDED: "已更正",
                 Status.REVOKED: "已撤销"}


class Fulfilment(StrEnum):
    """Whether a penalty was carried out (优化营商环境条例 §63): told by the recording department."""

    UNKNOWN = "unknown"  # 未登记
    FULFILLED = "fulfilled"  # 已履行
    UNFULFILLED = "unfulfilled"  # 未履行：公示期满后继续公示


FULFILMENT_LABELS = {Fulfilment.UNKNOWN: "未登记", Fulfilment.FULFILLED: "已履行", Fulfilment.UNFULFILLED: "未履行"}


class Channel(StrEnum):
    FORM = "form"  # 页面填报
    API = "api"  # 系统接口
    FILE = "file"  # 文件导入


class Record(Audited, Base):
    """信用记录: one version of one record. A correction or revocation is a new row with the same
    ``lineage`` and the next ``version``; nothing is overwritten (R-REV-3)."""

    __tablename__ = "records"
    __table_args__ = (
        UniqueConstraint("lineage", "version"),
        Index("ix_records_department_status", "department_id", "status"),
        Index("ix_records_status_submitted", "status", "submitted_at"),
        {"comment": "信用记录（每次更正、撤销为新版本）"},
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    lineage: Mapped[str] = mapped_column(String(32), index=True, comment="同一条记录各版本共用的编号")
    version: Mapped[int] = mapped_column(Integer, default=1, comment="版本号")
    is_current: Mapped[bool] = mapped_column(Boolean, default=True, comment="是否现行版本")
    entity_id: Mapped[int] = mapped_column(ForeignKey("entities.id"), index=True, comment="信用主体")
    info_type_version_id: Mapped[int] = mapped_column(ForeignKey("info_type_versions.id"), comment="目录类型版本")
    department_id: Mapped[int] = mapped_column(ForeignKey("departments.id"), comment="记录部门")
    status: Mapped[Status] = mapped_column(_enum(Status, "record_status"), comment="状态")
    channel: Mapped[Channel] = mapped_column(_enum(Channel, "record_channel"), comment="归集渠道")
    is_pre_warning: Mapped[bool] = mapped_column(Boolean, default=False, comment="是否预警信息（000 §11）")
    final_deadline: Mapped[dt.date | None] = mapped_column(Date, comment="预警信息申请的最终报送期限")
    document_number: Mapped[str] = mapped_column(String(100), comment="文书号")
    decision_date: Mapped[dt.date] = mapped_column(Date, index=True, comment="决定日期")
    authority: Mapped[str] = mapped_column(String(200), comment="决定机关")
    severity: Mapped[Severity | None] = mapped_column(_enum(Severity, "severity"), comment="严重程度")
    content: Mapped[Any] = mapped_column(JSON, comment="信息项内容")
    public: Mapped[bool] = mapped_column(Boolean, comment="是否公示")
    publicity_start: Mapped[dt.date] = mapped_column(Date, comment="公示起始日")
    publicity_end: Mapped[dt.date | None] = mapped_column(Date, comment="公示截止日（空为随有效期）")
    validity_end: Mapped[dt.date | None] = mapped_column(Date, comment="有效期截止日（空为长期）")
    due_by: Mapped[dt.date | None] = mapped_column(Date, comment="应报送日期（工作日计算；日历未载入时为空）")
    late_workdays: Mapped[int | None] = mapped_column(Integer, comment="逾期报送的工作日数")
    dedup_key: Mapped[str] = mapped_column(String(64), index=True, comment="去重键（部门、类型、文书号、主体）")
    fulfilment: Mapped[Fulfilment] = mapped_column(_enum(Fulfilment, "fulfilment"), default=Fulfilment.UNKNOWN,
                                                   server_default=Fulfilment.UNKNOWN.value, comment="处罚履行情况")
    fulfilled_on: Mapped[dt.date | None] = mapped_column(Date, comment="履行完毕日期")
    reason: Mapped[str | None] = mapped_column(Text, comment="本版本的理由（退回、更正、撤销）")
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"), comment="经办人")
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=now, comment="创建时间")
    submitted_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, comment="报送时间")
    reviewed_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"), comment="审核人")
    reviewed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, comment="审核时间")

    info_type_version = relationship("InfoTypeVersion", lazy="joined")
    entity = relationship("Entity", lazy="joined")
    department = relationship("Department", lazy="joined")


class Submission(Base):
    """An API batch under an Idempotency-Key: the same key with the same body answers the same
    result and stores nothing twice."""

    __tablename__ = "record_submissions"
    __table_args__ = (UniqueConstraint("department_id", "idempotency_key"), {"comment": "接口报送的幂等记录"})

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    department_id: Mapped[int] = mapped_column(ForeignKey("departments.id"))
    idempotency_key: Mapped[str] = mapped_column(String(100), comment="Idempotency-Key")
    body_hash: Mapped[str] = mapped_column(String(64), comment="请求体哈希")
    result: Mapped[Any] = mapped_column(JSON, comment="当时的答复")
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=now)


class ShorteningStatus(StrEnum):
    PENDING = "pending"  # 待部门审核
    APPROVED = "approved"  # 已同意
    REFUSED = "refused"  # 未同意


SHORTENING_LABELS = {ShorteningStatus.PENDING: "待审核", ShorteningStatus.APPROVED: "已同意", ShorteningStatus.REFUSED: "未同意"}


class PublicityShortening(Audited, Base):
    """An entity's application to shorten a fulfilled penalty's publicity by 3 to 12 months
    (优化营商环境条例 §63; R-PUB-4), decided by the recording department."""

    __tablename__ = "publicity_shortenings"
    __table_args__ = {"comment": "缩短公示期申请"}

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    record_id: Mapped[int] = mapped_column(ForeignKey("records.id"), index=True, comment="所涉信用记录（申请时的版本）")
    lineage: Mapped[str] = mapped_column(String(32), index=True, comment="记录编号")
    entity_id: Mapped[int] = mapped_column(ForeignKey("entities.id"), index=True, comment="申请主体")
    department_id: Mapped[int] = mapped_column(ForeignKey("departments.id"), index=True, comment="审核部门（记录部门）")
    months: Mapped[int] = mapped_column(Integer, comment="申请缩短的月数（3至12）")
    fulfilled_on: Mapped[dt.date] = mapped_column(Date, comment="履行完毕日期")
    reason: Mapped[str] = mapped_column(Text, comment="申请理由（履行情况、消除危害后果的说明）")
    status: Mapped[ShorteningStatus] = mapped_column(_enum(ShorteningStatus, "shortening_status"), comment="状态")
    old_end: Mapped[dt.date] = mapped_column(Date, comment="原公示截止日")
    new_end: Mapped[dt.date | None] = mapped_column(Date, comment="缩短后的公示截止日")
    decision_reason: Mapped[str | None] = mapped_column(Text, comment="审核意见")
    applied_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"), comment="申请人")
    applied_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=now, comment="申请时间")
    decided_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"), comment="审核人")
    decided_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, comment="审核时间")

    record = relationship("Record", lazy="joined")
