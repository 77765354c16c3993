from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, ConfigDict

from .permissions import Role


class DepartmentCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    uscc: str
    name: str
    is_credit_office: bool = False


class DepartmentRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    uscc: str
    name: str
    is_credit_office: bool


class UserCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    username: str
    password: str
    role: str
    display_name: str | None = None
    department_uscc: str | None = None
    entity_code: str | None = None


class UserRead(BaseModel):
    id: int
    username: str
    display_name: str
    role: Role
    department: str | None
    entity_id: int | None
    is_active: bool


class TokenCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str = "api"
    days: int | None = None


class TokenRead(BaseModel):
    id: int
    name: str
    prefix: str
    expires_at: dt.datetime
    revoked_at: dt.datetime | None


class TokenIssued(TokenRead):
    token: str  # shown once; only its hash is stored
