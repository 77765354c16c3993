"""Urging a late department (催办) and correcting an answer (更正反馈) in a joint action (R-MEA-4, R-MEA-6)."""

import datetime as dt

import pytest
from sqlalchemy import select

from xinyong.actions import service
from xinyong.actions.models import ActionTask, TaskStatus, UrgeReason
from xinyong.audit.models import AuditEvent
from xinyong.kit.clock import today
from xinyong.kit.errors import Conflict, Forbidden, Invalid, NotFound
from xinyong.lists import service as lists
from xinyong.lists.models import EndReason

from .test_service import _answer, _initiate, _read, _task

START = dt.date(2026, 9, 28)  # Monday before 国庆, as in test_service: the deadline runs past the holiday


def _urge(uow, z, actor, action_id, task_id, note="", day=None):
    with uow(actor=z[actor]) as s:
        a = service.get(s, actor=z[actor], action_id=action_id)
        return service.urge(s, actor=z[actor], action=a, task_id=task_id, note=note, day=day).id


def _correct(uow, z, actor, action_id, task_id, status, note="", day=None):
    with uow(actor=z[actor]) as s:
        a = service.get(s, actor=z[actor], action_id=action_id)
        service.correct(s, actor=z[actor], action=a, task_id=task_id, status=status, note=note, day=day)


def _events(uow, action):
    with uow(write=False) as s:
        return [e for e in s.scalars(select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.seq))]


# ---- 催办 ------------------------------------------------------------------------------------------

def test_initiator_and_credit_office_urge_a_department_past_its_deadline(uow, joint):
    """R-MEA-4: who has not answered by the deadline is urged; every urge is kept and counted."""
    z = joint
    aid = _initiate(uow, z, day=START)
    r = _read(uow, z, aid, day=START)
    fgw, czj = _task(r, z["fgw"]).id, _task(r, z["czj"]).id
    _answer(uow, z, "fgw_officer", aid, fgw, "executed", "已限制", day=START + dt.timedelta(days=1))
    with pytest.raises(Invalid, match="尚未逾期"):  # the deadline day itself is still in time
        _urge(uow, z, "initiator", aid, czj, day=r.due_by)
    late = r.due_by + dt.timedelta(days=1)
    with pytest.raises(Invalid, match="已于 .* 反馈（已执行），无需催办"):
        _urge(uow, z, "initiator", aid, fgw, day=late)

    _urge(uow, z, "initiator", aid, czj, note="请于两个工作日内反馈", day=late)
    _urge(uow, z, "admin", aid, czj, day=late + dt.timedelta(days=1))

    r = _read(uow, z, aid, day=late + dt.timedelta(days=1), actor="czj_officer")  # the department sees it
    t = _task(r, z["czj"])
    assert (t.urge_count, t.urgeable) == (2, True)
    assert [(u.reason, u.urged_by, u.urger_department, u.note, u.urged_on) for u in t.urges] == [
        ("answer", "scjg_jbr", z["scjg"].name, "请于两个工作日内反馈", late),
        ("answer", "xyb", z["office"].name, None, late + dt.timedelta(days=1))]
    assert t.last_urged_at == t.urges[-1].urged_at and t.urges[0].urged_at <= t.urges[1].urged_at
    assert _task(r, z["fgw"]).urge_count == 0 and not _task(r, z["fgw"]).urgeable
    with uow(write=False) as s:  # and on its task list
        ov = service.overview(s, actor=z["czj_officer"], day=late + dt.timedelta(days=1))
    assert [(a.id, t.id, t.urge_count) for a, t in ov.to_answer] == [(aid, czj, 2)]

    urged = _events(uow, "action.task_urged")
    assert [(e.subject_id, e.actor_id, e.detail["task_id"], e.detail["reason"], e.detail["count"]) for e in urged] == [
        (str(aid), z["initiator"].user_id, czj, "answer", 1), (str(aid), z["admin"].user_id, czj, "answer", 2)]
    assert urged[0].detail["note"] == "请于两个工作日内反馈"
    assert {c[0] for c in urged[0].changes} == {"joint_action_urges"}  # the urge row is bound to its event

    _answer(uow, z, "czj_officer", aid, czj, "not_applicable", "无在办事项", day=late + dt.timedelta(days=2))
    with pytest.raises(Invalid, match="无需催办"):  # answered late is answered: no more urging
        _urge(uow, z, "admin", aid, czj, day=late + dt.timedelta(days=3))
    assert _task(_read(uow, z, aid, day=late + dt.timedelta(days=3)), z["czj"]).urge_count == 2  # the urges stay


