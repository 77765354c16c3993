"""How the query log is written under load (R-PUB-3, R-SEC-3): concurrent reads group into shared commits
and still make one unbroken chain; a credit check served on the event loop writes its entry at once when
the log is free, and otherwise waits for it in a thread — never answering before the log has it."""

import threading
import time
from contextlib import contextmanager

from sqlalchemy import func, select, text

from xinyong.access import log, service
from xinyong.access.duties import Duty
from xinyong.access.models import QueryLog
from xinyong.audit.verify import verify
from xinyong.kit.db import is_sqlite, queued


def _count(uow) -> int:
    with uow(write=False) as s:
        return s.scalar(select(func.count()).select_from(QueryLog))


def _read(platform, world, i, sessions=None):
    with (sessions or platform.sessions)() as s:
        service.read_file(s, actor=world["actors"]["officer"], entity_id=world["company"].id, duty=Duty.SUBSIDY,
                          matter=f"扶持资金申请 {i}")
        s.commit()


@contextmanager
def log_held(platform):
    """Another writer holds the log's lock: on SQLite the queue's lock file; on PostgreSQL the head's row
    lock, and the advisory lock writers take while there is no head."""
    if is_sqlite(platform.engine):
        with queued(platform.engine, "query-log"):
            yield
        return
    with platform.engine.connect() as conn, conn.begin():
        conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": log.QUERY_LOG_LOCK_KEY})
        conn.execute(log._HEAD_LOCKED)
        yield


def test_concurrent_reads_land_on_one_unbroken_signed_chain(platform, uow, world):  # R-PUB-3, R-SEC-3
    before = _count(uow)
    errors = []

    def reader(n):
        try:
            for i in range(15):
                _read(platform, world, n * 100 + i)
        except Exception as error:  # noqa: BLE001 — reported below
            errors.append(error)

    threads = [threading.Thread(target=reader, args=(n,)) for n in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert _count(uow) == before + 90
    with uow(write=False) as s:
        seqs = list(s.scalars(select(QueryLog.seq).order_by(QueryLog.seq)))
        assert seqs == list(range(1, len(seqs) + 1))
        assert verify(s, platform.keyring).problems == []


def test_an_inline_write_does_not_wait_for_a_busy_log_and_keeps_its_entries(platform, uow, world):  # R-PUB-3
    """On SQLite the event loop writes the entries when the log's lock is free at once; on PostgreSQL it
    never writes them (the write waits on round trips): the thread pool's ``wait=True`` does."""
    before = _count(uow)
    session = platform.inline_session()
    session.info[log.DEFERRED] = []
    service.authorise(session, actor=world["actors"]["officer"], entity_id=world["company"].id, duty=Duty.SUBSIDY,
                      matter="扶持资金申请")
    session.commit()
    assert len(session.info[log.DEFERRED]) == 1 and _count(uow) == before  # noted, not yet written
    with log_held(platform):
        assert log.write_deferred(session, wait=False) is False
        assert len(session.info[log.DEFERRED]) == 1 and _count(uow) == before
    if is_sqlite(platform.engine):  # SQLite's write lock is the whole database's: a writer (an import) holds it
        with uow():
            assert log.write_deferred(session, wait=False) is False
        assert log.write_deferred(session, wait=False) is True
    else:
        assert log.write_deferred(session, wait=False) is False
        assert len(session.info[log.DEFERRED]) == 1 and _count(uow) == before
        assert log.write_deferred(session, wait=True) is True
    session.close()
    assert session.info[log.DEFERRED] == [] and _count(uow) == before + 1
    with uow(write=False) as s:
        assert verify(s, platform.keyring).problems == []


def test_a_credit_check_is_not_answered_before_the_log_has_it(client, platform, uow, world, bearer):  # R-PUB-3
    headers = bearer(world["users"]["officer"])
    before = _count(uow)
    answers = []
    with log_held(platform):
        asking = threading.Thread(target=lambda: answers.append(client.get(
            f"/api/v1/entities/{world['company'].uscc}/check", params={"matter": "subsidy"}, headers=headers)))
        asking.start()
        time.sleep(0.5)
        assert asking.is_alive() and not answers  # waiting for the log, not answered
        assert _count(uow) == before
    asking.join(timeout=30)
    assert answers and answers[0].status_code == 200, answers and answers[0].text
    assert _count(uow) == before + 1
    with uow(write=False) as s:
        entry = s.scalars(select(QueryLog).order_by(QueryLog.seq.desc())).first()
    assert entry.target == "check" and entry.entity_id == world["company"].id
