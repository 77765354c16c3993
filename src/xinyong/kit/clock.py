"""Time in one place, so tests can pin it and every module agrees on the zone."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

CHINA = ZoneInfo("Asia/Shanghai")


def now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def today() -> dt.date:
    """The date in China: a decision made at 07:00 Beijing time is that day's decision."""
    return now().astimezone(CHINA).date()


def local(ts: dt.datetime | None) -> dt.datetime | None:
    return ts.astimezone(CHINA) if ts is not None else None


def year_start(year: int) -> dt.datetime:
    """00:00 on 1 January in China, as a UTC instant: where a record-keeping year begins (R-COL-6)."""
    return dt.datetime(year, 1, 1, tzinfo=CHINA).astimezone(dt.UTC)
