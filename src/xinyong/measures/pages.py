"""The measures catalog in the browser: /measures (everyone logged in reads it), the credit office's forms
to add a measure, write a new version of one and retire one, and /measures/preview (适用试算: which
measures a grade, score and lists bring, for a matter)."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.responses import RedirectResponse
from starlette.datastructures import FormData

from xinyong.accounts.permissions import SYSTEM, Permission
from xinyong.kit.clock import today
from xinyong.kit.errors import Invalid, XinyongError
from xinyong.kit.schemas import parse_payload
from xinyong.kit.text import halfwidth, split_list
from xinyong.web.deps import DB, PostedForm, RowId, allowed, page_router
from xinyong.web.templating import render

from . import service
from .api import Reader, Version
from .matching import KIND_LABELS, LIST_LABELS, MODEL_LABELS, Kind
from .matters import MATTER_LABELS
from .schemas import MeasureCreate, MeasureUpdate

router = page_router()
Submitter = allowed(Permission.RECORD_SUBMIT, Permission.GRADING_RUN)
MAX_TRIGGERS = 8


def _vocab() -> dict[str, Any]:
    return {"kind_labels": KIND_LABELS, "list_labels": LIST_LABELS, "model_labels": MODEL_LABELS,
            "matter_labels": MATTER_LABELS}


def _is_manager(actor) -> bool:
    return actor.can(Permission.MEASURE_MANAGE)


# ---- the catalog ---------------------------------------------------------------------------------

@router.get("/measures")
def index(request: Request, session: DB, actor: Reader, kind: str = "", matter: str = "", retired: bool = False):
    kind_filter = Kind(kind) if kind in set(Kind) else None
    measures = service.list_measures(session, include_retired=retired, kind=kind_filter, matter=matter or None)
    if retired:
        measures = [m for m in measures if m.retired]
    groups = [(KIND_LABELS[k] + "措施", [m for m in measures if m.kind == k]) for k in (Kind.PUNISHMENT, Kind.INCENTIVE)]
    return render(request, "measures/index.html", _vocab() | {
        "groups": groups, "total": len(measures), "kind": kind_filter.value if kind_filter else "",
        "matter": service.parse_matter(matter) or "", "retired": retired, "manager": _is_manager(actor)})


@router.get("/measures/preview")
def preview(request: Request, session: DB, actor: Reader, model: str = "", grade: str = "", score: str = "",
            matter: str = "", related: bool = False):
    lists = [v for v in request.query_params.getlist("lists") if v in LIST_LABELS]
    form = {"model": model, "grade": grade.strip(), "score": score.strip(), "lists": lists, "matter": matter,
            "related": related}
    ctx = _vocab() | {"f": form, "asked": bool(request.query_params)}
    if ctx["asked"]:
        try:
            found = service.applicable(session, grade=form["grade"] or None, score=_number(score, "score", "分数"),
                                       lists=lists, matter=matter or None, related=related, model=model or None)
            ctx["found"] = [m.as_dict() for m in found]
        except XinyongError as exc:
            return render(request, "measures/preview.html", ctx | {"error": exc}, status=exc.status)
    return render(request, "measures/preview.html", ctx)


# ---- the credit office's forms -------------------------------------------------------------------

def _number(value: str | None, field: str, label: str) -> float | int | None:
    value = halfwidth(value or "").strip()
    if not value:
        return None
    try:
        number = float(value)
    except ValueError:
        raise Invalid(f"{label}应为数字", field=field) from None
    return int(number) if number.is_integer() else number


def _triggers_of(form: FormData) -> list[dict[str, Any]]:
    rows = []
    for i in range(MAX_TRIGGERS):
        row = {"model": (form.get(f"t{i}_model") or "").strip() or None,
               "grades": split_list(str(form.get(f"t{i}_grades") or "")),
               "lists": form.getlist(f"t{i}_lists"),
               "above": _number(form.get(f"t{i}_above"), f"triggers[{i}].above", "分数下限"),
               "at_or_below": _number(form.get(f"t{i}_at_or_below"), f"triggers[{i}].at_or_below", "分数上限"),
               "unless_lists": form.getlist(f"t{i}_unless")}
        if row["grades"] or row["lists"] or row["above"] is not None or row["at_or_below"] is not None:
            rows.append(row)
    return rows


def _posted(form: FormData) -> dict[str, Any]:
    """The form as the API payload would carry it (the schemas check it the same way)."""
    months = _number(form.get("duration_months"), "duration_months", "实施期限（月）")
    if months is not None and not isinstance(months, int):
        raise Invalid("实施期限（月）应为整数", field="duration_months")
    return {"name": form.get("name") or "", "kind": form.get("kind") or "", "mandatory": form.get("mandatory") == "1",
            "basis": form.get("basis") or "", "triggers": _triggers_of(form), "matters": form.getlist("matters"),
            "departments": [d.strip() for d in str(form.get("departments") or "").splitlines() if d.strip()],
            "duration": form.get("duration") or None, "duration_months": months,
            "extends_to_related": form.get("extends_to_related") == "1", "notes": form.get("notes") or None,
            "change_note": form.get("change_note") or None}


def _refill(form: FormData) -> dict[str, Any]:
    """What the clerk typed, to show again with the error."""
    triggers = [{"model": form.get(f"t{i}_model") or "", "grades": form.get(f"t{i}_grades") or "",
                 "lists": form.getlist(f"t{i}_lists"), "above": form.get(f"t{i}_above") or "",
                 "at_or_below": form.get(f"t{i}_at_or_below") or "", "unless_lists": form.getlist(f"t{i}_unless")}
                for i in range(MAX_TRIGGERS)]
    while len(triggers) > 2 and not any(v for k, v in triggers[-1].items()):
        triggers.pop()
    return {"code": form.get("code") or "", "name": form.get("name") or "", "kind": form.get("kind") or "",
            "mandatory": form.get("mandatory") == "1", "basis": form.get("basis") or "", "triggers": triggers,
            "matters": form.getlist("matters"), "departments": form.get("departments") or "",
            "duration": form.get("duration") or "", "duration_months": form.get("duration_months") or "",
            "extends_to_related": form.get("extends_to_related") == "1", "notes": form.get("notes") or "",
            "change_note": form.get("change_note") or ""}


def _filled(m) -> dict[str, Any]:
    """A stored version as the form shows it, with one empty trigger row to add another."""
    triggers = [{"model": t.get("model") or "", "grades": "、".join(t.get("grades", [])), "lists": t.get("lists", []),
                 "above": t.get("above", ""), "at_or_below": t.get("at_or_below", ""),
                 "unless_lists": t.get("unless_lists", [])} for t in m.triggers]
    triggers.append({"model": "", "grades": "", "lists": [], "above": "", "at_or_below": "", "unless_lists": []})
    return {"code": m.code, "name": m.name, "kind": m.kind.value, "mandatory": m.mandatory, "basis": m.basis,
            "triggers": triggers[:MAX_TRIGGERS], "matters": m.matters, "departments": "\n".join(m.department_labels),
            "duration": m.duration or "", "duration_months": m.duration_months or "",
            "extends_to_related": m.extends_to_related, "notes": m.notes or "", "change_note": ""}


EMPTY = {"code": "", "name": "", "kind": Kind.PUNISHMENT.value, "mandatory": False, "basis": "",
         "triggers": [{"model": "", "grades": "", "lists": [], "above": "", "at_or_below": "", "unless_lists": []}
                      for _ in range(2)],
         "matters": [], "departments": "各行政部门", "duration": "", "duration_months": "", "extends_to_related": False,
         "notes": "", "change_note": ""}


def _form(request: Request, *, action: str, title: str, f: dict, editing: str | None = None,
          error: XinyongError | None = None):
    ctx = _vocab() | {"action": action, "title": title, "f": f, "editing": editing, "error": error}
    return render(request, "measures/form.html", ctx, status=error.status if error else 200)


@router.get("/measures/new")
def new_form(request: Request, actor: Reader):
    service.require_manager(actor)
    return _form(request, action="/measures", title="新增奖惩措施", f=EMPTY)


@router.post("/measures")
def create(request: Request, session: DB, actor: Reader, form: PostedForm):
    service.require_manager(actor)
    try:
        payload = _posted(form) | {"code": (form.get("code") or "").strip()}
        measure = service.create_measure(session, actor=actor, measure_in=parse_payload(MeasureCreate, payload))
    except XinyongError as exc:
        session.rollback()
        return _form(request, action="/measures", title="新增奖惩措施", f=_refill(form), error=exc)
    return RedirectResponse(f"/measures/{measure.code}?saved=1", status_code=303)


@router.get("/measures/{code}")
def detail(request: Request, session: DB, actor: Reader, code: str, version: Version = None, saved: bool = False):
    m = service.get_measure(session, code, version)
    current = service.get_measure(session, code)
    return render(request, "measures/detail.html", _vocab() | {
        "m": m, "current": current, "history": service.history(session, code), "manager": _is_manager(actor),
        "saved": saved})


@router.get("/measures/{code}/edit")
def edit_form(request: Request, session: DB, actor: Reader, code: str):
    service.require_manager(actor)
    m = service.get_measure(session, code)
    return _form(request, action=f"/measures/{code}", title=f"修改：{m.name}", f=_filled(m), editing=code)


@router.post("/measures/{code}")
def update(request: Request, session: DB, actor: Reader, code: str, form: PostedForm):
    service.require_manager(actor)
    try:
        payload = _posted(form)
        payload["change_note"] = payload["change_note"] or ""
        service.update_measure(session, actor=actor, code=code, changes=parse_payload(MeasureUpdate, payload))
    except XinyongError as exc:
        session.rollback()
        return _form(request, action=f"/measures/{code}", title="修改奖惩措施", f=_refill(form) | {"code": code},
                     editing=code, error=exc)
    return RedirectResponse(f"/measures/{code}?saved=1", status_code=303)


@router.post("/measures/{code}/retire")
def retire(request: Request, session: DB, actor: Reader, code: str, form: PostedForm):
    service.require_manager(actor)
    try:
        service.retire_measure(session, actor=actor, code=code, note=form.get("change_note") or "")
    except XinyongError as exc:
        session.rollback()
        m = service.get_measure(session, code)
        return render(request, "measures/detail.html", _vocab() | {
            "m": m, "current": m, "history": service.history(session, code), "manager": True, "retire_error": exc},
            status=exc.status)
    return RedirectResponse(f"/measures/{code}?saved=1", status_code=303)


# ---- reminders and interviews (R-MEA-5) -----------------------------------------------------------

def _reminders_page(request: Request, session, actor, *, error: XinyongError | None = None, form: dict | None = None,
                    status: int = 200):
    from xinyong.entities import service as entities

    from . import reminders
    from .reminder_models import KIND_LABELS as REMINDER_KINDS
    from .reminder_models import STATUS_LABELS as REMINDER_STATES

    due = [(entities.get_entity(session, actor=SYSTEM, entity_id=eid), score)
           for eid, score in reminders.d_grade_without_reminder(session)]
    rows = [(r, entities.get_entity(session, actor=SYSTEM, entity_id=r.entity_id))
            for r in reminders.listing(session, actor=actor)]
    return render(request, "measures/reminders.html", {
        "due": due, "rows": rows, "kinds": REMINDER_KINDS, "states": REMINDER_STATES, "error": error,
        "form": form or {}, "today": today(), "can_act": actor.can(Permission.RECORD_SUBMIT) and actor.department_id},
        status=status)


@router.get("/reminders")
def reminders_page(request: Request, session: DB, actor: Submitter):
    return _reminders_page(request, session, actor)


@router.post("/reminders")
def reminder_issue(request: Request, session: DB, actor: Submitter, form: PostedForm):
    from . import reminders

    data = {k: str(form.get(k, "")).strip() for k in ("entity_code", "kind", "document_number", "manner", "content")}
    try:
        reminders.issue(session, actor=actor, entity_code=data["entity_code"], kind=data["kind"] or "reminder",
                        document_number=data["document_number"], manner=data["manner"], content=data["content"])
    except (XinyongError, ValueError) as exc:
        session.rollback()
        error = exc if isinstance(exc, XinyongError) else Invalid("请选择提醒或约谈", field="kind")
        return _reminders_page(request, session, actor, error=error, form=data, status=error.status)
    return RedirectResponse("/reminders", status_code=303)


@router.post("/reminders/{reminder_id}/{step}")
def reminder_step(request: Request, session: DB, actor: Submitter, reminder_id: RowId, step: str, form: PostedForm):
    from . import reminders

    try:
        r = reminders.get(session, actor=actor, reminder_id=reminder_id)
        if step == "urge":
            reminders.urge(session, actor=actor, reminder=r)
        elif step == "rectified":
            reminders.rectified(session, actor=actor, reminder=r, note=str(form.get("note", "")))
        elif step == "escalate":
            reminders.escalate(session, actor=actor, reminder=r, document_number=str(form.get("document_number", "")),
                               content=str(form.get("content", "")))
        else:
            raise Invalid("未知的操作")
    except XinyongError as exc:
        session.rollback()
        return _reminders_page(request, session, actor, error=exc, status=exc.status)
    return RedirectResponse("/reminders", status_code=303)
