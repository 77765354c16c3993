"""Queries about import runs and held rows. ``runs(actor)`` and ``held(actor)`` decide what an actor sees:
a department its own, the credit office every department's (SPEC §0)."""

from __future__ import annotations

from sqlalchemy import Select, false, func, select
from sqlalchemy.orm import Session

from xinyong.accounts.permissions import Actor, Role

from .models import HeldRow, HeldStatus, ImportRun


def sees_all(session: Session, actor: Actor) -> bool:
    if actor.role is Role.ADMIN:
        return True
    if actor.role in (Role.OFFICER, Role.REVIEWER) and actor.department_id:
        from xinyong.accounts.models import Department

        return bool(session.scalar(select(Department.is_credit_office).where(Department.id == actor.department_id)))
    return False


def _scoped(session: Session, actor: Actor, stmt: Select, column) -> Select:
    if sees_all(session, actor):
        return stmt
    if actor.role in (Role.OFFICER, Role.REVIEWER) and actor.department_id:
        return stmt.where(column == actor.department_id)
    return stmt.where(false())


def runs(session: Session, actor: Actor) -> Select[tuple[ImportRun]]:
    return _scoped(session, actor, select(ImportRun), ImportRun.department_id)


def held(session: Session, actor: Actor) -> Select[tuple[HeldRow]]:
    return _scoped(session, actor, select(HeldRow), HeldRow.department_id)


def page(session: Session, stmt: Select, order, offset: int, limit: int) -> tuple[list, int]:
    total = session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery())) or 0
    return list(session.scalars(stmt.order_by(*order).offset(offset).limit(limit))), total


def held_by_key(session: Session, row_key: str) -> HeldRow | None:
    return session.scalars(select(HeldRow).where(HeldRow.row_key == row_key)).first()


def waiting_count(session: Session, actor: Actor) -> int:
    stmt = held(session, actor).where(HeldRow.status == HeldStatus.WAITING)
    return session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
