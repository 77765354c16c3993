from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, Field

from xinyong.kit.schemas import IsoDate

from .models import EndReason, ListKind


class ListEntryRead(BaseModel):
    id: int
    entity_code: str
    entity_name: str
    list: str = Field(description="red, key_attention or black")
    list_label: str
    exchange_code: int = Field(description="信用中国 list category code: 2 red, 4 key attention, 8 black (SPEC §17)")
    basis: str = Field(description="grading or determination")
    basis_label: str
    basis_text: str
    document_number: str | None
    department: str | None
    started_on: dt.date
    planned_end: dt.date | None = Field(description="null: follows the grading result")
    ended_on: dt.date | None
    end_reason: str | None
    in_force: bool
    # 异议处理中 (R-OBJ-3, §19): an objection or appeal about the entry is being handled; the entry still applies,
    # and is still public unless its department let the verification deadline pass (``suspended``, R-OBJ-4)
    under_objection: bool = False
    objection_id: int | None = None
    suspended: bool = False


class DeterminationCreate(BaseModel):
    entity_code: str = Field(description="USCC or ID number")
    list: ListKind
    basis_text: str = Field(max_length=2000, description="认定依据：法律、法规、规章条款及认定事实")
    document_number: str = Field(max_length=100)
    decided_on: IsoDate
    planned_end: IsoDate | None = None


class EntryEnd(BaseModel):
    reason: EndReason
    note: str = Field(max_length=2000)
