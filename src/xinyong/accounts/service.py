"""Accounts, sessions, tokens (SPEC §0, §18). Services flush, never commit."""

from __future__ import annotations

import datetime as dt
import math
import re
import secrets
from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from xinyong.kit.clock import now
from xinyong.kit.crypto import hash_token, new_token
from xinyong.kit.errors import Conflict, Forbidden, Invalid, Locked, NotAuthenticated, NotFound, XinyongError
from xinyong.kit.platform import settings_of
from xinyong.kit.text import clean_text

from . import events, repository
from .models import ApiToken, Department, User, WebSession
from .permissions import Actor, Permission, Role

_hasher = PasswordHasher()
# Hashing a password for an unknown user too keeps the answer's timing from telling who exists.
_DUMMY_HASH = _hasher.hash("xinyong-timing-equaliser")
USERNAME = re.compile(r"^[A-Za-z0-9_.@\-]{2,64}$")
MIN_PASSWORD = 8


def actor_for(user: User) -> Actor:
    return Actor(role=user.role, user_id=user.id, username=user.username, display_name=user.display_name,
                 department_id=user.department_id, department_name=user.department.name if user.department else None,
                 entity_id=user.entity_id)


def _require(actor: Actor, permission: Permission, what: str) -> None:
    if not actor.can(permission):
        raise Forbidden(f"无权{what}")


# ---- departments -----------------------------------------------------------------------------

def create_department(session: Session, *, actor: Actor, uscc: str, name: str, is_credit_office: bool = False) -> Department:
    from xinyong.entities.identifiers import validate_uscc

    _require(actor, Permission.DEPARTMENT_MANAGE, "登记部门")
    code = validate_uscc(uscc)
    name = clean_text(name, field="name", label="部门名称", max_len=100)
    if repository.department_exists(session, uscc=code):
        raise Conflict(f"统一社会信用代码为 {code} 的部门已登记", field="uscc")
    if repository.department_exists(session, name=name):
        raise Conflict(f"部门“{name}”已登记", field="name")
    dept = Department(uscc=code, name=name, is_credit_office=is_credit_office)
    session.add(dept)
    session.flush()
    events.department_created(session, dept, actor)
    return dept


def department_by_uscc(session: Session, uscc: str) -> Department:
    from xinyong.entities.identifiers import normalize_code

    dept = repository.department_by_uscc(session, normalize_code(uscc))
    if dept is None:
        raise NotFound(f"未找到统一社会信用代码为 {normalize_code(uscc)} 的部门", field="department")
    return dept


def list_departments(session: Session) -> list[Department]:
    return repository.departments(session)


# ---- users -----------------------------------------------------------------------------------

def parse_role(value: str) -> Role:
    try:
        role = Role(value.strip().lower())
    except ValueError:
        role = None
    if role is None or role is Role.PUBLIC:
        allowed = "、".join(r.value for r in Role if r is not Role.PUBLIC)
        raise Invalid(f"未知角色“{value}”，应为 {allowed} 之一", field="role")
    return role


def create_user(session: Session, *, actor: Actor, username: str, password: str, role: str | Role,
                display_name: str | None = None, department_uscc: str | None = None,
                entity_code: str | None = None) -> User:
    _require(actor, Permission.USER_MANAGE, "创建用户")
    role = parse_role(str(role))
    username = clean_text(username, field="username", label="登录名", max_len=64)
    if not USERNAME.match(username):
        raise Invalid("登录名只能由字母、数字和 _ . @ - 组成，2–64 个字符", field="username")
    if len(password or "") < MIN_PASSWORD:
        raise Invalid(f"口令至少 {MIN_PASSWORD} 个字符", field="password")
    if repository.user_by_name(session, username) is not None:
        raise Conflict(f"登录名“{username}”已存在", field="username")
    display = clean_text(display_name or username, field="display_name", label="显示名", max_len=100)
    user = User(username=username, display_name=display, password_hash=_hasher.hash(password), role=role)
    if role in (Role.OFFICER, Role.REVIEWER):
        if not department_uscc:
            raise Invalid("部门经办人和审核人须指定所属部门（--department）", field="department")
        user.department_id = department_by_uscc(session, department_uscc).id
    elif role is Role.ADMIN and department_uscc:
        user.department_id = department_by_uscc(session, department_uscc).id
    elif department_uscc:
        raise Invalid(f"角色 {role.value} 不隶属于部门", field="department")
    if role is Role.ENTITY:
        if not entity_code:
            raise Invalid("信用主体用户须指定所代表的主体（--entity）", field="entity")
        from xinyong.accounts.permissions import SYSTEM
        from xinyong.entities.service import get_by_code

        user.entity_id = get_by_code(session, actor=SYSTEM, code=entity_code).id
    elif entity_code:
        raise Invalid(f"角色 {role.value} 不代表信用主体", field="entity")
    session.add(user)
    session.flush()
    events.user_created(session, user, actor)
    return user


def user_by_name(session: Session, username: str) -> User:
    user = repository.user_by_name(session, username)
    if user is None:
        raise NotFound(f"用户“{username}”不存在", field="username")
    return user


@dataclass(frozen=True)
class LoginCheck:
    username: str
    user_id: int | None
    password_ok: bool
    locked_until: dt.datetime | None


def _login_key(username: str) -> str:
    return (username or "").strip()[:64]


