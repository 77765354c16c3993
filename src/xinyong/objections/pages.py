"""异议与申诉 in the browser (SPEC §10; issue 18 §10). The entity files an objection from its file — a
record, a list entry or its grading result — with evidence files, and follows it in 我的异议; the recording
department verifies its tasks; the credit office works a queue sorted by deadline, decides, records the
appeal and any reconsideration or litigation, and sees who was late (000 §29). Each action is a form on the
objection's page, shown only to whoever may take it; the service decides again when it is posted.

The notice PDF (/objections/{id}/notice.pdf) is another module's route: these pages only link to it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import Query, Request
from fastapi.responses import RedirectResponse, Response
from jinja2 import pass_context
from sqlalchemy.exc import SQLAlchemyError

from xinyong.accounts.permissions import Actor, Permission, Role
from xinyong.kit.errors import Invalid, NotFound, XinyongError
from xinyong.kit.schemas import parse_payload
from xinyong.kit.workdays import optional_date
from xinyong.web.deps import DB, MAX_ID, PageNo, PostedForm, RowId, allowed, page_router
from xinyong.web.templating import NAV_COUNTS, env, render

from . import marks, reading, service
from .api import MAX_UPLOAD
from .models import (
    APPEAL_OUTCOME_LABELS,
    FINDING_LABELS,
    GROUND_LABELS,
    GROUNDS_FOR,
    OUTCOME_LABELS,
    REVIEW_KIND_LABELS,
    TARGET_LABELS,
    AppealOutcome,
    Finding,
    Outcome,
    ReviewKind,
    Status,
    Target,
)
from .schemas import ObjectionCreate, ObjectionRead

router = page_router()
Reader = allowed(Permission.OBJECTION_FILE, Permission.OBJECTION_VERIFY, Permission.OBJECTION_OVERSEE)
Filer = allowed(Permission.OBJECTION_FILE)
Verifier = allowed(Permission.OBJECTION_VERIFY)
Decider = allowed(Permission.OBJECTION_DECIDE)
Overseer = allowed(Permission.OBJECTION_OVERSEE)
OptionalId = Annotated[int | None, Query(ge=1, le=MAX_ID)]
PAGE_SIZE = 20
FILTERS = {"open": "处理中", "overdue": "已逾期", "all": "全部"}
ROLES = {"tasks": "本部门核查任务", "mine": "本部门提请核实"}
DONE = {"filed": "异议已提交。", "evidence": "材料已提交。", "withdrawn": "异议已撤回。", "appealed": "申诉已提交。",
        "verified": "核查意见已提交。", "decided": "处理决定已作出。", "appeal_decided": "申诉决定已登记。",
        "review": "行政复议或诉讼已登记。", "closed": "复议或诉讼结果已登记。"}

# what waits for this reader beside 异议处理 / 异议核查 in the navigation (the credit office: open objections)
NAV_COUNTS["/objections"] = lambda session, actor: reading.counts(session, actor)["waiting"]


# ---- helpers the layout's other pages call (home cards, the entity's file) ----------------------------

def _request_session(ctx) -> tuple[Any, Actor | None]:
    request = ctx.get("request")
    return getattr(getattr(request, "state", None), "db", None), ctx.get("actor")


@pass_context
def objection_counts(ctx) -> dict[str, int] | None:
    """For a home page: what waits for the credit office or a department (waiting, overdue, deadline
    unknown), or an entity's objections still being handled (``open``)."""
    session, actor = _request_session(ctx)
    if session is None or actor is None or actor.is_public:
        return None
    try:
        if actor.role is Role.ENTITY:
            return {"open": reading.listing(session, actor=actor, open_only=True, limit=1).total}
        return reading.counts(session, actor)
    except SQLAlchemyError:  # a page about an error still renders, without its counts
        return None


