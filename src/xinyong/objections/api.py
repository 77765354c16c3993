"""Objections over REST (SPEC §18, second group): filing, the department's verification, the credit
office's decision, appeal and court outcomes, evidence files, the timeline and the accountability figures."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from fastapi import Body, Query, Response

from xinyong.accounts.permissions import Permission
from xinyong.kit.errors import Invalid
from xinyong.kit.schemas import Page, parse_payload
from xinyong.web.deps import DB, CurrentActor, Limit, Offset, PostedForm, RowId, allowed, api_router

from . import reading, service
from .models import Stage, Status
from .schemas import (
    AppealDecisionIn,
    AppealIn,
    DecisionIn,
    DepartmentTally,
    EvidenceRead,
    ObjectionCreate,
    ObjectionRead,
    ReviewIn,
    ReviewResultIn,
    TimelineStep,
    VerificationIn,
)

router = api_router(tags=["objections 异议与申诉"])
Filer = allowed(Permission.OBJECTION_FILE)
Verifier = allowed(Permission.OBJECTION_VERIFY)
Decider = allowed(Permission.OBJECTION_DECIDE)
Overseer = allowed(Permission.OBJECTION_OVERSEE)
Reader = allowed(Permission.OBJECTION_FILE, Permission.OBJECTION_VERIFY, Permission.OBJECTION_OVERSEE)
MAX_UPLOAD = 100 * 1024 * 1024  # the service applies the configured limit; this only bounds the read


@router.post("/objections", status_code=201)
def file_objection(session: DB, actor: Filer, payload: dict[str, Any] = Body(...)) -> ObjectionRead:
    """``{"record_id", "ground", "statement"}`` (or ``"target": "list_entry"`` with ``list_entry_id``, or
    ``"target": "grade"``): an objection in writing (R-OBJ-1). ``decide_by`` is 7 working days after
    receipt, ``verify_by`` the department's 10 (000 §24); null while a year they need is not loaded.
    A record outside the caller's file answers 404; a second open objection on it 409."""
    body = parse_payload(ObjectionCreate, payload)
    o = service.file(session, actor=actor, objection_in=body)
    return reading.get(session, actor=actor, objection_id=o.id)


@router.get("/objections")
def list_objections(session: DB, actor: Reader, status: list[Status] = Query(default=[]),  # noqa: B008
                    open: bool = False, role: str | None = Query(default=None, pattern="^(tasks|mine)$"),
                    overdue: bool = False, offset: Offset = 0, limit: Limit = 20) -> Page[ObjectionRead]:
    """The credit office's queue (open first, nearest deadline first), a department's verification tasks
    (``role=tasks``) or the objections it filed (``role=mine``), an entity's own."""
    return reading.listing(session, actor=actor, status=status or None, open_only=open, role=role, overdue=overdue,
                           offset=offset, limit=limit)


@router.get("/objections/late")
def late_objections(session: DB, actor: Overseer) -> list[ObjectionRead]:
    """Objections not handled in time (000 §29): for the credit office and the auditor."""
    return reading.late(session, actor=actor)


@router.get("/objections/tallies")
def objection_tallies(session: DB, actor: Overseer) -> list[DepartmentTally]:
    """Per department: received, verified on time and late, overdue, upheld (001 管理办法 §33)."""
    return reading.tallies(session, actor=actor)


@router.get("/objections/{objection_id}")
def get_objection(objection_id: RowId, session: DB, actor: Reader) -> ObjectionRead:
    return reading.get(session, actor=actor, objection_id=objection_id)


@router.get("/objections/{objection_id}/timeline")
def objection_timeline(objection_id: RowId, session: DB, actor: Reader) -> list[TimelineStep]:
    return reading.timeline(session, actor=actor, objection_id=objection_id)


@router.post("/objections/{objection_id}/evidence", status_code=201)
def add_evidence(objection_id: RowId, session: DB, actor: CurrentActor, form: PostedForm) -> EvidenceRead:
    """multipart ``file`` (PDF, JPEG or PNG): the applicant's evidence, the department's verification
    papers, or the credit office's reconsideration and court documents — by who sends it."""
    upload = form.get("file")
    if upload is None or isinstance(upload, str):
        raise Invalid("请以 multipart/form-data 上传材料文件（字段名 file）", field="file")
    stage = form.get("stage")
    try:
        chosen = Stage(stage) if isinstance(stage, str) and stage else None
    except ValueError:
        raise Invalid("材料环节应为 filing、verification、appeal 或 review", field="stage") from None
    evidence = service.add_evidence(session, actor=actor, objection_id=objection_id, filename=upload.filename or "",
                                    content=upload.file.read(MAX_UPLOAD + 1), stage=chosen)
    return next(e for e in reading.get(session, actor=actor, objection_id=objection_id).evidence if e.id == evidence.id)


