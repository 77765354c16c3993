from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from xinyong.kit.db import Base, UTCDateTime


class AuditEvent(Base):
    """One change to the platform: append-only, hash-chained to the one before it (R-REV-3, R-REV-4)."""

    __tablename__ = "audit_events"
    __table_args__ = {"comment": "审计留痕：每一项变更一条事件，哈希链接，只增不改"}

    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False, comment="序号，从1连续递增")
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime, comment="发生时间（UTC）")
    actor_id: Mapped[int | None] = mapped_column(Integer, comment="操作人用户ID；系统任务为空")
    actor: Mapped[str] = mapped_column(String(200), comment="操作人")
    action: Mapped[str] = mapped_column(String(80), index=True, comment="事件名，如 entity.created")
    subject_type: Mapped[str | None] = mapped_column(String(40), comment="对象类型")
    subject_id: Mapped[str | None] = mapped_column(String(80), index=True, comment="对象标识")
    detail: Mapped[Any] = mapped_column(JSON, comment="事件内容")
    changes: Mapped[Any] = mapped_column(JSON, comment="本事件确认的数据行状态：[表, 主键, 操作, 摘要]")
    prev_hash: Mapped[str] = mapped_column(String(64), comment="前一事件哈希")
    hash: Mapped[str] = mapped_column(String(64), unique=True, comment="本事件哈希")


class AuditHead(Base):
    """The chain's tip, signed with a key that is not in the database."""

    __tablename__ = "audit_head"
    __table_args__ = {"comment": "审计链头（签名）"}

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    seq: Mapped[int] = mapped_column(Integer, comment="最新事件序号")
    hash: Mapped[str] = mapped_column(String(64), comment="最新事件哈希")
    signature: Mapped[str] = mapped_column(Text, comment="Ed25519 签名")


class AuditCheckpoint(Base):
    """A signed Merkle tree head (RFC 9162) over the first ``tree_size`` events."""

    __tablename__ = "audit_checkpoints"
    __table_args__ = {"comment": "审计默克尔树签名检查点（RFC 9162）"}

    tree_size: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False, comment="树大小（事件数）")
    root_hash: Mapped[str] = mapped_column(String(64), comment="默克尔树根")
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime, comment="签署时间")
    signature: Mapped[str] = mapped_column(Text, comment="Ed25519 签名")
