"""The record lifecycle (R-COL-4, R-REV-1…3, R-REV-5, R-COL-2, R-COL-3)."""

import datetime as dt

import pytest
from sqlalchemy import func, select

from tests.records.conftest import AGENCY, penalty_in
from xinyong.audit.models import AuditEvent
from xinyong.audit.verify import verify
from xinyong.kit.clock import today
from xinyong.kit.errors import Conflict, Forbidden, Invalid
from xinyong.records import service
from xinyong.records.models import Record, Status
from xinyong.records.periods import Severity
from xinyong.records.schemas import RecordChange


def load(uow, record_id):
    with uow(write=False) as s:
        return service.to_read(s.get(Record, record_id))


def act(uow, actor, fn, record_id, **kw):
    with uow(actor=actor) as s:
        result = fn(s, actor=actor, record=s.get(Record, record_id), **kw)
        return result.id


def test_a_penalty_is_submitted_with_computed_periods_and_deadline(uow, zone, submit):  # R-COL-2, R-PUB-4a
    rid = submit(zone["officer"], penalty_in(zone["company"]))
    r = load(uow, rid)
    assert r.status is Status.SUBMITTED and r.version == 1 and len(r.lineage) == 32
    assert r.severity is Severity.GENERAL  # 警告 + 罚款: the heaviest is general
    assert r.public and r.publicity_start == dt.date(2026, 3, 5) and r.publicity_end == dt.date(2027, 3, 5)
    assert r.validity_end == r.publicity_end  # 000 §21
    # 10 working days after 2026-03-05 (Thursday): 3-19; submitted later than that, so late
    assert r.due_by == dt.date(2026, 3, 19) and r.late_workdays > 0
    assert r.content["penalty_categories"] == ["警告", "罚款"] and r.content["fine_amount"] == "5"


def test_review_accepts_and_returns_with_reasons_then_resubmission(uow, zone, submit):  # R-REV-2
    rid = submit(zone["officer"], penalty_in(zone["company"]))
    act(uow, zone["admin"], service.return_, rid, reason="处罚依据条款引用有误，请核对后重新报送")
    r = load(uow, rid)
    assert r.status is Status.RETURNED and "处罚依据" in r.reason
    change = RecordChange(content={"penalty_basis": "《中华人民共和国食品安全法》第一百二十四条第一款第（二）项"},
                          reason="已更正处罚依据")
    act(uow, zone["officer"], service.resubmit, rid, change=change)
    assert load(uow, rid).status is Status.SUBMITTED
    with uow(actor=zone["admin"]) as s:
        service.accept(s, actor=zone["admin"], records=[s.get(Record, rid)])
    r = load(uow, rid)
    assert r.status is Status.ACCEPTED and r.content["penalty_basis"].endswith("第（二）项")


def test_only_the_recording_department_changes_its_records(uow, zone, submit):  # R-REV-3
    rid = submit(zone["officer"], penalty_in(zone["company"]))
    with pytest.raises(Forbidden):
        act(uow, zone["outsider"], service.resubmit, rid, change=RecordChange(reason="x"))
    with pytest.raises(Forbidden):
        act(uow, zone["officer"], service.return_, rid, reason="部门不能自己审核")


def test_correction_is_a_new_version_and_the_old_one_stays_until_accepted(uow, zone, submit):  # R-REV-3, R-REV-5
    rid = submit(zone["officer"], penalty_in(zone["company"]))
    with uow(actor=zone["admin"]) as s:
        service.accept(s, actor=zone["admin"], records=[s.get(Record, rid)])
    new_id = act(uow, zone["officer"], service.correct, rid,
                 change=RecordChange(content={"fine_amount": "3"}, reason="复议决定变更罚款金额"))
    old, new = load(uow, rid), load(uow, new_id)
    assert (old.status, old.is_current) == (Status.ACCEPTED, True)
    assert (new.version, new.lineage, new.status, new.is_current) == (2, old.lineage, Status.SUBMITTED, False)
    with uow(actor=zone["admin"]) as s:
        service.accept(s, actor=zone["admin"], records=[s.get(Record, new_id)])
    old, new = load(uow, rid), load(uow, new_id)
    assert (old.status, old.is_current) == (Status.SUPERSEDED, False)
    assert (new.status, new.is_current, new.content["fine_amount"]) == (Status.ACCEPTED, True, "3")
    assert old.content["fine_amount"] == "5"  # nothing overwritten
    with uow(write=False) as s:
        assert [v.version for v in service.history(s, actor=zone["admin"], record=s.get(Record, new_id))] == [1, 2]