def test_only_the_initiating_department_or_the_credit_office_may_urge(uow, make, joint):
    """R-MEA-4: the initiator and the credit office follow up; implementing departments do not urge each other."""
    z = joint
    aid = _initiate(uow, z, day=START)
    r = _read(uow, z, aid, day=START)
    late = r.due_by + dt.timedelta(days=1)
    czj = _task(r, z["czj"]).id
    for who in ("fgw_officer", "czj_officer"):
        with pytest.raises(Forbidden, match="发起部门或信用办"):
            _urge(uow, z, who, aid, czj, day=late)
    with pytest.raises(Forbidden):
        _urge(uow, z, "entity_user", aid, czj, day=late)
    z["scjg_reviewer"] = make.actor(make.user("reviewer", "scjg_shr", department=z["scjg"]))
    _urge(uow, z, "scjg_reviewer", aid, czj, day=late)  # anyone of the initiating department
    assert _task(_read(uow, z, aid, day=late), z["czj"]).urge_count == 1


def test_an_urge_note_is_at_most_500_characters(uow, joint):  # R-MEA-4
    z = joint
    aid = _initiate(uow, z, day=START)
    r = _read(uow, z, aid, day=START)
    late, czj = r.due_by + dt.timedelta(days=1), _task(r, z["czj"]).id
    with pytest.raises(Invalid, match="500"):
        _urge(uow, z, "initiator", aid, czj, note="催" * 501, day=late)
    assert _task(_read(uow, z, aid, day=late), z["czj"]).urge_count == 0
    _urge(uow, z, "initiator", aid, czj, note="催" * 500, day=late)
    assert _task(_read(uow, z, aid, day=late), z["czj"]).urges[0].note == "催" * 500


def test_an_unacknowledged_lift_may_be_urged_until_acknowledged(uow, joint):
    """R-MEA-6 (003 §18): once the basis ends, a department that executed and has not lifted can be urged."""
    z = joint
    aid = _initiate(uow, z)
    r = _read(uow, z, aid)
    fgw, czj = _task(r, z["fgw"]).id, _task(r, z["czj"]).id
    with pytest.raises(Invalid, match="不能催办"):  # not yet late (or the deadline not yet known)
        _urge(uow, z, "admin", aid, fgw)
    _answer(uow, z, "fgw_officer", aid, fgw, "executed", "已限制")
    _answer(uow, z, "czj_officer", aid, czj, "not_applicable", "无在办事项")
    with uow(actor=z["initiator"]) as s:
        lists.end(s, actor=z["initiator"], entry=lists.get(s, z["entry_id"]), reason=EndReason.REPAIRED, note="信用修复")
    with pytest.raises(Invalid, match="不适用.*无需催办"):  # nothing to lift where nothing was executed
        _urge(uow, z, "admin", aid, czj)
    _urge(uow, z, "admin", aid, fgw, note="请尽快解除补贴申报限制")
    t = _task(_read(uow, z, aid, actor="fgw_officer"), z["fgw"])
    assert (t.lift_due, t.urge_count, t.urges[0].reason, t.urges[0].reason_label) == (True, 1, "lift", "未确认解除")
    assert [e.detail["reason"] for e in _events(uow, "action.task_urged")] == [UrgeReason.LIFT.value]
    with uow(write=False) as s:
        ov = service.overview(s, actor=z["fgw_officer"])
    assert [(t.id, t.urge_count) for _a, t in ov.to_lift] == [(fgw, 1)]
    with uow(actor=z["fgw_officer"]) as s:
        service.acknowledge_lift(s, actor=z["fgw_officer"], action=service.get(s, actor=z["fgw_officer"], action_id=aid),
                                 task_id=fgw)
    with pytest.raises(Invalid, match="确认解除，无需催办"):
        _urge(uow, z, "admin", aid, fgw)


