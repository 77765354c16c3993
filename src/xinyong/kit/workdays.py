"""Working days on the official Chinese calendar (SPEC §16, R-COL-2, R-COL-3).

Weekends and statutory holidays are off; make-up working days (调休上班, a Saturday or Sunday the
State Council makes a working day) are on. A year is known only once its arrangement — the
国务院办公厅 notice published late in the year before — has been loaded; a computation that needs
an unknown year raises ``DeadlineUnknown`` naming that year rather than guessing from the weekdays.

Pure: no database, no web. The database side is ``xinyong.workcalendar``.
"""

from __future__ import annotations

import datetime as dt
import re
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from .errors import DeadlineUnknown, Invalid

WEEKDAY_NAMES = ("周一", "周二", "周三", "周四", "周五", "周六", "周日")
ARRANGEMENT_KEYS = frozenset({"year", "source", "holidays", "makeup_workdays"})
HOLIDAY_KEYS = frozenset({"name", "dates"})
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
# What an operator types: 2026-03-05, 2026/3/5, 2026.3.5, 2026年3月5日
_LOOSE_DATE = re.compile(r"^\s*(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?\s*$")


class YearNotLoaded(DeadlineUnknown):
    """The arrangement of ``year`` is not loaded: the deadline cannot be known yet."""

    def __init__(self, year: int):
        super().__init__(f"{year} 年的法定节假日安排尚未载入：请由管理员运行 xinyong calendar load 文件")
        self.year = year


@dataclass(frozen=True)
class Holiday:
    name: str
    dates: tuple[dt.date, ...]


@dataclass(frozen=True)
class YearArrangement:
    """One year's 放假调休 arrangement, as the State Council's notice states it."""

    year: int
    source: str
    holidays: tuple[Holiday, ...]
    makeup_workdays: frozenset[dt.date]

    @property
    def days_off(self) -> frozenset[dt.date]:
        return frozenset(d for h in self.holidays for d in h.dates)

    def to_data(self) -> dict[str, Any]:
        """The file format back again, dates sorted: what the database stores and ``parse_arrangement`` reads."""
        return {
            "year": self.year,
            "source": self.source,
            "holidays": [{"name": h.name, "dates": [d.isoformat() for d in h.dates]} for h in self.holidays],
            "makeup_workdays": [d.isoformat() for d in sorted(self.makeup_workdays)],
        }


def _year_workdays(arrangement: YearArrangement) -> tuple[int, ...]:
    off, on = arrangement.days_off, arrangement.makeup_workdays
    first = dt.date(arrangement.year, 1, 1).toordinal()
    last = dt.date(arrangement.year, 12, 31).toordinal()
    days = []
    for ordinal in range(first, last + 1):
        d = dt.date.fromordinal(ordinal)
        if d in on or (d.weekday() < 5 and d not in off):
            days.append(ordinal)
    return tuple(days)


@dataclass(frozen=True)
class WorkCalendar:
    """The working days of every loaded year; any other year is unknown."""

    arrangements: tuple[YearArrangement, ...] = ()
    # year → sorted ordinals of its working days; derived, so two calendars of the same years are equal
    _workdays: Mapping[int, tuple[int, ...]] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        by_year: dict[int, YearArrangement] = {}
        for a in self.arrangements:
            if a.year in by_year:
                raise Invalid(f"{a.year} 年的安排重复", field="year")
            by_year[a.year] = a
        ordered = tuple(by_year[y] for y in sorted(by_year))
        object.__setattr__(self, "arrangements", ordered)
        object.__setattr__(self, "_workdays", {a.year: _year_workdays(a) for a in ordered})

    @classmethod
    def of(cls, arrangements: Iterable[YearArrangement]) -> WorkCalendar:
        return cls(tuple(arrangements))

    @property
    def years(self) -> tuple[int, ...]:
        return tuple(a.year for a in self.arrangements)

    def knows(self, year: int) -> bool:
        return year in self._workdays

    def _days(self, year: int) -> tuple[int, ...]:
        days = self._workdays.get(year)
        if days is None:
            raise YearNotLoaded(year)
        return days

    def is_workday(self, d: dt.date) -> bool:
        days = self._days(d.year)
        i = bisect_left(days, d.toordinal())
        return i < len(days) and days[i] == d.toordinal()

    def add_workdays(self, start: dt.date, n: int) -> dt.date:
        """The end of the n-th working day after ``start``; the day of receipt itself is not counted (SPEC §16).

        Only the years actually counted through must be loaded: n = 0 is ``start`` itself.
        """
        if isinstance(n, bool) or not isinstance(n, int):
            raise Invalid("工作日数应为整数", field="n")
        if n < 0:
            raise Invalid(f"工作日数不能为负数：{n}", field="n")
        if n == 0:
            return start
        after = start.toordinal()  # counting starts with the first working day after this
        year = (start + dt.timedelta(days=1)).year
        remaining = n
        while True:
            days = self._days(year)
            i = bisect_right(days, after)
            available = len(days) - i
            if remaining <= available:
                return dt.date.fromordinal(days[i + remaining - 1])
            remaining -= available
            year += 1

    def workdays_between(self, a: dt.date, b: dt.date) -> int:
        """Working days after ``a`` up to and including ``b`` — how many working days late ``b`` is
        against a deadline ``a`` (R-COL-2). Zero when ``b`` is not after ``a``."""
        if b <= a:
            return 0
        start = a + dt.timedelta(days=1)
        total = 0
        for year in range(start.year, b.year + 1):
            days = self._days(year)
            lo = max(start, dt.date(year, 1, 1)).toordinal()
            hi = min(b, dt.date(year, 12, 31)).toordinal()
            total += bisect_right(days, hi) - bisect_left(days, lo)
        return total


