"""Writers in parallel never fork the chain: the head row serialises them (PostgreSQL) and a
writing unit of work begins IMMEDIATE (SQLite)."""

from concurrent.futures import ThreadPoolExecutor

from sqlalchemy import func, select

from xinyong.accounts.permissions import SYSTEM
from xinyong.audit.models import AuditEvent
from xinyong.audit.verify import verify
from xinyong.entities import service
from xinyong.entities.schemas import EntityCreate


def test_parallel_writers_keep_one_unbroken_chain(platform, make):  # R-REV-4
    codes = [make.uscc() for _ in range(40)]

    def create(code):
        with platform.uow(actor=SYSTEM) as s:
            service.create_entity(s, actor=SYSTEM, entity_in=EntityCreate(uscc=code, name=f"并发测试{code}有限公司"))

    with ThreadPoolExecutor(max_workers=4) as pool:
        list(pool.map(create, codes))

    with platform.uow(write=False) as s:
        seqs = list(s.scalars(select(AuditEvent.seq).order_by(AuditEvent.seq)))
        assert seqs == list(range(1, len(seqs) + 1))
        assert s.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "entity.created")) == 40
        report = verify(s, platform.keyring)
    assert report.ok, report.problems


def test_a_failed_unit_of_work_leaves_no_event_and_no_row(platform, make):
    code = make.uscc()
    try:
        with platform.uow(actor=SYSTEM) as s:
            service.create_entity(s, actor=SYSTEM, entity_in=EntityCreate(uscc=code, name="半途失败有限公司"))
            raise RuntimeError("crash after the event was written, before commit")
    except RuntimeError:
        pass
    with platform.uow(write=False) as s:
        assert s.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.subject_type == "entity")) == 0
        assert verify(s, platform.keyring).ok
    make.entity("之后一切正常有限公司")  # the chain continues from the last committed head
    with platform.uow(write=False) as s:
        assert verify(s, platform.keyring).ok



def test_a_rolled_back_savepoint_leaves_no_trace_on_the_chain(platform, make):  # R-REV-4
    from xinyong.audit.trail import record_event
    from xinyong.entities.models import Entity

    kept, dropped = make.uscc(), make.uscc()
    with platform.uow(actor=SYSTEM) as s:
        service.create_entity(s, actor=SYSTEM, entity_in=EntityCreate(uscc=kept, name="保留有限公司"))
        s.add(Entity(kind="legal_person", uscc=make.uscc(), name="未命名事件前写入有限公司", name_key="x"))
        s.flush()  # captured, not yet claimed by an event
        savepoint = s.begin_nested()
        service.create_entity(s, actor=SYSTEM, entity_in=EntityCreate(uscc=dropped, name="回滚有限公司"))
        savepoint.rollback()
        record_event(s, "test.after_savepoint")
    with platform.uow(write=False) as s:
        assert s.scalar(select(func.count()).select_from(Entity).where(Entity.uscc == dropped)) == 0
        report = verify(s, platform.keyring)
    assert report.ok, report.problems
