from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import BaseModel, ConfigDict

from .matching import Kind


class TriggerIn(BaseModel):
    """Every condition given must hold; a measure applies when any of its triggers holds."""

    model_config = ConfigDict(extra="forbid", protected_namespaces=())
    model: str | None = None  # the grading model whose grades are named (etdz_reference …)
    grades: list[str] = []
    lists: list[str] = []  # red, black, key_attention
    above: float | None = None  # score strictly above
    at_or_below: float | None = None  # score at or below
    unless_lists: list[str] = []  # and on none of these lists


class MeasureCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    code: str
    name: str
    kind: Kind
    mandatory: bool = False
    basis: str
    triggers: list[TriggerIn]
    matters: list[str]
    departments: list[str] = ["all"]
    duration: str | None = None
    duration_months: int | None = None
    extends_to_related: bool = False
    notes: str | None = None
    change_note: str | None = None


class MeasureUpdate(BaseModel):
    """All optional: what is not given keeps its current value (exclude_unset); the result is a new version."""

    model_config = ConfigDict(extra="forbid")
    name: str | None = None
    kind: Kind | None = None
    mandatory: bool | None = None
    basis: str | None = None
    triggers: list[TriggerIn] | None = None
    matters: list[str] | None = None
    departments: list[str] | None = None
    duration: str | None = None
    duration_months: int | None = None
    extends_to_related: bool | None = None
    notes: str | None = None
    change_note: str


class MeasureRetire(BaseModel):
    model_config = ConfigDict(extra="forbid")
    change_note: str


class MeasureRead(BaseModel):
    code: str
    version: int
    name: str
    kind: Kind
    kind_label: str
    mandatory: bool
    mandatory_label: str
    basis: str
    triggers: list[dict[str, Any]]
    trigger_texts: list[str]
    matters: list[str]
    matter_labels: list[str]
    departments: list[str]
    department_labels: list[str]
    duration: str | None
    duration_months: int | None
    extends_to_related: bool
    notes: str | None
    retired: bool
    change_note: str | None
    created_at: dt.datetime


class ApplicableRead(BaseModel):
    """A measure that applies, as a credit check returns it (SPEC §18: name, mandatory, basis)."""

    code: str
    version: int
    name: str
    kind: Kind
    kind_label: str
    mandatory: bool
    mandatory_label: str
    basis: str
    departments: list[str]
    matters: list[str]
    duration: str | None
    duration_months: int | None
    extends_to_related: bool
    notes: str | None


class MatterRead(BaseModel):
    code: str
    label: str
    duty: str | None
    basis: str
