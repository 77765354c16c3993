"""Joint actions over the API: what an initiator sends, what a department answers, what everyone reads."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pydantic import BaseModel, Field

from xinyong.lists.models import ListKind


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
