"""Writing and checking the query log (R-PUB-3, R-SEC-3). See ``models`` for why it is a chain of its
own rather than audited rows.

A read is noted on the reader's session (``note``) and written when that session's transaction ends,
committed or rolled back, in a short transaction of its own: a refused read raises and rolls the
request back, and must still be on the log. It is written before the response leaves (the request's
unit of work ends before it returns), so nobody reads without the log having it. Log writers take a
lock of their own (PostgreSQL: the head row's, or an advisory lock while there is no head; SQLite: the
database's write lock, briefly), never the writers' lock an import holds for a whole batch.
"""

from __future__ import annotations

import datetime as dt
import threading
from typing import Any

from sqlalchemy import Connection, Engine, String, event, insert, inspect, select, text, update
from sqlalchemy.orm import Session

from xinyong.audit import chain
from xinyong.audit.models import AuditEvent
from xinyong.audit.trail import describe, record_event, sign
from xinyong.kit.clock import now
from xinyong.kit.db import WRITER_LOCK_KEY, Busy, is_sqlite, queued

from .models import QueryLog, QueryLogHead

HEAD_ID = 1
QUERY_LOG_LOCK_KEY = 0x78796C67  # "xylg": the log writers' advisory lock on PostgreSQL, while there is no head
_PENDING = "query_log_pending"
DEFERRED = "query_log_deferred"  # in a session's info: its entries wait for write_deferred
SEALED = "query_log.sealed"
RESTORED = "query_log.head_restored"
describe(SEALED, "查询日志封存", subject=("query_log", "查询日志"))
describe(RESTORED, "查询日志链头缺失后重建")

COLUMNS = [c.name for c in QueryLog.__table__.columns if c.name not in ("prev_hash", "hash")]
# What a column holds at most: a value from the request (the code someone typed) is cut to fit, so that
# PostgreSQL stores the entry as SQLite does instead of refusing it — and the refused read with it.
_LENGTHS = {c.name: c.type.length for c in QueryLog.__table__.columns
            if isinstance(c.type, String) and c.type.length and c.name in COLUMNS}


def _fit(name: str, value: Any) -> Any:
    limit = _LENGTHS.get(name)
    if limit is None or not isinstance(value, str) or len(value) <= limit:
        return value
    return value[:limit - 1] + "…"


def note(session: Session, **entry: Any) -> None:
    """Queue one entry (columns of ``QueryLog`` but ``seq`` and the hashes); written when the
    session's transaction ends, whatever its outcome."""
    entry.setdefault("at", now())
    session.info.setdefault(_PENDING, []).append(entry)


@event.listens_for(Session, "after_transaction_end")
def _write_noted(session: Session, transaction) -> None:
    if transaction.parent is not None:  # a savepoint: the outer transaction writes them
        return
    entries = session.info.pop(_PENDING, None)
    if not entries:
        return
    if DEFERRED in session.info:  # an inline route's: written by write_deferred, off the event loop
        session.info[DEFERRED].extend(entries)
    else:
        _group_commit(session.get_bind(), session.info.get("keyring"), entries)


def write_deferred(session: Session, *, wait: bool = True) -> bool:
    """Write what an inline route's session noted (``web.deps.inline``). ``wait=False`` (on the event
    loop): only if that never waits — on SQLite, when the log's lock is free at once (its commit is a
    write to the WAL, no flush); on PostgreSQL never, since the write itself waits on five round trips,
    the commit's flush to disk among them, and the loop would serve nobody meanwhile. False, the entries
    kept: the caller then writes them with ``wait=True`` in the thread pool."""
    entries = session.info.get(DEFERRED)
    if not entries:
        return True
    engine, keyring = session.get_bind(), session.info.get("keyring")
    if wait:
        _group_commit(engine, keyring, entries)
    elif not is_sqlite(engine) or not _writer(engine, keyring).write_now(engine, keyring, entries):
        return False
    session.info[DEFERRED] = []
    return True


class _Batch:
    """Entries waiting to be written, and the threads waiting for them."""

    def __init__(self) -> None:
        self.entries: list[dict[str, Any]] = []
        self.done = False
        self.error: BaseException | None = None


