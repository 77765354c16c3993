"""Importing a national file in the browser, and the rows waiting for a person.

The upload is saved and imported beside the request (runs.launch); the clerk is sent to the run's page,
which counts the rows as they go in and ends on the same report `xinyong import` prints: the rejected
rows with their reasons and an Excel of them to fix and upload again. Rows without a code that no single
entity's name answers wait in 待人工匹配 until an officer picks the entity or dismisses them (R-ENT-6).
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from fastapi import File, Request, UploadFile
from fastapi.responses import FileResponse, RedirectResponse

from xinyong.accounts.permissions import Permission
from xinyong.entities import service as entities
from xinyong.entities.identifiers import is_valid_id_number, normalize_code
from xinyong.kit.errors import Invalid, XinyongError
from xinyong.web.deps import DB, MAX_ID, PageNo, PostedForm, RowId, allowed, page_router, reads_only
from xinyong.web.templating import NAV_COUNTS, render

from . import queue, runs
from .models import HELD_STATUS_LABELS, HeldStatus

router = page_router()
Submitter = allowed(Permission.RECORD_SUBMIT)
Viewer = allowed(Permission.RECORD_SUBMIT, Permission.RECORD_REVIEW)  # a department, or the credit office
MAX_UPLOAD = 200 * 1024 * 1024
SUFFIXES = (".csv", ".xlsx", ".xls")
PAGE_SIZE = 30
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

NAV_COUNTS["/records/held"] = queue.waiting_count


@router.get("/records/import")
def upload_form(request: Request, actor: Submitter):
    return render(request, "ingest/upload.html", {})


def _save(file: UploadFile) -> tuple[Path, Path]:
    """The upload in a directory of its own, kept until the import beside the request has read it."""
    name = file.filename or ""
    if not name.lower().endswith(SUFFIXES):
        raise Invalid("请上传 CSV 或 Excel（.xlsx）格式的双公示文件", field="file")
    folder = Path(tempfile.mkdtemp(prefix="xinyong-upload-"))
    path = folder / ("upload" + Path(name).suffix.lower())
    size = 0
    try:
        with open(path, "wb") as out:
            while chunk := file.file.read(1 << 20):
                size += len(chunk)
                if size > MAX_UPLOAD:
                    raise Invalid("文件超过 200 MB，请拆分后上传，或由管理员使用 xinyong import 导入", field="file")
                out.write(chunk)
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    return folder, path


@router.post("/records/import")
@reads_only  # the run and the import commit in units of work of their own
def upload(request: Request, actor: Submitter, file: UploadFile = File(...)):
    try:
        folder, path = _save(file)
    except XinyongError as exc:
        return render(request, "ingest/upload.html", {"error": exc}, status=exc.status)
    try:
        run_id = runs.start(request.app.state.platform, actor, Path(file.filename or "").name)
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    runs.launch(request.app.state.platform, run_id, path, actor=actor, cleanup=folder)
    return RedirectResponse(f"/records/import/runs/{run_id}", status_code=303)


@router.get("/records/import/runs")
def runs_page(request: Request, session: DB, actor: Viewer, page: PageNo = 1):
    result = runs.listing(session, actor=actor, offset=(page - 1) * PAGE_SIZE, limit=PAGE_SIZE)
    return render(request, "ingest/runs.html", {"result": result, "page": page,
                                                "pages": max(1, -(-result.total // PAGE_SIZE))})


@router.get("/records/import/runs/{run_id}")
def run_page(request: Request, session: DB, actor: Viewer, run_id: RowId):
    return render(request, "ingest/run.html", {"run": runs.to_read(runs.get(session, actor=actor, run_id=run_id))})


@router.get("/records/import/runs/{run_id}/progress")
def run_progress(request: Request, session: DB, actor: Viewer, run_id: RowId):
    """The fragment the run page polls every second while the run is going; a finished run's answer no
    longer polls, so the page stops asking."""
    return render(request, "ingest/_progress.html", {"run": runs.to_read(runs.get(session, actor=actor, run_id=run_id))})


@router.get("/records/import/runs/{run_id}/errors")
def download_errors(session: DB, actor: Viewer, run_id: RowId):
    run = runs.get(session, actor=actor, run_id=run_id)
    return FileResponse(runs.errors_xlsx(run), filename=f"{Path(run.filename).stem}-错误行.xlsx", media_type=XLSX)


# --- 待人工匹配 ---------------------------------------------------------------------------------------------
@router.get("/records/held")
def held_page(request: Request, session: DB, actor: Viewer, status: str = HeldStatus.WAITING.value, page: PageNo = 1):
    chosen = HeldStatus(status) if status in {s.value for s in HeldStatus} else None
    result = queue.listing(session, actor=actor, status=chosen, offset=(page - 1) * PAGE_SIZE, limit=PAGE_SIZE)
    return render(request, "ingest/held_list.html", {
        "result": result, "status": chosen.value if chosen else "all", "statuses": HELD_STATUS_LABELS, "page": page,
        "pages": max(1, -(-result.total // PAGE_SIZE))})


def _held_detail(request: Request, session, actor, held_id: int, *, q: str = "", error: XinyongError | None = None,
                 status: int = 200):
    held = queue.get(session, actor=actor, held_id=held_id)
    found, search_error = None, None
    if q.strip():
        try:
            found = entities.search(session, actor=actor, q=q, limit=10)
        except XinyongError as exc:
            search_error = exc
    return render(request, "ingest/held.html", {
        "h": queue.to_read(held), "candidates": queue.candidates(session, held, actor=actor),
        "can_decide": queue.can_decide(actor, held), "found": found, "search_error": search_error,
        "q": "" if is_valid_id_number(normalize_code(q)) else q, "error": error}, status=status)


@router.get("/records/held/{held_id}")
def held_detail(request: Request, session: DB, actor: Viewer, held_id: RowId):
    return _held_detail(request, session, actor, held_id)


@router.post("/records/held/{held_id}/search")
@reads_only  # the search box posts, so an ID number typed in it stays out of URLs and logs
def held_search(request: Request, session: DB, actor: Viewer, held_id: RowId, form: PostedForm):
    return _held_detail(request, session, actor, held_id, q=str(form.get("q", "")))


@router.post("/records/held/{held_id}/match")
def held_match(request: Request, session: DB, actor: Submitter, held_id: RowId, form: PostedForm):
    try:
        entity_id = str(form.get("entity_id", ""))
        if not entity_id.isdigit() or not 1 <= int(entity_id) <= MAX_ID:
            raise Invalid("请选择要匹配的主体", field="entity_id")
        queue.match(session, actor=actor, held_id=held_id, entity_id=int(entity_id))
    except XinyongError as exc:
        session.rollback()
        return _held_detail(request, session, actor, held_id, error=exc, status=exc.status)
    return RedirectResponse(f"/records/held/{held_id}", status_code=303)


@router.post("/records/held/{held_id}/dismiss")
def held_dismiss(request: Request, session: DB, actor: Submitter, held_id: RowId, form: PostedForm):
    try:
        queue.dismiss(session, actor=actor, held_id=held_id, reason=str(form.get("reason", "")))
    except XinyongError as exc:
        session.rollback()
        return _held_detail(request, session, actor, held_id, error=exc, status=exc.status)
    return RedirectResponse("/records/held", status_code=303)
