from __future__ import annotations

from typing import Any

from fastapi import Body

from xinyong.accounts.permissions import Permission
from xinyong.kit.schemas import Page
from xinyong.web.deps import DB, allowed, api_router

from . import service
from .schemas import EntityRead, EntitySummary, RelatedPersonRead

router = api_router(tags=["entities 信用主体"])

Searcher = allowed(Permission.ENTITY_SEARCH)
Reader = allowed(Permission.ENTITY_READ)
Creator = allowed(Permission.ENTITY_CREATE)


@router.get("/entities")
def search_entities(session: DB, actor: Searcher, q: str = "", offset: int = 0, limit: int = 20) -> Page[EntitySummary]:
    """By name (normalised, R-ENT-6), USCC, or a person's full ID number (exact only)."""
    return service.search(session, actor=actor, q=q, offset=offset, limit=limit)


@router.post("/entities", status_code=201)
def create_entity(session: DB, actor: Creator, payload: dict[str, Any] = Body(...)) -> EntityRead:
    """Fields as EntityCreate. A forbidden personal field (R-ENT-5) refuses the whole submission."""
    entity = service.create_entity(session, actor=actor, entity_in=service.parse_entity_payload(payload))
    session.refresh(entity, ["related_persons"])
    return service.to_read(entity)


@router.get("/entities/{code}")
def get_entity(code: str, session: DB, actor: Reader) -> EntityRead:
    return service.to_read(service.get_by_code(session, actor=actor, code=code))


@router.post("/entities/{code}/related-persons", status_code=201)
def add_related_person(code: str, session: DB, actor: Creator, payload: dict[str, Any] = Body(...)) -> RelatedPersonRead:
    person_in = service.parse_related_payload(payload)
    entity = service.get_by_code(session, actor=actor, code=code)
    person = service.add_related_person(session, actor=actor, entity=entity, person_in=person_in)
    return service.related_read(person)
