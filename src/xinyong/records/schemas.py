from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from xinyong.kit.schemas import IsoDate

from .models import Channel, Fulfilment, Status
from .periods import Severity


class RecordCreate(BaseModel):
    """What a department submits. ``content`` holds the type's own fields (catalog); the legal
    document (R-COL-4) is always at the top level."""

    model_config = ConfigDict(extra="forbid")
    info_type: str
    entity_code: str
    document_number: str
    decision_date: IsoDate
    authority: str
    severity: Severity | None = None
    content: dict[str, Any] = Field(default_factory=dict)
    valid_to: IsoDate | None = None
    publicity_end: IsoDate | None = None
    is_pre_warning: bool = False
    final_deadline: IsoDate | None = None
    draft: bool = False


class RecordChange(BaseModel):
    """A correction or a resubmission after return: all optional (exclude_unset), plus why."""

    model_config = ConfigDict(extra="forbid")
    document_number: str | None = None
    decision_date: IsoDate | None = None
    authority: str | None = None
    severity: Severity | None = None
    content: dict[str, Any] | None = None
    valid_to: IsoDate | None = None
    publicity_end: IsoDate | None = None
    reason: str


class RecordRead(BaseModel):
    id: int
    lineage: str
    version: int
    is_current: bool
    status: Status
    status_label: str
    channel: Channel
    info_type: str
    info_type_name: str
    info_type_version: int
    category: str
    entity_id: int
    entity_code: str
    entity_name: str
    department: str
    is_pre_warning: bool
    final_deadline: dt.date | None
    document_number: str
    decision_date: dt.date
    authority: str
    severity: Severity | None
    content: dict[str, Any]
    public: bool
    publicity_start: dt.date
    publicity_end: dt.date | None
    validity_end: dt.date | None
    due_by: dt.date | None
    late_workdays: int | None
    reason: str | None
    submitted_at: dt.datetime | None
    reviewed_at: dt.datetime | None
    record_year: int  # the record-keeping year it was recorded in (R-COL-6)
    in_history: bool  # that year has closed: the record is in the history records
    in_force: bool  # it counts today (visibility.is_counting), history or not
    public_now: bool  # anyone may see it today (visibility.is_public)
    fulfilment: Fulfilment  # a penalty carried out or not (§63), as its department told
    fulfilled_on: dt.date | None
    # 异议处理中 (R-OBJ-3, §19): an objection or appeal about this record is being handled; it is still used
    # and published, unless its department let the verification deadline pass (``suspended``, R-OBJ-4)
    under_objection: bool = False
    objection_id: int | None = None
    objection_status_label: str | None = None
    suspended: bool = False
    # an objection that could not be confirmed: it stays on the record with the department's finding (000 §25)
    disputed_finding: str | None = None


class BatchResult(BaseModel):
    accepted: list[int]
    rejected: list[dict[str, Any]]
    duplicates: list[dict[str, Any]]
