"""Joint reward and punishment (R-MEA-4) and lifting (R-MEA-6), through the service."""

import datetime as dt

import pytest
from sqlalchemy import select

from xinyong.actions import service
from xinyong.actions.schemas import ActionCreate
from xinyong.audit.models import AuditEvent
from xinyong.kit.clock import today
from xinyong.kit.errors import Conflict, Forbidden, Invalid
from xinyong.kit.workdays import WorkCalendar, parse_arrangement
from xinyong.lists import service as lists
from xinyong.lists.models import EndReason
from xinyong.workcalendar import service as workcalendar

MEASURES = ["etdz_limit_subsidy", "etdz_limit_appointment"]


def _initiate(uow, z, *, codes=MEASURES, departments=("fgw", "czj"), day=None, actor="initiator"):
    with uow(actor=z[actor]) as s:
        a = service.initiate(s, actor=z[actor], day=day, action_in=ActionCreate(
            entity_code=z["company"].uscc, list_kind="black", measure_codes=list(codes),
            department_ids=[z[d].id for d in departments], reason="严重失信主体，依法实施联合惩戒"))
        return a.id


def _read(uow, z, action_id, day=None, actor="admin"):
    with uow(write=False) as s:
        return service.to_read(s, service.get(s, actor=z[actor], action_id=action_id), day)


def _task(read, dept):
    return next(t for t in read.tasks if t.department_id == dept.id)


def _answer(uow, z, actor, action_id, task_id, status, note="", day=None):
    with uow(actor=z[actor]) as s:
        a = service.get(s, actor=z[actor], action_id=action_id)
        service.answer(s, actor=z[actor], action=a, task_id=task_id, status=status, note=note, day=day)


def test_joint_action_round_trip_with_two_departments(uow, joint):  # R-MEA-4
    z = joint
    aid = _initiate(uow, z, day=dt.date(2026, 11, 2))
    r = _read(uow, z, aid)
    assert (r.kind, r.list_kind, r.list_entry_id) == ("punishment", "black", z["entry_id"])
    assert r.initiator_department == z["scjg"].name
    assert sorted(t.department_id for t in r.tasks) == sorted([z["fgw"].id, z["czj"].id])
    assert all([m["code"] for m in t.measures] == MEASURES and t.status == "pending" for t in r.tasks)
    # R-MEA-2: the appointment limit reaches the persons who answer for the company, not its shareholders
    assert [(p["name"], p["role_label"]) for p in r.related] == [("王建国", "法定代表人"), ("李晓梅", "高级管理人员")]
    assert r.due_by is not None and r.due_by > r.initiated_on

    _answer(uow, z, "fgw_officer", aid, _task(r, z["fgw"]).id, "executed", "已在补贴申报系统中设置限制")
    with pytest.raises(Invalid, match="理由"):  # not applicable needs a reason
        _answer(uow, z, "czj_officer", aid, _task(r, z["czj"]).id, "not_applicable", "  ")
    _answer(uow, z, "czj_officer", aid, _task(r, z["czj"]).id, "not_applicable", "该主体本年度无在办财政补贴项目")
    with pytest.raises(Conflict):
        _answer(uow, z, "czj_officer", aid, _task(r, z["czj"]).id, "executed")

    r = _read(uow, z, aid, actor="initiator")  # the initiator sees the feedback
    assert (r.answered, r.overdue, r.lifts_outstanding) == (2, 0, 0)
    assert {t.department: (t.status_label, t.note) for t in r.tasks} == {
        z["fgw"].name: ("已执行", "已在补贴申报系统中设置限制"), z["czj"].name: ("不适用", "该主体本年度无在办财政补贴项目")}
    with uow(write=False) as s:
        actions = [e.action for e in s.scalars(select(AuditEvent).where(AuditEvent.subject_type == "joint_action"))]
    assert actions == ["action.initiated", "action.task_answered", "action.task_answered"]


def test_a_department_that_has_not_answered_after_the_deadline_is_overdue(uow, joint):  # R-MEA-4
    z = joint
    start = dt.date(2026, 9, 28)  # Monday before 国庆: 5 working days run past the holiday
    aid = _initiate(uow, z, day=start)
    r = _read(uow, z, aid, day=start)
    with uow(write=False) as s:
        cal = workcalendar.calendar(s)
    assert r.due_by == cal.add_workdays(start, service.DEADLINE_WORKDAYS)
    _answer(uow, z, "fgw_officer", aid, _task(r, z["fgw"]).id, "executed", day=start + dt.timedelta(days=1))
    assert _read(uow, z, aid, day=r.due_by).overdue == 0  # the deadline day itself is still in time
    late = _read(uow, z, aid, day=r.due_by + dt.timedelta(days=1))
    assert late.overdue == 1
    assert [(t.department_id, t.overdue) for t in late.tasks if t.overdue] == [(z["czj"].id, True)]
    with uow(write=False) as s:  # the credit office's overview lists it
        ov = service.overview(s, actor=z["admin"], day=r.due_by + dt.timedelta(days=1))
    assert [a.id for a in ov.actions] == [aid] and ov.actions[0].overdue == 1


