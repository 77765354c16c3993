"""The job ``objections.deadlines``: deadlines unknown while a year's arrangement was missing are computed
once it is loaded (R-OBJ-2; SPEC §16: never guessed)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from tests.workcalendar.test_service import YEAR_2027
from xinyong.accounts.permissions import SYSTEM
from xinyong.audit.models import AuditEvent
from xinyong.audit.verify import verify as verify_chain
from xinyong.jobs.models import RunStatus
from xinyong.jobs.registry import REGISTRY
from xinyong.jobs.runner import run_job
from xinyong.objections import service
from xinyong.objections.models import Objection
from xinyong.objections.schemas import ObjectionCreate
from xinyong.workcalendar.service import load_arrangement

D = dt.date


def test_the_job_is_registered_hourly():  # DESIGN habit 6: found by name, no central list to edit
    job = REGISTRY.get("objections.deadlines")
    assert job.schedule.every == dt.timedelta(hours=1) and job.label == "补算异议处理期限"


def test_deadlines_unknown_in_an_unloaded_year_are_filled_once_it_is_loaded(world, uow, platform):
    # R-OBJ-2 across into 2027: received Thu 2026-12-24, 12-25 and 12-28…12-31 are five working days, then 2027
    a = world["actors"]
    with uow(actor=a["entity"]) as s:
        oid = service.file(s, actor=a["entity"], day=D(2026, 12, 24), objection_in=ObjectionCreate(
            record_id=world["records"]["scjg_public"], ground="inaccurate", statement="金额有误")).id
    with uow(write=False) as s:
        o = s.get(Objection, oid)
        assert o.decide_by is None and o.verify_by is None  # 无法计算, not a guess

    run = run_job(platform, "objections.deadlines")  # nothing to compute yet: the year is still missing
    assert run.status is RunStatus.SUCCEEDED and run.summary["filled"] == 0 and run.summary["waiting"] == 1
    assert "放假安排仍未载入" in run.summary["message"]

    with uow(actor=SYSTEM) as s:
        load_arrangement(s, actor=SYSTEM, data=YEAR_2027)  # 元旦 2027-01-01…03 off
    run = run_job(platform, "objections.deadlines")
    assert run.status is RunStatus.SUCCEEDED and run.summary["filled"] == 1 and run.summary["waiting"] == 0
    with uow(write=False) as s:
        o = s.get(Objection, oid)
        assert o.decide_by == D(2027, 1, 5)  # 7 working days: 1/4 (6), 1/5 (7)
        assert o.verify_by == D(2027, 1, 8)  # 10: 1/6, 1/7, 1/8
        settled = s.scalars(select(AuditEvent).where(AuditEvent.action == "objection.deadlines_settled")).all()
        assert [e.subject_id for e in settled] == [str(oid)]
        assert verify_chain(s, platform.keyring).ok

    run = run_job(platform, "objections.deadlines")  # safe to run again: nothing left, nothing written
    assert run.summary == {"message": "没有待补算期限的异议", "filled": 0, "waiting": 0}
