"""REST: the measures catalog (R-MEA-1) — everyone logged in reads it, the credit office edits it."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Body, Query, Request
from pydantic import BaseModel, ConfigDict, Field

from xinyong.accounts.permissions import Permission
from xinyong.kit.errors import Invalid
from xinyong.kit.schemas import parse_payload
from xinyong.web.deps import DB, allowed, api_router, inline, reads_only

from . import service
from .matching import LIST_LABELS, Kind
from .schemas import ApplicableRead, MatterRead, MeasureCreate, MeasureRead, MeasureRetire, MeasureUpdate

router = api_router(tags=["measures 奖惩措施清单"])
Version = Annotated[int | None, Query(ge=1, le=100_000)]
Score = Annotated[float | None, Query(ge=0, le=1000)]


Reader = allowed(Permission.MEASURE_READ)
Checker = allowed(Permission.CREDIT_CHECK)  # every role but the public


@router.get("/measures")
def list_measures(session: DB, actor: Reader, kind: Kind | None = None, matter: str | None = None,
                  retired: bool = False) -> list[MeasureRead]:
    """The measures in force (``retired=true``: the retired ones too), optionally of one kind or matter."""
    return service.list_measures(session, include_retired=retired, kind=kind, matter=matter)


@router.get("/measures/matters")
def list_matters(actor: Reader) -> list[MatterRead]:
    """The matters a measure applies to — what a credit check's ``?matter=`` names — with the 应查必查 duty
    each is logged under."""
    return service.matters()


@router.get("/measures/applicable")
def applicable(session: DB, actor: Reader, grade: str | None = Query(None, max_length=8), score: Score = None,
               lists: Annotated[list[str], Query()] = [],  # noqa: B006 — FastAPI reads it, never mutates it
               matter: str | None = None, model: str | None = Query(None, max_length=60),
               related: bool = False) -> list[ApplicableRead]:
    """Which measures apply to a grade, score and lists (a what-if for the catalog; the credit check of an
    entity is ``GET /api/v1/entities/{code}/check``). Mandatory first, then punishments, then incentives."""
    unknown = sorted(set(lists) - set(LIST_LABELS))
    if unknown:
        raise Invalid(f"“{unknown[0]}”不是已知的名单；应为 {'、'.join(LIST_LABELS)} 之一", field="lists")
    found = service.applicable(session, grade=grade or None, score=score, lists=lists, matter=matter, related=related,
                               model=model or None)
    return [ApplicableRead(**m.as_dict()) for m in found]


@router.get("/measures/{code}")
def get_measure(code: str, session: DB, actor: Reader, version: Version = None) -> MeasureRead:
    return service.get_measure(session, code, version)


@router.post("/measures", status_code=201)
def create_measure(session: DB, actor: Reader, payload: dict[str, Any] = Body(...)) -> MeasureRead:
    """The credit office adds a measure (its version 1)."""
    return service.create_measure(session, actor=actor, measure_in=parse_payload(MeasureCreate, payload))


@router.put("/measures/{code}")
def update_measure(code: str, session: DB, actor: Reader, payload: dict[str, Any] = Body(...)) -> MeasureRead:
    """A new version: fields not given keep their current value; ``change_note`` is required. A retired
    measure is put back in force by it."""
    return service.update_measure(session, actor=actor, code=code, changes=parse_payload(MeasureUpdate, payload))


@router.post("/measures/{code}/retire")
def retire_measure(code: str, session: DB, actor: Reader, payload: dict[str, Any] = Body(...)) -> MeasureRead:
    """Retire a measure (a new version that no longer applies); its history stays readable."""
    body = parse_payload(MeasureRetire, payload)
    return service.retire_measure(session, actor=actor, code=code, note=body.change_note)


class CheckBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    code: str = Field(max_length=60)
    matter: str | None = Field(None, max_length=60)


@router.get("/entities/{code}/check", tags=["credit check 信用核查"])
@inline
async def credit_check(code: str, request: Request, session: DB, actor: Checker, matter: str | None = None) -> dict[str, Any]:
    """信用核查 (R-MEA-3, SPEC §18): for one entity by USCC and one matter, the grade, score, lists, open
    objections and the measures that apply — mandatory first, each with its basis. Logged under the
    matter's 应查必查 duty. An ID number is refused here (400): URLs end up in logs and browser histories
    (R-SEC-2); a natural person is checked by ``POST /api/v1/entities/check``."""
    from .check import check

    return check(session, actor=actor, code=code, matter=matter, via=request.url.path, in_url=True)


@router.post("/entities/check", tags=["credit check 信用核查"])
@reads_only
def credit_check_by_body(request: Request, session: DB, actor: Checker, payload: dict[str, Any] = Body(...)) -> dict[str, Any]:
    """The same check with the code in the body, ``{"code", "matter"}``: how a natural person is checked, by
    the ID number. The answer adds the black-listed entities he or she answers for (``related``); a person
    with no file of his or her own whom the platform knows as the legal representative, principal, manager or
    director of an entity is answered too (``registered: false``, the number masked)."""
    from .check import check

    body = parse_payload(CheckBody, payload)
    return check(session, actor=actor, code=body.code, matter=body.matter, via=request.url.path)
