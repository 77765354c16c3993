from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, ConfigDict

from xinyong.kit.schemas import IsoDate, Page

from .models import EntityKind, RelatedRole


class RelatedPersonCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    role: RelatedRole
    name: str
    id_number: str | None = None
    position: str | None = None
    share_percent: str | None = None


class EntityCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: EntityKind | None = None  # inferred from the code when absent
    uscc: str | None = None
    id_number: str | None = None
    name: str
    legal_representative: str | None = None
    industry: str | None = None
    region: str | None = None
    address: str | None = None
    registered_capital: str | None = None
    established_on: IsoDate | None = None
    status: str | None = None
    registration_authority: str | None = None
    related_persons: list[RelatedPersonCreate] = []


class RelatedPersonRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    role: RelatedRole
    role_label: str
    name: str
    id_number_masked: str | None
    position: str | None
    share_percent: str | None


class EntityRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    code: str
    kind: EntityKind
    kind_label: str
    uscc: str | None
    id_number_masked: str | None
    name: str
    legal_representative: str | None
    industry: str | None
    industry_label: str | None
    region: str | None
    address: str | None
    registered_capital: str | None
    established_on: dt.date | None
    status: str
    registration_authority: str | None
    related_persons: list[RelatedPersonRead] = []


class EntitySummary(BaseModel):
    id: int
    code: str
    kind: EntityKind
    kind_label: str
    name: str
    legal_representative: str | None
    industry_label: str | None
    status: str


class EntityPage(Page[EntitySummary]):
    more: bool = False  # more matches than ``total`` counts (name_index.CAP)
