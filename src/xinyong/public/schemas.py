"""What the public sees (R-PUB-1; SPEC §18 ``GET /api/v1/public/entities/{code}``): public fields only."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, ConfigDict, Field

from xinyong.entities.models import EntityKind
from xinyong.kit.schemas import Page


class PublicEntitySummary(BaseModel):
    """One search result: an organisation (natural persons are never listed)."""

    code: str  # the USCC
    name: str
    kind: EntityKind
    kind_label: str
    region: str | None
    status: str


class PublicSearchPage(Page[PublicEntitySummary]):
    more: bool = False  # more matches than ``total`` counts; the visitor should narrow the query


class PublicField(BaseModel):
    name: str
    label: str
    value: str


class PublicRecord(BaseModel):
    id: int = Field(description="the record (its current version): what an objection about it names")
    info_type: str
    info_type_name: str
    category: str
    category_label: str
    document_number: str
    decision_date: dt.date
    authority: str
    publicity_start: dt.date
    publicity_end: dt.date | None  # none: public while the record is valid
    validity_end: dt.date | None
    publicity_note: str | None = None  # why it is still public past its end (an unfulfilled penalty)
    fields: list[PublicField] = Field(default_factory=list)
    under_objection: bool = Field(False, description="异议处理中: an objection or appeal about it is being handled; "
                                                     "it is still published meanwhile (R-OBJ-3)")
    disputed: bool = Field(False, description="an objection that could not be confirmed stays on the record "
                                               "(存在异议，经核查无法确认)")


class PublicListEntry(BaseModel):
    id: int
    list: str
    list_label: str
    exchange_code: int
    basis_label: str
    basis_text: str
    document_number: str | None
    started_on: dt.date
    planned_end: dt.date | None
    under_objection: bool = Field(False, description="异议处理中 (R-OBJ-3)")


class PublicGrade(BaseModel):
    grade: str
    grade_label: str
    as_of: dt.date
    model: str


class PublicEntity(BaseModel):
    """SPEC §18: keys at least ``code``, ``name``, ``lists``, ``records``. ``code`` is the USCC, or for
    a natural person the masked ID number; ``link`` is what its public page's URL carries (a USCC,
    or for a person an opaque id: an ID number never goes into a URL)."""

    code: str
    link: str
    name: str
    kind: EntityKind
    kind_label: str
    region: str | None
    status: str
    id_number_masked: str | None = None
    lists: list[str] = Field(default_factory=list, description="red, black: the public lists the entity is on")
    list_entries: list[PublicListEntry] = Field(default_factory=list)
    grade: PublicGrade | None = Field(None, description="only where the credit office publishes results (R-PUB-7)")
    records: list[PublicRecord] = Field(default_factory=list)
    as_of: dt.date


class LookupBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    id_number: str = Field(max_length=40)