def test_revocation_takes_effect_at_once_and_ends_publicity(uow, zone, submit):  # R-PUB-4a
    rid = submit(zone["officer"], penalty_in(zone["company"]))
    with uow(actor=zone["admin"]) as s:
        service.accept(s, actor=zone["admin"], records=[s.get(Record, rid)])
    new_id = act(uow, zone["officer"], service.revoke, rid, reason="行政复议撤销原处罚决定")
    new = load(uow, new_id)
    assert (new.status, new.is_current, new.public, new.version) == (Status.REVOKED, True, False, 2)
    assert load(uow, rid).is_current is False


def test_duplicate_document_is_refused(uow, zone, submit):  # R-COL-5: no duplicates
    submit(zone["officer"], penalty_in(zone["company"]))
    with pytest.raises(Conflict) as exc:
        submit(zone["officer"], penalty_in(zone["company"], document_number=" 京开市监罚〔2026〕118号 "))
    assert exc.value.field == "document_number"


@pytest.mark.parametrize("overrides, field", [
    ({"decision_date": dt.date(2099, 1, 1)}, "decision_date"),
    ({"content": {"violation_type": "x"}}, "content.violation_facts"),
    ({"content": {"penalty_categories": "罚金", "violation_type": "a", "violation_facts": "b", "penalty_basis": "c",
                  "penalty_content": "d", "valid_to": "2026-09-05", "authority_uscc": AGENCY,
                  "source_unit": "e", "source_unit_uscc": AGENCY}}, "content.penalty_categories"),
    ({"content": {"religion": "无"}}, "content.religion"),
    ({"content": {"no_such_field": "x"}}, "content.no_such_field"),
    ({"entity_code": "91110000600037341L"}, "entity_code"),
    ({"document_number": "号" * 101}, "document_number"),
])
def test_bad_submissions_are_refused_naming_the_field_and_nothing_stored(uow, zone, submit, overrides, field):
    with uow(write=False) as s:
        before = (s.scalar(select(func.count()).select_from(Record)), s.scalar(select(func.count()).select_from(AuditEvent)))
    with pytest.raises((Invalid, Forbidden, Exception)) as exc:
        submit(zone["officer"], penalty_in(zone["company"], **overrides))
    assert getattr(exc.value, "field", None) == field
    with uow(write=False) as s:
        after = (s.scalar(select(func.count()).select_from(Record)), s.scalar(select(func.count()).select_from(AuditEvent)))
    assert after == before


def test_department_approval_when_the_department_wants_it(uow, zone, submit):  # R-REV-1
    from xinyong.accounts.models import Department

    with uow() as s:
        s.get(Department, zone["dept"].id).requires_approval = True
    rid = submit(zone["officer"], penalty_in(zone["company"]))
    assert load(uow, rid).status is Status.AWAITING_APPROVAL
    with pytest.raises(Forbidden):
        act(uow, zone["officer"], service.approve, rid)
    act(uow, zone["reviewer"], service.approve, rid)
    assert load(uow, rid).status is Status.SUBMITTED


def test_a_final_record_lifts_the_pre_warning(uow, zone, submit):  # R-COL-3
    warning = penalty_in(zone["company"], document_number="预警〔2026〕3号", is_pre_warning=True,
                         final_deadline=dt.date(2026, 6, 30))
    wid = submit(zone["officer"], warning)
    assert load(uow, wid).is_pre_warning
    submit(zone["officer"], penalty_in(zone["company"]))
    w = load(uow, wid)
    assert (w.status, w.is_current) == (Status.SUPERSEDED, False) and "118号" in w.reason


