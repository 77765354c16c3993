"""Records in the browser: a department's own records and new-record form; the credit office's
review queue with bulk acceptance; a record's page with its history and the actions its state allows."""

from __future__ import annotations

import datetime as dt
from typing import Any

from fastapi import Request
from fastapi.responses import RedirectResponse

from xinyong.accounts.permissions import Permission, Role
from xinyong.catalog import service as catalog
from xinyong.kit.errors import Invalid, XinyongError
from xinyong.kit.schemas import parse_payload
from xinyong.kit.workdays import optional_date
from xinyong.web.deps import DB, CurrentActor, PageNo, PostedForm, RowId, allowed, page_router
from xinyong.web.templating import render

from . import publicity, service
from .models import FULFILMENT_LABELS, SHORTENING_LABELS, STATUS_LABELS, Fulfilment, Record, ShorteningStatus, Status
from .periods import CYCLES, SEVERITY_LABELS
from .schemas import RecordChange, RecordCreate

router = page_router()
PAGE_SIZE = 30
Submitter = allowed(Permission.RECORD_SUBMIT)
Reader = allowed(Permission.ENTITY_READ)
Reviewer = allowed(Permission.RECORD_REVIEW)
HIDDEN_FIELDS = service.PARTY_FIELDS | service.TOP_LEVEL  # answered by the entity and the document block


