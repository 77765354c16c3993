"""Working days on the official calendar, without a database (SPEC §16; the deadlines of R-COL-2 and R-COL-3).

Expected dates are counted by hand from the notices: 2026 春节 2月15日至23日放假，2月14日（周六）、
2月28日（周六）上班；中秋节 9月25日至27日；国庆节 10月1日至7日放假，9月20日（周日）、10月10日（周六）上班。
"""

import copy
import dataclasses
import datetime as dt
import json
from importlib import resources

import holidays
import pytest

from xinyong.kit.errors import DeadlineUnknown, Invalid
from xinyong.kit.workdays import WorkCalendar, parse_arrangement, parse_date

D = dt.date


def shipped(year: int) -> dict:
    path = resources.files("xinyong.workcalendar").joinpath("data", f"{year}.json")
    return json.loads(path.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def cal() -> WorkCalendar:
    return WorkCalendar.of(parse_arrangement(shipped(y)) for y in (2025, 2026))


def days_of(year: int):
    d = D(year, 1, 1)
    while d.year == year:
        yield d
        d += dt.timedelta(days=1)


@pytest.mark.parametrize("year", [2025, 2026])
def test_every_day_agrees_with_the_holidays_package(cal, year):  # SPEC §16
    official = holidays.China(years=year)
    makeup = {d for d in official.weekend_workdays if d.year == year}
    for d in days_of(year):
        expected = d in makeup or (d.weekday() < 5 and d not in official)
        assert cal.is_workday(d) is expected, d


@pytest.mark.parametrize("year, source", [(2025, "国办发明电〔2024〕12号"), (2026, "国办发明电〔2025〕7号")])
def test_shipped_files_name_their_notice_and_hold_every_holiday_and_makeup_day(year, source):  # SPEC §16
    a = parse_arrangement(shipped(year))
    official = holidays.China(years=year)
    assert a.year == year and source in a.source
    assert set(official) <= a.days_off  # also the substituted rest days (休息日（由…调休）)
    assert all(d.weekday() >= 5 for d in a.days_off - set(official))  # the rest are weekends inside a break
    assert a.makeup_workdays == {d for d in official.weekend_workdays if d.year == year}
    assert parse_arrangement(a.to_data()) == a


def test_2026_arrangement_as_the_notice_states_it():  # SPEC §16
    a = parse_arrangement(shipped(2026))
    spans = {h.name: (h.dates[0], h.dates[-1], len(h.dates)) for h in a.holidays}
    assert spans == {"元旦": (D(2026, 1, 1), D(2026, 1, 3), 3), "春节": (D(2026, 2, 15), D(2026, 2, 23), 9),
                     "清明节": (D(2026, 4, 4), D(2026, 4, 6), 3), "劳动节": (D(2026, 5, 1), D(2026, 5, 5), 5),
                     "端午节": (D(2026, 6, 19), D(2026, 6, 21), 3), "中秋节": (D(2026, 9, 25), D(2026, 9, 27), 3),
                     "国庆节": (D(2026, 10, 1), D(2026, 10, 7), 7)}
    assert sorted(a.makeup_workdays) == [D(2026, 1, 4), D(2026, 2, 14), D(2026, 2, 28), D(2026, 5, 9),
                                         D(2026, 9, 20), D(2026, 10, 10)]


@pytest.mark.parametrize("start, n, due", [
    (D(2026, 2, 12), 1, D(2026, 2, 13)),   # Thu → Fri
    (D(2026, 2, 12), 2, D(2026, 2, 14)),   # the make-up Saturday before the break counts
    (D(2026, 2, 12), 3, D(2026, 2, 24)),   # 15–23 off: the first working day after the break
    (D(2026, 2, 17), 1, D(2026, 2, 24)),   # received during the break
    (D(2026, 2, 13), 10, D(2026, 3, 5)),   # 14, 24, 25, 26, 27, 28 (make-up Sat), 3/2, 3/3, 3/4, 3/5
    (D(2026, 2, 10), 15, D(2026, 3, 9)),   # R-COL-2: a record due 15 working days after the decision
])
def test_add_workdays_across_the_2026_spring_festival(cal, start, n, due):  # SPEC §16, R-COL-2
    assert cal.add_workdays(start, n) == due


@pytest.mark.parametrize("start, n, due", [
    (D(2026, 9, 18), 1, D(2026, 9, 20)),   # Sat 19 off, Sun 20 is a make-up working day
    (D(2026, 9, 24), 1, D(2026, 9, 28)),   # 中秋节 Fri 25 – Sun 27
    (D(2026, 9, 30), 1, D(2026, 10, 8)),   # National Day 1–7
    (D(2026, 9, 30), 3, D(2026, 10, 10)),  # 8, 9, make-up Sat 10
    (D(2026, 9, 28), 10, D(2026, 10, 16)),  # R-COL-2 licences/penalties: 29, 30, 10/8, 9, 10, 12, 13, 14, 15, 16
    (D(2026, 9, 29), 7, D(2026, 10, 14)),  # R-COL-2 publicity within 7: 30, 10/8, 9, 10, 12, 13, 14
])
def test_add_workdays_across_the_2026_national_day(cal, start, n, due):  # SPEC §16, R-COL-2
    assert cal.add_workdays(start, n) == due


def test_the_day_of_receipt_is_not_counted(cal):  # SPEC §16
    assert cal.add_workdays(D(2026, 3, 2), 1) == D(2026, 3, 3)  # Monday's receipt: due Tuesday
    assert cal.add_workdays(D(2026, 3, 7), 1) == D(2026, 3, 9)  # received on a Saturday: due Monday
    assert cal.add_workdays(D(2026, 3, 2), 0) == D(2026, 3, 2)
    assert cal.workdays_between(D(2026, 3, 2), D(2026, 3, 2)) == 0


def test_add_workdays_runs_from_one_loaded_year_into_the_next(cal):  # SPEC §16
    # 12/31 (1); 2026-01-01…03 off; Sun 01-04 make-up (2); Mon 01-05 (3)
    assert cal.add_workdays(D(2025, 12, 30), 3) == D(2026, 1, 5)


def test_a_deadline_running_into_2027_is_unknown_naming_the_year(cal):  # SPEC §16, R-COL-3
    assert cal.add_workdays(D(2026, 12, 30), 1) == D(2026, 12, 31)  # needs no 2027 day
    with pytest.raises(DeadlineUnknown) as exc:
        cal.add_workdays(D(2026, 12, 30), 5)
    assert "2027 年" in exc.value.message and "xinyong calendar load" in exc.value.message
    assert exc.value.year == 2027 and exc.value.status == 409
    with pytest.raises(DeadlineUnknown, match="2027 年"):
        cal.is_workday(D(2027, 1, 4))
    with pytest.raises(DeadlineUnknown, match="2027 年"):
        cal.workdays_between(D(2026, 12, 30), D(2027, 1, 4))
    with pytest.raises(DeadlineUnknown, match="2024 年"):
        cal.is_workday(D(2024, 6, 3))


def test_negative_workdays_are_refused(cal):  # SPEC §16
    with pytest.raises(Invalid) as exc:
        cal.add_workdays(D(2026, 3, 2), -1)
    assert exc.value.field == "n"


def test_workdays_between_measures_lateness(cal):  # R-COL-2: lateness in working days
    assert cal.workdays_between(D(2026, 9, 30), D(2026, 10, 8)) == 1
    assert cal.workdays_between(D(2026, 2, 13), D(2026, 2, 24)) == 2  # make-up Sat 14 and Tue 24
    assert cal.workdays_between(D(2026, 10, 8), D(2026, 9, 30)) == 0  # on time is not late
    assert cal.workdays_between(D(2025, 12, 30), D(2026, 1, 5)) == 3


def test_workdays_between_undoes_add_workdays(cal):  # SPEC §16
    for start in list(days_of(2025))[::3]:
        for n in (1, 2, 5, 7, 10, 15):
            assert cal.workdays_between(start, cal.add_workdays(start, n)) == n, (start, n)


def test_a_year_has_the_working_days_the_notice_implies(cal):  # SPEC §16
    # 2025: 365 days, 104 weekend days; 28 days off, 10 of them at weekends (2/1-2, 4/5-6, 5/3-4, 5/31-6/1, 10/4-5); 5 make-up
    assert sum(cal.is_workday(d) for d in days_of(2025)) == 365 - 104 - (28 - 10) + 5 == 248
    # 2026: 104 weekend days; 33 days off, 14 at weekends (1/3, 2/15, 2/21-22, 4/4-5, 5/2-3, 6/20-21, 9/26-27, 10/3-4); 6 make-up
    assert sum(cal.is_workday(d) for d in days_of(2026)) == 365 - 104 - (33 - 14) + 6 == 248
    assert cal.years == (2025, 2026) and cal.knows(2026) and not cal.knows(2027)


def test_the_calendar_is_frozen(cal):
    with pytest.raises(dataclasses.FrozenInstanceError):
        cal.arrangements = ()


def test_operator_dates():
    assert parse_date("2026-03-05") == parse_date("2026/3/5") == parse_date("2026年3月5日") == D(2026, 3, 5)
    with pytest.raises(Invalid):
        parse_date("2026-02-30")
    with pytest.raises(Invalid):
        parse_date("2026/3/5", strict=True)


def _set(path, value):
    def change(data):
        target = data
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = value
    return change


def _drop(key):
    return lambda data: data.pop(key)


BAD = [
    ("a holiday outside the year", _set(("holidays", 0, "dates", 0), "2025-12-31"), "holidays[0].dates[0]", "不在 2026 年内"),
    ("a make-up day on a weekday", _set(("makeup_workdays", 0), "2026-01-05"), "makeup_workdays[0]", "周六或周日"),
    ("a day both off and on", _set(("makeup_workdays", 1), "2026-02-15"), "makeup_workdays[1]", "既是春节放假日又是调休上班日"),
    ("a date without its zeros", _set(("holidays", 1, "dates", 0), "2026-2-15"), "holidays[1].dates[0]", "YYYY-MM-DD"),
    ("a date with slashes", _set(("holidays", 1, "dates", 0), "2026/02/15"), "holidays[1].dates[0]", "YYYY-MM-DD"),
    ("a date that does not exist", _set(("holidays", 1, "dates", 0), "2026-02-30"), "holidays[1].dates[0]", "不存在"),
    ("a date as a number", _set(("holidays", 1, "dates", 0), 20260215), "holidays[1].dates[0]", "YYYY-MM-DD"),
    ("a date twice", _set(("holidays", 1, "dates", 0), "2026-01-01"), "holidays[1].dates[0]", "重复"),
    ("the year as text", _set(("year",), "2026"), "year", "整数"),
    ("no year", _drop("year"), "year", "缺少"),
    ("no source", _set(("source",), " "), "source", "通知"),
    ("no holidays", _set(("holidays",), []), "holidays", "至少一项"),
    ("a holiday without a name", _set(("holidays", 0, "name"), ""), "holidays[0].name", "名称"),
    ("an unknown key", _set(("comment",), "x"), "comment", "不认识"),
    ("make-up days not a list", _set(("makeup_workdays",), "2026-01-04"), "makeup_workdays", "列表"),
]


@pytest.mark.parametrize("label, change, field, words", BAD, ids=[b[0] for b in BAD])
def test_a_bad_arrangement_is_refused_naming_the_field(label, change, field, words):  # SPEC §16
    data = copy.deepcopy(shipped(2026))
    change(data)
    with pytest.raises(Invalid) as exc:
        parse_arrangement(data)
    assert exc.value.field == field, exc.value.message
    assert words in exc.value.message


def test_an_arrangement_must_be_an_object():
    with pytest.raises(Invalid) as exc:
        parse_arrangement([2026])
    assert exc.value.field == "arrangement"
