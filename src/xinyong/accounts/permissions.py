"""Roles, permissions and the actor (SPEC §0). Routes depend on permissions, never on role names."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Role(StrEnum):
    ADMIN = "admin"  # 信用办
    OFFICER = "officer"  # 部门经办人
    REVIEWER = "reviewer"  # 部门审核人
    ENTITY = "entity"  # 信用主体
    AUDITOR = "auditor"  # 纪检/审计
    PUBLIC = "public"  # 公众（未登录）


ROLE_LABELS = {
    Role.ADMIN: "信用办管理员",
    Role.OFFICER: "部门经办人",
    Role.REVIEWER: "部门审核人",
    Role.ENTITY: "信用主体",
    Role.AUDITOR: "审计监督",
    Role.PUBLIC: "公众",
}


class Permission(StrEnum):
    ENTITY_SEARCH = "entity:search"
    ENTITY_READ = "entity:read"
    ENTITY_CREATE = "entity:create"
    ENTITY_READ_IDENTIFIERS = "entity:read_identifiers"  # full ID numbers, decrypted
    OWN_FILE_READ = "entity:read_own"  # an entity user's own credit file
    CATALOG_READ = "catalog:read"
    CATALOG_MANAGE = "catalog:manage"
    CALENDAR_MANAGE = "calendar:manage"  # load a year's 放假调休 arrangement
    RECORD_SUBMIT = "record:submit"
    RECORD_APPROVE = "record:approve"
    RECORD_REVIEW = "record:review"
    USER_MANAGE = "user:manage"
    DEPARTMENT_MANAGE = "department:manage"
    TOKEN_CREATE = "token:create"
    AUDIT_READ = "audit:read"
    JOB_READ = "job:read"  # the scheduled jobs and their runs
    JOB_RUN = "job:run"  # run a job now (「立即运行」)
    CONSENT_MANAGE = "consent:manage"  # an entity grants and revokes consents to read its non-public information
    GRADING_RUN = "grading:run"  # start a full grading run
    GRADING_MANAGE = "grading:manage"  # adopt models, import external scores, what-if runs, answer reviews
    MEASURE_READ = "measure:read"  # the measures catalog (奖惩措施清单)
    MEASURE_MANAGE = "measure:manage"  # edit it: new measures, new versions, retire (the credit office)
    ACTION_INITIATE = "action:initiate"  # initiate a joint reward or punishment (R-MEA-4)
    ACTION_RESPOND = "action:respond"  # answer a joint action's task, acknowledge a lift (R-MEA-4, R-MEA-6)
    CREDIT_CHECK = "credit:check"  # 信用核查 in a department's workflow (R-MEA-3)
    LIST_DETERMINE = "list:determine"  # a department's formal list determination, and ending it (R-LST-2)
    QUERY_LOG_READ = "query_log:read"  # the query log: who read whose non-public information, on what ground
    OBJECTION_FILE = "objection:file"  # object to a record (an entity about its own file; a department, 003 §18)
    OBJECTION_VERIFY = "objection:verify"  # the recording department verifies an objection (000 §24)
    OBJECTION_DECIDE = "objection:decide"  # the credit office decides, records appeals and court outcomes
    OBJECTION_OVERSEE = "objection:oversee"  # every objection, the late ones, counts per department (000 §29)


P = Permission
ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.ADMIN: frozenset(P) - {P.RECORD_SUBMIT, P.RECORD_APPROVE, P.OWN_FILE_READ, P.CONSENT_MANAGE,
                                P.OBJECTION_FILE, P.OBJECTION_VERIFY},
    Role.OFFICER: frozenset({P.ENTITY_SEARCH, P.ENTITY_READ, P.ENTITY_CREATE, P.CATALOG_READ, P.RECORD_SUBMIT,
                             P.TOKEN_CREATE, P.LIST_DETERMINE, P.MEASURE_READ, P.CREDIT_CHECK,
                             P.ACTION_INITIATE, P.ACTION_RESPOND, P.OBJECTION_FILE, P.OBJECTION_VERIFY}),
    Role.REVIEWER: frozenset({P.ENTITY_SEARCH, P.ENTITY_READ, P.CATALOG_READ, P.RECORD_SUBMIT, P.RECORD_APPROVE,
                              P.TOKEN_CREATE, P.LIST_DETERMINE, P.MEASURE_READ, P.CREDIT_CHECK, P.ACTION_INITIATE,
                              P.ACTION_RESPOND, P.OBJECTION_FILE, P.OBJECTION_VERIFY}),
    Role.ENTITY: frozenset({P.ENTITY_READ, P.OWN_FILE_READ, P.CATALOG_READ, P.TOKEN_CREATE, P.CONSENT_MANAGE,
                            P.MEASURE_READ, P.OBJECTION_FILE}),
    Role.AUDITOR: frozenset({P.AUDIT_READ, P.QUERY_LOG_READ, P.OBJECTION_OVERSEE, P.CATALOG_READ, P.TOKEN_CREATE,
                             P.MEASURE_READ}),
    Role.PUBLIC: frozenset({P.ENTITY_SEARCH, P.ENTITY_READ, P.CATALOG_READ}),
}


@dataclass(frozen=True)
class Actor:
    """Who is acting. Anonymous visitors are an Actor too, with the public role."""

    role: Role
    user_id: int | None = None
    username: str | None = None
    display_name: str = "公众"
    department_id: int | None = None
    department_name: str | None = None
    entity_id: int | None = None

    @property
    def label(self) -> str:
        return f"{self.username}（{ROLE_LABELS[self.role]}）" if self.username else ROLE_LABELS[self.role]

    @property
    def is_public(self) -> bool:
        return self.role is Role.PUBLIC

    def can(self, permission: Permission) -> bool:
        return permission in ROLE_PERMISSIONS[self.role]


PUBLIC = Actor(role=Role.PUBLIC)
SYSTEM = Actor(role=Role.ADMIN, username="system", display_name="系统")
