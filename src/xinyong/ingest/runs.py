"""Import runs (导入记录): a file's import as the clerk watches it, from the upload page or `xinyong import`.

The import commits batch by batch (ingest.service); after each batch the run's counts are written in a
short unit of work of their own, so the page's live count is what is really in. The run ends finished,
with the same report the import returns (rejected rows, the Excel of them, warnings), or failed with a
reason; either end is one audited event with the counts.
"""

from __future__ import annotations

import datetime as dt
import logging
import secrets
import shutil
import tempfile
import threading
import time
from pathlib import Path

from sqlalchemy import update
from sqlalchemy.orm import Session

from xinyong.accounts.permissions import Actor
from xinyong.kit.clock import now
from xinyong.kit.errors import Forbidden, NotFound, XinyongError
from xinyong.kit.platform import Platform
from xinyong.kit.schemas import Page

from . import events, repository
from . import service as importer
from .models import RUN_STATUS_LABELS, ImportRun, RunStatus
from .national import FORMAT_LABELS
from .report import RowReport, write_xlsx
from .schemas import ImportRunRead

log = logging.getLogger("xinyong.ingest")
REPORTS = Path(tempfile.gettempdir()) / "xinyong-import-reports"
REJECTED_KEPT = 1000  # rows of the rejected list kept on the run; the Excel file has them all
PROGRESS_EVERY = 0.5  # seconds: the page polls every second
STALL_AFTER = dt.timedelta(minutes=10)  # running without progress this long: the process stopped mid-way
INTERRUPTED = "导入被中断（进程已停止）。已导入的批次已保存；重新导入同一文件即可完成，已导入的行不会重复"
INTERNAL = "导入时发生系统内部错误，已记录。已导入的批次已保存；请稍后重新导入同一文件，已导入的行不会重复"


def start(platform: Platform, actor: Actor, filename: str) -> int:
    if actor.department_id is None:
        raise Forbidden("文件导入须以部门身份进行")
    with platform.uow(actor=actor) as session:
        run = ImportRun(department_id=actor.department_id, user_id=actor.user_id, filename=(filename or "")[:255] or "未命名",
                        status=RunStatus.RUNNING, total=0, accepted=0, duplicates=0, rejected_count=0, held=0,
                        rejected=[], warnings=[])
        session.add(run)
        session.flush()
        return run.id


def _counts(report: RowReport) -> dict:
    return {"total": report.total, "accepted": report.accepted, "duplicates": report.duplicates,
            "rejected_count": len(report.rejected), "held": report.held}


def progress(platform: Platform, run_id: int, report: RowReport) -> None:
    """The counts so far, in a unit of work of their own: committed as soon as the batch they count."""
    with platform.uow() as session:
        session.execute(update(ImportRun).where(ImportRun.id == run_id, ImportRun.status == RunStatus.RUNNING)
                        .values(**_counts(report), updated_at=now()))


def _errors_file(token: str) -> Path:
    return REPORTS / f"{token}.xlsx"


def finish(platform: Platform, run_id: int, result: importer.ImportResult, *, actor: Actor) -> None:
    report = result.report
    token = None
    if result.rejected_rows:
        REPORTS.mkdir(mode=0o700, parents=True, exist_ok=True)
        token = secrets.token_urlsafe(16)
        # the rows as the clerk sent them, ID numbers included (to fix and send again): readable by
        # the platform's own user only
        _errors_file(token).touch(mode=0o600)
        write_xlsx(_errors_file(token), result.headers, result.rejected_rows)
    with platform.uow(actor=actor) as session:
        run = session.get(ImportRun, run_id)
        run.format, run.encoding = result.format, result.encoding
        run.errors_token = token
        _end(session, run, report, RunStatus.FINISHED)
        events.import_finished(session, run, actor)


def fail(platform: Platform, run_id: int, message: str, *, actor: Actor, report: RowReport | None = None) -> None:
    with platform.uow(actor=actor) as session:
        run = session.get(ImportRun, run_id)
        run.error = message
        _end(session, run, report, RunStatus.FAILED)  # the counts: what the batches committed before it stopped
        events.import_failed(session, run, actor)


