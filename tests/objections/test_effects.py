"""What a decision does (issue 18 §6, §8; R-OBJ-5, R-OBJ-6, R-MEA-6, R-GRD-4): upheld, a list entry it
invalidates ends and the joint-action measures are lifted through the existing flow, a grade is graded
again at once, a record is corrected within 5 working days; an upheld appeal turns the decision round;
"cannot be confirmed" keeps the objection and the finding on the record."""

import datetime as dt

from sqlalchemy import select

from xinyong.actions import service as actions
from xinyong.actions.schemas import ActionCreate
from xinyong.audit.models import AuditEvent
from xinyong.grading import service as grading
from xinyong.kit.clock import today
from xinyong.lists import service as lists
from xinyong.records import service as records
from xinyong.records.models import Record
from xinyong.records.schemas import RecordChange

from .conftest import ObjectionFlow

D = dt.date


def _action_read(uow, z, aid):
    with uow(write=False) as s:
        return actions.to_read(s, actions.get(s, actor=z["admin"], action_id=aid))


def test_an_upheld_objection_ends_the_list_entry_and_lifts_the_measures(uow, joint):  # issue 18 §8, R-MEA-6
    z = joint
    with uow(actor=z["initiator"]) as s:  # 联合惩戒 on the black-list entry; 发展改革局 carries it out
        aid = actions.initiate(s, actor=z["initiator"], action_in=ActionCreate(
            entity_code=z["company"].uscc, list_kind="black", measure_codes=["etdz_limit_subsidy"],
            department_ids=[z["fgw"].id], reason="严重失信主体，依法实施联合惩戒")).id
    task = _action_read(uow, z, aid).tasks[0]
    with uow(actor=z["fgw_officer"]) as s:
        actions.answer(s, actor=z["fgw_officer"], action=actions.get(s, actor=z["fgw_officer"], action_id=aid),
                       task_id=task.id, status="executed", note="已限制申报补贴")
    f = ObjectionFlow(uow, z)
    oid = f.file("entity_user", target="list_entry", list_entry_id=z["entry_id"], ground="wrong_listing",
                 statement="三次处罚中一次已被复议撤销，不符合列入条件")
    o = f.read(oid)
    assert (o.target, o.list_entry_id, o.department_id, o.list_label) == ("list_entry", z["entry_id"], z["scjg"].id, "黑名单")
    f.verify("initiator", oid, "wrong", reason="其中一次处罚已被复议撤销，认定依据不足")
    with uow(write=False) as s:
        assert "black" in lists.lists_of(s, z["company"].id)  # nothing ends before the decision
    f.decide("admin", oid, "upheld")
    o = f.read(oid)
    with uow(write=False) as s:
        entry = lists.get(s, z["entry_id"])
        assert (entry.ended_on, entry.end_reason.value) == (today(), "corrected")
        assert f"异议 #{oid} 成立" in entry.end_note and o.notice_number in entry.end_note
        assert "black" not in lists.lists_of(s, z["company"].id)
    r = _action_read(uow, z, aid)
    assert (r.basis_in_force, r.basis_ended_on, r.lifts_outstanding) == (False, today(), 1)
    assert [t.department_id for t in r.tasks if t.lift_due] == [z["fgw"].id]
    with uow(actor=z["fgw_officer"]) as s:  # the executing department lifts its measure and says so
        actions.acknowledge_lift(s, actor=z["fgw_officer"], action=actions.get(s, actor=z["fgw_officer"], action_id=aid),
                                 task_id=task.id, note="已解除补贴申报限制")
    assert _action_read(uow, z, aid).lifts_outstanding == 0


def test_a_list_objection_not_upheld_leaves_the_entry(uow, joint):  # R-OBJ-5: found right, it stays
    z = joint
    f = ObjectionFlow(uow, z)
    oid = f.file("entity_user", target="list_entry", list_entry_id=z["entry_id"], ground="wrong_listing",
                 statement="不应列入")
    f.decide("admin", oid, "not_upheld", reason="认定依据充分")
    with uow(write=False) as s:
        assert lists.get(s, z["entry_id"]).ended_on is None and "black" in lists.lists_of(s, z["company"].id)


