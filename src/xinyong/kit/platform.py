"""The running platform: settings, database, keys. Built once per process (or per test)."""

from __future__ import annotations

from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from . import meta
from .crypto import Keyring, load_master_key
from .db import is_sqlite, make_engine, unit_of_work
from .settings import Settings, get_settings

# One inline request holds a connection at a time (it never yields to the loop while it does); the rest
# is for its query-log writes, which run in the thread pool. No ping before each use on PostgreSQL: two
# round trips a credit check (its read, its log write); after a server restart the pool's first use
# fails once, and SQLAlchemy then replaces every connection of the pool.
INLINE_POOL = {"pool_size": 2, "max_overflow": 6, "pool_pre_ping": False}


@dataclass
class Platform:
    settings: Settings
    engine: Engine
    sessions: sessionmaker[Session]
    keyring: Keyring
    inline_engine: Engine | None = field(default=None, repr=False)

    @classmethod
    def create(cls, settings: Settings | None = None) -> Platform:
        import xinyong.models  # noqa: F401  every model and the audit listeners are registered

        settings = settings or get_settings()
        engine = make_engine(settings.database_url, echo=settings.sql_echo)
        recorded = meta.read(engine, meta.KEY_FINGERPRINT)
        keyring = Keyring(load_master_key(settings.secret_key, settings.key_file, recorded=recorded))
        sessions = sessionmaker(engine, expire_on_commit=False, info={"keyring": keyring, "settings": settings})
        return cls(settings, engine, sessions, keyring)

    @cached_property
    def inline_sessions(self) -> sessionmaker[Session]:
        """Sessions for the routes that run on the server's event loop (``web.deps.inline``): a small pool
        of their own, which only they and their query-log writes use, so the loop never waits for a
        connection that a thread holds."""
        self.inline_engine = make_engine(self.settings.database_url, echo=self.settings.sql_echo, pool=INLINE_POOL)
        return sessionmaker(self.inline_engine, expire_on_commit=False,
                            info={"keyring": self.keyring, "settings": self.settings})

    def inline_session(self) -> Session:
        """A session for one inline route (``web.deps.inline``), which only reads. On PostgreSQL its
        statements run without a transaction: under READ COMMITTED each statement takes its own snapshot
        anyway, and BEGIN and COMMIT would be two more round trips, each holding up the event loop. (Its
        query-log entries are written in a transaction of their own, on another connection.)"""
        session = self.inline_sessions()
        if not is_sqlite(self.engine):
            session.connection(execution_options={"isolation_level": "AUTOCOMMIT"})
        return session

    def uow(self, *, actor: Any = None, write: bool = True) -> AbstractContextManager[Session]:
        return unit_of_work(self.sessions, actor=actor, write=write)

    def dispose(self) -> None:
        self.engine.dispose()
        if self.inline_engine is not None:
            self.inline_engine.dispose()


def keyring_of(session: Session) -> Keyring:
    return session.info["keyring"]


def settings_of(session: Session) -> Settings:
    return session.info["settings"]