def _end(session: Session, run: ImportRun, report: RowReport | None, status: RunStatus) -> None:
    if report is not None:
        for name, value in _counts(report).items():
            setattr(run, name, value)
        run.rejected = sorted(report.rejected, key=lambda r: r["row"])[:REJECTED_KEPT]
        run.warnings = list(report.warnings)
    run.status = status
    run.updated_at = run.finished_at = now()
    session.flush()


def execute(platform: Platform, run_id: int, path: str | Path, *, actor: Actor, on_progress=None) -> importer.ImportResult:
    """Import the file into the run: its counts after every batch, its end finished or failed."""
    seen: dict = {"report": None, "at": 0.0}

    def step(report: RowReport) -> None:
        seen["report"] = report
        if on_progress is not None:
            on_progress(report)
        moment = time.monotonic()
        if moment - seen["at"] >= PROGRESS_EVERY:
            seen["at"] = moment
            progress(platform, run_id, report)

    with platform.uow(write=False) as session:
        filename = session.get(ImportRun, run_id).filename  # the upload's own name, not its temporary one
    try:
        result = importer.import_file(platform, path, actor=actor, progress=step, source=filename, run_id=run_id)
        finish(platform, run_id, result, actor=actor)
    except BaseException as exc:
        if isinstance(exc, XinyongError):
            message = exc.message
        elif isinstance(exc, Exception):
            log.exception("import run %s failed", run_id)
            message = INTERNAL
        else:  # KeyboardInterrupt, SystemExit
            message = INTERRUPTED
        try:
            fail(platform, run_id, message, actor=actor, report=seen["report"])
        except Exception:
            log.exception("import run %s: could not record the failure", run_id)
        raise
    return result


def launch(platform: Platform, run_id: int, path: Path, *, actor: Actor, cleanup: Path | None = None) -> threading.Thread:
    """Run the import beside the request that started it; the run page shows how it goes."""

    def work() -> None:
        try:
            execute(platform, run_id, path, actor=actor)
        except BaseException:
            pass  # execute has recorded it on the run, and logged a bug
        finally:
            if cleanup is not None:
                shutil.rmtree(cleanup, ignore_errors=True)

    thread = threading.Thread(target=work, name=f"import-run-{run_id}", daemon=True)
    thread.start()
    return thread


def get(session: Session, *, actor: Actor, run_id: int) -> ImportRun:
    run = session.scalars(repository.runs(session, actor).where(ImportRun.id == run_id)).first()
    if run is None:
        raise NotFound("未找到该导入记录")
    return run


def listing(session: Session, *, actor: Actor, offset: int = 0, limit: int = 20) -> Page[ImportRunRead]:
    rows, total = repository.page(session, repository.runs(session, actor),
                                  (ImportRun.started_at.desc(), ImportRun.id.desc()), offset, limit)
    return Page[ImportRunRead](items=[to_read(r) for r in rows], total=total, offset=offset, limit=limit)


def errors_xlsx(run: ImportRun) -> Path:
    path = _errors_file(run.errors_token) if run.errors_token else None
    if path is None or not path.exists():
        raise NotFound("错误行 Excel 已过期（服务器已清理临时文件），请重新导入同一文件以重新生成")
    return path


def to_read(run: ImportRun) -> ImportRunRead:
    stalled = run.status is RunStatus.RUNNING and now() - run.updated_at > STALL_AFTER
    return ImportRunRead(
        id=run.id, department_id=run.department_id, department=run.department.name, user_id=run.user_id,
        filename=run.filename, format=run.format, format_label=FORMAT_LABELS.get(run.format or ""), encoding=run.encoding,
        status=run.status, status_label=RUN_STATUS_LABELS[run.status], total=run.total, accepted=run.accepted,
        duplicates=run.duplicates, rejected_count=run.rejected_count, held=run.held, rejected=list(run.rejected or []),
        warnings=list(run.warnings or []), error=run.error,
        has_errors_xlsx=bool(run.errors_token) and _errors_file(run.errors_token).exists(), stalled=stalled,
        started_at=run.started_at, updated_at=run.updated_at, finished_at=run.finished_at)
