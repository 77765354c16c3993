"""Engine, session, unit of work and the declarative base.

The boundary owns the transaction (DESIGN habit 1): requests, CLI commands and jobs open a unit of
work; services only ``flush()``. Models are portable between SQLite and PostgreSQL (habit 8).
"""

from __future__ import annotations

import datetime as dt
import fcntl
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from enum import Enum
from itertools import repeat
from typing import Any

from sqlalchemy import DateTime, Engine, MetaData, bindparam, create_engine, event, text
from sqlalchemy import Enum as SAEnum
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker
from sqlalchemy.types import TypeDecorator

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class UTCDateTime(TypeDecorator):
    """Stored as naive UTC on every backend, returned as an aware UTC datetime.

    One representation everywhere keeps the audit digests of a row identical whichever backend
    wrote or reads it.
    """

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given where an aware one is required")
        return value.astimezone(dt.UTC).replace(tzinfo=None)

    def process_result_value(self, value: dt.datetime | None, dialect) -> dt.datetime | None:
        if value is None:
            return None
        if isinstance(value, str):  # SQLite read through a bare text() query
            value = dt.datetime.fromisoformat(value)
        return value.replace(tzinfo=dt.UTC)


def is_sqlite(url_or_engine: Any) -> bool:
    url = getattr(url_or_engine, "url", url_or_engine)
    return str(url).startswith("sqlite")


# Connections kept open: a request holds one, and its query-log write briefly a second (access.log), and
# the server runs requests on a thread pool of 40. With the default 5, a busy server closed and reopened
# connections all the time (on SQLite each opening sets its pragmas, WAL among them).
POOL = {"pool_size": 16, "max_overflow": 24}


def make_engine(url: str, *, echo: bool = False, pool: dict[str, Any] | None = None) -> Engine:
    pool = POOL if pool is None else pool
    if is_sqlite(url):
        engine = create_engine(url, echo=echo, hide_parameters=not echo,
                               connect_args={"timeout": 30, "check_same_thread": False}, **pool)
        _configure_sqlite(engine)
    else:
        engine = create_engine(url, echo=echo, hide_parameters=not echo, **({"pool_pre_ping": True} | pool))
    # hide_parameters: a failed statement's values (names, ID numbers of a bulk insert) stay out of logs
    return engine


# Bulk writes (a file of a million rows) insert rows with explicit ids, taken by the writer that holds
# the write lock. On PostgreSQL the id column's sequence must then be moved past them, or the next
# ordinary INSERT collides; SQLite's next rowid is max + 1 anyway.
def _sequence(table) -> str:
    return f"pg_get_serial_sequence('{table.name}', 'id')::regclass"


def next_free_id(session, table) -> int:
    """The first id no row of ``table`` has and its sequence has not handed out."""
    from sqlalchemy import text

    top = f"SELECT COALESCE(MAX(id), 0) FROM {table.name}"  # noqa: S608 — a table name from the model
    if session.get_bind().dialect.name == "postgresql":
        top = f"SELECT GREATEST(({top}), COALESCE(pg_sequence_last_value({_sequence(table)}), 0))"
    return session.execute(text(top)).scalar_one() + 1


IN_CHUNK = 900  # keys per IN (…): well inside every database's parameter limit


def batched(items, size: int = IN_CHUNK):
    """Lists of at most ``size`` items of any iterable, lazily: the keys of one IN (…) at a time, or a
    file's rows a chunk at a time."""
    batch = []
    for item in items:
        batch.append(item)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


IDS = bindparam("ids", expanding=True)  # ``:ids`` in a statement built once and run with ``for_ids``


def for_ids(session, stmt, ids, params: dict[str, Any] | None = None) -> list[Any]:
    """The rows of ``stmt`` — built once, with ``IN (:ids)`` (``IDS``) — for all of ``ids``, an IN (…) a chunk
    at a time (PostgreSQL takes at most 65,535 parameters a statement)."""
    return [row for part in batched(ids) for row in session.execute(stmt, {**(params or {}), "ids": part})]


def tune_for_bulk(session) -> None:
    """For a connection about to write a million rows. SQLite's default 2 MB page cache makes every
    insert into a random-keyed index (a USCC, a blind index, a dedup key) a read from the OS; 256 MB
    keeps them in memory (pages are taken only as they are used). PostgreSQL needs nothing here."""
    if session.get_bind().dialect.name == "sqlite":
        session.connection().exec_driver_sql("PRAGMA cache_size=-262144")