@router.get("/objections/{objection_id}/evidence/{evidence_id}", response_class=Response)
def get_evidence(objection_id: RowId, evidence_id: RowId, session: DB, actor: Reader) -> Response:
    e = service.evidence_file(session, actor=actor, objection_id=objection_id, evidence_id=evidence_id)
    return Response(e.content, media_type=e.media_type, headers={
        "Content-Disposition": f"attachment; filename*=UTF-8''{quote(e.filename)}", "X-Content-SHA256": e.sha256})


@router.post("/objections/{objection_id}/verification")
def verify(objection_id: RowId, session: DB, actor: Verifier, payload: dict[str, Any] = Body(...)) -> ObjectionRead:
    """``{"finding": "correct"|"wrong"|"unconfirmed", "reason"}``: the recording department's finding."""
    body = parse_payload(VerificationIn, payload)
    service.verify(session, actor=actor, objection_id=objection_id, finding=body.finding, reason=body.reason)
    return reading.get(session, actor=actor, objection_id=objection_id)


@router.post("/objections/{objection_id}/decision")
def decide(objection_id: RowId, session: DB, actor: Decider, payload: dict[str, Any] = Body(...)) -> ObjectionRead:
    """``{"outcome": "upheld"|"not_upheld"|"unconfirmed", "reason"}``: the credit office's decision, with
    its notice number (R-OBJ-2, R-OBJ-5)."""
    body = parse_payload(DecisionIn, payload)
    service.decide(session, actor=actor, objection_id=objection_id, outcome=body.outcome, reason=body.reason)
    return reading.get(session, actor=actor, objection_id=objection_id)


@router.post("/objections/{objection_id}/appeal")
def appeal(objection_id: RowId, session: DB, actor: Filer, payload: dict[str, Any] = Body(...)) -> ObjectionRead:
    """``{"statement"}``: the applicant appeals to the management committee (R-OBJ-6)."""
    body = parse_payload(AppealIn, payload)
    service.appeal(session, actor=actor, objection_id=objection_id, statement=body.statement)
    return reading.get(session, actor=actor, objection_id=objection_id)


@router.post("/objections/{objection_id}/appeal/decision")
def decide_appeal(objection_id: RowId, session: DB, actor: Decider, payload: dict[str, Any] = Body(...)) -> ObjectionRead:
    """``{"outcome": "upheld"|"dismissed", "reason"}``: the committee's decision, as the credit office records it."""
    body = parse_payload(AppealDecisionIn, payload)
    service.decide_appeal(session, actor=actor, objection_id=objection_id, outcome=body.outcome, reason=body.reason)
    return reading.get(session, actor=actor, objection_id=objection_id)


@router.post("/objections/{objection_id}/review")
def start_review(objection_id: RowId, session: DB, actor: Decider, payload: dict[str, Any] = Body(...)) -> ObjectionRead:
    """``{"kind": "reconsideration"|"litigation", "filed_on"}``: recorded after the appeal (000 §26)."""
    body = parse_payload(ReviewIn, payload)
    service.start_review(session, actor=actor, objection_id=objection_id, kind=body.kind, filed_on=body.filed_on)
    return reading.get(session, actor=actor, objection_id=objection_id)


@router.post("/objections/{objection_id}/review/result")
def close_review(objection_id: RowId, session: DB, actor: Decider, payload: dict[str, Any] = Body(...)) -> ObjectionRead:
    """``{"result", "closed_on"}``: the reconsideration decision or judgment; the objection ends."""
    body = parse_payload(ReviewResultIn, payload)
    service.close_review(session, actor=actor, objection_id=objection_id, result=body.result, closed_on=body.closed_on)
    return reading.get(session, actor=actor, objection_id=objection_id)


@router.post("/objections/{objection_id}/withdraw")
def withdraw(objection_id: RowId, session: DB, actor: Filer) -> ObjectionRead:
    service.withdraw(session, actor=actor, objection_id=objection_id)
    return reading.get(session, actor=actor, objection_id=objection_id)


@router.get("/objections/{objection_id}/notice.pdf", response_class=Response,
            responses={200: {"content": {"application/pdf": {}}, "description": "异议处理结果告知书（PDF）"},
                       409: {"description": "尚未作出处理决定（或未作决定即已撤回），没有处理结果告知书"}})
def objection_notice(objection_id: RowId, session: DB, actor: Reader) -> Response:
    """The numbered notice (异议处理结果告知书, R-OBJ-2) as PDF, once the credit office has decided; 409 before."""
    from .notice import render

    n = render(session, actor=actor, objection_id=objection_id)
    return Response(n.content, media_type="application/pdf", headers={"Content-Disposition": n.disposition()})