@pass_context
def own_objections(ctx, entity_id: int) -> dict[str, Any] | None:
    """For the entity viewing its own file: its open objections (``open_ids``: a record's mark links to one
    of these; one a department filed it cannot open) and its list entries in force, each with its open
    objection if any — where 「提出异议」 goes on a list entry (R-OBJ-1: 被列入或未被移出名单)."""
    from xinyong.kit.clock import today
    from xinyong.lists import service as lists

    session, actor = _request_session(ctx)
    if session is None or actor is None or actor.role is not Role.ENTITY or actor.entity_id != entity_id:
        return None
    day = today()
    mine = reading.listing(session, actor=actor, open_only=True, limit=100).items
    by_entry = {o.list_entry_id: o.id for o in mine if o.list_entry_id}
    entries = [lists.describe_entry(e, day) | {"open_objection": by_entry.get(e.id)}
               for e in lists.entries_of(session, entity_id) if lists.is_in_force(e, day)]
    return {"open_ids": {o.id for o in mine}, "entries": entries}


env.globals["objection_counts"] = objection_counts
env.globals["own_objections"] = own_objections


def _uploads(form) -> list:
    """The evidence files of a form (``files``, several); the empty part a browser sends when none is chosen
    is no file."""
    return [u for u in form.getlist("files") if not isinstance(u, str) and u.filename]


def _add_files(session, actor: Actor, objection_id: int, form) -> None:
    # read one at a time, each checked by the service (size, PDF or image) before the next is read
    for upload in _uploads(form):
        service.add_evidence(session, actor=actor, objection_id=objection_id, filename=Path(upload.filename).name,
                             content=upload.file.read(MAX_UPLOAD + 1))


def _choice(enum, value, message: str, field: str):
    try:
        return enum(str(value or ""))
    except ValueError:
        raise Invalid(message, field=field) from None


def _int_or_none(value) -> int | None:
    text = str(value or "").strip()
    return int(text) if text.isascii() and text.isdigit() and len(text) <= 10 and 0 < int(text) <= MAX_ID else None


# ---- lists ---------------------------------------------------------------------------------------

def _heading(actor: Actor, role: str | None) -> str:
    if actor.role is Role.ENTITY:
        return "我的异议"
    if role:
        return "异议核查任务" if role == "tasks" else "本部门提请核实的异议"
    return "异议处理"


