"""Grading in the browser (SPEC §6): the grading card of an entity's page (score, grade, lists, reasons
with their records, indicator points, grade history; the entity's objections to its result), and the credit
office's pages — /grading (the current run and its grade distribution, full runs with 「立即全量评价」,
the models, external scores, what-if). An objection to a grading result is one kind of objection (000
§19(二), R-GRD-6): the card shows the entity's and links to filing one; the credit office handles them
in the objections queue.

Charts are ECharts, vendored (web/static/vendor/echarts), drawn by xinyong-charts.js from JSON the
page carries in ``<script type="application/json">``: the CSP allows no inline script.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import quote

from fastapi import Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import func, select

from xinyong.accounts import service as accounts
from xinyong.accounts.permissions import Actor, Permission
from xinyong.kit.errors import Invalid, NotFound, XinyongError
from xinyong.kit.workdays import optional_date
from xinyong.web.deps import DB, PostedForm, RowId, allowed, page_router, reads_only
from xinyong.web.templating import render

from . import api, dimensions, service
from .model import load
from .models import (
    PUBLICATION_LABELS,
    ExternalScore,
    GradingModelVersion,
    GradingRun,
    RunKind,
    RunStatus,
)

router = page_router()
Runner = allowed(Permission.GRADING_RUN)
Manager = allowed(Permission.GRADING_MANAGE)
PAGE_SIZE = 20
RUNS_SHOWN = 20


# ---- the entity page's card -----------------------------------------------------------------------

def entity_card(session, actor: Actor, entity_id: int, records: list, *, department_view: bool) -> dict[str, Any] | None:
    """What the entity page shows of the entity's grade, or None when this reader does not see grades.
    ``records`` are the file as this reader sees it: a reason links to those of its records the reader
    may open (a department: its own), and counts the others; a record under objection is marked there
    (R-OBJ-3), as is the result itself while an objection to it is handled."""
    from xinyong.objections.marks import grade_objections

    standing = service.standing(session, entity_id)
    if not api.grade_visible(session, actor, entity_id, standing.version if standing else None):
        return None
    own = actor.entity_id == entity_id and actor.can(Permission.OBJECTION_FILE)
    objections = grade_objections(session, entity_id)
    shown = objections if own or actor.can(Permission.OBJECTION_OVERSEE) else []
    card: dict[str, Any] = {
        "entity_id": entity_id, "standing": standing, "own": own, "objections": shown,
        "under_objection": any(o["open"] for o in objections),
        "can_object": own and standing is not None and not any(o["open"] for o in objections),
        "dimensions": dimensions.scores_of(session, entity_id), "manage": actor.can(Permission.GRADING_MANAGE)}
    if standing is None:
        return card
    # the records a reason may link to: the file's, as the record pages open them (a department: its own;
    # the public, reading published results, opens records on the public pages instead)
    openable = {} if actor.is_public else {r.id: r.document_number for r in records
                                           if not department_view or r.department == actor.department_name}
    objected = {r.id for r in records if getattr(r, "under_objection", False)}
    model = standing.model
    card |= {
        "reasons": [{**item, "links": [(rid, openable[rid]) for rid in item["record_ids"] if rid in openable],
                     "hidden": sum(1 for rid in item["record_ids"] if rid not in openable)}
                    for item in standing.reason_items()],
        "objected": objected,  # the records behind a reason that are under objection (R-OBJ-3)
        "indicators": standing.indicators(),
        "list_labels": [(rule.code, rule.label) for rule in model.lists if rule.code in standing.lists],
        "tone": _tone(model, standing.grade),
        "hidden_label": "由其他部门记录" if department_view else "",
        "chart": {"points": service.history(session, entity_id), "floor": model.floor, "ceiling": model.ceiling,
                  "bands": [{"grade": b.grade, "label": b.label, "above": b.above, "up_to": b.up_to} for b in model.bands]},
    }
    return card


def _tone(model, grade: str) -> str:
    """The colour of a grade by its place among the model's bands, whatever the model calls them."""
    grades = [b.grade for b in model.bands]
    place = grades.index(grade) / max(1, len(grades) - 1) if grade in grades else 1.0
    return "good" if place < 0.25 else "fair" if place < 0.5 else "weak" if place < 0.8 else "poor"


