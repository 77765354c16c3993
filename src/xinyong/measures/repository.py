"""Queries about the measures catalog."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from .models import Measure, MeasureVersion


def codes(session: Session) -> set[str]:
    return set(session.scalars(select(Measure.code)))


def measure(session: Session, code: str, *, with_versions: bool = False) -> Measure | None:
    stmt = select(Measure).where(Measure.code == code)
    if with_versions:
        stmt = stmt.options(selectinload(Measure.versions))
    return session.scalar(stmt)


def version(session: Session, measure_id: int, number: int) -> MeasureVersion | None:
    return session.scalar(select(MeasureVersion).where(MeasureVersion.measure_id == measure_id,
                                                       MeasureVersion.version == number))


def current_versions(session: Session) -> list[tuple[int, str, MeasureVersion]]:
    """(head id, code, current version) of every measure, retired ones included, in catalog order."""
    return [tuple(row) for row in session.execute(
        select(Measure.id, Measure.code, MeasureVersion)
        .join(MeasureVersion, (MeasureVersion.measure_id == Measure.id)
              & (MeasureVersion.version == Measure.current_version))
        .order_by(Measure.id)
    )]


# Built once: a credit check asks this on every call (joined into the statement that reads the entity's
# standing), and building a statement costs more than running it. Always one row.
TOKEN = select(func.max(MeasureVersion.id).label("catalog_max_id"), func.count(MeasureVersion.id).label("catalog_count"),
               func.max(MeasureVersion.created_at).label("catalog_changed_at"))
TOKEN_COLUMNS = ("catalog_max_id", "catalog_count", "catalog_changed_at")


def catalog_token(session: Session) -> tuple:
    """Changes whenever a version is written (every change is one, retiring included): the key of the
    in-process cache. The count and the latest time make it safe against ids reused after a rollback or
    a test's emptied tables."""
    return tuple(session.execute(TOKEN).one())
