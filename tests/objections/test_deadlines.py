"""Working-day deadlines of an objection (R-OBJ-2, SPEC §16): the day of receipt is not counted; the credit
office decides within 7 working days, the recording department verifies within 10, both on the official
calendar (2026: 国办发明电〔2025〕7号, shipped in src/xinyong/workcalendar/data); a deadline that needs a
year not loaded (2027) is unknown and said so, never guessed."""

import datetime as dt

import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st
from sqlalchemy import select

from tests.workcalendar.test_service import YEAR_2027
from xinyong.accounts.permissions import SYSTEM
from xinyong.audit.models import AuditEvent
from xinyong.kit.errors import Forbidden
from xinyong.objections import deadlines, marks, reading, repository, service
from xinyong.objections.models import Objection
from xinyong.records import service as records
from xinyong.records.models import Record
from xinyong.records.schemas import RecordChange
from xinyong.workcalendar.service import load_arrangement

D = dt.date


def _filed(flow, world, day):
    """An objection by the company about its public 市场监管 penalty received on ``day``, read as of that
    day, then withdrawn so the next one may be filed."""
    oid = flow.file("entity", world["records"]["scjg_public"], day=day)
    read = flow.read(oid, day=day)
    flow.withdraw("entity", oid, day=day)
    return read


def test_receipt_day_not_counted_and_national_day_skipped(objection_flow, world, work_calendar):  # R-OBJ-2, SPEC §16
    # Tuesday 29 Sept 2026: 30 Sept, then 国庆 1–7 Oct off, 8, 9, the make-up Saturday 10 Oct, 12, 13, 14
    o = _filed(objection_flow, world, D(2026, 9, 29))
    assert (o.received_on, o.decide_by, o.verify_by) == (D(2026, 9, 29), D(2026, 10, 14), D(2026, 10, 19))
    assert o.decision_deadline.workdays_left == 7 and o.decision_deadline.note == "剩余7个工作日"
    assert o.verification_deadline.workdays_left == 10 and not o.verification_deadline.overdue
    # the last working day before the holiday
    o = _filed(objection_flow, world, D(2026, 9, 30))
    assert (o.decide_by, o.verify_by) == (D(2026, 10, 15), D(2026, 10, 20))
    # counted against the calendar itself: exactly 7 and 10 working days after receipt, each one a working day
    for due, n in ((o.decide_by, 7), (o.verify_by, 10)):
        assert work_calendar.workdays_between(o.received_on, due) == n and work_calendar.is_workday(due)
    # the holiday uses no working days: the count stands still from 30 Sept to 7 Oct
    oid = objection_flow.file("entity", world["records"]["scjg_public"], day=D(2026, 9, 30))
    left = {day: objection_flow.read(oid, day=day).decision_deadline.workdays_left
            for day in (D(2026, 9, 30), D(2026, 10, 1), D(2026, 10, 7), D(2026, 10, 8), D(2026, 10, 10))}
    assert left == {D(2026, 9, 30): 7, D(2026, 10, 1): 7, D(2026, 10, 7): 7, D(2026, 10, 8): 6, D(2026, 10, 10): 4}


def test_filed_on_a_friday_or_a_make_up_working_day(objection_flow, world):  # R-OBJ-2, SPEC §16 调休
    # Friday 13 Nov: the weekend after receipt is not counted
    o = _filed(objection_flow, world, D(2026, 11, 13))
    assert (o.decide_by, o.verify_by) == (D(2026, 11, 24), D(2026, 11, 27))
    # Saturday 10 Oct 2026 is a working day; as the day of receipt it is not counted either
    o = _filed(objection_flow, world, D(2026, 10, 10))
    assert (o.decide_by, o.verify_by) == (D(2026, 10, 20), D(2026, 10, 23))
    # Sunday 20 Sept (make-up): 中秋 25–27 Sept and 国庆 are off; the 10th working day is the make-up Saturday 10 Oct
    o = _filed(objection_flow, world, D(2026, 9, 20))
    assert (o.decide_by, o.verify_by) == (D(2026, 9, 30), D(2026, 10, 10))
    assert o.verify_by.weekday() == 5