class _Writer:
    """Group commit for one database in this process. Concurrent requests each append their entries to
    the open batch; the first that finds no batch being written writes the open one — its own entries
    and those that arrived meanwhile — in one transaction, and the others wait for that commit. So every
    request still returns only after its entries are stored (a write failing fails each of them), but a
    busy server takes the log's lock and signs its head once per batch rather than once per read."""

    def __init__(self) -> None:
        self.cond = threading.Condition()
        self.open = _Batch()
        self.writing = False

    def write(self, engine: Engine, keyring, entries: list[dict[str, Any]]) -> None:
        with self.cond:
            batch = self.open
            batch.entries.extend(entries)
            while self.writing and not batch.done:
                self.cond.wait()
            if batch.done:  # another thread wrote it
                if batch.error is not None:
                    raise batch.error
                return
            self.writing, self.open = True, _Batch()
        try:
            with queued(engine, "query-log"):
                append(engine, keyring, batch.entries)
        except BaseException as error:
            batch.error = error
            raise
        finally:
            with self.cond:
                batch.done, self.writing = True, False
                self.cond.notify_all()

    def write_now(self, engine: Engine, keyring, entries: list[dict[str, Any]]) -> bool:
        """Write ``entries`` (SQLite) only if no one is writing the log (here or in another process);
        False, and nothing written, when someone is — the caller then queues with ``write``."""
        with self.cond:
            if self.writing:
                return False
            self.writing = True
        try:
            with queued(engine, "query-log", wait=False):
                append(engine, keyring, entries, wait=False)
            return True
        except Busy:
            return False
        finally:
            with self.cond:
                self.writing = False
                self.cond.notify_all()


_WRITERS: dict[tuple[int, int], _Writer] = {}
_WRITERS_LOCK = threading.Lock()


def _writer(engine: Engine, keyring) -> _Writer:
    with _WRITERS_LOCK:
        return _WRITERS.setdefault((id(engine), id(keyring)), _Writer())


def _group_commit(engine: Engine, keyring, entries: list[dict[str, Any]]) -> None:
    _writer(engine, keyring).write(engine, keyring, entries)


def head_message(seq: int, digest: str) -> str:
    return f"xinyong-query-log-head:{seq}:{digest}"


def entry_hash(prev: str, row: dict[str, Any]) -> str:
    return chain.event_hash(prev, {name: row.get(name) for name in COLUMNS})


def _lock(session: Session, wait: bool) -> None:
    if is_sqlite(session.get_bind()):
        session.connection(execution_options={"sqlite_begin": "BEGIN IMMEDIATE", "sqlite_nowait": not wait})
    else:
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": QUERY_LOG_LOCK_KEY})


# Built once: the log is written on every read of a file and every credit check.
_HEAD = select(QueryLogHead.__table__.c.seq, QueryLogHead.__table__.c.hash).where(QueryLogHead.__table__.c.id == HEAD_ID)
# PostgreSQL: the head's row lock orders the writers (SQLite renders no FOR UPDATE: BEGIN IMMEDIATE does it)
_HEAD_LOCKED = _HEAD.with_for_update()
_INSERT = insert(QueryLog.__table__)
_ADD_HEAD = insert(QueryLogHead.__table__).values(id=HEAD_ID)
_MOVE_HEAD = update(QueryLogHead.__table__).where(QueryLogHead.__table__.c.id == HEAD_ID)


def append(engine: Engine, keyring, entries: list[dict[str, Any]], *, wait: bool = True) -> int:
    """Chain and store ``entries``; returns the last seq. ``wait=False`` (SQLite only): raise ``Busy``
    rather than wait for another writer of the log.

    The usual case — the head is there — runs on a plain connection: an ORM session's bookkeeping cost
    more than the statements, and on PostgreSQL the head is read and locked in one round trip
    (``SELECT … FOR UPDATE`` sees the head as the previous writer committed it). A log without a head takes
    the log writers' lock, then restores or creates the head (``_restore``)."""
    if keyring is None:
        raise RuntimeError("query log written without a keyring: open sessions through the platform")
    sqlite = is_sqlite(engine)
    if not (sqlite or wait):
        raise ValueError("the query log is written without waiting only on SQLite (write_deferred)")
    with engine.connect() as conn:
        if sqlite:
            conn.execution_options(sqlite_begin="BEGIN IMMEDIATE", sqlite_nowait=not wait)
        with conn.begin():
            head = conn.execute(_HEAD_LOCKED).first()
            if head is not None:
                return _store(conn, keyring, head, entries)
    with Session(bind=engine, info={"keyring": keyring}) as session:
        _lock(session, wait)
        # another writer may have made it meanwhile; its row lock then keeps out those that took that path
        head = session.execute(_HEAD_LOCKED).first()
        seq = _store(session, keyring, head or _restore(session), entries, new_head=head is None)
        session.commit()
    return seq


def _store(executor: Connection | Session, keyring, head: tuple[int, str], entries: list[dict[str, Any]], *,
           new_head: bool = False) -> int:
    """Chain ``entries`` onto ``head`` (seq, hash) and store them with the new, signed head."""
    seq, prev = head
    rows = []
    for entry in entries:
        seq += 1
        row = {name: _fit(name, entry.get(name)) for name in COLUMNS} | {"seq": seq}
        digest = entry_hash(prev, row)
        rows.append(row | {"prev_hash": prev, "hash": digest})
        prev = digest
    executor.execute(_INSERT, rows)
    head_row = {"seq": seq, "hash": prev, "signature": sign(keyring, head_message(seq, prev))}
    executor.execute(_ADD_HEAD if new_head else _MOVE_HEAD, head_row)
    return seq


