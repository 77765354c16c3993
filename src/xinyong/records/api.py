from __future__ import annotations

import datetime as dt
import hashlib
import json
from typing import Annotated, Any, Literal

from fastapi import Body, Header, Query
from pydantic import BaseModel, ConfigDict, Field

from xinyong.accounts.permissions import Permission
from xinyong.kit.errors import Invalid
from xinyong.kit.schemas import IsoDate, Page, parse_payload
from xinyong.web.deps import DB, Limit, Offset, RowId, allowed, api_router

from . import publicity, service
from .models import Channel, Fulfilment, Record, ShorteningStatus, Status
from .schemas import BatchResult, RecordChange, RecordCreate, RecordRead

router = api_router(tags=["records 信用记录"])
Submitter = allowed(Permission.RECORD_SUBMIT)
Approver = allowed(Permission.RECORD_APPROVE)
Reviewer = allowed(Permission.RECORD_REVIEW)
Reader = allowed(Permission.ENTITY_READ)


class Reason(BaseModel):
    model_config = ConfigDict(extra="forbid")
    reason: str


class Ids(BaseModel):
    model_config = ConfigDict(extra="forbid")
    ids: list[int] = Field(min_length=1, max_length=500)


class Batch(BaseModel):
    model_config = ConfigDict(extra="forbid")
    records: list[dict[str, Any]] = Field(min_length=1, max_length=1000)


def _create_in(payload: dict[str, Any]) -> tuple[RecordCreate, str | None]:
    payload = dict(payload)
    name = payload.pop("entity_name", None)
    return parse_payload(RecordCreate, payload), name


@router.post("/records", status_code=201)
def create_record(session: DB, actor: Submitter, payload: dict[str, Any] = Body(...)) -> RecordRead:
    """One record from a department's own system (R-COL-1). ``entity_name`` registers an entity not
    yet known by its code."""
    record_in, name = _create_in(payload)
    return _read(session, service.create(session, actor=actor, record_in=record_in, channel=Channel.API,
                                         entity_name=name))


@router.post("/records/batch")
def create_batch(session: DB, actor: Submitter, payload: dict[str, Any] = Body(...),
                 idempotency_key: Annotated[str | None, Header()] = None) -> BatchResult:
    """Many records; each bad one is reported with its index and reason and the good ones go in.
    The same Idempotency-Key with the same body answers the first result again and stores nothing."""
    if not idempotency_key or len(idempotency_key) > 100:
        raise Invalid("批量报送须带 Idempotency-Key 请求头（不超过100个字符）", field="Idempotency-Key")
    batch = parse_payload(Batch, payload)
    body_hash = hashlib.sha256(json.dumps(payload, sort_keys=True, ensure_ascii=False, default=str).encode()).hexdigest()
    return service.create_batch(session, actor=actor, items=batch.records, key=idempotency_key, body_hash=body_hash,
                                parse=_create_in)


@router.get("/records")
def list_records(session: DB, actor: Reader, status: Status | None = None,
                 cycle: Literal["current", "history"] | None = None,
                 year: Annotated[int | None, Query(ge=2000, le=2100)] = None, offset: Offset = 0,
                 limit: Limit = 20) -> Page[RecordRead]:
    """``cycle=current``: recorded this year; ``cycle=history``: the closed years' records, which move
    there by themselves on 1 January (R-COL-6); ``year``: one record-keeping year."""
    return service.listing(session, actor=actor, statuses=[status] if status else None, offset=offset, limit=limit,
                           cycle=cycle, year=year)


@router.get("/records/timeliness")
def timeliness(session: DB, actor: Reviewer) -> list[dict]:
    """Per department: records submitted, late, the longest delay in working days, pre-warnings
    past their requested final deadline (R-COL-2, R-COL-3)."""
    return service.timeliness(session, actor=actor)


def _read(session, record: Record) -> RecordRead:
    """A record as the API answers it: with its objection's mark (R-OBJ-3), whatever just changed it."""
    return service.to_reads(session, [record])[0]


@router.get("/records/{record_id}")
def get_record(record_id: RowId, session: DB, actor: Reader) -> dict:
    record = service.get(session, actor=actor, record_id=record_id)
    return _read(session, record).model_dump(mode="json") | {
        "history": [service.to_read(v).model_dump(mode="json") for v in service.history(session, actor=actor, record=record)]}


@router.post("/records/{record_id}/submit")
def submit(record_id: RowId, session: DB, actor: Submitter) -> RecordRead:
    return _read(session, service.submit(session, actor=actor, record=service.get(session, actor=actor, record_id=record_id)))


@router.post("/records/{record_id}/approve")
def approve(record_id: RowId, session: DB, actor: Approver) -> RecordRead:
    return _read(session, service.approve(session, actor=actor, record=service.get(session, actor=actor, record_id=record_id)))


