"""Queries about entities. ``readable(actor)`` is the one place that decides which entities an actor may see."""

from __future__ import annotations

from functools import lru_cache

from sqlalchemy import BindParameter, ColumnElement, ScalarSelect, Select, bindparam, false, func, or_, select
from sqlalchemy.orm import Session, selectinload

from xinyong.accounts.permissions import Actor, Role

from . import name_index
from .models import Entity, EntityKind


def readable(actor: Actor) -> Select[tuple[Entity]]:
    return _readable(actor.role, actor.entity_id)


def _readable(role: Role, own: int | BindParameter | None) -> Select[tuple[Entity]]:
    stmt = select(Entity)
    if role in (Role.ADMIN, Role.OFFICER, Role.REVIEWER):
        # Departments handle matters for any entity; what of its file they see is decided per record.
        return stmt
    if role is Role.ENTITY:
        return stmt.where(Entity.id == own) if own is not None else stmt.where(false())
    if role is Role.PUBLIC:
        # Natural persons are never listed to the public by name (R-SEC-2); exact ID queries are separate.
        return stmt.where(Entity.kind != EntityKind.NATURAL_PERSON)
    return stmt.where(false())  # the auditor reads logs, not credit files


def get_readable(session: Session, actor: Actor, entity_id: int) -> Entity | None:
    stmt = readable(actor).where(Entity.id == entity_id).options(selectinload(Entity.related_persons))
    return session.scalars(stmt).first()


def find_by_code(session: Session, actor: Actor, *, uscc: str | None, id_index: str | None,
                 related: bool = True) -> Entity | None:
    if not uscc and not id_index:
        return None
    stmt = _by_code(actor.role, actor.entity_id is not None, bool(uscc), bool(id_index), related)
    return session.scalars(stmt, {"uscc": uscc, "id_index": id_index, "own": actor.entity_id}).first()


@lru_cache(maxsize=64)
def _by_code(role: Role, has_own: bool, by_uscc: bool, by_id: bool, related: bool) -> Select[tuple[Entity]]:
    """find_by_code's statement for one shape, built once (a credit check looks an entity up on every call,
    and building a statement costs more than running it)."""
    # the lowest id when a code matches two entities (a government USCC that is also an ID number), as the
    # credit check's id_by_code takes it
    stmt = _readable(role, bindparam("own") if has_own else None).where(_matches(by_uscc, by_id)).order_by(Entity.id)
    return stmt.options(selectinload(Entity.related_persons)) if related else stmt


@lru_cache(maxsize=4)
def id_by_code(by_uscc: bool, by_id: bool) -> ScalarSelect[int]:
    """The id of the entity whose USCC is ``:uscc`` or whose ID number's blind index is ``:id_index`` (the
    first when both match), for a statement that reads the entity together with what hangs on it — the
    credit check reads its entity and standing in one. Past any reader's scope: the caller rules on that."""
    # never correlated with the statement it is put in, which may itself read ``entities``
    return select(Entity.id).where(_matches(by_uscc, by_id)).order_by(Entity.id).limit(1).correlate(None).scalar_subquery()


def _matches(by_uscc: bool, by_id: bool) -> ColumnElement[bool]:
    """SQL: the entity's USCC is ``:uscc`` or its ID number's blind index is ``:id_index`` (those asked for)."""
    return or_(*(c for c in (Entity.uscc == bindparam("uscc") if by_uscc else None,
                             Entity.id_number_index == bindparam("id_index") if by_id else None) if c is not None))


def exists(session: Session, **where) -> bool:
    stmt = select(Entity.id)
    for key, value in where.items():
        stmt = stmt.where(getattr(Entity, key) == value)
    return session.execute(stmt.limit(1)).first() is not None


def lists_natural_persons(actor: Actor) -> bool:
    """Whether a name search may list natural persons: as ``readable`` decides, which still guards
    every row the search returns."""
    return actor.role is not Role.PUBLIC


def search(session: Session, actor: Actor, *, name_key: str | None, uscc: str | None, id_index: str | None,
           offset: int, limit: int) -> tuple[list[Entity], int, bool]:
    """(page, total, more): entities whose code is ``uscc`` or ``id_index`` first, then those whose
    name matches ``name_key`` through the name index, best first. Totals are counted up to
    ``name_index.CAP``; ``more`` says there are more than that."""
    stmt = readable(actor)
    codes = [c for c in (Entity.uscc == uscc if uscc else None,
                         Entity.id_number_index == id_index if id_index else None) if c is not None]
    if not codes and not name_key:
        total = session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery()))
        rows = session.scalars(stmt.order_by(Entity.name_key, Entity.id).offset(offset).limit(limit)).all()
        return list(rows), total or 0, False
    ranked = list(session.scalars(stmt.with_only_columns(Entity.id).where(or_(*codes)).order_by(Entity.id))) if codes else []
    total, more = len(ranked), False
    if name_key:
        everyone = lists_natural_persons(actor)
        wanted = min(offset + limit, name_index.CAP)  # nobody pages past the first thousand names
        hits, matched = name_index.find(session, name_key, organisations_only=not everyone, limit=wanted)
        ranked += [i for i in hits if i not in ranked]
        more = matched > name_index.CAP
        total += min(matched, name_index.CAP)
    page = ranked[offset:offset + limit]
    by_id = {e.id: e for e in session.scalars(stmt.where(Entity.id.in_(page)))} if page else {}
    return [by_id[i] for i in page if i in by_id], total, more


def natural_person_id(session: Session, id_index: str) -> int | None:
    return session.scalar(select(Entity.id).where(Entity.id_number_index == id_index))


def natural_person(session: Session, *, id_index: str | None = None, entity_id: int | None = None) -> Entity | None:
    """A natural person by the exact blind index of the full ID number, or by id once a lookup by the
    number has led there (the public's way to a person: never by name, never listed, R-SEC-2)."""
    stmt = select(Entity).where(Entity.kind == EntityKind.NATURAL_PERSON)
    if id_index is not None:
        stmt = stmt.where(Entity.id_number_index == id_index)
    elif entity_id is not None:
        stmt = stmt.where(Entity.id == entity_id)
    else:
        return None
    return session.scalars(stmt).first()


def counts_by_kind(session: Session) -> list[tuple[EntityKind, int]]:
    return list(session.execute(select(Entity.kind, func.count()).group_by(Entity.kind)).all())


def by_name_key(session: Session, name_key: str, *, limit: int) -> list[Entity]:
    return list(session.scalars(select(Entity).where(Entity.name_key == name_key).limit(limit)))