def test_deadline_follows_the_official_calendar():  # R-MEA-4, SPEC §16
    cal = WorkCalendar.of([parse_arrangement({"year": 2026, "source": "test", "holidays": [
        {"name": "国庆节", "dates": [f"2026-10-0{d}" for d in range(1, 8)]}], "makeup_workdays": ["2026-10-10"]})])
    # Tue 29, Wed 30 Sept, the holiday, Thu 8, Fri 9 and the make-up Saturday 10 Oct
    assert cal.add_workdays(dt.date(2026, 9, 28), 5) == dt.date(2026, 10, 10)


def test_not_applicable_measures_and_unknown_departments_are_refused(uow, joint):  # R-MEA-4
    z = joint
    with pytest.raises(Invalid, match="不适用"):
        _initiate(uow, z, codes=["etdz_accept_missing"])  # an incentive for a black-listed company
    with pytest.raises(Invalid, match="实施部门"):
        _initiate(uow, z, departments=())  # 各行政部门: the initiator must name them
    # the disclosure measure names 信用办: it goes to the credit office without being picked
    aid = _initiate(uow, z, codes=["etdz_black_disclosure"], departments=())
    r = _read(uow, z, aid)
    assert [t.department_id for t in r.tasks] == [z["office"].id]


def test_a_department_cannot_answer_another_departments_task(uow, joint):  # R-MEA-4
    z = joint
    aid = _initiate(uow, z)
    r = _read(uow, z, aid)
    with pytest.raises(Forbidden):
        _answer(uow, z, "fgw_officer", aid, _task(r, z["czj"]).id, "executed")
    with pytest.raises(Forbidden):
        _answer(uow, z, "initiator", aid, _task(r, z["czj"]).id, "executed")


def test_an_entity_user_cannot_initiate(uow, joint):  # R-MEA-4
    with pytest.raises(Forbidden):
        _initiate(uow, joint, actor="entity_user")


def test_ending_the_entry_asks_executing_departments_to_lift(uow, joint):  # R-MEA-6, 003 §18
    z = joint
    aid = _initiate(uow, z)
    r = _read(uow, z, aid)
    _answer(uow, z, "fgw_officer", aid, _task(r, z["fgw"]).id, "executed")
    _answer(uow, z, "czj_officer", aid, _task(r, z["czj"]).id, "not_applicable", "无在办事项")
    with uow(actor=z["fgw_officer"]) as s:
        with pytest.raises(Conflict, match="仍然有效"):
            service.acknowledge_lift(s, actor=z["fgw_officer"], action=service.get(s, actor=z["fgw_officer"], action_id=aid),
                                     task_id=_task(r, z["fgw"]).id)
    with uow(actor=z["initiator"]) as s:  # credit repair: the determining department ends the entry
        lists.end(s, actor=z["initiator"], entry=lists.get(s, z["entry_id"]), reason=EndReason.REPAIRED,
                  note="已完成信用修复")
    r = _read(uow, z, aid)
    assert (r.basis_in_force, r.basis_ended_on, r.lifts_outstanding) == (False, today(), 1)
    assert [t.department_id for t in r.tasks if t.lift_due] == [z["fgw"].id]  # only who executed
    with uow(write=False) as s:
        ov = service.overview(s, actor=z["fgw_officer"])
    assert [(a.id, t.id) for a, t in ov.to_lift] == [(aid, _task(r, z["fgw"]).id)]
    with uow(actor=z["czj_officer"]) as s:
        with pytest.raises(Conflict, match="无需解除"):
            service.acknowledge_lift(s, actor=z["czj_officer"], action=service.get(s, actor=z["czj_officer"], action_id=aid),
                                     task_id=_task(r, z["czj"]).id)
    with uow(actor=z["fgw_officer"]) as s:
        service.acknowledge_lift(s, actor=z["fgw_officer"], action=service.get(s, actor=z["fgw_officer"], action_id=aid),
                                 task_id=_task(r, z["fgw"]).id, note="已解除补贴申报限制")
    r = _read(uow, z, aid)
    assert r.lifts_outstanding == 0 and _task(r, z["fgw"]).lift_acknowledged_on == today()


def test_a_pending_task_needs_no_answer_once_the_basis_has_ended(uow, joint):  # R-MEA-6
    z = joint
    aid = _initiate(uow, z)
    with uow(actor=z["initiator"]) as s:
        lists.end(s, actor=z["initiator"], entry=lists.get(s, z["entry_id"]), reason=EndReason.CORRECTED, note="认定依据更正")
    later = today() + dt.timedelta(days=30)
    r = _read(uow, z, aid, day=later)
    assert (r.overdue, r.lifts_outstanding) == (0, 0)  # nobody is late for a measure no longer due
    with pytest.raises(Conflict, match="依据已终止"):
        _answer(uow, z, "fgw_officer", aid, _task(r, z["fgw"]).id, "executed")


def test_a_determination_past_its_planned_end_ends_the_basis(uow, make, joint):  # R-MEA-6, R-LST-4
    z = joint
    with uow(actor=z["initiator"]) as s:
        entry = lists.get(s, z["entry_id"])
        entry.planned_end = today() + dt.timedelta(days=10)
    aid = _initiate(uow, z)
    r = _read(uow, z, aid)
    _answer(uow, z, "fgw_officer", aid, _task(r, z["fgw"]).id, "executed")
    assert _read(uow, z, aid).lifts_outstanding == 0
    after = today() + dt.timedelta(days=11)
    r = _read(uow, z, aid, day=after)
    assert (r.basis_ended_on, r.lifts_outstanding) == (after, 1)
