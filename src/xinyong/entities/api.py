from __future__ import annotations

from typing import Any

from fastapi import Body
from pydantic import BaseModel, ConfigDict, Field

from xinyong.accounts.permissions import Permission
from xinyong.kit.schemas import Page, parse_payload
from xinyong.web.deps import DB, Limit, Offset, allowed, api_router, reads_only

from . import service
from .schemas import EntityRead, EntitySummary, RelatedPersonRead

router = api_router(tags=["entities 信用主体"])

Searcher = allowed(Permission.ENTITY_SEARCH)
Reader = allowed(Permission.ENTITY_READ)
Creator = allowed(Permission.ENTITY_CREATE)


class SearchBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    q: str
    offset: int = Field(0, ge=0, le=10_000_000)
    limit: int = Field(20, ge=1, le=100)


class LookupBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    code: str


@router.get("/entities")
def search_entities(session: DB, actor: Searcher, q: str = "", offset: Offset = 0, limit: Limit = 20) -> Page[EntitySummary]:
    """By name (normalised, R-ENT-6) or USCC. An ID number is refused here: URLs end up in logs and
    browser histories (R-SEC-2); use POST /entities/search."""
    return service.search(session, actor=actor, q=q, offset=offset, limit=limit, allow_id_number=False)


@router.post("/entities/search")
@reads_only
def search_entities_by_body(session: DB, actor: Searcher, payload: dict[str, Any] = Body(...)) -> Page[EntitySummary]:
    """The same search with the query in the body; a person's full ID number matches exactly, never fuzzily."""
    body = parse_payload(SearchBody, payload)
    return service.search(session, actor=actor, q=body.q, offset=body.offset, limit=body.limit)


@router.post("/entities", status_code=201)
def create_entity(session: DB, actor: Creator, payload: dict[str, Any] = Body(...)) -> EntityRead:
    """Fields as EntityCreate. A forbidden personal field (R-ENT-5) refuses the whole submission."""
    entity = service.create_entity(session, actor=actor, entity_in=service.parse_entity_payload(payload))
    session.refresh(entity, ["related_persons"])
    return service.to_read(entity, actor)


@router.post("/entities/lookup")
@reads_only
def lookup_entity(session: DB, actor: Reader, payload: dict[str, Any] = Body(...)) -> EntityRead:
    """One entity by USCC or ID number, the code in the body."""
    body = parse_payload(LookupBody, payload)
    return service.to_read(service.get_by_code(session, actor=actor, code=body.code), actor)


@router.get("/entities/{code}")
def get_entity(code: str, session: DB, actor: Reader) -> EntityRead:
    """One entity by USCC (an ID number goes to POST /entities/lookup)."""
    return service.to_read(service.get_by_code(session, actor=actor, code=code, allow_id_number=False), actor)


@router.post("/entities/{code}/related-persons", status_code=201)
def add_related_person(code: str, session: DB, actor: Creator, payload: dict[str, Any] = Body(...)) -> RelatedPersonRead:
    person_in = service.parse_related_payload(payload)
    entity = service.get_by_code(session, actor=actor, code=code, allow_id_number=False)
    person = service.add_related_person(session, actor=actor, entity=entity, person_in=person_in)
    return service.related_read(person)
