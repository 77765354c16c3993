from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from .models import HeldStatus, RunStatus


class ImportRunRead(BaseModel):
    id: int
    department_id: int
    department: str
    user_id: int | None
    filename: str
    format: str | None
    format_label: str | None
    encoding: str | None
    status: RunStatus
    status_label: str
    total: int
    accepted: int
    duplicates: int
    rejected_count: int
    held: int
    rejected: list[dict[str, Any]]  # the first REJECTED_KEPT {row, reason}
    warnings: list[str]
    error: str | None
    has_errors_xlsx: bool
    batches: int  # batches committed: how far an interrupted run got
    started_at: dt.datetime
    updated_at: dt.datetime
    finished_at: dt.datetime | None


class Candidate(BaseModel):
    """An entity a held row may belong to; a person's ID number is shown masked."""

    id: int
    name: str
    code: str
    kind_label: str
    legal_representative: str | None
    region: str | None
    address: str | None
    status: str
    same_name: bool  # its normalised name is the row's


class HeldRowRead(BaseModel):
    id: int
    import_run_id: int | None
    department_id: int
    department: str
    format: str
    format_label: str
    row_number: int
    raw: dict[str, Any]
    party_name: str
    reason: str
    candidate_ids: list[int]
    status: HeldStatus
    status_label: str
    decided_at: dt.datetime | None
    decision_reason: str | None
    record_id: int | None
    created_at: dt.datetime


class MatchIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    entity_id: int = Field(ge=1, le=2**31 - 1)


class DismissIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    reason: str
