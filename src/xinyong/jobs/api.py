from __future__ import annotations

from fastapi import BackgroundTasks, Request

from xinyong.accounts.permissions import Permission
from xinyong.kit.errors import Conflict
from xinyong.kit.schemas import Page
from xinyong.web.deps import DB, Limit, Offset, allowed, api_router, reads_only
from xinyong.web.openapi import CONFLICT

from . import lease, service
from .registry import REGISTRY
from .runner import start_in_background
from .schemas import JobRead, JobRunRead

router = api_router(tags=["jobs 定时任务"])
Viewer = allowed(Permission.JOB_READ)
Runner = allowed(Permission.JOB_RUN)


@router.get("/jobs")
def jobs(session: DB, actor: Viewer) -> list[JobRead]:
    """Every registered job with its schedule, whether it is due or running now, and its last run."""
    return service.overview(session)


@router.get("/jobs/{name}/runs")
def job_runs(name: str, session: DB, actor: Viewer, offset: Offset = 0, limit: Limit = 20) -> Page[JobRunRead]:
    """The job's runs, newest first."""
    return service.runs(session, name, offset=offset, limit=limit)


@router.post("/jobs/{name}/run", status_code=202, responses=CONFLICT)
@reads_only  # the run records itself in units of work of its own, after this request has answered
def run_now(name: str, request: Request, session: DB, actor: Runner, background: BackgroundTasks) -> dict:
    """Start the job now in the background; its run appears under /jobs/{name}/runs."""
    job = REGISTRY.get(name)
    if lease.live(session, job.name) is not None:
        raise Conflict(f"任务「{job.label}」正在运行，请稍后再试")
    background.add_task(start_in_background, request.app.state.platform, job.name, triggered_by=actor.label)
    return {"job": job.name, "label": job.label, "started": True}
