"""Running jobs: once (`xinyong jobs run`, the 「立即运行」 button) or on schedule by the
``Scheduler`` thread inside `xinyong serve`. Every run holds the job's lease, is recorded, and
ends as succeeded or failed with its reason; a failing job never stops the process or the others."""

from __future__ import annotations

import datetime as dt
import json
import logging
import threading
import time
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from xinyong.kit import clock
from xinyong.kit.errors import Conflict, XinyongError
from xinyong.kit.platform import Platform

from . import lease
from .models import JobRun, RunStatus, Trigger
from .registry import REGISTRY, Job, Registry

log = logging.getLogger("xinyong.jobs")
# A failed scheduled run is tried again after this pause, not on every tick, and at the latest in the next slot.
RETRY_AFTER = dt.timedelta(minutes=10)
TICK_SECONDS = 5.0
ABANDONED = "运行中断：执行进程已退出，租约过期后由其他进程接手"


def is_due(session: Session, job: Job, now: dt.datetime, *, holder: str | None = None) -> bool:
    """Not yet succeeded since the current slot began, not failed within RETRY_AFTER, and not held
    by a live process other than ``holder``."""
    slot = job.schedule.slot(now)
    held = lease.live(session, job.name, now)
    if held is not None and held.holder != holder:
        return False
    rows = session.execute(select(JobRun.status, JobRun.started_at).where(
        JobRun.job == job.name, JobRun.started_at >= slot, JobRun.status != RunStatus.RUNNING)).all()
    if any(r.status is RunStatus.SUCCEEDED for r in rows):
        return False
    return not any(r.started_at > now - RETRY_AFTER for r in rows)


def _error_text(exc: BaseException) -> str:
    if isinstance(exc, XinyongError):
        return exc.message
    return f"{type(exc).__name__}: {exc}"[:4000]


def _json_safe(summary: Any) -> dict | None:
    if summary is None:
        return None
    if not isinstance(summary, dict):
        summary = {"result": summary}
    return json.loads(json.dumps(summary, ensure_ascii=False, default=str))


def run_job(platform: Platform, name: str, *, trigger: Trigger = Trigger.MANUAL, now: dt.datetime | None = None,
            holder: str | None = None, triggered_by: str | None = None, registry: Registry = REGISTRY) -> JobRun | None:
    """Run one job now and return its recorded run.

    A manual run of a job another process is running is refused (Conflict); a scheduled one is
    skipped (None), as is a scheduled one that another process finished a moment ago."""
    job = registry.get(name)
    holder = holder or lease.new_holder()
    started, t0 = now or clock.now(), time.monotonic()

    def at() -> dt.datetime:  # the run's own clock: ``now`` when given, moved on by the real time spent
        return started + dt.timedelta(seconds=time.monotonic() - t0)

    if not lease.acquire(platform, job.name, holder, ttl=job.lease, now=started):
        if trigger is Trigger.MANUAL:
            raise Conflict(f"任务「{job.label}」正在另一进程中运行，请稍后再试")
        return None
    try:
        with platform.uow() as session:
            # We hold the lease, so a run still marked running lost its process.
            session.execute(update(JobRun).where(JobRun.job == job.name, JobRun.status == RunStatus.RUNNING)
                            .values(status=RunStatus.FAILED, error=ABANDONED))
            if trigger is Trigger.SCHEDULE and not is_due(session, job, started, holder=holder):
                return None
            run = JobRun(job=job.name, trigger=trigger, status=RunStatus.RUNNING, started_at=started, holder=holder,
                         triggered_by=triggered_by)
            session.add(run)
            session.flush()
            run_id = run.id
        log.info("任务 %s 开始运行（%s）", job.name, trigger.value)
        summary, error = None, None
        with lease.Heartbeat(platform, job.name, holder, ttl=job.lease, now=at):
            try:
                summary = _json_safe(job.fn(platform, now=started))
            except BaseException as exc:  # recorded, then the process carries on (or stops, when asked to)
                error = _error_text(exc)
                log.exception("任务 %s 运行失败", job.name)
                if not isinstance(exc, Exception):
                    _finish(platform, run_id, at(), None, error)
                    raise
        return _finish(platform, run_id, at(), summary, error)
    finally:
        try:
            lease.release(platform, job.name, holder)
        except Exception:  # it expires by itself
            log.exception("任务 %s 的租约释放失败", job.name)


