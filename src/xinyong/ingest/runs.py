"""Import runs (导入记录): a file's import as the clerk watches it, from the upload page or `xinyong import`.

The import commits batch by batch (ingest.service); each batch writes the run's counts in its own
transaction (``checkpoint``), so what the run says is in is exactly what is in, even after a kill -9.
The run ends finished, with the same report the import returns (rejected rows, the Excel of them,
warnings), or failed with a reason; either end is one audited event with the counts.

A process killed mid-way cannot say so. The process running an import holds a lease on its run
(``holder`` names the very process, ``lease_until`` is renewed every third of ``LEASE``). One rule,
``interrupted``, says a running run has stopped: its lease lapsed, or its process on this machine is
gone. Every read applies it (the run reads as 已中断 at once, before anything rewrote it), and
``recover`` writes it, with its audited event, when the platform next starts (`xinyong serve`,
`xinyong import`, `xinyong demo`, an upload).
"""

from __future__ import annotations

import datetime as dt
import logging
import secrets
import shutil
import tempfile
import threading
from pathlib import Path

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from xinyong.accounts.permissions import SYSTEM, Actor
from xinyong.jobs import lease
from xinyong.kit.clock import now
from xinyong.kit.errors import Conflict, Forbidden, NotFound, XinyongError
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
LEASE = dt.timedelta(seconds=60)  # renewed every 20 s while the import runs; a minute without: it stopped
INTERRUPTED = "导入被中断（进程已停止）。已导入的批次已保存；重新导入同一文件即可完成，已导入的行不会重复"
LEASE_LOST = "导入已被判定为中断（超过一分钟未能续期），已停止；已导入的批次已保存，请重新导入同一文件以完成"
INTERNAL = "导入时发生系统内部错误，已记录。已导入的批次已保存；请稍后重新导入同一文件，已导入的行不会重复"


def start(platform: Platform, actor: Actor, filename: str) -> int:
    """A new run held by this process. Runs that an earlier process left running are first written as
    interrupted: every way an import starts (`xinyong import`, an upload, the demo) starts here."""
    if actor.department_id is None:
        raise Forbidden("文件导入须以部门身份进行")
    recover(platform)
    at = now()
    with platform.uow(actor=actor) as session:
        run = ImportRun(department_id=actor.department_id, user_id=actor.user_id, filename=(filename or "")[:255] or "未命名",
                        status=RunStatus.RUNNING, holder=lease.this_process(), lease_until=at + LEASE, batches=0,
                        total=0, accepted=0, duplicates=0, rejected_count=0, held=0, rejected=[], warnings=[],
                        started_at=at, updated_at=at)
        session.add(run)
        session.flush()
        return run.id


def interrupted(run: ImportRun, at: dt.datetime) -> bool:
    """The one rule: a run marked running has stopped when its lease lapsed, or at once when the process
    holding it ran on this machine and is gone (killed, crashed, the server restarted)."""
    return run.status is RunStatus.RUNNING and (run.lease_until <= at or lease.gone(run.holder))


def recover(platform: Platform) -> list[int]:
    """Write as interrupted every run ``interrupted`` says has stopped, each with its audited event; the
    ids written. Called when the platform starts (the web app's start-up, and ``start``)."""
    at = now()
    with platform.uow(write=False) as session:
        running = session.scalars(select(ImportRun).where(ImportRun.status == RunStatus.RUNNING)).all()
        stopped = [r for r in running if interrupted(r, at)]
    written = []
    for seen in stopped:
        try:
            with platform.uow(actor=SYSTEM) as session:
                # only if nothing moved since it was judged: a batch or a renewal moves the lease, and another
                # process recovering the same run a moment earlier has changed its status
                done = session.execute(update(ImportRun).where(
                    ImportRun.id == seen.id, ImportRun.status == RunStatus.RUNNING,
                    ImportRun.lease_until == seen.lease_until).values(**_interrupted_state(seen)))
                if done.rowcount != 1:
                    continue
                run = session.get(ImportRun, seen.id, populate_existing=True)
                events.import_interrupted(session, run, SYSTEM)
            written.append(run.id)
            log.warning("导入记录 #%s 的进程已停止：标记为已中断（已提交 %s 批，%s 行）", run.id, run.batches, run.total)
        except Exception:  # the database busy: the reads are right anyway, and the next start tries again
            log.exception("导入记录 #%s：未能标记为已中断", seen.id)
    return written


def _interrupted_state(run: ImportRun) -> dict:
    """What an interrupted run says, the same whether read (``to_read``) or written (``recover``): its
    counts are those of its last committed batch (``checkpoint``), its end that batch's time."""
    return {"status": RunStatus.INTERRUPTED, "error": INTERRUPTED, "finished_at": run.updated_at}


def _counts(report: RowReport) -> dict:
    return {"total": report.total, "accepted": report.accepted, "duplicates": report.duplicates,
            "rejected_count": len(report.rejected), "held": report.held}


