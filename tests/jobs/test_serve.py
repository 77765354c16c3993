"""`xinyong serve` runs the scheduler for as long as the app serves (SPEC §18)."""

import threading
import time

from fastapi.testclient import TestClient
from sqlalchemy import select

from xinyong.jobs.models import JobRun, RunStatus, Trigger
from xinyong.kit.platform import Platform
from xinyong.web.app import create_app


def test_the_app_starts_the_scheduler_and_stops_it_on_shutdown(settings, uow):
    p = Platform.create(settings.model_copy(update={"scheduler": True}))
    try:
        with TestClient(create_app(p), base_url="http://127.0.0.1"):
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline:
                with uow(write=False) as s:
                    runs = s.scalars(select(JobRun).where(JobRun.job == "audit.checkpoint")).all()
                if runs and runs[0].status is not RunStatus.RUNNING:
                    break
                time.sleep(0.1)
        [run] = runs
        assert run.trigger is Trigger.SCHEDULE and run.status is RunStatus.SUCCEEDED
        alive = [t.name for t in threading.enumerate() if t.name == "xinyong-scheduler"]
        assert alive == []
    finally:
        p.dispose()
