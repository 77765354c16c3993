from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, ConfigDict, Field

from xinyong.kit.schemas import IsoDate
from xinyong.records.schemas import RecordRead

from .models import Outcome, Target


class ConsentCreate(BaseModel):
    """An entity's written consent (001 管理办法 §20): who, what for, for how long."""

    model_config = ConfigDict(extra="forbid")
    grantee_uscc: str = Field(max_length=40)
    grantee_name: str = Field("", max_length=400)
    purpose: str = Field(max_length=4000)
    valid_from: IsoDate | None = None  # today when not given
    valid_to: IsoDate
    info_types: list[str] = Field(default_factory=list, max_length=50)  # empty: every non-public type


class ConsentRead(BaseModel):
    id: int
    entity_id: int
    entity_name: str
    grantee_uscc: str
    grantee_name: str
    on_platform: bool  # the party is a department on the platform, which uses it itself
    purpose: str
    info_types: list[str]
    info_type_names: list[str]
    valid_from: dt.date
    valid_to: dt.date
    status: str  # pending / active / expired / revoked
    status_label: str
    granted_at: dt.datetime
    revoked_at: dt.datetime | None
    uses: int = 0


class QueryLogRead(BaseModel):
    seq: int
    at: dt.datetime
    actor: str
    actor_role: str
    actor_role_label: str
    department: str | None
    entity_id: int | None
    entity: str | None
    target: Target
    target_label: str
    record_id: int | None
    duty: str | None
    duty_label: str | None
    matter: str | None
    consent_id: int | None
    outcome: Outcome
    outcome_label: str
    reason: str | None
    path: str


class ConsentUse(BaseModel):
    """What an entity sees of one use of its consent: who (the department, not the clerk), when, how it went."""

    at: dt.datetime
    party: str
    matter: str | None
    outcome: Outcome
    outcome_label: str
    reason: str | None


class FileView(BaseModel):
    """One entity's credit file as one reader sees it, and on what ground (R-PUB-2, R-PUB-3)."""

    entity_id: int
    records: list[RecordRead]
    non_public: bool  # shows information that is not public (a logged read)
    duty: str | None = None
    duty_label: str | None = None
    consent_id: int | None = None
    notice: str | None = None
    refused: list[str] = Field(default_factory=list)
