"""What the credit office sees of the jobs: each with its schedule and its latest runs."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from xinyong.kit import clock
from xinyong.kit.schemas import Page

from . import lease
from .models import JobRun
from .registry import REGISTRY, Job, Registry
from .runner import is_due
from .schemas import JobRead, JobRunRead


def run_read(run: JobRun) -> JobRunRead:
    duration = run.duration
    return JobRunRead.model_validate({
        "id": run.id, "job": run.job, "trigger": run.trigger, "status": run.status, "started_at": run.started_at,
        "finished_at": run.finished_at, "duration_seconds": round(duration.total_seconds(), 3) if duration else None,
        "summary": run.summary, "error": run.error, "holder": run.holder, "triggered_by": run.triggered_by})


def recent_runs(session: Session, name: str, *, limit: int = 10) -> list[JobRun]:
    return list(session.scalars(select(JobRun).where(JobRun.job == name)
                                .order_by(JobRun.started_at.desc(), JobRun.id.desc()).limit(limit)))


def describe(session: Session, job: Job, *, now: dt.datetime | None = None) -> JobRead:
    now = now or clock.now()
    last = recent_runs(session, job.name, limit=1)
    return JobRead(name=job.name, label=job.label, description=job.description, schedule=job.schedule.label,
                   next_run_at=job.schedule.next_after(now), due=is_due(session, job, now),
                   running=lease.live(session, job.name, now) is not None,
                   last_run=run_read(last[0]) if last else None)


def overview(session: Session, *, registry: Registry = REGISTRY, now: dt.datetime | None = None) -> list[JobRead]:
    return [describe(session, job, now=now) for job in registry.all()]


def runs(session: Session, name: str, *, offset: int = 0, limit: int = 20,
         registry: Registry = REGISTRY) -> Page[JobRunRead]:
    registry.get(name)  # NotFound names the jobs there are
    total = session.scalar(select(func.count()).select_from(JobRun).where(JobRun.job == name))
    rows = session.scalars(select(JobRun).where(JobRun.job == name)
                           .order_by(JobRun.started_at.desc(), JobRun.id.desc()).offset(offset).limit(limit))
    return Page[JobRunRead](items=[run_read(r) for r in rows], total=total, offset=offset, limit=limit)
