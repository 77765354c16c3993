"""Consents (R-PUB-2) and the query log (R-PUB-3).

``Consent`` is ordinary audited data: few rows, each grant and revocation an event on the chain.

``QueryLog`` is high-volume — a row for every read of another's non-public information and every
refused read — so it is not ``Audited`` (that would put an audit event, and the writers' lock, on
every page view). It is tamper-evident on its own, cheaply: each entry carries the hash of the one
before it (the audit chain's hash function, over every column), ``QueryLogHead`` holds the tip
signed with the platform's key (not in the database), and a daily job seals the tip into the audit
chain (``query_log.sealed``), which the signed Merkle checkpoints cover. ``xinyong audit verify``
recomputes it: an entry edited, inserted or removed, the tail cut off, or the chain recomputed without
the key is named. Nothing in the platform updates or deletes an entry.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Date, Enum, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from xinyong.audit.trail import Audited
from xinyong.kit.clock import now
from xinyong.kit.db import Base, UTCDateTime


def _enum(cls, name: str) -> Enum:
    return Enum(cls, name=name, native_enum=False, length=20, values_callable=lambda e: [m.value for m in e])


class Consent(Audited, Base):
    """书面同意: an entity lets a named party read its non-public information, for a stated purpose and
    period (001 管理办法 §20). The party is identified by its USCC; when that is a department on the
    platform, the department's officers use the consent themselves, otherwise the credit office
    answers the party's query under it."""

    __tablename__ = "consents"
    __table_args__ = (Index("ix_consents_grantee_entity", "grantee_department_id", "entity_id"),
                      {"comment": "信用主体授权查询（书面同意）"})

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    entity_id: Mapped[int] = mapped_column(ForeignKey("entities.id"), index=True, comment="授权的信用主体")
    grantee_uscc: Mapped[str] = mapped_column(String(18), comment="被授权方统一社会信用代码")
    grantee_name: Mapped[str] = mapped_column(String(200), comment="被授权方名称")
    grantee_department_id: Mapped[int | None] = mapped_column(ForeignKey("departments.id"),
                                                              comment="被授权方为平台上的部门时，该部门")
    purpose: Mapped[str] = mapped_column(Text, comment="查询用途")
    info_types: Mapped[Any] = mapped_column(JSON, comment="授权的信息类型代码；空为全部非公开信息")
    valid_from: Mapped[dt.date] = mapped_column(Date, comment="授权起始日")
    valid_to: Mapped[dt.date] = mapped_column(Date, comment="授权截止日（含）")
    granted_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"), comment="授权人（主体用户）")
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=now, comment="授权时间")
    revoked_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, comment="撤回时间")
    revoked_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"), comment="撤回人")

    entity = relationship("Entity", lazy="joined")


class Outcome(StrEnum):
    ALLOWED = "allowed"  # 已查询
    REFUSED = "refused"  # 已拒绝


OUTCOME_LABELS = {Outcome.ALLOWED: "已查询", Outcome.REFUSED: "已拒绝"}


class Target(StrEnum):
    FILE = "file"  # 信用档案
    RECORD = "record"  # 单条信用记录
    CHECK = "check"  # 信用核查（R-MEA-3）


TARGET_LABELS = {Target.FILE: "信用档案", Target.RECORD: "信用记录", Target.CHECK: "信用核查"}


class QueryLog(Base):
    """查询日志: one read of non-public information, or one refused read (R-PUB-3; 003 §21). Labels are
    copied at the time of the read, so the entry says what it said then, whatever is renamed later."""

    __tablename__ = "query_log"
    __table_args__ = {"comment": "查询日志：非公开信息的每一次查询与每一次被拒绝的查询；哈希链接，只增不改"}

    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False, comment="序号，从1连续递增")
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime, index=True, comment="查询时间（UTC）")
    actor_id: Mapped[int | None] = mapped_column(Integer, index=True, comment="查询人用户ID")
    actor: Mapped[str] = mapped_column(String(200), comment="查询人")
    actor_role: Mapped[str] = mapped_column(String(20), comment="查询人角色")
    department_id: Mapped[int | None] = mapped_column(Integer, comment="查询人所在部门ID")
    department: Mapped[str | None] = mapped_column(String(100), comment="查询人所在部门")
    entity_id: Mapped[int | None] = mapped_column(Integer, index=True, comment="被查询的信用主体ID")
    entity: Mapped[str | None] = mapped_column(String(260), comment="被查询的信用主体（名称和代码）")
    target: Mapped[Target] = mapped_column(_enum(Target, "query_target"), comment="查询内容")
    record_id: Mapped[int | None] = mapped_column(Integer, comment="查询的信用记录ID")
    duty: Mapped[str | None] = mapped_column(String(30), index=True, comment="所称履职事由（应查必查事项）")
    matter: Mapped[str | None] = mapped_column(String(200), comment="办理事项编号或说明")
    consent_id: Mapped[int | None] = mapped_column(Integer, index=True, comment="所用授权")
    outcome: Mapped[Outcome] = mapped_column(_enum(Outcome, "query_outcome"), index=True, comment="结果")
    reason: Mapped[str | None] = mapped_column(Text, comment="依据或拒绝理由")
    path: Mapped[str] = mapped_column(String(300), comment="请求路径")
    prev_hash: Mapped[str] = mapped_column(String(64), comment="前一条的哈希")
    hash: Mapped[str] = mapped_column(String(64), unique=True, comment="本条哈希")


class QueryLogHead(Base):
    """The query log's tip, signed with a key that is not in the database."""

    __tablename__ = "query_log_head"
    __table_args__ = {"comment": "查询日志链头（签名）"}

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    seq: Mapped[int] = mapped_column(Integer, comment="最新一条的序号")
    hash: Mapped[str] = mapped_column(String(64), comment="最新一条的哈希")
    signature: Mapped[str] = mapped_column(Text, comment="Ed25519 签名")