@router.get("/objections")
def index(request: Request, session: DB, actor: Reader, filter: str = "", role: str = "", page: PageNo = 1):
    """我的异议 (an entity), a department's tasks (``role=tasks``) or what it filed (``role=mine``), the credit
    office's queue: open first, overdue and nearest deadline first (reading.listing)."""
    department = actor.role in (Role.OFFICER, Role.REVIEWER) and actor.department_id is not None
    chosen_role = (role if role in ROLES else "tasks") if department else None
    office = actor.can(Permission.OBJECTION_OVERSEE)
    chosen = filter if filter in FILTERS else ("open" if office or chosen_role == "tasks" else "all")
    result = reading.listing(session, actor=actor, role=chosen_role, open_only=chosen == "open",
                             overdue=chosen == "overdue", offset=(page - 1) * PAGE_SIZE, limit=PAGE_SIZE)
    # what waits: the credit office's to decide, a department's to verify (the auditor only oversees)
    counts = reading.counts(session, actor) if actor.can(Permission.OBJECTION_DECIDE) or department else None
    base = "/objections?" + (f"role={chosen_role}&" if chosen_role else "")
    return render(request, "objections/index.html", {
        "result": result, "filter": chosen, "filters": FILTERS, "role": chosen_role, "roles": ROLES if department else {},
        "counts": counts, "office": office, "heading": _heading(actor, chosen_role), "base": base, "page": page,
        "pages": max(1, -(-result.total // PAGE_SIZE))})


@router.get("/objections/accountability")
def accountability(request: Request, session: DB, actor: Overseer):
    """000 §29, 001 管理办法 §33: objections not handled in time, and each department's handling."""
    return render(request, "objections/accountability.html", {
        "tallies": reading.tallies(session, actor=actor), "late": reading.late(session, actor=actor)})


# ---- filing ----------------------------------------------------------------------------------------

def _subject(session, actor: Actor, target: Target, record_id: int | None, list_entry_id: int | None) -> dict:
    """What the objection will be about, as the form shows it. Anything outside the caller's file answers
    like something that does not exist (the service's own checks)."""
    from xinyong.grading import service as grading
    from xinyong.kit.errors import Conflict
    from xinyong.lists import service as lists
    from xinyong.records import service as records

    if target is Target.GRADE:
        if actor.role is not Role.ENTITY:
            raise Invalid("部门只能对信用记录提出异议", field="target")
        standing = grading.standing(session, actor.entity_id)
        if standing is None:
            raise Conflict("本主体尚未评价，暂无可提出异议的评价结果")
        return {"grade": standing.grade, "grade_label": standing.grade_label, "score": standing.score,
                "as_of": standing.run.as_of}
    if target is Target.LIST_ENTRY:
        entry = lists.to_read(session, service.entry_for(session, actor, list_entry_id))
        return {"entry": entry}
    record = service.record_for(session, actor, record_id)
    mark = marks.marks(session, [record.lineage]).get(record.lineage)
    first = mark["objection_id"] if mark else None
    return {"record": records.to_read(record, mark=mark), "open_objection": first,
            "open_readable": first is not None and _may_read(session, actor, first)}


def _may_read(session, actor: Actor, objection_id: int) -> bool:
    # an objection another applicant filed (a department's, for an entity) is not named to this reader
    try:
        service.readable(session, actor, objection_id)
    except NotFound:
        return False
    return True


def _new_page(request, session, actor: Actor, target: Target, record_id, list_entry_id, *, form: dict,
              error: XinyongError | None = None, status: int = 200):
    subject = _subject(session, actor, target, record_id, list_entry_id)
    grounds = [(g.value, GROUND_LABELS[g]) for g in GROUNDS_FOR[target]]
    return render(request, "objections/new.html", {
        "target": target.value, "target_label": TARGET_LABELS[target], "record_id": record_id,
        "list_entry_id": list_entry_id, "subject": subject, "grounds": grounds, "form": form, "error": error,
        "department": actor.role is not Role.ENTITY, "max_files": service.MAX_EVIDENCE_FILES}, status=status)


def _target(value: str) -> Target:
    return _choice(Target, value or Target.RECORD.value, "异议对象应为信用记录、名单或评价结果", "target")


@router.get("/objections/new")
def new_form(request: Request, session: DB, actor: Filer, target: str = "", record_id: OptionalId = None,
             list_entry_id: OptionalId = None):
    chosen = _target(target or ("list_entry" if list_entry_id else "record"))
    form = {"ground": GROUNDS_FOR[chosen][0].value if len(GROUNDS_FOR[chosen]) == 1 else ""}
    return _new_page(request, session, actor, chosen, record_id, list_entry_id, form=form)


@router.post("/objections/new")
def new_submit(request: Request, session: DB, actor: Filer, form: PostedForm):
    """The objection and every evidence file in one transaction: a file refused (too big, not a PDF or an
    image) leaves nothing saved, and the form comes back with the reason."""
    chosen = _target(str(form.get("target", "")))
    record_id, list_entry_id = _int_or_none(form.get("record_id")), _int_or_none(form.get("list_entry_id"))
    data = {"ground": str(form.get("ground", "")), "statement": str(form.get("statement", ""))}
    try:
        if not data["ground"]:
            raise Invalid("请选择异议理由", field="ground")
        body = parse_payload(ObjectionCreate, {"target": chosen.value, "record_id": record_id,
                                               "list_entry_id": list_entry_id, **data})
        o = service.file(session, actor=actor, objection_in=body)
        _add_files(session, actor, o.id, form)
    except XinyongError as exc:
        session.rollback()
        return _new_page(request, session, actor, chosen, record_id, list_entry_id, form=data, error=exc,
                         status=exc.status)
    return RedirectResponse(f"/objections/{o.id}?done=filed", status_code=303)


# ---- one objection ---------------------------------------------------------------------------------

def _abilities(actor: Actor, o: ObjectionRead) -> dict[str, bool]:
    """The forms this reader sees on the page (the service checks again when one is posted)."""
    applicant = (actor.role is Role.ENTITY and o.applicant_department_id is None) or (
        actor.role is not Role.ENTITY and o.applicant_department_id is not None
        and o.applicant_department_id == actor.department_id)
    verifier = (actor.can(Permission.OBJECTION_VERIFY) and o.department_id is not None
                and o.department_id == actor.department_id and not applicant)
    decider = actor.can(Permission.OBJECTION_DECIDE)
    status = Status(o.status)
    wrong = o.target == Target.RECORD and (o.finding == Finding.WRONG or o.upheld)
    return {
        "applicant": applicant, "verifier": verifier, "decider": decider,
        "withdraw": applicant and status in (Status.RECEIVED, Status.VERIFIED, Status.APPEALED),
        "evidence": applicant and status in (Status.RECEIVED, Status.VERIFIED, Status.APPEALED),
        "appeal": applicant and o.appealable,
        "verify": verifier and status is Status.RECEIVED,
        "correct": verifier and wrong and not o.corrected and o.current_record_id is not None,
        "decide": decider and status in (Status.RECEIVED, Status.VERIFIED),
        "decide_appeal": decider and status is Status.APPEALED,
        "review": decider and status is Status.APPEAL_DECIDED,
        "close_review": decider and status is Status.IN_REVIEW,
        # who opens the record's own page: the entity, the credit office, the recording department
        "open_record": actor.role is Role.ENTITY or decider or verifier,
    }


def _detail(request, session, actor: Actor, objection_id: int, *, done: str = "", errors: dict | None = None,
            drafts: dict | None = None, status: int = 200):
    o = reading.get(session, actor=actor, objection_id=objection_id)
    can = _abilities(actor, o)
    department = actor.role in (Role.OFFICER, Role.REVIEWER)
    back_role = ("tasks" if can["verifier"] else "mine" if can["applicant"] else None) if department else None
    unknown = [d.note for d in (o.decision_deadline, o.verification_deadline, o.correction_deadline)
               if d is not None and d.due is None and d.done_on is None]
    return render(request, "objections/detail.html", {
        "o": o, "can": can, "steps": reading.timeline(session, actor=actor, objection_id=objection_id),
        "done": DONE.get(done), "errors": errors or {}, "drafts": drafts or {}, "unknown": unknown if o.open else [],
        "findings": FINDING_LABELS, "outcomes": OUTCOME_LABELS, "appeal_outcomes": APPEAL_OUTCOME_LABELS,
        "review_kinds": REVIEW_KIND_LABELS, "back": _heading(actor, back_role),
        "back_href": f"/objections?role={back_role}" if back_role else "/objections"}, status=status)


@router.get("/objections/{objection_id}")
def detail(request: Request, session: DB, actor: Reader, objection_id: RowId, done: str = ""):
    return _detail(request, session, actor, objection_id, done=done)


@router.get("/objections/{objection_id}/evidence/{evidence_id}")
def evidence_file(session: DB, actor: Reader, objection_id: RowId, evidence_id: RowId):
    e = service.evidence_file(session, actor=actor, objection_id=objection_id, evidence_id=evidence_id)
    # a download, never shown in the platform's own origin: the file is the applicant's, not ours
    return Response(e.content, media_type=e.media_type, headers={
        "Content-Disposition": f"attachment; filename*=UTF-8''{quote(e.filename)}", "X-Content-SHA256": e.sha256})


def _step(request, session, actor: Actor, objection_id: int, name: str, form, fn, done: str):
    """One action's form posted: done in one transaction, then back to the page (303); or the page again
    with the reason beside that form and what was typed kept."""
    try:
        fn()
    except XinyongError as exc:
        session.rollback()
        drafts = {k: str(v) for k, v in form.items() if isinstance(v, str) and k != "csrf_token"}
        return _detail(request, session, actor, objection_id, errors={name: exc}, drafts={name: drafts},
                       status=exc.status)
    return RedirectResponse(f"/objections/{objection_id}?done={done}", status_code=303)


@router.post("/objections/{objection_id}/evidence")
def add_evidence(request: Request, session: DB, actor: Reader, objection_id: RowId, form: PostedForm):
    def run():
        if not _uploads(form):
            raise Invalid("请选择要提交的材料文件（PDF、JPEG 或 PNG）", field="files")
        _add_files(session, actor, objection_id, form)
    return _step(request, session, actor, objection_id, "evidence", form, run, "evidence")


@router.post("/objections/{objection_id}/withdraw")
def withdraw(request: Request, session: DB, actor: Filer, objection_id: RowId, form: PostedForm):
    return _step(request, session, actor, objection_id, "withdraw", form,
                 lambda: service.withdraw(session, actor=actor, objection_id=objection_id), "withdrawn")


@router.post("/objections/{objection_id}/appeal")
def appeal(request: Request, session: DB, actor: Filer, objection_id: RowId, form: PostedForm):
    def run():
        service.appeal(session, actor=actor, objection_id=objection_id, statement=str(form.get("statement", "")))
        _add_files(session, actor, objection_id, form)
    return _step(request, session, actor, objection_id, "appeal", form, run, "appealed")


@router.post("/objections/{objection_id}/verification")
def verify(request: Request, session: DB, actor: Verifier, objection_id: RowId, form: PostedForm):
    def run():
        finding = _choice(Finding, form.get("finding"), "请选择核查结论", "finding")
        service.verify(session, actor=actor, objection_id=objection_id, finding=finding,
                       reason=str(form.get("reason", "")))
        _add_files(session, actor, objection_id, form)
    return _step(request, session, actor, objection_id, "verify", form, run, "verified")


@router.post("/objections/{objection_id}/decision")
def decide(request: Request, session: DB, actor: Decider, objection_id: RowId, form: PostedForm):
    def run():
        outcome = _choice(Outcome, form.get("outcome"), "请选择处理结果", "outcome")
        service.decide(session, actor=actor, objection_id=objection_id, outcome=outcome, reason=str(form.get("reason", "")))
    return _step(request, session, actor, objection_id, "decide", form, run, "decided")


@router.post("/objections/{objection_id}/appeal/decision")
def decide_appeal(request: Request, session: DB, actor: Decider, objection_id: RowId, form: PostedForm):
    def run():
        outcome = _choice(AppealOutcome, form.get("outcome"), "请选择申诉决定", "outcome")
        service.decide_appeal(session, actor=actor, objection_id=objection_id, outcome=outcome,
                              reason=str(form.get("reason", "")))
    return _step(request, session, actor, objection_id, "decide_appeal", form, run, "appeal_decided")


@router.post("/objections/{objection_id}/review")
def start_review(request: Request, session: DB, actor: Decider, objection_id: RowId, form: PostedForm):
    def run():
        kind = _choice(ReviewKind, form.get("kind"), "请选择行政复议或行政诉讼", "kind")
        filed_on = optional_date(form.get("filed_on"), field="filed_on")
        if filed_on is None:
            raise Invalid("请填写复议申请或起诉日期", field="filed_on")
        service.start_review(session, actor=actor, objection_id=objection_id, kind=kind, filed_on=filed_on)
        _add_files(session, actor, objection_id, form)
    return _step(request, session, actor, objection_id, "review", form, run, "review")


@router.post("/objections/{objection_id}/review/result")
def close_review(request: Request, session: DB, actor: Decider, objection_id: RowId, form: PostedForm):
    def run():
        closed_on = optional_date(form.get("closed_on"), field="closed_on")
        if closed_on is None:
            raise Invalid("请填写复议决定或判决日期", field="closed_on")
        _add_files(session, actor, objection_id, form)  # before the objection closes and takes no more papers
        service.close_review(session, actor=actor, objection_id=objection_id, result=str(form.get("result", "")),
                             closed_on=closed_on)
    return _step(request, session, actor, objection_id, "close_review", form, run, "closed")