def check_password(session: Session, *, username: str, password: str) -> LoginCheck:
    """Read only, so the slow argon2 check never holds the write lock. Unknown and known names go
    through the same steps and the same hash work: the answers do not tell who exists."""
    key = _login_key(username)
    throttle = repository.throttle(session, key)
    user = repository.user_by_name(session, key)
    usable = user is not None and user.is_active
    ok = _verify(user.password_hash if usable else _DUMMY_HASH, password) and usable
    return LoginCheck(key, user.id if usable else None, ok, throttle.locked_until if throttle else None)


def record_login(session: Session, check: LoginCheck) -> User | XinyongError:
    """The user, or the error to show. A failure is recorded (count, lock-out, an audit event:
    R-SEC-3) and returned rather than raised, so that the boundary commits it."""
    settings = settings_of(session)
    if check.locked_until and check.locked_until > now():
        return _locked(check.locked_until)
    if check.password_ok:
        repository.clear_throttle(session, check.username)
        user = session.get(User, check.user_id)
        events.login_succeeded(session, user)
        return user
    failures = repository.count_failure(session, check.username)
    locked_until = None
    if failures >= settings.login_max_failures:
        locked_until = now() + dt.timedelta(minutes=settings.login_lock_minutes)
        repository.lock(session, check.username, locked_until)
    session.flush()
    events.login_failed(session, check.username, check.user_id, failures, locked_until is not None)
    return _locked(locked_until) if locked_until else NotAuthenticated("用户名或口令错误")


def _locked(until: dt.datetime) -> Locked:
    minutes = max(1, math.ceil((until - now()).total_seconds() / 60))
    return Locked(f"连续登录失败次数过多，账户已锁定，请于 {minutes} 分钟后再试")


def authenticate(session: Session, *, username: str, password: str) -> User | XinyongError:
    """Both steps in one session, for callers that hold no lock anyway (tests, scripts)."""
    return record_login(session, check_password(session, username=username, password=password))


def _verify(hashed: str, password: str) -> bool:
    try:
        return _hasher.verify(hashed, password or "")
    except (VerificationError, InvalidHashError):
        return False


# ---- browser sessions --------------------------------------------------------------------------

def open_session(session: Session, user: User) -> tuple[str, WebSession]:
    settings = settings_of(session)
    raw = new_token("xys")
    ws = WebSession(id_hash=hash_token(raw), user_id=user.id, csrf_token=secrets.token_urlsafe(32),
                    expires_at=now() + dt.timedelta(hours=settings.session_hours))
    session.add(ws)
    session.flush()
    return raw, ws


def session_user(session: Session, raw: str) -> WebSession | None:
    ws = repository.web_session(session, hash_token(raw))
    if ws is None or ws.expires_at <= now() or not ws.user.is_active:
        return None
    return ws


def close_session(session: Session, raw: str) -> None:
    repository.delete_web_session(session, hash_token(raw))


# ---- API tokens --------------------------------------------------------------------------------

def create_token(session: Session, *, actor: Actor, user: User, name: str = "api",
                 days: int | None = None) -> tuple[str, ApiToken]:
    if actor.user_id != user.id:
        _require(actor, Permission.USER_MANAGE, "为其他用户签发令牌")
    _require(actor_for(user), Permission.TOKEN_CREATE, "使用接口令牌")
    if days is None:
        days = settings_of(session).token_days
    if not 1 <= days <= 366:
        raise Invalid("令牌有效期应为 1–366 天", field="days")
    raw = new_token("xy")
    token = ApiToken(user_id=user.id, name=clean_text(name, field="name", label="令牌用途", max_len=100),
                     token_hash=hash_token(raw), prefix=raw[:10], expires_at=now() + dt.timedelta(days=days))
    session.add(token)
    session.flush()
    events.token_created(session, token, actor)
    return raw, token


def _token_actor_statement():
    t, u, d = ApiToken.__table__.c, User.__table__.c, Department.__table__.c
    return (select(t.expires_at, t.revoked_at, u.is_active, u.role, u.id, u.username, u.display_name, u.department_id,
                   d.name, u.entity_id)
            .select_from(ApiToken.__table__.join(User.__table__, u.id == t.user_id)
                         .outerjoin(Department.__table__, d.id == u.department_id))
            .where(t.token_hash == bindparam("token_hash")))


# Built once: constructing a statement costs several times what running it costs (every API call asks this).
_TOKEN_ACTOR = _token_actor_statement()


def token_actor(session: Session, raw: str) -> Actor | None:
    """Who an API token acts for, or None when it is unknown, expired, revoked or its user disabled:
    one statement of plain columns, rather than the token, user and department as objects, run on the
    session's connection (the ORM's execute costs more than the statement)."""
    row = session.connection().execute(_TOKEN_ACTOR, {"token_hash": hash_token(raw)}).first()
    if row is None or row.revoked_at is not None or row.expires_at <= now() or not row.is_active:
        return None
    return Actor(role=row.role, user_id=row.id, username=row.username, display_name=row.display_name,
                 department_id=row.department_id, department_name=row.name, entity_id=row.entity_id)


def revoke_token(session: Session, *, actor: Actor, token_id: int) -> ApiToken:
    token = session.get(ApiToken, token_id)
    if token is None or (token.user_id != actor.user_id and not actor.can(Permission.USER_MANAGE)):
        raise NotFound("未找到该令牌")
    if token.revoked_at is None:
        token.revoked_at = now()
        session.flush()
        events.token_revoked(session, token, actor)
    return token


def list_tokens(session: Session, *, user_id: int) -> list[ApiToken]:
    return repository.tokens_of(session, user_id)


def user_by_id(session: Session, user_id: int | None) -> User:
    user = session.get(User, user_id) if user_id is not None else None
    if user is None:
        raise NotFound("用户不存在")
    return user


def list_users(session: Session) -> list[User]:
    return repository.users(session)