# ---- /grading -------------------------------------------------------------------------------------

def _index(request: Request, session, actor: Actor, *, status: int = 200, **extra):
    current = service.current_full_run(session)
    current_read = api.run_read(session, current, current_id=current.id, grades=True) if current else None
    active = service.active_version(session)
    distribution = None
    if current_read is not None:
        bands = [b.grade for b in service.parsed(session.get(GradingModelVersion, current.model_id)).bands]
        grades = current_read.grades or {}
        order = bands + sorted(g for g in grades if g not in bands)
        distribution = {"grades": order, "counts": [grades.get(g, 0) for g in order]}
    regrades = session.scalar(select(func.count()).select_from(GradingRun).where(
        GradingRun.kind == RunKind.PARTIAL, GradingRun.id > (current.id if current else 0))) or 0
    manage = actor.can(Permission.GRADING_MANAGE)
    ctx = {
        "current": current_read, "distribution": distribution, "regrades": regrades, "runs": _runs(session),
        "manage": manage, "active": active,
        "models": [api.model_read(v) for v in service.versions(session)] if manage else [],
        "departments": accounts.list_departments(session) if manage else [],
        "publications": PUBLICATION_LABELS,
        "external": dict(session.execute(select(ExternalScore.dimension, func.count()).group_by(ExternalScore.dimension)).all()),
        "dimension_labels": dimensions.DIMENSION_LABELS,
    }
    return render(request, "grading/index.html", ctx | extra, status=status)


def _runs(session) -> dict[str, Any]:
    runs = api.runs_read(session, limit=RUNS_SHOWN)
    running = next((r for r in runs if r.status is RunStatus.RUNNING), None)
    return {"items": runs, "running": running, "message": api.live_message(running.id) if running else None}


@router.get("/grading")
def index(request: Request, session: DB, actor: Runner, started: int | None = None):
    return _index(request, session, actor, started=started)


@router.get("/grading/runs")
def runs_fragment(request: Request, session: DB, actor: Runner, watching: int = 0):
    """The runs table, which the page asks for again every two seconds while a run is going; when the run
    it was watching has ended, the whole page is reloaded to show the results now in force."""
    runs = _runs(session)
    response = render(request, "grading/_runs.html", {"runs": runs})
    if watching and runs["running"] is None:
        response.headers["HX-Refresh"] = "true"
    return response


@router.post("/grading/runs")
@reads_only  # the run writes in units of work of its own, beside this request
def start_run(request: Request, session: DB, actor: Runner):
    try:
        run_id = api.start_run(request.app.state.platform, actor, trigger=f"页面「立即全量评价」（{actor.label}）")
    except XinyongError as exc:
        return _index(request, session, actor, run_error=exc, status=exc.status)
    return RedirectResponse(f"/grading?started={run_id or 0}#runs", status_code=303)


# ---- models ---------------------------------------------------------------------------------------

def _posted_model(form) -> tuple[str, str]:
    """(text, the name to point at in errors) from a form's ``file`` or ``text``."""
    upload = form.get("file")
    if upload is not None and not isinstance(upload, str) and upload.filename:
        return api.decode_model(api.read_upload(upload, api.MAX_MODEL)), Path(upload.filename).name
    text = str(form.get("text", ""))
    if not text.strip():
        raise Invalid("请选择模型文件（.toml），或粘贴模型的 TOML 文本", field="file")
    return text, "粘贴的模型文本"


@router.post("/grading/models")
def add_model(request: Request, session: DB, actor: Manager, form: PostedForm):
    try:
        text, name = _posted_model(form)
        load(text, source=name)  # refused here with the file's own name, line and reason
        version = service.add_version(session, actor=actor, text=text, activate=form.get("activate") == "1")
    except XinyongError as exc:
        session.rollback()
        return _index(request, session, actor, model_error=exc, status=exc.status)
    return RedirectResponse(f"/grading?model={version.id}#models", status_code=303)