def test_every_step_is_on_a_verified_chain(uow, zone, submit, platform):  # R-REV-3, R-REV-4
    rid = submit(zone["officer"], penalty_in(zone["company"]))
    act(uow, zone["admin"], service.return_, rid, reason="请补充违法事实")
    act(uow, zone["officer"], service.resubmit, rid, change=RecordChange(content={"violation_facts": "补充后"}, reason="已补充"))
    with uow(write=False) as s:
        actions = list(s.scalars(select(AuditEvent.action).where(AuditEvent.subject_type == "record")))
        assert actions == ["record.created", "record.submitted", "record.returned", "record.submitted"]
        assert verify(s, platform.keyring).ok


def test_the_credit_office_sees_each_departments_lateness_and_overdue_pre_warnings(uow, zone, submit):  # R-COL-2, R-COL-3
    submit(zone["officer"], penalty_in(zone["company"]))  # decided 2026-03-05, submitted long after: late
    submit(zone["officer"], penalty_in(zone["company"], document_number="预警〔2026〕9号", is_pre_warning=True,
                                       final_deadline=dt.date(2026, 4, 30)))
    with uow(write=False) as s:
        rows = {r["department"]: r for r in service.timeliness(s, actor=zone["admin"])}
        with pytest.raises(Forbidden):
            service.timeliness(s, actor=zone["officer"])
    mine = rows["北京经济技术开发区市场监督管理局"]
    assert (mine["submitted"], mine["late"], mine["overdue_pre_warnings"]) == (1, 1, 1)
    assert mine["max_late_workdays"] > 100
    assert rows["北京经济技术开发区生态环境局"]["submitted"] == 0


def test_lateness_is_measured_when_the_draft_is_submitted(uow, zone, submit):  # R-COL-2
    rid = submit(zone["officer"], penalty_in(zone["company"], draft=True))
    draft = load(uow, rid)
    assert draft.status is Status.DRAFT and draft.due_by == dt.date(2026, 3, 19) and draft.late_workdays is None
    act(uow, zone["officer"], service.submit, rid)
    assert load(uow, rid).late_workdays > 0


def test_a_closed_years_records_move_to_history_by_themselves_and_still_count(uow, zone, submit, monkeypatch):  # R-COL-6
    long_valid = penalty_in(zone["company"], document_number="京开市监罚〔2026〕300号",
                            content=penalty_in(zone["company"]).content | {"valid_to": "2027-06-30"})
    rids = [submit(zone["officer"], penalty_in(zone["company"])), submit(zone["officer"], long_valid)]
    with uow(actor=zone["admin"]) as s:
        service.accept(s, actor=zone["admin"], records=[s.get(Record, rid) for rid in rids])

    def listed(cycle, year=None):
        with uow(write=False) as s:
            page = service.listing(s, actor=zone["admin"], statuses=None, cycle=cycle, year=year)
            return {r.id: r for r in page.items}

    this_year = today().year  # the platform's year (China time), not the machine's
    assert set(listed("current")) == set(rids) and listed("history") == {}
    assert set(listed(None, year=this_year)) == set(rids) and listed(None, year=this_year - 1) == {}
    # New Year: nobody runs anything, the records are history now
    monkeypatch.setattr(service, "today", lambda: dt.date(this_year + 1, 1, 1))
    assert listed("current") == {}
    history = listed("history")
    assert set(history) == set(rids) and all(r.in_history and r.record_year == this_year for r in history.values())
    assert set(listed(None, year=this_year)) == set(rids)  # still queryable by its year
    with uow(write=False) as s:
        counted = {r.document_number: r.in_force
                   for r in service.credit_file(s, actor=zone["admin"], entity_id=zone["company"].id)}
    # still counted while valid (validity ends with the publicity: 2027-03-05 and the later valid_to)
    assert counted == {"京开市监罚〔2026〕118号": this_year + 1 <= 2027, "京开市监罚〔2026〕300号": this_year + 1 <= 2027}
    monkeypatch.setattr(service, "today", lambda: dt.date(2027, 3, 6))
    with uow(write=False) as s:
        later = {r.document_number: r.in_force
                 for r in service.credit_file(s, actor=zone["admin"], entity_id=zone["company"].id)}
    assert later["京开市监罚〔2026〕118号"] is False