def _finish(platform: Platform, run_id: int, finished: dt.datetime, summary: dict | None, error: str | None) -> JobRun:
    with platform.uow() as session:
        run = session.get(JobRun, run_id)
        run.status = RunStatus.FAILED if error is not None else RunStatus.SUCCEEDED
        run.finished_at, run.summary, run.error = finished, summary, error
        return run


class Scheduler:
    """Wakes every few seconds and runs the jobs that are due, one after another. Started with the
    web app (`xinyong serve`, `xinyong demo`) unless XINYONG_SCHEDULER=false; several processes
    may run one each, the leases keep them from doubling any job."""

    def __init__(self, platform: Platform, *, registry: Registry = REGISTRY, tick: float = TICK_SECONDS,
                 holder: str | None = None) -> None:
        self.platform, self.registry, self.tick = platform, registry, tick
        self.holder = holder or lease.new_holder()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def run_pending(self, now: dt.datetime | None = None) -> list[JobRun]:
        """One tick: run every job that is due, each at its own start time unless ``now`` pins it."""
        done = []
        for job in self.registry.all():
            if self._stop.is_set():
                break
            at = now or clock.now()
            try:
                with self.platform.uow(write=False) as session:
                    due = is_due(session, job, at, holder=self.holder)
                if due:
                    run = run_job(self.platform, job.name, trigger=Trigger.SCHEDULE, now=at, holder=self.holder,
                                  registry=self.registry)
                    if run is not None:
                        done.append(run)
            except Exception:  # the database away for a moment: the next tick tries again
                log.exception("调度任务 %s 时出错", job.name)
        return done

    def _loop(self) -> None:
        log.info("定时任务调度已启动（%s）", self.holder)
        while not self._stop.is_set():
            self.run_pending()
            self._stop.wait(self.tick)
        log.info("定时任务调度已停止")

    def start(self) -> Scheduler:
        if self._thread is None or not self._thread.is_alive():
            self._stop.clear()
            self._thread = threading.Thread(target=self._loop, name="xinyong-scheduler", daemon=True)
            self._thread.start()
        return self

    def stop(self, timeout: float | None = 60) -> bool:
        """Let the job under way finish (it is never cut off half-way); True when the thread ended."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)
            return not self._thread.is_alive()
        return True

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()


# Runs started by a person (the page, the API) go to a thread of their own, after the request commits.
_background: set[threading.Thread] = set()
_background_lock = threading.Lock()


def start_in_background(platform: Platform, name: str, *, triggered_by: str | None = None,
                        registry: Registry = REGISTRY) -> threading.Thread:
    registry.get(name)  # an unknown name is refused now, not in the thread

    def target() -> None:
        try:
            run_job(platform, name, trigger=Trigger.MANUAL, triggered_by=triggered_by, registry=registry)
        except Conflict as exc:
            log.warning("%s", exc.message)
        except Exception:
            log.exception("手动运行任务 %s 时出错", name)
        finally:
            with _background_lock:
                _background.discard(threading.current_thread())

    thread = threading.Thread(target=target, name=f"xinyong-job-{name}", daemon=True)
    with _background_lock:
        _background.add(thread)
    thread.start()
    return thread


def wait_for_background(timeout: float | None = None) -> bool:
    """Wait for the runs started by people (shutdown, tests); True when none is left."""
    deadline = None if timeout is None else time.monotonic() + timeout
    while True:
        with _background_lock:
            threads = list(_background)
        if not threads:
            return True
        for t in threads:
            t.join(None if deadline is None else max(0.0, deadline - time.monotonic()))
        if deadline is not None and time.monotonic() >= deadline:
            with _background_lock:
                return not _background
