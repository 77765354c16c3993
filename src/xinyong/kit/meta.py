"""A few facts about the installation itself, kept in the database beside the data they describe."""

from __future__ import annotations

from sqlalchemy import Engine, String, Text, inspect, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from .db import Base


class PlatformMeta(Base):
    __tablename__ = "platform_meta"
    __table_args__ = {"comment": "平台自身信息（如密钥指纹）"}

    key: Mapped[str] = mapped_column(String(60), primary_key=True, comment="名称")
    value: Mapped[str] = mapped_column(Text, comment="值")


KEY_FINGERPRINT = "key_fingerprint"


def read(engine: Engine, key: str) -> str | None:
    """None before `xinyong init` has made the table."""
    if not inspect(engine).has_table(PlatformMeta.__tablename__):
        return None
    with Session(engine) as session:
        return session.scalar(select(PlatformMeta.value).where(PlatformMeta.key == key))


def write_once(session: Session, key: str, value: str) -> None:
    if session.get(PlatformMeta, key) is None:
        session.add(PlatformMeta(key=key, value=value))
        session.flush()