def test_a_deadline_in_an_unloaded_year_is_unknown_never_guessed(objection_flow, world, uow):  # R-OBJ-2, SPEC §16
    # Thursday 24 Dec 2026: only five working days are left in 2026, and 2027's arrangement is not loaded
    o = _filed(objection_flow, world, D(2026, 12, 24))
    assert (o.decide_by, o.verify_by) == (None, None)
    for d in (o.decision_deadline, o.verification_deadline):
        assert (d.due, d.workdays_left, d.overdue) == (None, None, False)
        assert "无法计算" in d.note and "2027" in d.note
    # Friday 18 Dec: the 7th working day is in 2026 (Tue 29 Dec), the 10th would be in 2027
    o = _filed(objection_flow, world, D(2026, 12, 18))
    assert (o.decide_by, o.verify_by) == (D(2026, 12, 29), None)
    assert o.verification_deadline.note == "无法计算：2027年放假安排未载入"
    assert o.decision_deadline.note == "剩余7个工作日"
    # an unknown deadline alerts the credit office, and calls nobody late: no suspension, no overdue listing
    oid = objection_flow.file("entity", world["records"]["sthj_public"], day=D(2026, 12, 24))
    admin = world["actors"]["admin"]
    with uow(write=False) as s:
        assert reading.counts(s, admin, D(2026, 12, 24))["deadline_unknown"] == 1
        assert reading.late(s, actor=admin, day=D(2027, 3, 1)) == []
        assert marks.is_suspended(s.get(Objection, oid), D(2027, 3, 1)) is False


def test_deadline_notes_count_down_then_overdue(objection_flow, world):  # R-OBJ-2
    oid = objection_flow.file("entity", world["records"]["scjg_public"], day=D(2026, 11, 16))
    o = objection_flow.read(oid, day=D(2026, 11, 25))
    assert (o.decide_by, o.decision_deadline.note, o.decision_deadline.overdue) == (D(2026, 11, 25), "今日到期", False)
    o = objection_flow.read(oid, day=D(2026, 11, 27))
    d = o.decision_deadline
    assert (d.workdays_left, d.note, d.overdue) == (-2, "已逾期2个工作日", True)
    assert o.verification_deadline.workdays_left == 1  # verify_by Monday 30 Nov
    objection_flow.verify("officer", oid, "correct", day=D(2026, 11, 30))
    objection_flow.decide("admin", oid, "not_upheld", day=D(2026, 12, 1))
    o = objection_flow.read(oid, day=D(2026, 12, 4))
    assert (o.decision_deadline.done_on, o.decision_deadline.overdue) == (D(2026, 12, 1), True)
    assert o.decision_deadline.note == "已于2026-12-01办结，逾期4个工作日"
    assert (o.verification_deadline.overdue, o.verification_deadline.note) == (False, "已于2026-11-30办结，未逾期")


def test_property_seven_working_days_after_any_2026_receipt(work_calendar):  # R-OBJ-2, SPEC §16
    cal = work_calendar

    @hsettings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(st.dates(min_value=D(2026, 1, 1), max_value=D(2026, 12, 31)))
    def check(day):
        decide_by = deadlines.add(cal, day, deadlines.DECIDE_WORKDAYS)
        left_in_year = cal.workdays_between(day, D(2026, 12, 31))
        if left_in_year < 7:  # the deadline would fall in 2027: unknown, not estimated
            assert decide_by is None
            return
        assert decide_by is not None and decide_by.year == 2026
        assert cal.workdays_between(day, decide_by) == 7 and cal.is_workday(decide_by)
        verify_by = deadlines.add(cal, day, deadlines.VERIFY_WORKDAYS)
        assert verify_by is None if left_in_year < 10 else cal.workdays_between(day, verify_by) == 10

    check()


# ---- overdue, evaluated as of the day read: no job to wait for (R-OBJ-4, 000 §29) -------------------------

