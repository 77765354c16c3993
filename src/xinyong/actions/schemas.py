"""Joint actions over the API: what an initiator sends, what a department answers, what everyone reads."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pydantic import BaseModel, Field

from xinyong.lists.models import ListKind

from .models import URGE_NOTE_MAX


class ActionCreate(BaseModel):
    entity_code: str = Field(description="统一社会信用代码或公民身份号码")
    entry_id: int | None = Field(None, description="依据的名单记录编号；不填时按 list_kind 取该主体现行的唯一一条")
    list_kind: ListKind | None = Field(None, description="依据的名单（red / key_attention / black）")
    measure_codes: list[str] = Field(min_length=1, max_length=100, description="所选措施代码（须为该主体适用的措施）")
    department_ids: list[int] = Field(default_factory=list, max_length=200,
                                      description="实施部门；措施清单写明“各行政部门”或未能对应到平台部门的措施由这些部门实施")
    reason: str = Field(max_length=2000, description="发起说明")


class TaskAnswer(BaseModel):
    status: Literal["executed", "not_applicable"]
    note: str = Field("", max_length=2000, description="执行情况；不适用时必须写明理由")


class LiftAck(BaseModel):
    note: str = Field("", max_length=2000, description="解除说明")


class UrgeCreate(BaseModel):
    note: str = Field("", max_length=URGE_NOTE_MAX, description="催办说明（可选，至多 500 字）")


class UrgeRead(BaseModel):
    id: int
    reason: str
    reason_label: str
    note: str | None
    urged_by: str = Field(description="催办人")
    urger_department: str = Field(description="催办部门")
    urged_on: dt.date
    urged_at: dt.datetime


class AnswerRevisionRead(BaseModel):
    """An answer later corrected (更正反馈); the task itself carries the latest answer."""

    status: str
    status_label: str
    note: str | None
    answered_on: dt.date | None
    answered_by: str = Field(description="原反馈人")
    replaced_on: dt.date
    replaced_by: str = Field(description="更正人")


class TaskRead(BaseModel):
    id: int
    department_id: int
    department: str
    measures: list[dict[str, Any]]
    status: str
    status_label: str
    note: str | None
    answered_on: dt.date | None
    overdue: bool
    overdue_workdays: int | None = None
    lift_due: bool
    lift_acknowledged_on: dt.date | None
    lift_note: str | None
    urgeable: bool = Field(False, description="可催办：逾期未反馈，或依据终止后未确认解除")
    urge_count: int = 0
    last_urged_at: dt.datetime | None = None
    urges: list[UrgeRead] = Field(default_factory=list, description="催办记录，先后为序")
    correctable: bool = Field(False, description="可更正反馈：已反馈、依据仍有效且未确认解除")
    history: list[AnswerRevisionRead] = Field(default_factory=list, description="被更正前的反馈，先后为序")


class ActionRead(BaseModel):
    id: int
    entity_code: str
    entity_name: str
    kind: str
    kind_label: str
    list_kind: str
    list_label: str
    list_entry_id: int
    initiator_department: str
    initiator_department_id: int | None
    reason: str
    initiated_on: dt.date
    due_by: dt.date | None
    measures: list[dict[str, Any]]
    related: list[dict[str, Any]]
    basis_in_force: bool
    basis_ended_on: dt.date | None
    tasks: list[TaskRead]
    answered: int
    overdue: int
    lifts_outstanding: int