def optional_date(value: object, *, field: str = "date") -> dt.date | None:
    """A form's date field: blank is no date; anything else as ``parse_date`` reads it."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    return parse_date(value.strip() if isinstance(value, str) else value, field=field)


def parse_date(value: object, *, field: str = "date", strict: bool = False) -> dt.date:
    """A calendar date. ``strict``: ISO 8601 only (data files); otherwise also 2026/3/5 and 2026年3月5日."""
    if isinstance(value, dt.datetime):  # an Excel date cell arrives as midnight
        return value.date()
    if isinstance(value, dt.date):
        return value
    if not isinstance(value, str):
        raise Invalid(f"日期应为文本形式的 YYYY-MM-DD：{value!r}", field=field)
    if strict:
        if not _ISO_DATE.match(value):
            raise Invalid(f"日期格式应为 YYYY-MM-DD：{value!r}", field=field)
        parts = value.split("-")
    else:
        m = _LOOSE_DATE.match(value)
        if not m:
            raise Invalid(f"无法识别的日期：{value}（日期格式应如 2026-03-05 或 2026/3/5）", field=field)
        parts = list(m.groups())
    try:
        return dt.date(int(parts[0]), int(parts[1]), int(parts[2]))
    except ValueError:
        raise Invalid(f"不存在的日期：{value}（日期格式应如 2026-03-05）", field=field) from None


def _unknown_keys(obj: Mapping, allowed: frozenset[str], where: str) -> None:
    unknown = sorted(map(str, set(obj) - allowed))
    if unknown:
        raise Invalid(f"不认识的属性：{'、'.join(unknown)}（只允许 {'、'.join(sorted(allowed))}）",
                      field=f"{where}.{unknown[0]}" if where else unknown[0])


def parse_arrangement(data: Any) -> YearArrangement:
    """Check one year's arrangement in the file format and build it; every error names its field.

    ``{"year": 2026, "source": "国办发明电〔2025〕7号", "holidays": [{"name": "春节", "dates": ["2026-02-15", …]}, …],
    "makeup_workdays": ["2026-01-04", …]}``
    """
    if not isinstance(data, Mapping):
        raise Invalid("节假日安排应为 JSON 对象", field="arrangement")
    _unknown_keys(data, ARRANGEMENT_KEYS, "")
    for key in ("year", "source", "holidays", "makeup_workdays"):
        if key not in data:
            raise Invalid(f"缺少 {key}", field=key)

    year = data["year"]
    if isinstance(year, bool) or not isinstance(year, int) or not 1949 < year < 2200:
        raise Invalid(f"年份应为 1950 至 2199 之间的整数：{year!r}", field="year")

    source = data["source"]
    if not isinstance(source, str) or not source.strip():
        raise Invalid("应写明依据的通知（如 国办发明电〔2025〕7号）", field="source")
    source = source.strip()
    if len(source) > 500 or "\n" in source:
        raise Invalid("依据应为一行、最多 500 个字符", field="source")

    def in_year(value: object, where: str) -> dt.date:
        d = parse_date(value, field=where, strict=True)
        if d.year != year:
            raise Invalid(f"{d.isoformat()} 不在 {year} 年内", field=where)
        return d

    raw_holidays = data["holidays"]
    if not isinstance(raw_holidays, list) or not raw_holidays:
        raise Invalid("应为节日列表，至少一项（每年至少有元旦）", field="holidays")
    holidays: list[Holiday] = []
    seen: dict[dt.date, str] = {}
    for i, h in enumerate(raw_holidays):
        where = f"holidays[{i}]"
        if not isinstance(h, Mapping):
            raise Invalid("节日应为对象：{\"name\": …, \"dates\": […]}", field=where)
        _unknown_keys(h, HOLIDAY_KEYS, where)
        name = h.get("name")
        if not isinstance(name, str) or not name.strip() or len(name.strip()) > 40:
            raise Invalid("节日名称应为不超过 40 个字符的文本", field=f"{where}.name")
        name = name.strip()
        raw_dates = h.get("dates")
        if not isinstance(raw_dates, list) or not raw_dates:
            raise Invalid(f"{name}的放假日期应为非空列表", field=f"{where}.dates")
        dates = []
        for j, value in enumerate(raw_dates):
            d = in_year(value, f"{where}.dates[{j}]")
            if d in seen:
                raise Invalid(f"{d.isoformat()} 重复出现（已在{seen[d]}中）", field=f"{where}.dates[{j}]")
            seen[d] = name
            dates.append(d)
        holidays.append(Holiday(name, tuple(sorted(dates))))

    raw_makeup = data["makeup_workdays"]
    if not isinstance(raw_makeup, list):
        raise Invalid("调休上班日应为日期列表（没有则为 []）", field="makeup_workdays")
    makeup: set[dt.date] = set()
    for k, value in enumerate(raw_makeup):
        where = f"makeup_workdays[{k}]"
        d = in_year(value, where)
        if d.weekday() < 5:
            raise Invalid(f"{d.isoformat()} 是{WEEKDAY_NAMES[d.weekday()]}，本来就上班：调休上班日只能是周六或周日",
                          field=where)
        if d in seen:
            raise Invalid(f"{d.isoformat()} 既是{seen[d]}放假日又是调休上班日", field=where)
        if d in makeup:
            raise Invalid(f"{d.isoformat()} 重复出现", field=where)
        makeup.add(d)

    return YearArrangement(year=year, source=source, holidays=tuple(holidays), makeup_workdays=frozenset(makeup))