def test_a_late_department_is_overdue_and_suspended_from_the_day_after_verify_by(objection_flow, world, uow):  # R-OBJ-4
    a, rec, f = world["actors"], world["records"], objection_flow
    day = D(2026, 11, 16)  # Monday: decide_by Wed 25 Nov, verify_by Mon 30 Nov
    ids = {label: f.file("entity", rec[label], day=day) for label in ("scjg_public", "scjg_internal", "sthj_public")}
    c = ids["sthj_public"]
    before, after = f.read(c, day=D(2026, 11, 30)), f.read(c, day=D(2026, 12, 1))
    assert (before.suspended, before.verification_deadline.overdue, before.verification_deadline.note) == (
        False, False, "今日到期")
    assert (after.suspended, after.verification_deadline.overdue, after.verification_deadline.workdays_left) == (
        True, True, -1)
    with uow(write=False) as s:
        lineage = s.get(Objection, c).lineage
        assert marks.marks(s, [lineage], D(2026, 11, 30))[lineage]["suspended"] is False
        assert marks.marks(s, [lineage], D(2026, 12, 1))[lineage]["suspended"] is True
        # the credit office: every open objection waits; the decision (7 days) falls due before the verification (10)
        assert reading.counts(s, a["admin"], D(2026, 11, 25)) == {"waiting": 3, "overdue": 0, "deadline_unknown": 0}
        assert reading.counts(s, a["admin"], D(2026, 11, 26))["overdue"] == 3
        # a department: its verification tasks, overdue the day after verify_by
        assert reading.counts(s, a["officer"], D(2026, 11, 30)) == {"waiting": 2, "overdue": 0, "deadline_unknown": 0}
        assert reading.counts(s, a["officer"], D(2026, 12, 1))["overdue"] == 2
        assert reading.counts(s, a["outsider"], D(2026, 12, 1))["overdue"] == 1
        assert [o.id for o in reading.late(s, actor=a["auditor"], day=D(2026, 11, 25))] == []
        assert [o.id for o in reading.late(s, actor=a["auditor"], day=D(2026, 12, 1))] == sorted(ids.values())
        with pytest.raises(Forbidden):
            reading.late(s, actor=a["officer"], day=D(2026, 12, 1))
    # 市场监管局 answers one in time and one two working days late; the late answer lifts the suspension
    f.verify("officer", ids["scjg_public"], "correct", day=D(2026, 11, 27))
    f.verify("officer", ids["scjg_internal"], "wrong", day=D(2026, 12, 2))
    late = f.read(ids["scjg_internal"], day=D(2026, 12, 3))
    assert (late.suspended, late.verification_deadline.note) == (False, "已于2026-12-02办结，逾期2个工作日")
    with uow(write=False) as s:
        detail = s.scalars(select(AuditEvent.detail).where(AuditEvent.action == "objection.verified")
                           .order_by(AuditEvent.seq)).all()
        assert [d["late_workdays"] for d in detail] == [None, 2]
        tallies = reading.tallies(s, actor=a["admin"], day=D(2026, 12, 3))
        with pytest.raises(Forbidden):
            reading.tallies(s, actor=a["officer"])
    got = {t.department_id: (t.received, t.verified, t.verified_on_time, t.verified_late, t.overdue_open, t.upheld)
           for t in tallies}
    assert got == {world["scjg"].id: (2, 2, 1, 1, 0, 0), world["sthj"].id: (1, 0, 0, 0, 1, 0)}
    assert tallies[0].department_id == world["sthj"].id  # the one still overdue first


def test_late_lists_what_is_outstanding_now(objection_flow, world, uow):  # 000 §29; R-OBJ-5
    a, rec, f = world["actors"], world["records"], objection_flow
    day = D(2026, 11, 16)
    right = f.file("entity", rec["scjg_public"], day=day)
    wrong = f.file("entity", rec["scjg_internal"], day=day)
    # both decided after decide_by (Wed 25 Nov): late, but handled
    f.decide("admin", right, "not_upheld", day=D(2026, 11, 27))
    f.decide("admin", wrong, "upheld", day=D(2026, 11, 27))
    o = f.read(wrong, day=D(2026, 11, 27))
    assert (o.correct_by, o.corrected, o.correction_deadline.note) == (D(2026, 12, 4), False, "剩余5个工作日")
    with uow(write=False) as s:
        assert [x.id for x in reading.late(s, actor=a["admin"], day=D(2026, 12, 4))] == []
        assert [x.id for x in reading.late(s, actor=a["admin"], day=D(2026, 12, 7))] == [wrong]  # not corrected
    _correct(uow, world, rec["scjg_internal"], reviewed_at=dt.datetime(2026, 12, 3, 9, 0, tzinfo=dt.UTC))
    o = f.read(wrong, day=D(2026, 12, 7))
    assert (o.corrected, o.correction_deadline.overdue, o.correction_deadline.done_on) == (True, False, D(2026, 12, 3))
    with uow(write=False) as s:  # corrected in time: nothing of either is outstanding
        assert [x.id for x in reading.late(s, actor=a["admin"], day=D(2026, 12, 7))] == []


