from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import BaseModel, ConfigDict

from .models import Category, Publicity


class InfoTypeRead(BaseModel):
    code: str
    version: int
    name: str
    category: Category
    category_label: str
    publicity: Publicity
    publicity_label: str
    regime_code: str | None
    validity_months: int | None
    retention_years: int
    deadline_workdays: int
    source_department: str
    update_cycle: str
    usage_scope: str
    subject_kinds: list[str]
    fields: list[dict[str, Any]]
    basis: str


class InfoTypeUpdate(BaseModel):
    """All optional: only what is set makes the new version differ (exclude_unset)."""

    model_config = ConfigDict(extra="forbid")
    name: str | None = None
    category: Category | None = None
    publicity: Publicity | None = None
    regime_code: str | None = None
    validity_months: int | None = None
    retention_years: int | None = None
    deadline_workdays: int | None = None
    source_department: str | None = None
    update_cycle: str | None = None
    usage_scope: str | None = None
    fields: list[dict[str, Any]] | None = None
    change_note: str


class RegimeRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    code: str
    name: str
    basis: str
    effective_from: dt.date | None
    rules: dict[str, Any]