def test_a_pending_task_is_not_urged_once_the_basis_has_ended(uow, joint):  # R-MEA-6
    z = joint
    aid = _initiate(uow, z, day=START)
    r = _read(uow, z, aid, day=START)
    with uow(actor=z["initiator"]) as s:
        lists.end(s, actor=z["initiator"], entry=lists.get(s, z["entry_id"]), reason=EndReason.CORRECTED, note="认定依据更正")
    later = max(today(), r.due_by) + dt.timedelta(days=1)
    with pytest.raises(Invalid, match="依据已终止"):
        _urge(uow, z, "admin", aid, _task(r, z["czj"]).id, day=later)
    assert _events(uow, "action.task_urged") == []


def test_no_urge_while_the_deadline_is_unknown():
    """R-MEA-4 with SPEC §16: without the year's official calendar nobody is called late, so nobody is urged."""
    task = ActionTask(status=TaskStatus.PENDING)
    with pytest.raises(Invalid, match="反馈期限待定"):
        service.urge_reason(task, None, None, dt.date(2027, 6, 1))
    assert service.urge_reason(task, dt.date(2027, 6, 1), None, dt.date(2027, 6, 2)) is UrgeReason.ANSWER


def test_urging_a_task_of_another_action_is_not_found(uow, joint):  # R-MEA-4
    z = joint
    first = _initiate(uow, z, day=START)
    second = _initiate(uow, z, day=START, departments=("fgw",))
    other = _task(_read(uow, z, second, day=START), z["fgw"]).id
    due = _read(uow, z, first, day=START).due_by
    with pytest.raises(NotFound, match="没有编号为"):
        _urge(uow, z, "initiator", first, other, day=due + dt.timedelta(days=1))


# ---- 更正反馈 --------------------------------------------------------------------------------------

def test_a_department_corrects_its_answer_and_the_old_ones_are_kept(uow, joint):
    """R-MEA-4: the initiator sees the latest answer; each replaced answer stays with who gave it and when."""
    z = joint
    aid = _initiate(uow, z, day=START)
    czj = _task(_read(uow, z, aid, day=START), z["czj"]).id
    d1, d2, d3 = START + dt.timedelta(days=1), START + dt.timedelta(days=2), START + dt.timedelta(days=3)
    _answer(uow, z, "czj_officer", aid, czj, "not_applicable", "本年度无在办补贴项目", day=d1)
    _correct(uow, z, "czj_officer", aid, czj, "executed", "经核查有一项在办补贴，已暂停拨付", day=d2)
    _correct(uow, z, "czj_officer", aid, czj, "executed", "已暂停拨付并通知申报单位", day=d3)

    r = _read(uow, z, aid, day=d3, actor="initiator")
    t = _task(r, z["czj"])
    assert (t.status, t.note, t.answered_on) == ("executed", "已暂停拨付并通知申报单位", d3)
    assert [(h.status, h.note, h.answered_on, h.answered_by, h.replaced_on, h.replaced_by) for h in t.history] == [
        ("not_applicable", "本年度无在办补贴项目", d1, "czj_shr", d2, "czj_shr"),
        ("executed", "经核查有一项在办补贴，已暂停拨付", d2, "czj_shr", d3, "czj_shr")]
    assert t.correctable and r.answered == 1
    corrected = _events(uow, "action.task_corrected")
    assert [(e.detail["before"]["status"], e.detail["after"]["status"]) for e in corrected] == [
        ("not_applicable", "executed"), ("executed", "executed")]
    assert corrected[0].detail["before"]["note"] == "本年度无在办补贴项目"
    assert {c[0] for c in corrected[0].changes} == {"joint_action_answer_history", "joint_action_tasks"}


