"""The working-day calendar in the database (SPEC §16): each year's arrangement is data an
administrator loads — the State Council publishes it late in the year before — and every load is
an audited event. The arithmetic itself is ``xinyong.kit.workdays`` (pure)."""

from __future__ import annotations

import json
from importlib import resources
from typing import Any

from sqlalchemy.orm import Session

from xinyong.accounts.permissions import Actor, Permission
from xinyong.kit.clock import now
from xinyong.kit.errors import Forbidden, Invalid
from xinyong.kit.workdays import WorkCalendar, YearArrangement, parse_arrangement

from . import events, repository
from .models import CalendarYear

# The arrangements shipped with the platform, one file a year: workcalendar/data/<year>.json
SHIPPED = resources.files("xinyong.workcalendar").joinpath("data")


def load_arrangement(session: Session, *, actor: Actor, data: Any) -> YearArrangement:
    """Insert the year, or replace it (an update, so the audit chain shows what it was before)."""
    if not actor.can(Permission.CALENDAR_MANAGE):
        raise Forbidden("无权载入法定节假日安排")
    arrangement = parse_arrangement(data)
    stored = arrangement.to_data()
    row = repository.year(session, arrangement.year)
    previous = row.source if row is not None else None
    if row is None:
        session.add(CalendarYear(year=arrangement.year, source=arrangement.source, arrangement=stored, loaded_at=now()))
    else:
        row.source = arrangement.source
        row.arrangement = stored  # a new object, never mutated in place: the change must be seen
        row.loaded_at = now()
    session.flush()
    detail = {"year": arrangement.year, "source": arrangement.source, "replaced": row is not None,
              "days_off": len(arrangement.days_off), "makeup_workdays": len(arrangement.makeup_workdays)}
    if previous is not None:
        detail["previous_source"] = previous
    events.year_loaded(session, actor, detail)
    return arrangement


def read_file(text: str, *, name: str = "文件") -> Any:
    """The JSON of an arrangement file, or one clear error."""
    try:
        return json.loads(text.removeprefix("\ufeff"))
    except json.JSONDecodeError as exc:
        raise Invalid(f"{name}不是有效的 JSON：第 {exc.lineno} 行第 {exc.colno} 列，{exc.msg}", field="file") from None


def shipped_arrangements() -> list[Any]:
    files = sorted((f for f in SHIPPED.iterdir() if f.name.endswith(".json")), key=lambda f: f.name)
    return [read_file(f.read_text(encoding="utf-8"), name=f.name) for f in files]


def load_shipped(session: Session, *, actor: Actor) -> list[int]:
    """Load the shipped years the database does not have yet; a year already there (perhaps
    corrected by an administrator) is left alone, so this is safe to run again. Returns the years loaded."""
    have = {row.year for row in repository.years(session)}
    loaded = []
    for data in shipped_arrangements():
        if data.get("year") not in have:
            loaded.append(load_arrangement(session, actor=actor, data=data).year)
    return loaded


def years(session: Session) -> list[CalendarYear]:
    return repository.years(session)


def calendar(session: Session) -> WorkCalendar:
    """Every loaded year; any other year raises DeadlineUnknown when a computation needs it."""
    return WorkCalendar.of(parse_arrangement(row.arrangement) for row in years(session))
