from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from .models import CalendarYear


def years(session: Session) -> list[CalendarYear]:
    return list(session.scalars(select(CalendarYear).order_by(CalendarYear.year)))


def year(session: Session, number: int) -> CalendarYear | None:
    return session.get(CalendarYear, number)