@router.post("/records/accept")
def accept(session: DB, actor: Reviewer, payload: dict[str, Any] = Body(...)) -> list[RecordRead]:
    """Bulk acceptance by the credit office (R-REV-2)."""
    ids = parse_payload(Ids, payload).ids
    records = service.by_ids(session, actor=actor, ids=ids)
    return service.to_reads(session, service.accept(session, actor=actor, records=records))


@router.post("/records/{record_id}/return")
def return_record(record_id: RowId, session: DB, actor: Reviewer, payload: dict[str, Any] = Body(...)) -> RecordRead:
    reason = parse_payload(Reason, payload).reason
    record = service.get(session, actor=actor, record_id=record_id)
    return _read(session, service.return_(session, actor=actor, record=record, reason=reason))


@router.post("/records/{record_id}/resubmit")
def resubmit(record_id: RowId, session: DB, actor: Submitter, payload: dict[str, Any] = Body(...)) -> RecordRead:
    change = parse_payload(RecordChange, payload)
    record = service.get(session, actor=actor, record_id=record_id)
    return _read(session, service.resubmit(session, actor=actor, record=record, change=change))


@router.post("/records/{record_id}/correct", status_code=201)
def correct(record_id: RowId, session: DB, actor: Submitter, payload: dict[str, Any] = Body(...)) -> RecordRead:
    change = parse_payload(RecordChange, payload)
    record = service.get(session, actor=actor, record_id=record_id)
    return _read(session, service.correct(session, actor=actor, record=record, change=change))


@router.post("/records/{record_id}/revoke", status_code=201)
def revoke(record_id: RowId, session: DB, actor: Submitter, payload: dict[str, Any] = Body(...)) -> RecordRead:
    reason = parse_payload(Reason, payload).reason
    record = service.get(session, actor=actor, record_id=record_id)
    return _read(session, service.revoke(session, actor=actor, record=record, reason=reason))


class FulfilmentIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    fulfilment: Fulfilment
    fulfilled_on: IsoDate | None = None
    reason: str = ""


class ShorteningIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    months: int = Field(ge=publicity.MIN_MONTHS, le=publicity.MAX_MONTHS)
    fulfilled_on: IsoDate
    reason: str


class DecisionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    approve: bool
    reason: str = ""


class ShorteningRead(BaseModel):
    id: int
    record_id: int
    entity_id: int
    months: int
    fulfilled_on: dt.date
    reason: str
    status: ShorteningStatus
    old_end: dt.date
    new_end: dt.date | None
    decision_reason: str | None


def _shortening(a) -> ShorteningRead:
    return ShorteningRead(id=a.id, record_id=a.record_id, entity_id=a.entity_id, months=a.months,
                          fulfilled_on=a.fulfilled_on, reason=a.reason, status=a.status, old_end=a.old_end,
                          new_end=a.new_end, decision_reason=a.decision_reason)


@router.post("/records/{record_id}/fulfilment")
def set_fulfilment(record_id: RowId, session: DB, actor: Submitter, payload: dict[str, Any] = Body(...)) -> RecordRead:
    """Whether a penalty was carried out; "unfulfilled" keeps it public past its end (§63)."""
    data = parse_payload(FulfilmentIn, payload)
    record = service.get(session, actor=actor, record_id=record_id)
    return _read(session, publicity.set_fulfilment(session, actor=actor, record=record, fulfilment=data.fulfilment,
                                                   fulfilled_on=data.fulfilled_on, reason=data.reason))


@router.post("/records/{record_id}/shortenings", status_code=201)
def apply_shortening(record_id: RowId, session: DB, actor: Reader, payload: dict[str, Any] = Body(...)) -> ShorteningRead:
    """The entity's application to shorten a carried-out penalty's publicity by 3–12 months (R-PUB-4)."""
    data = parse_payload(ShorteningIn, payload)
    record = service.get(session, actor=actor, record_id=record_id)
    return _shortening(publicity.apply(session, actor=actor, record=record, months=data.months,
                                       fulfilled_on=data.fulfilled_on, reason=data.reason))


@router.get("/shortenings")
def list_shortenings(session: DB, actor: Reader, status: ShorteningStatus | None = None) -> list[ShorteningRead]:
    return [_shortening(a) for a in publicity.listing(session, actor=actor, status=status)]


@router.post("/shortenings/{application_id}/decide")
def decide_shortening(application_id: RowId, session: DB, actor: Submitter,
                      payload: dict[str, Any] = Body(...)) -> ShorteningRead:
    data = parse_payload(DecisionIn, payload)
    application = publicity.get(session, actor=actor, application_id=application_id)
    return _shortening(publicity.decide(session, actor=actor, application=application, approve=data.approve,
                                        reason=data.reason))
