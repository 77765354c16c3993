from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, ConfigDict, Field

from xinyong.kit.schemas import IsoDate

from .models import AppealOutcome, Finding, Ground, Outcome, ReviewKind, Target


class ObjectionCreate(BaseModel):
    """An objection in writing (000 §23). One of ``record_id`` (the default target), ``list_entry_id``,
    or ``target: "grade"`` (the entity's grading result in force)."""

    model_config = ConfigDict(extra="forbid")

    target: Target = Target.RECORD
    record_id: int | None = Field(default=None, ge=1, le=2**31 - 1)
    list_entry_id: int | None = Field(default=None, ge=1, le=2**31 - 1)
    ground: Ground
    statement: str = Field(max_length=4000)


class VerificationIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    finding: Finding
    reason: str = Field(max_length=4000)


class DecisionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    outcome: Outcome
    reason: str = Field(max_length=4000)


class AppealIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    statement: str = Field(max_length=4000)


class AppealDecisionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    outcome: AppealOutcome
    reason: str = Field(max_length=4000)


class ReviewIn(BaseModel):
    """行政复议 or 行政诉讼 the applicant brought after the appeal: recorded with its date."""

    model_config = ConfigDict(extra="forbid")

    kind: ReviewKind
    filed_on: IsoDate


class ReviewResultIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    result: str = Field(max_length=4000)
    closed_on: IsoDate


class EvidenceRead(BaseModel):
    id: int
    stage: str
    stage_label: str
    filename: str
    media_type: str
    size: int
    sha256: str
    uploaded_at: dt.datetime


class Deadline(BaseModel):
    """One deadline as of the day it is read: the date (null while a year it needs is not loaded),
    working days left (negative: working days overdue), and whether it is met."""

    due: dt.date | None
    workdays_left: int | None
    overdue: bool
    done_on: dt.date | None = None
    note: str = Field(description="如「剩余3个工作日」「已逾期2个工作日」「无法计算：2027年放假安排未载入」")


class ObjectionRead(BaseModel):
    id: int
    target: str
    target_label: str
    entity_code: str
    entity_name: str
    record_id: int | None
    lineage: str | None
    current_record_id: int | None = Field(description="the record's current version (a correction is a new one)")
    document_number: str | None
    info_type_name: str | None
    list_entry_id: int | None
    list_label: str | None
    grade: str | None
    score: int | None
    department_id: int | None
    department: str | None = Field(description="the department that verifies; null: the credit office itself")
    applicant: str
    applicant_department_id: int | None
    ground: str
    ground_label: str
    statement: str
    status: str
    status_label: str
    open: bool = Field(description="the information is marked 异议处理中 (R-OBJ-3)")
    received_on: dt.date
    decide_by: dt.date | None
    verify_by: dt.date | None
    decision_deadline: Deadline
    verification_deadline: Deadline | None
    suspended: bool = Field(description="public query stopped: the department missed verify_by (R-OBJ-4)")
    finding: str | None
    finding_label: str | None
    finding_reason: str | None
    verified_on: dt.date | None
    outcome: str | None = Field(description="the credit office's decision, as its notice said")
    upheld: bool = Field(description="the objection stands: upheld by the credit office, or by the committee on appeal")
    outcome_label: str | None
    decision_reason: str | None
    decided_on: dt.date | None
    notice_number: str | None
    correct_by: dt.date | None
    corrected: bool | None = Field(description="upheld about a record: a new version of it is in force")
    correction_deadline: Deadline | None
    appeal_by: dt.date | None
    appealable: bool
    appealed_on: dt.date | None
    appeal_statement: str | None
    appeal_outcome: str | None
    appeal_outcome_label: str | None
    appeal_reason: str | None
    appeal_decided_on: dt.date | None
    review_kind: str | None
    review_kind_label: str | None
    review_filed_on: dt.date | None
    review_result: str | None
    review_closed_on: dt.date | None
    withdrawn_on: dt.date | None
    evidence: list[EvidenceRead]
    applied_at: dt.datetime


class TimelineStep(BaseModel):
    at: dt.datetime = Field(description="when the platform wrote the step")
    on: dt.date | None = Field(default=None, description="the day the step counts as taken (received, decided …), "
                               "where it has one; a step recorded later keeps its own day")
    action: str
    label: str
    actor: str


class DepartmentTally(BaseModel):
    """000 §29, 001 管理办法 §33: a department's handling of objections, for its assessment."""

    department_id: int
    department: str
    received: int
    verified: int
    verified_on_time: int
    verified_late: int
    overdue_open: int
    upheld: int
