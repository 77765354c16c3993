"""The query log is append-only and tamper-evident without an audit event per entry: a hash chain of
its own, a signed head, and a daily seal into the audit chain (R-PUB-3, R-SEC-3)."""

import datetime as dt

from sqlalchemy import delete, select, update

from xinyong.access import log, service
from xinyong.access.duties import Duty
from xinyong.access.jobs import seal_query_log
from xinyong.access.models import Outcome, QueryLog, QueryLogHead
from xinyong.audit.chain import GENESIS
from xinyong.audit.models import AuditEvent
from xinyong.audit.verify import verify


def reads(uow, world, n=3):
    for i in range(n):
        with uow(write=False) as s:
            service.read_file(s, actor=world["actors"]["officer"], entity_id=world["company"].id, duty=Duty.SUBSIDY,
                              matter=f"扶持资金申请 {i}")


def problems(uow, platform):
    with uow(write=False) as s:
        return verify(s, platform.keyring).problems


def raw(platform, stmt):
    """Behind the platform's back: straight to the database."""
    with platform.engine.begin() as conn:
        conn.execute(stmt)


def test_entries_chain_and_the_head_is_signed(uow, world, platform):
    reads(uow, world)
    with uow(write=False) as s:
        entries = list(s.scalars(select(QueryLog).order_by(QueryLog.seq)))
        head = s.get(QueryLogHead, 1)
    assert [e.seq for e in entries] == [1, 2, 3] and entries[0].prev_hash == GENESIS
    assert [e.prev_hash for e in entries[1:]] == [e.hash for e in entries[:-1]]
    assert (head.seq, head.hash) == (3, entries[-1].hash)
    assert problems(uow, platform) == []
    with uow(write=False) as s:
        assert s.scalar(select(AuditEvent.seq).where(AuditEvent.action.like("query_log%"))) is None  # no event per read


def test_a_refused_read_is_in_the_log_even_though_the_request_failed(uow, world):  # R-PUB-3
    import pytest

    from xinyong.kit.errors import NotFound

    with pytest.raises(NotFound), uow(actor=world["actors"]["entity"]) as s:  # a writing unit of work, rolled back
        service.read_file(s, actor=world["actors"]["entity"], entity_id=world["other"].id)
    with uow(write=False) as s:
        [entry] = s.scalars(select(QueryLog)).all()
    assert entry.outcome is Outcome.REFUSED and entry.entity_id == world["other"].id


def test_an_edited_entry_is_named(uow, world, platform):
    reads(uow, world)
    raw(platform, update(QueryLog).where(QueryLog.seq == 2).values(duty="honours"))
    assert problems(uow, platform) == ["查询日志第 2 条内容与其哈希不符：记录被篡改"]


def test_a_deleted_entry_is_named(uow, world, platform):
    reads(uow, world)
    raw(platform, delete(QueryLog).where(QueryLog.seq == 2))
    assert problems(uow, platform)[0] == "查询日志第 2 条缺失（下一条为第 3 条）：记录被删除或插入"


def test_a_cut_off_tail_is_named(uow, world, platform):
    reads(uow, world)
    raw(platform, delete(QueryLog).where(QueryLog.seq == 3))
    assert "日志被截断或追加" in problems(uow, platform)[0]
    raw(platform, delete(QueryLog))
    assert "日志被截断或追加" in problems(uow, platform)[0]


def test_a_chain_recomputed_without_the_key_is_named(uow, world, platform):
    reads(uow, world, 2)
    with uow(write=False) as s:
        rows = [dict(r._mapping) for r in s.execute(select(QueryLog.__table__).order_by(QueryLog.seq))]
    rows[1]["matter"] = "已改写"
    rows[1]["hash"] = log.entry_hash(rows[1]["prev_hash"], rows[1])
    raw(platform, update(QueryLog).where(QueryLog.seq == 2).values(matter="已改写", hash=rows[1]["hash"]))
    raw(platform, update(QueryLogHead).values(hash=rows[1]["hash"]))
    assert problems(uow, platform) == ["查询日志链头签名无效：日志被重新计算"]


def test_the_seal_binds_the_log_to_the_audit_chain_even_against_the_key(uow, world, platform):
    reads(uow, world, 2)
    summary = seal_query_log(platform, now=dt.datetime.now(dt.UTC))
    assert summary["sealed"] and summary["seq"] == 2
    assert not seal_query_log(platform, now=dt.datetime.now(dt.UTC))["sealed"]  # nothing new
    # someone holding the key rewrites the log and re-signs its head: the sealed hash still disagrees
    with uow(write=False) as s:
        rows = [dict(r._mapping) for r in s.execute(select(QueryLog.__table__).order_by(QueryLog.seq))]
    rows[1]["matter"] = "已改写"
    digest = log.entry_hash(rows[1]["prev_hash"], rows[1])
    raw(platform, update(QueryLog).where(QueryLog.seq == 2).values(matter="已改写", hash=digest))
    signature = platform.keyring.signing_key.sign(log.head_message(2, digest).encode()).hex()
    raw(platform, update(QueryLogHead).values(hash=digest, signature=signature))
    assert problems(uow, platform) == ["审计链封存的查询日志第 2 条已被改动"]


def test_a_deleted_head_is_named_and_stays_named_once_the_log_goes_on(uow, world, platform):
    reads(uow, world, 2)
    raw(platform, delete(QueryLogHead))
    assert problems(uow, platform) == ["查询日志链头缺失"]
    reads(uow, world, 1)  # reads are still logged: the chain continues, and the audit trail says why
    with uow(write=False) as s:
        [restored] = s.scalars(select(AuditEvent).where(AuditEvent.action == log.RESTORED)).all()
        assert s.get(QueryLogHead, 1).seq == 3
    assert restored.detail["seq"] == 2
    assert problems(uow, platform) == [f"查询日志链头曾被删除（审计事件 #{restored.seq}），第 2 条之后的记录可能已被截去"]



def test_a_probe_with_an_absurd_code_is_refused_and_logged_on_every_backend(client, world, bearer, uow):  # R-PUB-3
    """PostgreSQL refuses a value longer than its column: the entry must be cut to fit, not lost (with a 500)."""
    h = bearer(world["users"]["entity"])
    other = client.get(f"/api/v1/entities/{world['other'].uscc}/file", headers=h)
    absurd = client.get("/api/v1/entities/" + "9" * 400 + "/file", headers=h)
    assert absurd.status_code == other.status_code == 404 and absurd.json() == other.json()
    with uow(write=False) as s:
        entries = list(s.scalars(select(QueryLog).order_by(QueryLog.seq)))
    assert [e.outcome for e in entries] == [Outcome.REFUSED, Outcome.REFUSED]
    assert entries[1].entity.startswith("（未找到）999") and entries[1].entity.endswith("…")
    assert len(entries[1].entity) == 260 and len(entries[1].path) <= 300