def checkpoint(session: Session, run_id: int, holder: str, counts: dict[str, int]) -> None:
    """In a batch's own transaction: the run's counts once the batch is in, one more batch, the lease
    renewed. A run this process no longer holds (judged interrupted) stops the import: the batch is
    rolled back with it, and the clerk has been told to import the file again."""
    at = now()
    done = session.execute(update(ImportRun).where(ImportRun.id == run_id, ImportRun.holder == holder,
                                                   ImportRun.status == RunStatus.RUNNING)
                           .values(**counts, batches=ImportRun.batches + 1, updated_at=at, lease_until=at + LEASE))
    if done.rowcount != 1:
        raise Conflict(LEASE_LOST)


def renew(platform: Platform, run_id: int, holder: str, at: dt.datetime) -> bool:
    with platform.uow() as session:
        done = session.execute(update(ImportRun).where(ImportRun.id == run_id, ImportRun.holder == holder,
                                                       ImportRun.status == RunStatus.RUNNING)
                               .values(lease_until=at + LEASE))
        return done.rowcount == 1


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


def fail(platform: Platform, run_id: int, message: str, *, actor: Actor, report: RowReport | None = None,
         status: RunStatus = RunStatus.FAILED) -> None:
    with platform.uow(actor=actor) as session:
        run = session.get(ImportRun, run_id)
        if run.status is not RunStatus.RUNNING:
            return  # already written as interrupted (its lease lapsed), with its event
        run.error = message
        # the counts: the last committed batch's (``checkpoint``), not the rows read since
        _end(session, run, None, status)
        if report is not None:  # the rows it counted: the first ones, rows are rejected in file order
            run.rejected = sorted(report.rejected, key=lambda r: r["row"])[:min(REJECTED_KEPT, run.rejected_count)]
            run.warnings = list(report.warnings)
        if status is RunStatus.INTERRUPTED:
            events.import_interrupted(session, run, actor)
        else:
            events.import_failed(session, run, actor)


def _end(session: Session, run: ImportRun, report: RowReport | None, status: RunStatus) -> None:
    if report is not None:
        for name, value in _counts(report).items():
            setattr(run, name, value)
        run.rejected = sorted(report.rejected, key=lambda r: r["row"])[:REJECTED_KEPT]
        run.warnings = list(report.warnings)
    run.status = status
    run.updated_at = run.finished_at = now()
    run.lease_until = run.finished_at  # an ended run holds nothing
    session.flush()


def execute(platform: Platform, run_id: int, path: str | Path, *, actor: Actor, on_progress=None) -> importer.ImportResult:
    """Import the file into the run, holding its lease: its counts with every batch, its end finished,
    failed or (Ctrl-C, SystemExit) interrupted."""
    seen: dict = {"report": None}

    def step(report: RowReport) -> None:
        seen["report"] = report
        if on_progress is not None:
            on_progress(report)

    with platform.uow(write=False) as session:
        run = session.get(ImportRun, run_id)
        filename, holder = run.filename, run.holder  # the upload's own name, not its temporary one

    def commit_point(session: Session, counts: dict[str, int]) -> None:
        checkpoint(session, run_id, holder, counts)

    try:
        with lease.Heartbeat(platform, f"导入记录 #{run_id}", holder, ttl=LEASE,
                             renew_with=lambda at: renew(platform, run_id, holder, at)):
            result = importer.import_file(platform, path, actor=actor, progress=step, source=filename, run_id=run_id,
                                          checkpoint=commit_point)
            finish(platform, run_id, result, actor=actor)
    except BaseException as exc:
        status = RunStatus.FAILED
        if isinstance(exc, XinyongError):
            message = exc.message
        elif isinstance(exc, Exception):
            log.exception("import run %s failed", run_id)
            message = INTERNAL
        else:  # KeyboardInterrupt, SystemExit
            message, status = INTERRUPTED, RunStatus.INTERRUPTED
        try:
            fail(platform, run_id, message, actor=actor, report=seen["report"], status=status)
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


def to_read(run: ImportRun, *, at: dt.datetime | None = None) -> ImportRunRead:
    """The run as of now: one whose process has stopped reads as interrupted (``interrupted``), exactly
    as ``recover`` will write it, without writing anything here."""
    state = {"status": run.status, "error": run.error, "finished_at": run.finished_at}
    if interrupted(run, at or now()):
        state = _interrupted_state(run)
    return ImportRunRead(
        id=run.id, department_id=run.department_id, department=run.department.name, user_id=run.user_id,
        filename=run.filename, format=run.format, format_label=FORMAT_LABELS.get(run.format or ""), encoding=run.encoding,
        status_label=RUN_STATUS_LABELS[state["status"]], total=run.total, accepted=run.accepted,
        duplicates=run.duplicates, rejected_count=run.rejected_count, held=run.held, rejected=list(run.rejected or []),
        warnings=list(run.warnings or []), has_errors_xlsx=bool(run.errors_token) and _errors_file(run.errors_token).exists(),
        batches=run.batches, started_at=run.started_at, updated_at=run.updated_at, **state)
