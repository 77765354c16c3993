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


def find_by_code(session: Session, actor: Actor, *, uscc: str | None = None, id_index: str | None = None) -> Entity | None:
    stmt = readable(actor).options(selectinload(Entity.related_persons))
    if uscc is not None:
        stmt = stmt.where(Entity.uscc == uscc)
    elif id_index is not None:
        stmt = stmt.where(Entity.id_number_index == id_index)
    else:
        return None
    return session.scalars(stmt).first()


def exists(session: Session, **where) -> bool:
    stmt = select(Entity.id)
    for key, value in where.items():
        stmt = stmt.where(getattr(Entity, key) == value)
    return session.execute(stmt.limit(1)).first() is not None


def search(session: Session, actor: Actor, *, name_key: str | None, code: str | None, id_index: str | None,
           offset: int, limit: int) -> tuple[list[Entity], int]:
    stmt = readable(actor)
    if id_index is not None:
        stmt = stmt.where(Entity.id_number_index == id_index)
    elif code is not None:
        stmt = stmt.where(or_(Entity.uscc == code, Entity.name_key.contains(name_key or code, autoescape=True)))
    elif name_key:
        stmt = stmt.where(Entity.name_key.contains(name_key, autoescape=True))
    total = session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery()))
    rows = session.scalars(stmt.order_by(Entity.name_key, Entity.id).offset(offset).limit(limit)).all()
    return list(rows), total or 0
