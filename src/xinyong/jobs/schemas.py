from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import BaseModel, ConfigDict

from .models import RunStatus, Trigger


class JobRunRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    job: str
    trigger: Trigger
    status: RunStatus
    started_at: dt.datetime
    finished_at: dt.datetime | None
    duration_seconds: float | None
    summary: dict[str, Any] | None
    error: str | None
    holder: str
    triggered_by: str | None


class JobRead(BaseModel):
    name: str
    label: str
    description: str
    schedule: str
    next_run_at: dt.datetime
    due: bool  # has not yet succeeded in its current slot
    running: bool  # some process holds its lease now
    last_run: JobRunRead | None
