"""Queries about entities. ``readable(actor)`` is the one place that decides which entities an actor may see."""

from __future__ import annotations

from sqlalchemy import Select, false, func, or_, select
from sqlalchemy.orm import Session, selectinload

from xinyong.accounts.permissions import Actor, Role

from .models import Entity, EntityKind


def readable(actor: Actor) -> Select[tuple[Entity]]:
    stmt = select(Entity)
    if actor.role in (Role.ADMIN, Role.OFFICER, Role.REVIEWER):
        # Departments handle matters for any entity; what of its file they see is decided per record.
        return stmt
    if actor.role is Role.ENTITY:
        return stmt.where(Entity.id == actor.entity_id) if actor.entity_id else stmt.where(false())
    if actor.role is Role.PUBLIC:
        # Natural persons are never listed to the public by name (R-SEC-2); exact ID queries are separate.
        return stmt.where(Entity.kind != EntityKind.NATURAL_PERSON)
    return stmt.where(false())  # the auditor reads logs, not credit files


def get_readable(session: Session, actor: Actor, entity_id: int) -> Entity | None:
    stmt = readable(actor).where(Entity.id == entity_id).options(selectinload(Entity.related_persons))
    return session.scalars(stmt).first()


def find_by_code(session: Session, actor: Actor, *, uscc: str | None, id_index: str | None) -> Entity | None:
    matches = [c for c in (Entity.uscc == uscc if uscc else None,
                           Entity.id_number_index == id_index if id_index else None) if c is not None]
    if not matches:
        return None
    stmt = readable(actor).where(or_(*matches)).options(selectinload(Entity.related_persons))
    return session.scalars(stmt).first()


def exists(session: Session, **where) -> bool:
    stmt = select(Entity.id)
    for key, value in where.items():
        stmt = stmt.where(getattr(Entity, key) == value)
    return session.execute(stmt.limit(1)).first() is not None


def search(session: Session, actor: Actor, *, name_key: str | None, uscc: str | None, id_index: str | None,
           offset: int, limit: int) -> tuple[list[Entity], int]:
    stmt = readable(actor)
    matches = [c for c in (Entity.uscc == uscc if uscc else None,
                           Entity.id_number_index == id_index if id_index else None,
                           Entity.name_key.contains(name_key, autoescape=True) if name_key else None) if c is not None]
    if matches:
        stmt = stmt.where(or_(*matches))
    total = session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery()))
    rows = session.scalars(stmt.order_by(Entity.name_key, Entity.id).offset(offset).limit(limit)).all()
    return list(rows), total or 0


def natural_person_id(session: Session, id_index: str) -> int | None:
    return session.scalar(select(Entity.id).where(Entity.id_number_index == id_index))


def counts_by_kind(session: Session) -> list[tuple[EntityKind, int]]:
    return list(session.execute(select(Entity.kind, func.count()).group_by(Entity.kind)).all())


def by_name_key(session: Session, name_key: str, *, limit: int) -> list[Entity]:
    return list(session.scalars(select(Entity).where(Entity.name_key == name_key).limit(limit)))