def test_a_correction_is_dated_by_the_day_in_china(objection_flow, world, uow):  # R-OBJ-5, SPEC §16
    rec, f = world["records"], objection_flow
    oid = f.file("entity", rec["scjg_public"], day=D(2026, 11, 16))
    f.decide("admin", oid, "upheld", day=D(2026, 11, 19))
    assert f.read(oid).correct_by == D(2026, 11, 26)  # Thursday
    # accepted at 01:30 on Friday 27 Nov in Beijing (17:30 UTC on the 26th): one working day late
    _correct(uow, world, rec["scjg_public"], reviewed_at=dt.datetime(2026, 11, 26, 17, 30, tzinfo=dt.UTC))
    d = f.read(oid, day=D(2026, 12, 1)).correction_deadline
    assert (d.done_on, d.overdue, d.note) == (D(2026, 11, 27), True, "已于2026-11-27办结，逾期1个工作日")


def _correct(uow, world, record_id, *, reviewed_at):
    """The recording department corrects its record (a new version, R-REV-3) and the credit office accepts
    it; ``reviewed_at`` is when, as the clock would have said."""
    officer, admin = world["actors"]["officer"], world["actors"]["admin"]
    with uow(actor=officer) as s:
        new = records.correct(s, actor=officer, record=s.get(Record, record_id), change=RecordChange(
            authority="北京经济技术开发区市场监督管理局（更正）", reason="异议成立，更正决定机关名称"))
        new_id = new.id
    with uow(actor=admin) as s:
        records.accept(s, actor=admin, records=[s.get(Record, new_id)])
    with uow(actor=admin) as s:
        s.get(Record, new_id).reviewed_at = reviewed_at
    return new_id


def test_a_correction_deadline_unknown_after_an_upheld_appeal_is_filled_once_the_year_is_loaded(
        objection_flow, world, uow):  # R-OBJ-5, R-OBJ-6, SPEC §16
    f = objection_flow
    oid = f.file("entity", world["records"]["scjg_public"], day=D(2026, 12, 7))
    f.decide("admin", oid, "not_upheld", day=D(2026, 12, 21))
    f.appeal("entity", oid, day=D(2026, 12, 22))
    f.decide_appeal("admin", oid, "upheld", day=D(2026, 12, 28))  # Monday: the 5th working day is in 2027
    o = f.read(oid, day=D(2026, 12, 28))
    assert (o.outcome, o.upheld, o.correct_by, o.appeal_by) == ("not_upheld", True, None, None)
    assert o.correction_deadline.note == "无法计算：2027年放假安排未载入"
    with uow(actor=SYSTEM) as s:
        load_arrangement(s, actor=SYSTEM, data=YEAR_2027)  # test data: 元旦 1–3 Jan 2027 off
    with uow(actor=SYSTEM) as s:
        assert service.settle_deadlines(s) == 1
    o = f.read(oid, day=D(2026, 12, 28))
    # five working days from the committee's decision: 29, 30, 31 Dec, Mon 4 and Tue 5 Jan 2027
    assert o.correct_by == D(2027, 1, 5) and o.correction_deadline.note == "剩余5个工作日"
    with uow(write=False) as s:
        assert repository.unsettled(s) == []
        settled = s.scalars(select(AuditEvent).where(AuditEvent.action == "objection.deadlines_settled")).all()
    assert [e.subject_id for e in settled] == [str(oid)]
