from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import BaseModel, ConfigDict


class AuditEventRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    seq: int
    at: dt.datetime
    actor: str
    action: str
    subject_type: str | None
    subject_id: str | None
    detail: dict[str, Any]
    changes: list[list[Any]]
    hash: str