def test_a_correction_identical_to_the_current_answer_is_refused(uow, joint):  # R-MEA-4
    z = joint
    aid = _initiate(uow, z)
    fgw = _task(_read(uow, z, aid), z["fgw"]).id
    _answer(uow, z, "fgw_officer", aid, fgw, "executed", "已限制")
    with pytest.raises(Invalid, match="相同"):
        _correct(uow, z, "fgw_officer", aid, fgw, "executed", "  已限制 ")
    with pytest.raises(Invalid, match="理由"):  # not applicable still needs a reason
        _correct(uow, z, "fgw_officer", aid, fgw, "not_applicable", "")
    with pytest.raises(Invalid, match="已执行"):
        _correct(uow, z, "fgw_officer", aid, fgw, "pending", "")
    assert _task(_read(uow, z, aid), z["fgw"]).history == []
    _correct(uow, z, "fgw_officer", aid, fgw, "executed", "已在补贴申报系统中设置限制")  # the reason alone may change
    assert [h.note for h in _task(_read(uow, z, aid), z["fgw"]).history] == ["已限制"]


def test_only_the_department_corrects_and_only_an_answered_task(uow, joint):  # R-MEA-4
    z = joint
    aid = _initiate(uow, z)
    r = _read(uow, z, aid)
    fgw = _task(r, z["fgw"]).id
    with pytest.raises(Conflict, match="尚未反馈"):
        _correct(uow, z, "fgw_officer", aid, fgw, "executed")
    _answer(uow, z, "fgw_officer", aid, fgw, "executed")
    with pytest.raises(Conflict, match="更正反馈"):  # answering twice points to the correction
        _answer(uow, z, "fgw_officer", aid, fgw, "not_applicable", "无")
    for who in ("czj_officer", "initiator"):
        with pytest.raises(Forbidden):
            _correct(uow, z, who, aid, fgw, "not_applicable", "无在办事项")
    assert _task(_read(uow, z, aid), z["fgw"]).status == "executed"


def test_no_correction_once_the_basis_has_ended_or_the_measure_was_lifted(uow, joint):
    """R-MEA-6: after the basis ends the department lifts what it executed; its answer is then closed."""
    z = joint
    aid = _initiate(uow, z)
    r = _read(uow, z, aid)
    fgw, czj = _task(r, z["fgw"]).id, _task(r, z["czj"]).id
    _answer(uow, z, "fgw_officer", aid, fgw, "executed", "已限制")
    _answer(uow, z, "czj_officer", aid, czj, "not_applicable", "无在办事项")
    with uow(actor=z["initiator"]) as s:
        lists.end(s, actor=z["initiator"], entry=lists.get(s, z["entry_id"]), reason=EndReason.REPAIRED, note="信用修复")
    with pytest.raises(Conflict, match="依据已终止"):
        _correct(uow, z, "czj_officer", aid, czj, "executed", "已暂停拨付")
    with uow(actor=z["fgw_officer"]) as s:
        service.acknowledge_lift(s, actor=z["fgw_officer"], action=service.get(s, actor=z["fgw_officer"], action_id=aid),
                                 task_id=fgw)
    with pytest.raises(Conflict, match="确认解除"):
        _correct(uow, z, "fgw_officer", aid, fgw, "not_applicable", "误报")
    r = _read(uow, z, aid)
    assert not any(t.correctable for t in r.tasks) and all(t.history == [] for t in r.tasks)


def test_a_correction_to_not_applicable_means_nothing_to_lift(uow, joint):
    """R-MEA-6: lifting follows the latest answer — a department that corrected to 不适用 is not asked to lift."""
    z = joint
    aid = _initiate(uow, z)
    fgw = _task(_read(uow, z, aid), z["fgw"]).id
    _answer(uow, z, "fgw_officer", aid, fgw, "executed", "已限制")
    _correct(uow, z, "fgw_officer", aid, fgw, "not_applicable", "误报：该主体无在办补贴申请")
    with uow(actor=z["initiator"]) as s:
        lists.end(s, actor=z["initiator"], entry=lists.get(s, z["entry_id"]), reason=EndReason.REPAIRED, note="信用修复")
    r = _read(uow, z, aid)
    assert (r.lifts_outstanding, _task(r, z["fgw"]).lift_due) == (0, False)