def test_an_upheld_grade_objection_regrades_at_once(platform, uow, world, objection_flow):  # R-GRD-4, R-GRD-6, issue 18 §8
    company, admin = world["company"], world["actors"]["admin"]
    # the grade in force is a full run as of the day before the company's penalties were decided
    grading.run(platform, actor=admin, as_of=today() - dt.timedelta(days=31))
    with uow(write=False) as s:
        before = grading.standing(s, company.id)
    assert before.run.kind.value == "full"
    oid = objection_flow.file("entity", target="grade", statement="评价结果未反映最新的信用记录")
    o = objection_flow.read(oid)
    # the credit office itself looks into a grade: no department verifies it
    assert (o.target, o.score, o.grade, o.department_id, o.verify_by, o.verification_deadline) == (
        "grade", before.score, before.grade, None, None, None)
    objection_flow.decide("admin", oid, "upheld", reason="评价结果有误，重新评价")
    with uow(write=False) as s:
        after = grading.standing(s, company.id)
        regraded = s.scalars(select(AuditEvent).where(AuditEvent.action == "grading.regraded")
                             .order_by(AuditEvent.seq.desc())).first()
    assert after.run.kind.value == "partial" and after.run.trigger == f"异议 #{oid} 成立，重新评价"
    assert after.score < before.score  # the two penalties count now
    assert company.id in regraded.detail["entity_ids"] and regraded.subject_id == str(after.run.id)


def test_an_upheld_record_objection_is_corrected_within_5_working_days(uow, world, objection_flow):  # R-OBJ-5
    rec, f, a = world["records"], objection_flow, world["actors"]
    oid = f.file("entity", rec["scjg_public"], day=D(2026, 11, 16))
    f.verify("officer", oid, "wrong", day=D(2026, 11, 19))
    f.decide("admin", oid, "upheld", day=D(2026, 11, 20))  # Friday
    o = f.read(oid, day=D(2026, 11, 20))
    assert (o.correct_by, o.corrected, o.current_record_id, o.open) == (D(2026, 11, 27), False, rec["scjg_public"], False)
    with uow(actor=a["officer"]) as s:  # the recording department corrects: a new version (R-REV-3)
        new_id = records.correct(s, actor=a["officer"], record=s.get(Record, rec["scjg_public"]), change=RecordChange(
            content={"violation_facts": "销售标签不符合规定的食品"}, reason=f"异议 #{oid} 成立，更正违法事实")).id
    assert f.read(oid).corrected is False  # submitted, not yet in force
    with uow(actor=a["admin"]) as s:
        records.accept(s, actor=a["admin"], records=[s.get(Record, new_id)])
    o = f.read(oid)
    assert (o.corrected, o.current_record_id, o.record_id) == (True, new_id, rec["scjg_public"])
    assert o.correction_deadline.done_on == today()


def test_an_upheld_appeal_turns_not_upheld_into_upheld(objection_flow, world):  # R-OBJ-6
    f = objection_flow
    oid = f.file("entity", world["records"]["scjg_public"], day=D(2026, 11, 16))
    f.verify("officer", oid, "correct", day=D(2026, 11, 19), reason="经核查，原记录无误")
    f.decide("admin", oid, "not_upheld", day=D(2026, 11, 20), reason="异议不成立")
    assert f.read(oid).correct_by is None
    f.appeal("entity", oid, day=D(2026, 11, 23))
    f.decide_appeal("admin", oid, "upheld", day=D(2026, 11, 30))  # Monday
    o = f.read(oid, day=D(2026, 11, 30))
    assert (o.status, o.appeal_outcome, o.upheld, o.corrected, o.open) == ("appeal_decided", "upheld", True, False, False)
    assert o.outcome == "not_upheld"  # the credit office's own decision stays as its notice said
    assert o.correct_by == D(2026, 12, 7)  # 5 working days from the committee's decision
    assert o.notice_number == "信异告〔2026〕1号"  # the first decision and its notice stay on the record


def test_an_unconfirmed_finding_stays_on_the_record(objection_flow, world, uow):  # R-OBJ-5, 000 §25
    f, rid = objection_flow, world["records"]["sthj_public"]
    oid = f.file("entity", rid, day=D(2026, 11, 16))
    f.verify("outsider", oid, "unconfirmed", day=D(2026, 11, 19), reason="原始执法记录已移交，无法确认")
    f.decide("admin", oid, "unconfirmed", day=D(2026, 11, 20), reason="无法确认，异议与核查意见一并记载")
    o = f.read(oid, who="entity")
    assert (o.outcome, o.finding, o.finding_reason, o.decision_reason) == (
        "unconfirmed", "unconfirmed", "原始执法记录已移交，无法确认", "无法确认，异议与核查意见一并记载")
    assert (o.correct_by, o.corrected, o.current_record_id, o.open) == (None, None, rid, False)
    with uow(write=False) as s:  # the information stays in force as it was
        assert s.get(Record, rid).is_current
