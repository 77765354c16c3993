from __future__ import annotations

from typing import Annotated, Any

from fastapi import Body, Query, Request

from xinyong.accounts.permissions import Permission
from xinyong.kit.schemas import IsoDate, Page, parse_payload
from xinyong.web.deps import DB, CurrentActor, Limit, Offset, RowId, allowed, api_router
from xinyong.web.openapi import FORBIDDEN

from . import service
from .duties import DUTIES, Duty
from .models import Outcome
from .schemas import ConsentCreate, ConsentRead, ConsentUse, FileView, QueryLogRead

router = api_router(tags=["access 查询授权与查询日志"])
ConsentManager = allowed(Permission.CONSENT_MANAGE)
LogReader = allowed(Permission.QUERY_LOG_READ)
ConsentId = Annotated[int | None, Query(ge=1, le=2**31 - 1, alias="consent")]


@router.get("/duties")
def duties() -> list[dict]:
    """应查必查: the matters in which a department must check credit, and so may read others' non-public
    information (R-PUB-3) — the values of ``duty=`` and of the credit check's ``matter=``."""
    return [{"code": d.value, "label": info.label, "basis": info.basis, "note": info.note} for d, info in DUTIES.items()]


@router.get("/entities/{code}/file", responses=FORBIDDEN)
def entity_file(code: str, request: Request, session: DB, actor: CurrentActor, duty: Duty | None = None,
                consent_id: ConsentId = None, matter: Annotated[str | None, Query(max_length=200)] = None) -> dict:
    """One entity's credit file as this reader may see it (SPEC §0). A department sees its own records
    and what is public today; with ``duty`` (an 应查必查 matter, see ``/duties``) or ``consent`` (the
    id of a consent the entity gave it) also others' non-public records — each such read, and each
    refused one, is on the query log with who, what, which duty and when (R-PUB-2, R-PUB-3). An
    entity user sees its whole file; another entity's code answers exactly as a code that does not exist.
    A staff route (login required, ``web.deps``): the public reads ``/api/v1/public/entities/{code}``."""
    view = service.read_file(session, actor=actor, code=code, duty=duty, consent_id=consent_id, matter=matter,
                             via=request.url.path)
    from xinyong.entities import service as entities

    entity = entities.get_entity(session, actor=actor, entity_id=view.entity_id)
    return {"code": entity.code, "name": entity.name} | FileView.model_dump(view, mode="json")


@router.get("/me/consents")
def my_consents(session: DB, actor: ConsentManager) -> list[ConsentRead]:
    """The consents this entity has given, each with how many times it was used (R-PUB-2)."""
    return service.my_consents(session, actor=actor)


@router.post("/me/consents", status_code=201)
def grant_consent(session: DB, actor: ConsentManager, payload: dict[str, Any] = Body(...)) -> ConsentRead:
    """``{"grantee_uscc", "grantee_name", "purpose", "valid_from"?, "valid_to", "info_types"?}``: let a
    named party read this entity's non-public information for a purpose and a period. A party that
    is a department on the platform uses it itself; any other is answered by the credit office."""
    consent = service.grant(session, actor=actor, consent_in=parse_payload(ConsentCreate, payload))
    return service.get_consent(session, actor=actor, consent_id=consent.id)


@router.get("/me/consents/{consent_id}")
def get_consent(consent_id: RowId, session: DB, actor: ConsentManager) -> ConsentRead:
    return service.get_consent(session, actor=actor, consent_id=consent_id)


@router.post("/me/consents/{consent_id}/revoke")
def revoke_consent(consent_id: RowId, session: DB, actor: ConsentManager) -> ConsentRead:
    """At once: the next read under it is refused, and logged."""
    service.revoke(session, actor=actor, consent_id=consent_id)
    return service.get_consent(session, actor=actor, consent_id=consent_id)


@router.get("/me/consents/{consent_id}/uses")
def consent_uses(consent_id: RowId, session: DB, actor: ConsentManager) -> list[ConsentUse]:
    """Every read under this consent, and every refused try, newest first."""
    return service.consent_uses(session, actor=actor, consent_id=consent_id)


@router.get("/audit/queries")
def queries(session: DB, actor: LogReader, date_from: IsoDate | None = None, date_to: IsoDate | None = None,
            actor_q: Annotated[str | None, Query(alias="actor", max_length=100)] = None,
            entity: Annotated[str | None, Query(max_length=100)] = None, outcome: Outcome | None = None,
            duty: Duty | None = None, offset: Offset = 0, limit: Limit = 50) -> Page[QueryLogRead]:
    """The query log (R-PUB-3), newest first: dates are Beijing calendar days, inclusive; ``actor``
    matches the reader or its department, ``entity`` the name or code."""
    return service.list_queries(session, actor=actor, date_from=date_from, date_to=date_to, actor_q=actor_q,
                                entity_q=entity, outcome=outcome, duty=duty, offset=offset, limit=limit)