def _restore(session: Session) -> tuple[int, str]:
    """No head: a new log — or a head deleted behind the platform's back. The chain then continues
    from its last entry, and the audit trail says so, so the gap is not quietly papered over."""
    last = session.execute(select(QueryLog.seq, QueryLog.hash).order_by(QueryLog.seq.desc()).limit(1)).first()
    if last is None:
        return 0, chain.GENESIS
    if not is_sqlite(session.get_bind()):
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": WRITER_LOCK_KEY})
    record_event(session, RESTORED, subject_type="query_log", subject_id=last.seq,
                 detail={"seq": last.seq, "hash": last.hash})
    return last.seq, last.hash


def seal(session: Session) -> dict | None:
    """Bind the log's current tip to the audit chain (one event a day, by the ``access.seal_query_log``
    job): from then on the signed Merkle checkpoints cover every entry up to it."""
    head = session.get(QueryLogHead, HEAD_ID)
    if head is None:
        return None
    last = session.scalars(select(AuditEvent.detail).where(AuditEvent.action == SEALED)
                           .order_by(AuditEvent.seq.desc()).limit(1)).first()
    if last and last.get("seq") == head.seq:
        return None
    record_event(session, SEALED, subject_type="query_log", subject_id=head.seq,
                 detail={"seq": head.seq, "hash": head.hash})
    return {"seq": head.seq, "hash": head.hash}


def verify(session: Session, keyring) -> tuple[int, list[str]]:
    """(entries, problems): the chain recomputed, the signed head, and every seal on the audit chain."""
    if not inspect(session.get_bind()).has_table(QueryLog.__tablename__):
        return 0, []  # before the migration that creates it
    problems: list[str] = []
    marks = select(AuditEvent.seq, AuditEvent.action, AuditEvent.detail).where(AuditEvent.action.in_([SEALED, RESTORED]))
    marks = list(session.execute(marks.order_by(AuditEvent.seq)))  # one a day: few
    sealed = {detail.get("seq") for _, _, detail in marks}
    prev, expected, count = chain.GENESIS, 1, 0
    by_seq: dict[int, str] = {}  # only the entries a seal names: a log of millions stays out of memory
    broken = False
    stmt = select(QueryLog.__table__).order_by(QueryLog.seq).execution_options(yield_per=5000)
    for row in session.execute(stmt):
        m = dict(row._mapping)
        if not broken:
            if m["seq"] != expected:
                problems.append(f"查询日志第 {expected} 条缺失（下一条为第 {m['seq']} 条）：记录被删除或插入")
                broken = True
            elif m["prev_hash"] != prev:
                problems.append(f"查询日志第 {m['seq']} 条的前序哈希不符：链被改动")
                broken = True
            elif entry_hash(prev, m) != m["hash"]:
                problems.append(f"查询日志第 {m['seq']} 条内容与其哈希不符：记录被篡改")
                broken = True
        prev, expected = m["hash"], m["seq"] + 1
        if m["seq"] in sealed:
            by_seq[m["seq"]] = m["hash"]
        count += 1
    head = session.get(QueryLogHead, HEAD_ID)
    if head is None:
        if count:
            problems.append("查询日志链头缺失")
    elif not count or (head.seq, head.hash) != (expected - 1, prev):
        # a head is written only with entries: one without them, or past the last, means entries were cut off
        problems.append(f"查询日志链头（第 {head.seq} 条）与最后一条（第 {expected - 1} 条）不符：日志被截断或追加")
    elif not _signed(keyring, head):
        problems.append("查询日志链头签名无效：日志被重新计算")
    for event_seq, action, detail in marks:
        seq, digest = detail.get("seq"), detail.get("hash")
        if by_seq.get(seq) != digest:
            problems.append(f"审计链封存的查询日志第 {seq} 条{'已不存在' if seq not in by_seq else '已被改动'}")
        if action == RESTORED:
            # the platform never removes the head: the log went on, but what followed entry ``seq`` may be lost
            problems.append(f"查询日志链头曾被删除（审计事件 #{event_seq}），第 {seq} 条之后的记录可能已被截去")
    return count, problems


def _signed(keyring, head: QueryLogHead) -> bool:
    from cryptography.exceptions import InvalidSignature

    try:
        keyring.verify_key.verify(bytes.fromhex(head.signature), head_message(head.seq, head.hash).encode())
        return True
    except (InvalidSignature, ValueError):
        return False


def day_bounds(day_from: dt.date | None, day_to: dt.date | None) -> tuple[dt.datetime | None, dt.datetime | None]:
    """Beijing calendar days as UTC instants: [start of ``day_from``, start of the day after ``day_to``)."""
    from xinyong.kit.clock import CHINA

    start = dt.datetime.combine(day_from, dt.time(), tzinfo=CHINA).astimezone(dt.UTC) if day_from else None
    end = (dt.datetime.combine(day_to + dt.timedelta(days=1), dt.time(), tzinfo=CHINA).astimezone(dt.UTC)
           if day_to else None)
    return start, end