def varying_columns(rows: list[dict[str, Any]], shared: dict[str, Any] | None) -> list[str]:
    """The columns bulk ``rows`` give each (the first row's keys), beside the ``shared`` values every row has
    alike (``insert_many``, ``audit.trail.attest_rows``); a column given both ways is refused."""
    both = set(rows[0]).intersection(shared or {})
    if both:
        raise ValueError(f"{sorted(both)} given both in the rows and as shared")
    return list(rows[0])


def insert_many(session, table, rows: list[dict[str, Any]], shared: dict[str, Any] | None = None) -> None:
    """Insert ``rows`` (dicts of column values, as a Core insert takes them; every row gives every column,
    no Python-side default is applied) in bulk: on PostgreSQL by COPY, one stream instead of a statement a
    row (a grading run's list entries: about 13 µs a row less, of 45); elsewhere by the driver's
    executemany, each column's values converted by SQLAlchemy's own conversion for it (the Core insert spent
    more preparing a row than SQLite spent storing it). Values as the column types take them: an aware
    datetime is stored as naive UTC (``UTCDateTime``), an enum by its value; a column type COPY could not
    convert as the ORM does is refused on every database alike (``_stored``). ``shared``: the values of the
    columns that every row has alike (a run's basis, its date), given once and converted once; a column
    given in the first row and as shared is refused, and a later row's own value of a shared column is
    ignored (as ``audit.chain.mapping_digester`` ignores it)."""
    if not rows:
        return
    shared = shared or {}
    varying = varying_columns(rows, shared)
    conn = session.connection()
    columns = varying + list(shared)
    # refused alike on every database: what COPY could not convert as the ORM does (``_stored``)
    stored = {c: _stored(table.c[c].type) for c in columns}
    if conn.dialect.name == "postgresql":
        fixed = [value if stored[c] is None else stored[c](value) for c, value in shared.items()]
        converted = [(c, stored[c]) for c in varying]
        raw = conn.connection.driver_connection
        with raw.cursor() as cur, cur.copy(f"COPY {table.name} ({', '.join(columns)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row([row[c] if to is None else to(row[c]) for c, to in converted] + fixed)
        return
    compiled = table.insert().compile(dialect=conn.dialect, column_keys=columns)
    if not compiled.positional or compiled.escaped_bind_names:  # not SQLite's placeholders: the Core insert
        conn.execute(table.insert(), [row | shared for row in rows])
        return
    # the parameters column by column, in the statement's placeholder order, then zipped into rows
    values = []
    for c in compiled.positiontup:
        to = _converter(table.c[c].type, conn.dialect)
        if c in shared:
            values.append(repeat(shared[c] if to is None else to(shared[c]), len(rows)))
        else:
            column = [row[c] for row in rows]
            values.append(column if to is None else [to(v) for v in column])
    conn.exec_driver_sql(compiled.string, list(zip(*values, strict=True)))


def _converter(column_type, dialect) -> Callable[[Any], Any] | None:
    """SQLAlchemy's conversion of a bound value of ``column_type`` for ``dialect``, remembering the last value
    it converted: rows written in bulk share most of their values (a run's date, a kind), and a conversion
    costs a call or two each time."""
    process = column_type.dialect_impl(dialect).bind_processor(dialect)
    if process is None:
        return None
    last: list[Any] = [object(), None]

    def convert(value: Any) -> Any:
        if value is last[0]:
            return last[1]
        last[0], last[1] = value, process(value)
        return last[1]

    return convert


def _stored(column_type) -> Callable[[Any], Any] | None:
    """How a value of a column of this type is written where SQLAlchemy's own conversion is bypassed: the
    two conversions the platform's tables need, and a refusal for any other converting type (JSON, other
    decorators, an enum stored by name) rather than a value stored unlike the ORM would."""
    if isinstance(column_type, UTCDateTime):
        to_utc = UTCDateTime().process_bind_param  # built once; a naive datetime refused, as the ORM refuses it
        return lambda v: to_utc(v, None)
    if isinstance(column_type, SAEnum) and column_type.enum_class is not None:
        if list(column_type.enums) != [m.value for m in column_type.enum_class]:
            raise TypeError(f"insert_many: {column_type.enum_class.__name__} is stored by name, not by value")
        return lambda v: v.value if isinstance(v, Enum) else v
    if isinstance(column_type, TypeDecorator) or column_type._type_affinity.__name__ == "JSON":
        raise TypeError(f"insert_many: no COPY conversion for {type(column_type).__name__}")
    return None


def sync_id_sequence(session, table) -> None:
    """After rows were inserted with explicit ids: the sequence continues after the largest."""
    from sqlalchemy import text

    if session.get_bind().dialect.name == "postgresql":
        session.execute(text(f"SELECT setval({_sequence(table)}, GREATEST((SELECT MAX(id) FROM {table.name}), "  # noqa: S608
                             f"COALESCE(pg_sequence_last_value({_sequence(table)}), 1)))"))


class Busy(Exception):
    """A lock was taken, and the caller asked not to wait for it."""


@contextmanager
def queued(engine: Engine, name: str, *, wait: bool = True) -> Iterator[None]:
    """Short writes that many processes make at once (the query log's, one per read) queue here, in the
    kernel, before they take SQLite's write lock: SQLite's own busy handler polls, sleeping 1, 2, 5, 10 …
    ms between tries, which left a server's processes sleeping more than writing. A lock file beside the
    database (``flock``: released when the file closes, also by a process that dies); PostgreSQL and an
    in-memory database need none. ``wait=False``: raise ``Busy`` rather than wait."""
    path = engine.url.database if engine.dialect.name == "sqlite" else None
    if not path or path == ":memory:" or path.startswith("file:"):
        yield
        return
    fd = os.open(f"{path}-{name}.lock", os.O_RDWR | os.O_CREAT, 0o600)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX if wait else fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as taken:
            raise Busy(name) from taken
        yield
    finally:
        os.close(fd)


BUSY_TIMEOUT_MS = 30_000


def _configure_sqlite(engine: Engine) -> None:
    # pysqlite's own transaction handling defers BEGIN and cannot take a write lock up front;
    # take control of it (SQLAlchemy's documented recipe) so a writing unit of work can BEGIN
    # IMMEDIATE and never fail half-way on a lock upgrade.
    @event.listens_for(engine, "connect")
    def _connect(dbapi_connection, _record):
        dbapi_connection.isolation_level = None
        cur = dbapi_connection.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        cur.close()

    @event.listens_for(engine, "begin")
    def _begin(conn):
        options = conn.get_execution_options()
        begin = options.get("sqlite_begin", "BEGIN")
        if not options.get("sqlite_nowait"):
            conn.exec_driver_sql(begin)
            return
        # the caller would rather hear "busy" at once than wait for another writer (access.log's inline writes)
        conn.exec_driver_sql("PRAGMA busy_timeout=0")
        try:
            conn.exec_driver_sql(begin)
        except OperationalError as error:
            raise Busy("sqlite write lock") from error
        finally:
            conn.exec_driver_sql(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")


# Work that must join a transaction just before it commits, registered by domains (e.g. grading regrades
# the entities whose records changed, R-GRD-4). This listener is registered when this module is first
# imported, before the audit trail's, so what the hooks write is bound to the chain in the same commit.
_BEFORE_COMMIT: list[Callable[[Session], None]] = []
TOUCHED = "touched_entities"


def before_commit(fn: Callable[[Session], None]) -> Callable[[Session], None]:
    _BEFORE_COMMIT.append(fn)
    return fn


def touch(session: Session, entity_ids) -> None:
    """Note that these entities' credit data changed in this transaction (bulk writes the ORM never sees)."""
    session.info.setdefault(TOUCHED, set()).update(entity_ids)


@event.listens_for(Session, "before_commit")
def _run_before_commit(session: Session) -> None:
    for fn in _BEFORE_COMMIT:
        fn(session)


@event.listens_for(Session, "after_transaction_end")
def _forget_touched(session: Session, transaction) -> None:
    if transaction.parent is None:
        session.info.pop(TOUCHED, None)


# Any constant: the key of the one transaction-scoped advisory lock that writers take on PostgreSQL.
WRITER_LOCK_KEY = 0x78696E79  # "xiny"


def begin_write(session: Session) -> None:
    """Start the session's transaction as the one writer, before it reads anything.

    Writers run one at a time on both backends (SQLite: BEGIN IMMEDIATE; PostgreSQL: a
    transaction-scoped advisory lock). That is what the audit chain needs: every row a writer
    reads is the committed state, so the digest it binds to the chain is the state the database
    will hold — under READ COMMITTED two writers could otherwise each bind half of a row."""
    if session.in_transaction():
        return
    if is_sqlite(session.get_bind()):
        session.connection(execution_options={"sqlite_begin": "BEGIN IMMEDIATE"})
    else:
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": WRITER_LOCK_KEY})


@contextmanager
def unit_of_work(factory: sessionmaker[Session], *, actor: Any = None, write: bool = True) -> Iterator[Session]:
    """Commit on success, roll back on any error: the database is as before or as after, never between."""
    session = factory()
    session.info["actor"] = actor
    try:
        if write:
            begin_write(session)
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()