@router.post("/grading/models/{model_id}/adopt")
def adopt_model(request: Request, session: DB, actor: Manager, model_id: RowId):
    version = session.get(GradingModelVersion, model_id)
    if version is None:
        raise NotFound("未找到该评价模型版本")
    service.adopt(session, actor=actor, version=version)
    return RedirectResponse(f"/grading?model={version.id}#models", status_code=303)


@router.post("/grading/models/{model_id}/publication")
def set_publication(request: Request, session: DB, actor: Manager, model_id: RowId, form: PostedForm):
    version = session.get(GradingModelVersion, model_id)
    if version is None:
        raise NotFound("未找到该评价模型版本")
    try:
        level, audience = api.check_publication(session, str(form.get("publication", "")),
                                                str(form.get("audience", "")).split())
        service.set_publication(session, actor=actor, version=version, publication=level, audience=audience)
    except XinyongError as exc:
        session.rollback()
        return _index(request, session, actor, publication_error=exc, status=exc.status)
    return RedirectResponse(f"/grading?model={version.id}#publication", status_code=303)


@router.get("/grading/models/{model_id}/download")
def download_model(session: DB, actor: Manager, model_id: RowId):
    version = session.get(GradingModelVersion, model_id)
    if version is None:
        raise NotFound("未找到该评价模型版本")
    name = f"{version.code}-v{version.version}.toml"
    return Response(version.text, media_type="application/toml; charset=utf-8",
                    headers={"Content-Disposition": f"attachment; filename*=UTF-8''{quote(name)}"})


# ---- external scores ------------------------------------------------------------------------------

@router.post("/grading/scores")
def import_scores(request: Request, session: DB, actor: Manager, form: PostedForm):
    upload = form.get("file")
    try:
        if upload is None or isinstance(upload, str) or not upload.filename:
            raise Invalid("请选择外部评分 CSV 文件", field="file")
        report = dimensions.import_scores(session, actor=actor, path_or_bytes=api.read_upload(upload),
                                          filename=Path(upload.filename).name)
    except XinyongError as exc:
        session.rollback()
        return _index(request, session, actor, scores_error=exc, status=exc.status)
    # the entities whose scores changed are regraded as this request commits (instant regrading)
    return _index(request, session, actor, scores_report=report)


# ---- what-if --------------------------------------------------------------------------------------

@router.get("/grading/what-if")
def what_if_form(request: Request, session: DB, actor: Manager):
    active = service.active_version(session)
    return render(request, "grading/what_if.html", {"text": active.text if active else "", "active": active})


@router.post("/grading/what-if")
@reads_only  # writes nothing
def what_if(request: Request, session: DB, actor: Manager, form: PostedForm):
    active = service.active_version(session)
    ctx: dict[str, Any] = {"active": active, "text": str(form.get("text", "")), "as_of": str(form.get("as_of", ""))}
    try:
        text, name = _posted_model(form)
        ctx["text"] = text
        load(text, source=name)
        as_of = optional_date(ctx["as_of"], field="as_of")
        result = api.what_if_read(service.what_if(request.app.state.platform, actor=actor, draft_text=text, as_of=as_of))
    except XinyongError as exc:
        return render(request, "grading/what_if.html", ctx | {"error": exc}, status=exc.status)
    cells = {(m.before, m.after): m.entities for m in result.matrix}
    rows = _ordered(result.grades_before, [m.before for m in result.matrix])
    columns = _ordered(result.grades_after, [m.after for m in result.matrix])
    every = _ordered(columns, rows)  # the draft's order, which a refinement (A, A−, B+ …) keeps
    ctx |= {"result": result, "cells": cells, "rows": rows, "columns": columns,
            "chart": {"rows": rows, "columns": columns, "series": [[cells.get((b, a), 0) for b in rows] for a in columns],
                      "grades": every, "before": [result.before.get(g, 0) for g in every],
                      "after": [result.after.get(g, 0) for g in every]}}
    return render(request, "grading/what_if.html", ctx)


def _ordered(first: list[str], more: list[str]) -> list[str]:
    """``first`` (a model's grades, best first), then any other grade in ``more``, in order of appearance."""
    out = list(first)
    for g in more:
        if g not in out:
            out.append(g)
    return out
