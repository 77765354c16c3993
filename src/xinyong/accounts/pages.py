"""Login, logout, users and departments, tokens."""

from __future__ import annotations

import secrets

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse

from xinyong.accounts.permissions import PUBLIC, ROLE_LABELS, Permission, Role
from xinyong.kit.errors import Forbidden, Invalid, XinyongError
from xinyong.web.deps import CSRF_COOKIE, DB, SESSION_COOKIE, CurrentActor, RowId, allowed, page_router
from xinyong.web.templating import render

from . import service

router = page_router()
# POST /login has no session yet and manages its own transactions (see login())
login_router = APIRouter()


def _safe_next(target: str | None) -> str:
    # Only a path on this site: never an open redirect to another host.
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return "/"


@router.get("/login")
def login_form(request: Request, actor: CurrentActor, next: str = "/"):
    return render(request, "accounts/login.html", {"next": _safe_next(next)})


@login_router.post("/login")
def login(request: Request, username: str = Form(""), password: str = Form(""), csrf_token: str = Form(""),
          next: str = Form("/")):
    """Two units of work of its own: the slow password check reads without the write lock, and
    only recording the outcome takes it."""
    cookie = request.cookies.get(CSRF_COOKIE, "")
    if not cookie or not secrets.compare_digest(cookie, csrf_token):
        raise Forbidden("登录表单已失效，请刷新页面后重试")
    platform = request.app.state.platform
    with platform.uow(write=False) as session:
        check = service.check_password(session, username=username, password=password)
    with platform.uow(actor=PUBLIC) as session:
        result = service.record_login(session, check)
        if isinstance(result, XinyongError):
            request.state.actor = PUBLIC
            return render(request, "accounts/login.html", {"next": _safe_next(next), "error": result.message,
                                                           "username": username}, status=result.status)
        raw, _ = service.open_session(session, result)
    response = RedirectResponse(_safe_next(next), status_code=303)
    settings = platform.settings
    response.set_cookie(SESSION_COOKIE, raw, httponly=True, samesite="lax", secure=settings.cookie_secure,
                        max_age=settings.session_hours * 3600)
    return response


@router.post("/logout")
def logout(request: Request, session: DB, actor: CurrentActor):
    if raw := request.cookies.get(SESSION_COOKIE):
        service.close_session(session, raw)
    response = RedirectResponse("/", status_code=303)
    response.delete_cookie(SESSION_COOKIE)
    return response


UserManager = allowed(Permission.USER_MANAGE)
TokenHolder = allowed(Permission.TOKEN_CREATE)


def _users_page(request: Request, session, *, status: int = 200, **extra):
    roles = [(r.value, ROLE_LABELS[r]) for r in Role if r is not Role.PUBLIC]
    ctx = {"users": service.list_users(session), "departments": service.list_departments(session), "roles": roles}
    return render(request, "accounts/users.html", ctx | extra, status=status)


@router.get("/admin/users")
def users_page(request: Request, session: DB, actor: UserManager):
    return _users_page(request, session)


@router.post("/admin/users")
def create_user(request: Request, session: DB, actor: UserManager, username: str = Form(""),
                display_name: str = Form(""), role: str = Form(""), password: str = Form(""),
                department_uscc: str = Form(""), entity_code: str = Form("")):
    try:
        user = service.create_user(session, actor=actor, username=username, password=password, role=role,
                                   display_name=display_name or None, department_uscc=department_uscc or None,
                                   entity_code=entity_code or None)
    except XinyongError as exc:
        session.rollback()
        return _users_page(request, session, status=exc.status, user_error=exc,
                           user_form={"username": username, "display_name": display_name, "role": role,
                                      "department_uscc": department_uscc, "entity_code": entity_code})
    return _users_page(request, session, user_created=user.username)


@router.post("/admin/departments")
def create_department(request: Request, session: DB, actor: UserManager, uscc: str = Form(""),
                      name: str = Form("")):
    try:
        dept = service.create_department(session, actor=actor, uscc=uscc, name=name)
    except XinyongError as exc:
        session.rollback()
        return _users_page(request, session, status=exc.status, dept_error=exc,
                           dept_form={"uscc": uscc, "name": name})
    return _users_page(request, session, dept_created=dept.name)


def _tokens_page(request: Request, session, actor, *, status: int = 200, **extra):
    ctx = {"tokens": service.list_tokens(session, user_id=actor.user_id)}
    return render(request, "accounts/tokens.html", ctx | extra, status=status)


@router.get("/account/tokens")
def tokens_page(request: Request, session: DB, actor: TokenHolder):
    return _tokens_page(request, session, actor)


@router.post("/account/tokens")
def create_token(request: Request, session: DB, actor: TokenHolder, name: str = Form(""), days: str = Form("90")):
    try:
        if not days.strip().isdigit():
            raise Invalid("有效期应为 1–366 之间的整数天数", field="days")
        raw, _ = service.create_token(session, actor=actor, user=service.user_by_id(session, actor.user_id),
                                      name=name or "api", days=int(days))
    except XinyongError as exc:
        session.rollback()
        return _tokens_page(request, session, actor, status=exc.status, error=exc)
    return _tokens_page(request, session, actor, issued=raw)


@router.post("/account/tokens/{token_id}/revoke")
def revoke_token(request: Request, session: DB, actor: TokenHolder, token_id: RowId):
    service.revoke_token(session, actor=actor, token_id=token_id)
    return RedirectResponse("/account/tokens", status_code=303)
