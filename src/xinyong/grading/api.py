"""The grading API: an entity's grade (as its file is seen), full runs, reviews, external scores and
what-if runs (SPEC §6, R-GRD-4…7, R-XCH-1).

Also the two things the pages share with it: who may see an entity's grade (``grade_visible``, from
the one scope decision) and starting a full run beside the request (``start_run``).
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
import time
from dataclasses import dataclass, field
from typing import Annotated, Any

from fastapi import Body, Depends, Query, Request
from sqlalchemy import select
from sqlalchemy.orm import Session

from xinyong.accounts.permissions import Actor, Permission
from xinyong.kit.clock import now
from xinyong.kit.errors import Conflict, Forbidden, Invalid, NotFound, XinyongError
from xinyong.kit.platform import Platform
from xinyong.kit.schemas import IsoDate, parse_payload
from xinyong.web.deps import DB, CurrentActor, Limit, PostedForm, RowId, allowed, api_router, reads_only
from xinyong.web.openapi import CONFLICT, FORBIDDEN

from . import dimensions, service
from .model import GradingModel
from .models import (
    KIND_LABELS,
    PUBLICATION_LABELS,
    STATUS_LABELS,
    GradingModelVersion,
    GradingRun,
    Publication,
    RunKind,
    RunStatus,
)
from .schemas import (
    GradingRunRead,
    MigrationCell,
    ModelRef,
    ModelVersionRead,
    PublicationSet,
    RunStart,
    RunStarted,
    ScoreImportReport,
    WhatIfRead,
)

log = logging.getLogger("xinyong.grading")
router = api_router(tags=["grading 信用评价"])
Runner = allowed(Permission.GRADING_RUN)
Manager = allowed(Permission.GRADING_MANAGE)
MAX_UPLOAD = 50 * 1024 * 1024
MAX_MODEL = 1024 * 1024


# ---- who sees a grade ---------------------------------------------------------------------------

def grade_visible(session: Session, actor: Actor, entity_id: int, version: GradingModelVersion | None) -> bool:
    """Whether ``actor`` sees this entity's grade: only a reader of its file (the one scope decision: not
    another entity, not an auditor) and only as widely as the results are published (``service.may_see``,
    R-PUB-7: the entity itself and the credit office always; departments and the public as the model's
    publication level says). ``version``: the model of the entity's standing, else the active one."""
    from xinyong.access import scope
    from xinyong.kit.clock import today

    if scope.decide(actor, entity_id, entity_exists=True, day=today()).scope is None:
        return False
    version = version or service.active_version(session)
    return version is not None and service.may_see(session, actor, entity_id, version)


def entity_grade(session: Session, entity_id: int, standing: service.Standing | None) -> dict[str, Any]:
    """The standing as ``Standing.as_dict`` gives it, with the history and the external scores; ``score``
    None before the entity was ever graded."""
    data: dict[str, Any] = standing.as_dict() if standing else {
        "score": None, "industry_score": None, "grade": None, "grade_label": None, "lists": [], "reasons": [],
        "reason_details": [], "indicators": [], "as_of": None, "run_id": None, "model": None}
    data["history"] = service.history(session, entity_id)
    data["dimensions"] = dimensions.scores_of(session, entity_id)
    return data


def check_publication(session: Session, publication: str, audience: list[str]) -> tuple[Publication, list[str]]:
    """A publication level and, for 向特定主体公开, the subjects it is disclosed to (their USCCs, at least one)."""
    from xinyong.entities.identifiers import validate_uscc

    if publication not in {p.value for p in Publication}:
        raise Invalid(f"公开范围应为以下之一：{'、'.join(p.value for p in Publication)}", field="publication")
    level = Publication(publication)
    if level is not Publication.SPECIFIED:
        return level, []
    named = [validate_uscc(code, field="audience") for code in audience if code.strip()]
    if not named:
        raise Invalid("向特定主体公开时，请填写至少一个特定主体的统一社会信用代码", field="audience")
    return level, named


# ---- full runs beside the request ---------------------------------------------------------------

STALE_AFTER = dt.timedelta(hours=2)  # a run "running" this long was cut off by a stopped process


