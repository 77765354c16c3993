"""The working-day calendar as data an administrator loads (SPEC §16), bound to the audit chain (R-REV-4)."""

import datetime as dt

import pytest
from sqlalchemy import select, text

from xinyong.accounts.permissions import SYSTEM, Actor, Role
from xinyong.audit.models import AuditEvent
from xinyong.audit.trail import action_label
from xinyong.audit.verify import verify
from xinyong.kit.errors import DeadlineUnknown, Forbidden, Invalid
from xinyong.workcalendar.models import CalendarYear
from xinyong.workcalendar.service import calendar, load_arrangement, load_shipped, years

D = dt.date

# Test data, not an official arrangement: 2027-01-01 is a Friday, so 元旦 runs Friday to Sunday.
YEAR_2027 = {"year": 2027, "source": "测试用 2027 年安排（非官方）",
             "holidays": [{"name": "元旦", "dates": ["2027-01-01", "2027-01-02", "2027-01-03"]}],
             "makeup_workdays": []}
YEAR_2027_REVISED = {"year": 2027, "source": "测试用 2027 年安排（修订）",
                     "holidays": [{"name": "元旦", "dates": ["2027-01-01", "2027-01-02", "2027-01-03", "2027-01-04"]}],
                     "makeup_workdays": ["2027-01-09"]}


def events(session, action="calendar.year_loaded"):
    return list(session.scalars(select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.seq)))


def test_init_loads_the_official_2025_and_2026_calendars(uow, platform):  # SPEC §16
    with uow(write=False) as s:
        rows = years(s)
        assert [r.year for r in rows] == [2025, 2026]
        assert "国办发明电〔2024〕12号" in rows[0].source and "国办发明电〔2025〕7号" in rows[1].source
        cal = calendar(s)
        assert [e.subject_id for e in events(s)] == ["2025", "2026"]
    assert action_label("calendar.year_loaded") == "载入法定节假日安排"
    assert cal.add_workdays(D(2026, 9, 30), 1) == D(2026, 10, 8)
    with pytest.raises(DeadlineUnknown, match="2027 年"):
        cal.add_workdays(D(2026, 12, 30), 5)


def test_loading_2027_makes_it_computable(uow, platform):  # SPEC §16: an administrator loads the arrangement as data
    with uow(actor=SYSTEM) as s:
        a = load_arrangement(s, actor=SYSTEM, data=YEAR_2027)
        assert a.year == 2027
    with uow(write=False) as s:
        cal = calendar(s)
        (event,) = events(s)[-1:]
        report = verify(s, platform.keyring)
    # 12/31 (1); 2027-01-01…03 off; 1/4 (2), 1/5 (3), 1/6 (4), 1/7 (5)
    assert cal.add_workdays(D(2026, 12, 30), 5) == D(2027, 1, 7)
    assert cal.years == (2025, 2026, 2027)
    assert event.subject_type == "calendar_year" and event.subject_id == "2027"
    assert event.detail["replaced"] is False and event.detail["days_off"] == 3
    assert ["calendar_years", "2027", "insert"] == event.changes[0][:3]
    assert report.ok, report.problems


def test_reloading_a_year_replaces_it_and_the_chain_still_verifies(uow, platform):  # SPEC §16, R-REV-4
    with uow(actor=SYSTEM) as s:
        load_arrangement(s, actor=SYSTEM, data=YEAR_2027)
    with uow(actor=SYSTEM) as s:
        load_arrangement(s, actor=SYSTEM, data=YEAR_2027_REVISED)
    with uow(write=False) as s:
        assert s.scalar(select(CalendarYear.source).where(CalendarYear.year == 2027)) == "测试用 2027 年安排（修订）"
        assert len(years(s)) == 3
        cal = calendar(s)
        last = events(s)[-1]
        report = verify(s, platform.keyring)
    # 1/4 is now off and Saturday 1/9 a make-up day: 12/31 (1), 1/5 (2), 1/6 (3), 1/7 (4), 1/8 (5)
    assert cal.add_workdays(D(2026, 12, 30), 5) == D(2027, 1, 8)
    assert cal.is_workday(D(2027, 1, 9))
    assert last.detail["replaced"] is True and last.detail["previous_source"] == "测试用 2027 年安排（非官方）"
    assert ["calendar_years", "2027", "update"] == last.changes[0][:3]
    assert report.ok, report.problems


def test_load_shipped_is_safe_to_run_again_and_keeps_a_correction(uow, platform):  # SPEC §16, §18 init
    corrected = {"year": 2026, "source": "管理员更正", "holidays": [{"name": "元旦", "dates": ["2026-01-01"]}],
                 "makeup_workdays": []}
    with uow(actor=SYSTEM) as s:
        assert load_shipped(s, actor=SYSTEM) == []
        load_arrangement(s, actor=SYSTEM, data=corrected)
        assert load_shipped(s, actor=SYSTEM) == []
    with uow(write=False) as s:
        assert s.get(CalendarYear, 2026).source == "管理员更正"
        assert len(events(s)) == 3
        assert verify(s, platform.keyring).ok


def test_a_bad_file_changes_nothing(uow, platform):  # SPEC §16
    bad = YEAR_2027 | {"makeup_workdays": ["2027-01-04"]}  # a Monday
    with pytest.raises(Invalid) as exc, uow(actor=SYSTEM) as s:
        load_arrangement(s, actor=SYSTEM, data=bad)
    assert exc.value.field == "makeup_workdays[0]"
    with uow(write=False) as s:
        assert [r.year for r in years(s)] == [2025, 2026]


def test_only_who_manages_reference_data_may_load_a_year(uow):  # SPEC §16: an administrator loads it
    auditor = Actor(role=Role.AUDITOR, username="shenji")
    with pytest.raises(Forbidden), uow(actor=auditor) as s:
        load_arrangement(s, actor=auditor, data=YEAR_2027)


def test_changing_the_calendar_behind_the_platforms_back_is_detected(uow, platform):  # R-REV-4, SPEC §16
    with uow(actor=SYSTEM) as s:
        load_arrangement(s, actor=SYSTEM, data=YEAR_2027)
    with platform.engine.begin() as conn:
        conn.execute(text("UPDATE calendar_years SET source = :s WHERE year = 2027"), {"s": "伪造"})
    with uow(write=False) as s:
        report = verify(s, platform.keyring)
    assert not report.ok and any("calendar_years" in p for p in report.problems), report.problems