@router.get("/records")
def records_page(request: Request, session: DB, actor: Reader, status: str = "", cycle: str = "", page: PageNo = 1):
    if actor.role is Role.ADMIN and not status:
        status = Status.SUBMITTED.value  # the credit office opens on its review queue
    statuses = [Status(status)] if status in {s.value for s in Status} else None
    cycle = cycle if cycle in CYCLES else ""
    result = service.listing(session, actor=actor, statuses=statuses, offset=(page - 1) * PAGE_SIZE, limit=PAGE_SIZE,
                             cycle=cycle or None)
    return render(request, "records/list.html", {
        "result": result, "status": status, "statuses": STATUS_LABELS, "page": page, "cycle": cycle,
        "cycles": CYCLES, "pages": max(1, -(-result.total // PAGE_SIZE)),
        "reviewing": actor.can(Permission.RECORD_REVIEW)})


@router.get("/records/timeliness")
def timeliness_page(request: Request, session: DB, actor: Reviewer):
    return render(request, "records/timeliness.html", {"rows": service.timeliness(session, actor=actor)})


@router.post("/records/accept")
def accept_many(request: Request, session: DB, actor: Reviewer, form: PostedForm):
    ids = [int(v) for v in form.getlist("ids") if str(v).isdigit()]
    if not ids:
        raise Invalid("请先勾选要审核通过的记录", field="ids")
    records = service.by_ids(session, actor=actor, ids=ids)
    service.accept(session, actor=actor, records=records)
    return RedirectResponse("/records?status=submitted", status_code=303)


def _types(session) -> list:
    return [t for t in catalog.list_types(session) if t.category.value != "basic" or t.code == "licence"]


def _form_fields(info_type) -> list[dict]:
    return [f for f in info_type.fields if f["name"] not in HIDDEN_FIELDS]


@router.get("/records/new")
def new_record(request: Request, session: DB, actor: Submitter, type: str = "penalty"):
    info_type = catalog.get_type(session, type)
    return render(request, "records/new.html", {"types": _types(session), "t": info_type,
                                                "fields": _form_fields(info_type), "form": {}, "error": None})


def _content_from(form, fields: list[dict]) -> dict[str, Any]:
    content: dict[str, Any] = {}
    for f in fields:
        if f.get("type") == "enum_list":
            values = form.getlist(f"c_{f['name']}")
            if values:
                content[f["name"]] = values
        elif (value := str(form.get(f"c_{f['name']}", "")).strip()):
            content[f["name"]] = value
    return content


@router.post("/records/new")
def create_record(request: Request, session: DB, actor: Submitter, form: PostedForm):
    info_type = catalog.get_type(session, str(form.get("info_type", "")))
    fields = _form_fields(info_type)
    data = {"info_type": info_type.code, "entity_code": form.get("entity_code", ""),
            "document_number": form.get("document_number", ""), "decision_date": form.get("decision_date") or None,
            "authority": form.get("authority", ""), "content": _content_from(form, fields),
            "draft": form.get("draft") == "1"}
    for optional in ("valid_to", "publicity_end"):
        if form.get(optional):
            data[optional] = form.get(optional)
    try:
        record = service.create(session, actor=actor, record_in=parse_payload(RecordCreate, data),
                                entity_name=str(form.get("entity_name", "")).strip() or None)
    except XinyongError as exc:
        session.rollback()
        return render(request, "records/new.html", {"types": _types(session), "t": info_type, "fields": fields,
                                                    "form": dict(form), "error": exc}, status=exc.status)
    return RedirectResponse(f"/records/{record.id}", status_code=303)


@router.get("/records/shortenings")
def shortenings_page(request: Request, session: DB, actor: Reader, status: str = "pending"):
    """缩短公示期申请: a department's to decide, an entity's own, all for the credit office."""
    chosen = ShorteningStatus(status) if status in {s.value for s in ShorteningStatus} else None
    return render(request, "records/shortenings.html", {
        "items": publicity.listing(session, actor=actor, status=chosen), "status": status if chosen else "all",
        "statuses": SHORTENING_LABELS, "deciding": actor.can(Permission.RECORD_SUBMIT)})


@router.post("/records/shortenings/{application_id}/decide")
def decide_shortening(request: Request, session: DB, actor: Submitter, application_id: RowId, form: PostedForm):
    application = publicity.get(session, actor=actor, application_id=application_id)
    publicity.decide(session, actor=actor, application=application, approve=form.get("approve") == "1",
                     reason=str(form.get("reason", "")))
    return RedirectResponse("/records/shortenings", status_code=303)


def _detail(request: Request, session, actor, record: Record, *, error: XinyongError | None = None, status: int = 200):
    info_type = catalog.get_type(session, record.info_type_version.info_type.code, record.info_type_version.version)
    labels = {f["name"]: f["label"] for f in info_type.fields}
    mine = record.department_id == actor.department_id
    live_penalty = (record.status is Status.ACCEPTED and record.is_current
                    and "penalty_categories" in (record.content or {}))
    return render(request, "records/detail.html", {
        "r": service.to_reads(session, [record])[0], "labels": labels,
        "history": service.history(session, actor=actor, record=record),
        "fields": _form_fields(info_type), "error": error, "severity_labels": SEVERITY_LABELS,
        "status_labels": STATUS_LABELS, "fulfilment_labels": FULFILMENT_LABELS, "shortening_labels": SHORTENING_LABELS,
        "shortenings": [a for a in publicity.listing(session, actor=actor) if a.lineage == record.lineage],
        "can": {"submit": mine and record.status is Status.DRAFT,
                "fulfilment": mine and live_penalty and actor.can(Permission.RECORD_SUBMIT),
                "shorten": live_penalty and record.public and record.publicity_end is not None
                and actor.entity_id == record.entity_id,
                "approve": mine and actor.can(Permission.RECORD_APPROVE) and record.status is Status.AWAITING_APPROVAL,
                "review": actor.can(Permission.RECORD_REVIEW) and record.status is Status.SUBMITTED,
                "resubmit": mine and record.status is Status.RETURNED,
                "change": mine and record.status is Status.ACCEPTED and record.is_current}}, status=status)


def _int(value) -> int:
    try:
        return int(str(value))
    except ValueError:
        raise Invalid("请选择缩短的月数", field="months") from None


@router.get("/records/{record_id}")
def record_page(request: Request, session: DB, actor: Reader, record_id: RowId):
    return _detail(request, session, actor, service.get(session, actor=actor, record_id=record_id))


@router.post("/records/{record_id}/{action}")
def record_action(request: Request, session: DB, actor: CurrentActor, record_id: RowId, action: str,
                  form: PostedForm):
    record = service.get(session, actor=actor, record_id=record_id)
    reason = str(form.get("reason", ""))
    try:
        fulfilled_on = optional_date(form.get("fulfilled_on"), field="fulfilled_on")
        if action == "submit":
            result = service.submit(session, actor=actor, record=record)
        elif action == "approve":
            result = service.approve(session, actor=actor, record=record)
        elif action == "accept":
            result = service.accept(session, actor=actor, records=[record])[0]
        elif action == "return":
            result = service.return_(session, actor=actor, record=record, reason=reason)
        elif action == "revoke":
            result = service.revoke(session, actor=actor, record=record, reason=reason)
        elif action == "fulfilment":
            result = publicity.set_fulfilment(session, actor=actor, record=record,
                                              fulfilment=Fulfilment(str(form.get("fulfilment", "unknown"))),
                                              fulfilled_on=fulfilled_on, reason=reason)
        elif action == "shorten":
            publicity.apply(session, actor=actor, record=record, months=_int(form.get("months")),
                            fulfilled_on=fulfilled_on or dt.date.min, reason=reason)
            result = record
        elif action in ("resubmit", "correct"):
            info_type = catalog.get_type(session, record.info_type_version.info_type.code)
            change = RecordChange(content=_content_from(form, _form_fields(info_type)) or None, reason=reason)
            fn = service.resubmit if action == "resubmit" else service.correct
            result = fn(session, actor=actor, record=record, change=change)
        else:
            raise Invalid(f"未知的操作：{action}")
    except XinyongError as exc:
        session.rollback()
        record = service.get(session, actor=actor, record_id=record_id)
        return _detail(request, session, actor, record, error=exc, status=exc.status)
    return RedirectResponse(f"/records/{result.id}", status_code=303)
