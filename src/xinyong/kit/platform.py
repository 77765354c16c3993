"""The running platform: settings, database, keys. Built once per process (or per test)."""

from __future__ import annotations

from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from . import meta
from .crypto import Keyring, load_master_key
from .db import make_engine, unit_of_work
from .settings import Settings, get_settings


@dataclass
class Platform:
    settings: Settings
    engine: Engine
    sessions: sessionmaker[Session]
    keyring: Keyring

    @classmethod
    def create(cls, settings: Settings | None = None) -> Platform:
        import xinyong.models  # noqa: F401  every model and the audit listeners are registered

        settings = settings or get_settings()
        engine = make_engine(settings.database_url, echo=settings.sql_echo)
        recorded = meta.read(engine, meta.KEY_FINGERPRINT)
        keyring = Keyring(load_master_key(settings.secret_key, settings.key_file, recorded=recorded))
        sessions = sessionmaker(engine, expire_on_commit=False, info={"keyring": keyring, "settings": settings})
        return cls(settings, engine, sessions, keyring)

    def uow(self, *, actor: Any = None, write: bool = True) -> AbstractContextManager[Session]:
        return unit_of_work(self.sessions, actor=actor, write=write)

    def dispose(self) -> None:
        self.engine.dispose()


def keyring_of(session: Session) -> Keyring:
    return session.info["keyring"]


def settings_of(session: Session) -> Settings:
    return session.info["settings"]
