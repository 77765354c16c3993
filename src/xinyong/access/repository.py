"""Queries about consents and the query log."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from .models import Consent, Outcome, QueryLog


def consent(session: Session, consent_id: int) -> Consent | None:
    return session.get(Consent, consent_id)


def consents_of(session: Session, entity_id: int) -> list[Consent]:
    return list(session.scalars(select(Consent).where(Consent.entity_id == entity_id)
                                .order_by(Consent.created_at.desc(), Consent.id.desc())))


def usable_consents(session: Session, *, entity_id: int, department_id: int, day: dt.date) -> list[Consent]:
    return list(session.scalars(select(Consent).where(
        Consent.entity_id == entity_id, Consent.grantee_department_id == department_id, Consent.revoked_at.is_(None),
        Consent.valid_from <= day, Consent.valid_to >= day).order_by(Consent.valid_to.desc())))


def use_counts(session: Session, consent_ids: list[int]) -> dict[int, int]:
    if not consent_ids:
        return {}
    rows = session.execute(select(QueryLog.consent_id, func.count()).where(
        QueryLog.consent_id.in_(consent_ids), QueryLog.outcome == Outcome.ALLOWED).group_by(QueryLog.consent_id))
    return {cid: n for cid, n in rows}


def uses_of(session: Session, consent_id: int) -> list[QueryLog]:
    return list(session.scalars(select(QueryLog).where(QueryLog.consent_id == consent_id)
                                .order_by(QueryLog.seq.desc())))


def log_query(*, start: dt.datetime | None = None, end: dt.datetime | None = None, actor: str | None = None,
              entity: str | None = None, entity_id: int | None = None, outcome: Outcome | None = None,
              duty: str | None = None) -> Select[tuple[QueryLog]]:
    stmt = select(QueryLog)
    if start is not None:
        stmt = stmt.where(QueryLog.at >= start)
    if end is not None:
        stmt = stmt.where(QueryLog.at < end)
    # icontains, not contains: LIKE ignores the case of Latin letters on SQLite but not on PostgreSQL, and an
    # auditor types a login name or a USCC in whatever case
    if actor:
        stmt = stmt.where(QueryLog.actor.icontains(actor, autoescape=True)
                          | QueryLog.department.icontains(actor, autoescape=True))
    if entity:
        stmt = stmt.where(QueryLog.entity.icontains(entity, autoescape=True))
    if entity_id is not None:
        stmt = stmt.where(QueryLog.entity_id == entity_id)
    if outcome is not None:
        stmt = stmt.where(QueryLog.outcome == outcome)
    if duty:
        stmt = stmt.where(QueryLog.duty == duty)
    return stmt


def log_page(session: Session, stmt: Select[tuple[QueryLog]], *, offset: int, limit: int) -> tuple[list[QueryLog], int]:
    total = session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery())) or 0
    rows = session.scalars(stmt.order_by(QueryLog.seq.desc()).offset(offset).limit(limit)).all()
    return list(rows), total


def log_stream(session: Session, stmt: Select[tuple[QueryLog]]) -> Iterator[QueryLog]:
    """Every matching entry, oldest first, a batch at a time: an export of a year's log stays small in memory."""
    yield from session.scalars(stmt.order_by(QueryLog.seq).execution_options(yield_per=2000))