@dataclass
class _Live:
    """The run this process is doing now, and its last step, for the pages' progress line."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    run_id: int | None = None
    message: str = ""
    since: float = 0.0


LIVE = _Live()


def running_run(session: Session) -> GradingRun | None:
    return session.scalars(select(GradingRun).where(GradingRun.kind == RunKind.FULL, GradingRun.status == RunStatus.RUNNING,
                                                    GradingRun.started_at > now() - STALE_AFTER)
                           .order_by(GradingRun.id.desc())).first()


def start_run(platform: Platform, actor: Actor, *, trigger: str, as_of: dt.date | None = None,
              wait: float = 10.0) -> int | None:
    """Start a full run in a thread of its own (it reads, grades and writes in units of work of its own:
    ``service.run``) and return its id once it has registered itself. One run at a time."""
    if not actor.can(Permission.GRADING_RUN):
        raise Forbidden("无权发起信用评价")
    with platform.uow(write=False) as session:
        busy = running_run(session)
    if busy is not None:
        raise Conflict(f"评价运行 #{busy.id} 正在进行，请等它结束后再发起")
    if not LIVE.lock.acquire(blocking=False):
        raise Conflict("已有评价正在运行，请等它结束后再发起")
    registered = threading.Event()
    outcome: dict[str, Any] = {}

    def started(run_id: int) -> None:
        LIVE.run_id = outcome["run_id"] = run_id
        registered.set()

    def progress(message: str) -> None:
        LIVE.message, LIVE.since = message, time.monotonic()

    def work() -> None:
        try:
            service.run(platform, actor=actor, as_of=as_of, trigger=trigger[:200], progress=progress, on_started=started)
        except XinyongError as exc:  # the run is marked failed, with the reason, by service.run
            outcome["error"] = exc.message
        except Exception:
            log.exception("grading run failed")
            outcome["error"] = "评价运行时发生系统内部错误，已记录；上一次成功的评价结果继续有效"
        finally:
            LIVE.run_id, LIVE.message = None, ""
            LIVE.lock.release()
            registered.set()

    LIVE.run_id, LIVE.message, LIVE.since = None, "准备", time.monotonic()
    thread = threading.Thread(target=work, name="xinyong-grading-run", daemon=True)
    thread.start()
    registered.wait(wait)
    run_id = outcome.get("run_id")
    if run_id is None and "error" in outcome:
        raise Invalid(outcome["error"])
    return run_id


def live_message(run_id: int) -> str | None:
    return LIVE.message if LIVE.run_id == run_id and LIVE.message else None


def run_read(session: Session, r: GradingRun, *, current_id: int | None = None, grades: bool = False,
             models: dict[int, GradingModelVersion] | None = None) -> GradingRunRead:
    version = (models or {}).get(r.model_id) or session.get(GradingModelVersion, r.model_id)
    return GradingRunRead(
        id=r.id, kind=r.kind, kind_label=KIND_LABELS[r.kind], status=r.status, status_label=STATUS_LABELS[r.status],
        as_of=r.as_of, engine=r.engine, trigger=r.trigger,
        model=ModelRef(code=version.code, version=version.version, name=version.name), entities=r.entities or 0,
        records=r.records or 0, input_digest=r.input_digest, results_digest=r.results_digest, error=r.error,
        started_at=r.started_at, finished_at=r.finished_at, seconds=r.seconds, current=r.id == current_id,
        grades=service.distribution(session, r.id) if grades and r.status is RunStatus.SUCCEEDED else None)


def runs_read(session: Session, *, limit: int = 50) -> list[GradingRunRead]:
    current = service.current_full_run(session)
    models = {v.id: v for v in service.versions(session)}
    return [run_read(session, r, current_id=current.id if current else None, models=models)
            for r in service.runs(session, limit=limit)]


def model_read(v: GradingModelVersion) -> ModelVersionRead:
    return ModelVersionRead(id=v.id, code=v.code, version=v.version, name=v.name, digest=v.digest, active=v.active,
                            created_at=v.created_at, publication=v.publication,
                            publication_label=PUBLICATION_LABELS[v.publication], audience=list(v.audience or []))


def what_if_read(result: service.WhatIf) -> WhatIfRead:
    def ref(m: GradingModel) -> ModelRef:
        return ModelRef(code=m.code, version=m.version, name=m.name)

    return WhatIfRead(current=ref(result.current), draft=ref(result.draft), as_of=result.as_of, entities=result.entities,
                      moved=result.moved, grades_before=[b.grade for b in result.current.bands],
                      grades_after=[b.grade for b in result.draft.bands], before=result.before, after=result.after,
                      matrix=[MigrationCell(**m) for m in result.matrix])


def decode_model(raw: bytes) -> str:
    if len(raw) > MAX_MODEL:
        raise Invalid("模型文件超过 1 MB", field="file")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise Invalid("模型文件应为 UTF-8 编码的 TOML 文本", field="file") from None


def read_upload(upload, limit: int = MAX_UPLOAD) -> bytes:
    raw = upload.file.read(limit + 1)
    if len(raw) > limit:
        raise Invalid(f"文件超过 {limit // (1024 * 1024)} MB", field="file")
    return raw


async def model_text(request: Request) -> str:
    """A model as the request carries it: the TOML as the body, or a ``file`` (or ``text``) field of a form."""
    kind = request.headers.get("content-type", "")
    if kind.startswith(("multipart/form-data", "application/x-www-form-urlencoded")):
        form = await request.form()
        upload = form.get("file")
        if upload is not None and not isinstance(upload, str):
            return decode_model(await upload.read(MAX_MODEL + 1))
        text = form.get("text")
        if isinstance(text, str) and text.strip():
            return text
        raise Invalid("请上传模型文件（file），或在 text 中给出模型的 TOML 文本", field="file")
    body = await request.body()
    if not body.strip():
        raise Invalid("请求体应为模型的 TOML 文本", field="body")
    return decode_model(body)


ModelText = Annotated[str, Depends(model_text)]
# The bodies ``model_text`` and the score import read themselves, described for the API's readers (and its fuzzing)
MODEL_BODY = {"requestBody": {"required": True, "content": {
    "text/plain": {"schema": {"type": "string", "description": "评价模型的 TOML 文本（UTF-8）"}},
    "multipart/form-data": {"schema": {"type": "object", "properties": {
        "file": {"type": "string", "format": "binary", "description": "评价模型文件（TOML）"},
        "text": {"type": "string", "description": "或：模型的 TOML 文本"}}}}}}}
SCORES_BODY = {"requestBody": {"required": True, "content": {"multipart/form-data": {"schema": {
    "type": "object", "required": ["file"],
    "properties": {"file": {"type": "string", "format": "binary", "description": "外部评分 CSV 文件"}}}}}}}


# ---- an entity's grade --------------------------------------------------------------------------

@router.get("/entities/{code}/grade", responses=FORBIDDEN)
def get_entity_grade(code: str, request: Request, session: DB, actor: CurrentActor) -> dict:
    """The entity's score, grade, lists, reasons (each with its records), indicator points and grade
    history (R-GRD-5). Read as its credit file is (the credit office's reads logged; another entity's code
    answers exactly like a code that does not exist), and as widely as results are published (R-PUB-7):
    the entity itself and the credit office always, departments and the public as the model says."""
    from xinyong.access import service as access
    from xinyong.entities import service as entities

    decision = access.authorise(session, actor=actor, code=code, via=request.url.path)
    entity_id = decision.scope.entity_id
    standing = service.standing(session, entity_id)
    if not grade_visible(session, actor, entity_id, standing.version if standing else None):
        raise Forbidden("信用评价结果未向本部门公开")
    entity = entities.get_entity(session, actor=actor, entity_id=entity_id)
    return {"code": entity.code, "name": entity.name} | entity_grade(session, entity_id, standing)


# ---- runs -----------------------------------------------------------------------------------------

@router.get("/grading/runs")
def list_runs(session: DB, actor: Runner, limit: Limit = 50) -> list[GradingRunRead]:
    """Full runs, newest first; ``current`` marks the one whose results are in force."""
    return runs_read(session, limit=limit)


@router.post("/grading/runs", status_code=202, responses=CONFLICT)
@reads_only  # the run writes in units of work of its own, beside this request
def start_full_run(request: Request, actor: Runner, payload: dict[str, Any] | None = Body(None)) -> RunStarted:
    """A full run over every entity (R-GRD-4), in the background: poll ``GET /grading/runs/{id}``. The new
    results come into force all at once when it succeeds; a failed run leaves the last good one in force."""
    body = parse_payload(RunStart, payload or {})
    run_id = start_run(request.app.state.platform, actor, as_of=body.as_of, trigger=f"接口发起（{actor.label}）")
    return RunStarted(run_id=run_id, message=f"评价运行 #{run_id} 已开始" if run_id else "评价运行已开始")


@router.get("/grading/runs/{run_id}")
def get_run(run_id: RowId, session: DB, actor: Runner) -> GradingRunRead:
    r = service.get_run(session, run_id)
    current = service.current_full_run(session)
    return run_read(session, r, current_id=current.id if current else None, grades=True)


# ---- models ---------------------------------------------------------------------------------------

@router.get("/grading/models")
def list_models(session: DB, actor: Manager) -> list[ModelVersionRead]:
    return [model_read(v) for v in service.versions(session)]


@router.post("/grading/models", status_code=201, openapi_extra=MODEL_BODY)
def add_model(session: DB, actor: Manager, text: ModelText, activate: bool = False) -> ModelVersionRead:
    """A new model version from its TOML (the body, or a ``file`` field); refused with the file, line and
    reason when it does not make sense. ``activate=true`` adopts it: it grades from the next run on."""
    return model_read(service.add_version(session, actor=actor, text=text, activate=activate, source="提交的模型文件"))


@router.post("/grading/models/{model_id}/adopt")
def adopt_model(model_id: RowId, session: DB, actor: Manager) -> ModelVersionRead:
    version = session.get(GradingModelVersion, model_id)
    if version is None:
        raise NotFound("未找到该评价模型版本")
    service.adopt(session, actor=actor, version=version)
    return model_read(version)


@router.post("/grading/models/{model_id}/publication")
def set_publication(model_id: RowId, session: DB, actor: Manager, payload: dict[str, Any] = Body(...)) -> ModelVersionRead:
    """``{"publication": "public" | "specified" | "internal", "audience": [department USCC, …]}``: how widely
    this model's results are published (R-PUB-7, 000 §19(一)); ``specified`` with no audience: every
    department. The entity itself and the credit office always see them."""
    body = parse_payload(PublicationSet, payload)
    version = session.get(GradingModelVersion, model_id)
    if version is None:
        raise NotFound("未找到该评价模型版本")
    level, audience = check_publication(session, body.publication, body.audience)
    service.set_publication(session, actor=actor, version=version, publication=level, audience=audience)
    return model_read(version)


# ---- what-if --------------------------------------------------------------------------------------

@router.post("/grading/what-if", openapi_extra=MODEL_BODY)
@reads_only  # writes nothing
def what_if(request: Request, actor: Manager, text: ModelText, as_of: Annotated[IsoDate | None, Query()] = None
            ) -> WhatIfRead:
    """A draft model (the TOML as the body, or a ``file`` field) beside the active one over every entity:
    the grade-migration matrix and the counts before and after (R-GRD-7). Nothing is written."""
    return what_if_read(service.what_if(request.app.state.platform, actor=actor, draft_text=text, as_of=as_of))


# ---- external scores ------------------------------------------------------------------------------

@router.post("/grading/scores", openapi_extra=SCORES_BODY)
def import_scores(session: DB, actor: Manager, form: PostedForm) -> ScoreImportReport:
    """External dimension scores (R-GRD-2, R-XCH-1) as a CSV ``file`` (multipart): each bad row with its
    row number and reason; the entities whose scores changed are graded again in the same commit."""
    upload = form.get("file")
    if upload is None or isinstance(upload, str):
        raise Invalid("请以 multipart/form-data 上传外部评分 CSV 文件（字段名 file）", field="file")
    return dimensions.import_scores(session, actor=actor, path_or_bytes=read_upload(upload),
                                    filename=upload.filename or "外部评分.csv")
