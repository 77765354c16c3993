"""定时任务 for the credit office: each job's schedule and latest runs, and 「立即运行」."""

from __future__ import annotations

from fastapi import BackgroundTasks, Request
from fastapi.responses import RedirectResponse

from xinyong.accounts.permissions import Permission
from xinyong.kit.errors import Conflict, XinyongError
from xinyong.web.deps import DB, allowed, page_router, reads_only
from xinyong.web.templating import render

from . import lease, service
from .models import STATUS_LABELS, TRIGGER_LABELS
from .registry import REGISTRY
from .runner import start_in_background

router = page_router()
Viewer = allowed(Permission.JOB_READ)
Runner = allowed(Permission.JOB_RUN)
RUNS_SHOWN = 10


def _page(request: Request, session, actor, *, started: str = "", error: XinyongError | None = None, status: int = 200):
    jobs = service.overview(session)
    runs = {j.name: [service.run_read(r) for r in service.recent_runs(session, j.name, limit=RUNS_SHOWN)] for j in jobs}
    started_job = next((j for j in jobs if j.name == started), None)
    return render(request, "jobs/index.html", {
        "jobs": jobs, "runs": runs, "started": started_job, "error": error, "status_labels": STATUS_LABELS,
        "trigger_labels": TRIGGER_LABELS, "can_run": actor.can(Permission.JOB_RUN)}, status=status)


@router.get("/jobs")
def jobs_page(request: Request, session: DB, actor: Viewer, started: str = ""):
    return _page(request, session, actor, started=started)


@router.post("/jobs/{name}/run")
@reads_only  # the run records itself in units of work of its own, after this request has answered
def run_now(request: Request, session: DB, actor: Runner, name: str, background: BackgroundTasks):
    job = REGISTRY.get(name)
    if lease.live(session, job.name) is not None:
        return _page(request, session, actor, error=Conflict(f"任务「{job.label}」正在运行，请稍后再试"), status=409)
    background.add_task(start_in_background, request.app.state.platform, job.name, triggered_by=actor.label)
    return RedirectResponse(f"/jobs?started={job.name}", status_code=303)
