"""Working-day deadlines of an objection (SPEC §16; 000 §24–25): computed with the official calendar,
empty (and said 无法计算, naming the year) when a year they need is not loaded, never guessed."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from xinyong.kit.errors import DeadlineUnknown
from xinyong.kit.workdays import WorkCalendar, YearNotLoaded

from .schemas import Deadline

DECIDE_WORKDAYS = 7  # 000 §24: the credit office, from receipt
VERIFY_WORKDAYS = 10  # 000 §24 第二款: the recording department, from receipt
CORRECT_WORKDAYS = 5  # 000 §25 第三款: corrected and republished


def calendar(session: Session) -> WorkCalendar:
    from xinyong.workcalendar import service as workcalendar

    return workcalendar.calendar(session)


def add(cal: WorkCalendar, start: dt.date | None, n: int) -> dt.date | None:
    if start is None:
        return None
    try:
        return cal.add_workdays(start, n)
    except DeadlineUnknown:
        return None  # said as 无法计算 wherever it is shown, never guessed


def _missing_year(cal: WorkCalendar, start: dt.date, n: int) -> int | None:
    try:
        cal.add_workdays(start, n)
    except YearNotLoaded as exc:
        return exc.year
    return None


def deadline(cal: WorkCalendar, due: dt.date | None, day: dt.date, *, start: dt.date, n: int,
             done_on: dt.date | None = None) -> Deadline:
    """A deadline as of ``day``: working days left, or overdue; done (``done_on``) on time or late."""
    if due is None:
        year = _missing_year(cal, start, n)
        note = f"无法计算：{year}年放假安排未载入" if year else "无法计算"
        return Deadline(due=None, workdays_left=None, overdue=False, done_on=done_on, note=note)
    try:
        if done_on is not None:
            late = cal.workdays_between(due, done_on)
            return Deadline(due=due, workdays_left=None, overdue=late > 0, done_on=done_on,
                            note=f"已于{done_on.isoformat()}办结" + (f"，逾期{late}个工作日" if late else "，未逾期"))
        if day > due:
            late = cal.workdays_between(due, day)
            return Deadline(due=due, workdays_left=-late, overdue=True, note=f"已逾期{late}个工作日")
        left = cal.workdays_between(day, due)
        return Deadline(due=due, workdays_left=left, overdue=False,
                        note=f"剩余{left}个工作日" if left else "今日到期")
    except DeadlineUnknown as exc:
        year = getattr(exc, "year", None)
        return Deadline(due=due, workdays_left=None, overdue=day > due, done_on=done_on,
                        note=f"期限{due.isoformat()}；剩余工作日无法计算：{year}年放假安排未载入" if year else "无法计算")


