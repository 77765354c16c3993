"""Named audit events for accounts."""

from __future__ import annotations

from sqlalchemy.orm import Session

from xinyong.accounts.permissions import PUBLIC
from xinyong.audit.trail import describe, record_event

describe("department.created", "登记部门", subject=("department", "部门"))
describe("user.created", "创建用户", subject=("user", "用户"))
describe("user.login", "登录")
describe("user.login_failed", "登录失败")
describe("token.created", "签发接口令牌")
describe("token.revoked", "吊销接口令牌")


def department_created(session: Session, dept, actor) -> None:
    record_event(session, "department.created", subject_type="department", subject_id=dept.id, actor=actor,
                 detail={"uscc": dept.uscc, "name": dept.name})


def user_created(session: Session, user, actor) -> None:
    record_event(session, "user.created", subject_type="user", subject_id=user.id, actor=actor,
                 detail={"username": user.username, "role": user.role.value, "department_id": user.department_id,
                         "entity_id": user.entity_id})


def login_succeeded(session: Session, user) -> None:
    record_event(session, "user.login", subject_type="user", subject_id=user.id, actor=_self(user))


def login_failed(session: Session, username: str, user_id: int | None, failures: int, locked: bool) -> None:
    from xinyong.entities.identifiers import mask_ids_in

    record_event(session, "user.login_failed", subject_type="user", subject_id=user_id, actor=PUBLIC,
                 detail={"username": mask_ids_in(username), "failures": failures, "locked": locked})


def token_created(session: Session, token, actor) -> None:
    record_event(session, "token.created", subject_type="user", subject_id=token.user_id, actor=actor,
                 detail={"token_id": token.id, "name": token.name, "prefix": token.prefix,
                         "expires_at": token.expires_at.isoformat()})


def token_revoked(session: Session, token, actor) -> None:
    record_event(session, "token.revoked", subject_type="user", subject_id=token.user_id, actor=actor,
                 detail={"token_id": token.id, "prefix": token.prefix})


def _self(user):
    from .service import actor_for

    return actor_for(user)
