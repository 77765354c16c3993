"""Credit reminders and integrity interviews for D-grade subjects, urged and then escalated to a heavier
bad record through the normal record path (R-MEA-5; 000 §33-34)."""

import datetime as dt

import pytest

from xinyong.kit.clock import today
from xinyong.kit.errors import Conflict, Forbidden
from xinyong.measures import reminders
from xinyong.measures.reminder_models import ReminderKind, ReminderStatus
from xinyong.records import service as records
from xinyong.records.models import Record, Status

from ..grading.test_service import _accept, _penalty, _standing


def _d_grade(uow, zone):
    for i in range(2):
        _accept(uow, zone, _penalty(zone["company"], f"京开市监罚〔2026〕3{i}号", serious=True))  # 460: D


def test_an_ignored_reminder_is_urged_then_escalated_to_a_bad_record(uow, zone):  # R-MEA-5, 000 §34
    _d_grade(uow, zone)
    company, officer = zone["company"], zone["officer"]
    with uow(write=False) as s:
        assert company.id in [e for e, _ in reminders.d_grade_without_reminder(s)]
    with uow(actor=officer) as s:
        r = reminders.issue(s, actor=officer, entity_code=company.uscc, kind=ReminderKind.INTERVIEW,
                            document_number="京开市监约〔2026〕1号", manner="当面约谈", content="限期整改食品安全问题",
                            held_on=today() - dt.timedelta(days=45))
        rid, deadline = r.id, r.rectify_by
        assert s.get(Record, r.record_id).status is Status.SUBMITTED  # the interview is a record (R-MEA-5)
        assert (deadline - r.held_on).days >= 10  # ten working days on the official calendar
        assert company.id not in [e for e, _ in reminders.d_grade_without_reminder(s)]
    with pytest.raises(Conflict, match="未过"), uow(actor=officer) as s:
        reminders.urge(s, actor=officer, reminder=reminders.get(s, actor=officer, reminder_id=rid), on=deadline)
    with pytest.raises(Forbidden), uow(actor=zone["outsider"]) as s:
        reminders.urge(s, actor=zone["outsider"], reminder=s.get(reminders.Reminder, rid), on=deadline + dt.timedelta(days=1))
    with pytest.raises(Conflict, match="先催告"), uow(actor=officer) as s:
        reminders.escalate(s, actor=officer, reminder=reminders.get(s, actor=officer, reminder_id=rid),
                           document_number="x", content="", on=deadline + dt.timedelta(days=1))
    with uow(actor=officer) as s:
        r = reminders.get(s, actor=officer, reminder_id=rid)
        reminders.urge(s, actor=officer, reminder=r, on=deadline + dt.timedelta(days=1))
        second = r.rectify_by
    with uow(actor=officer) as s:
        escalated = reminders.escalate(s, actor=officer, reminder=reminders.get(s, actor=officer, reminder_id=rid),
                                       document_number="京开市监认〔2026〕3号", content="", on=today())
    assert second < today()
    with uow(actor=zone["admin"]) as s:
        records.accept(s, actor=zone["admin"], records=[records.get(s, actor=zone["admin"], record_id=escalated)])
        r = s.get(reminders.Reminder, rid)
        assert r.status is ReminderStatus.ESCALATED and "催告后仍拒不整改" in r.outcome
    assert _standing(uow, company.id).score == 410  # 460 − 50: 提醒约谈后拒不整改 (SPEC §15)


def test_a_rectified_reminder_closes(uow, zone):  # R-MEA-5
    company, officer = zone["company"], zone["officer"]
    with uow(actor=officer) as s:
        r = reminders.issue(s, actor=officer, entity_code=company.uscc, kind=ReminderKind.REMINDER,
                            document_number="京开市监提〔2026〕2号", manner="书面", content="及时履行处罚决定")
        reminders.rectified(s, actor=officer, reminder=r, note="已缴纳罚款")
        assert r.status is ReminderStatus.RECTIFIED
        with pytest.raises(Conflict):
            reminders.urge(s, actor=officer, reminder=r, on=r.rectify_by + dt.timedelta(days=1))
    with pytest.raises(Forbidden), uow(actor=zone["admin"]) as s:  # the credit office does not remind for a department
        reminders.issue(s, actor=zone["admin"], entity_code=company.uscc, kind=ReminderKind.REMINDER,
                        document_number="x", manner="书面", content="y")


def test_the_reminders_page_lists_d_grade_subjects_and_issues_a_reminder(client, uow, zone):  # R-MEA-5
    from tests.web.test_auth import csrf_of, login

    _d_grade(uow, zone)
    login(client, "scjg_jbr")
    page = client.get("/reminders")
    assert page.status_code == 200 and zone["company"].name in page.text and "待提醒的 D 级主体" in page.text
    r = client.post("/reminders", data={"csrf_token": csrf_of(page.text), "entity_code": zone["company"].uscc,
                                        "kind": "reminder", "document_number": "京开市监提〔2026〕9号", "manner": "书面",
                                        "content": "限期履行"}, follow_redirects=False)
    assert r.status_code == 303
    after = client.get("/reminders").text
    assert "待整改" in after and "没有待提醒的 D 级主体" in after
    bad = client.post("/reminders", data={"csrf_token": csrf_of(after), "entity_code": zone["company"].uscc,
                                          "kind": "reminder", "document_number": "x", "manner": "", "content": "y"})
    assert bad.status_code == 400 and "请写明方式" in bad.text
