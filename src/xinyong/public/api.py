"""信用查询 API (R-PUB-1; SPEC §18): no login. A person's ID number travels in a body only.

Every route here is rate-limited per client (``throttle``): a client past its budget gets 429 with
``Retry-After``; the ID-number lookup has the smaller budget."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Body, Query, Request

from xinyong.kit.schemas import parse_payload
from xinyong.web.deps import DB, CurrentActor, Offset, api_router, reads_only

from . import service, throttle
from .schemas import LookupBody, PublicEntity, PublicSearchPage

router = api_router(tags=["public 信用查询"])
LIMITED = {429: {"description": "查询过于频繁：按 Retry-After 给出的秒数后再试"}}


@router.get("/public/search", responses=LIMITED)
def search(request: Request, session: DB, actor: CurrentActor, q: Annotated[str, Query(max_length=200)] = "",
           offset: Offset = 0,
           limit: Annotated[int, Query(ge=1, le=service.PAGE_SIZE)] = service.PAGE_SIZE) -> PublicSearchPage:
    """Organisations by name (any part of it, written any usual way: full-width or half-width,
    有限公司 or 有限责任公司, （） or ()) or by USCC. Best first: the name itself, names that begin with
    the query, names that contain it; shorter names first. ``total`` counts up to 1,000 and ``more``
    says there are more. An ID number is refused here; use POST /public/lookup."""
    if (refused := throttle.refusal(request, actor, throttle.SEARCH)) is not None:
        return refused
    return service.search(session, q=q, offset=offset, limit=limit)


@router.post("/public/lookup", responses=LIMITED)
@reads_only
def lookup(request: Request, session: DB, actor: CurrentActor, payload: dict[str, Any] = Body(...)) -> PublicEntity:
    """A natural person by the full ID number, matched exactly: the answer shows the number masked,
    and ``link`` is the id its public page goes by."""
    if (refused := throttle.refusal(request, actor, throttle.LOOKUP)) is not None:
        return refused
    body = parse_payload(LookupBody, payload)
    return service.lookup_person(session, id_number=body.id_number)


@router.get("/public/entities/{code}", responses=LIMITED)
def entity(code: str, request: Request, session: DB, actor: CurrentActor) -> PublicEntity:
    """What the public sees of one entity (SPEC §18): ``code`` is a USCC, or the ``link`` a lookup
    gave for a natural person. Records are those public today, each with its document number,
    decision date and publicity end; ``lists`` its public list entries."""
    if (refused := throttle.refusal(request, actor, throttle.SEARCH)) is not None:
        return refused
    return service.public_view(session, code)
