"""Request-scoped dependencies: the session (the boundary owns the transaction), the actor, permissions."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from typing import Annotated

from fastapi import Depends, Request
from fastapi.routing import APIRoute
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from xinyong.accounts.permissions import PUBLIC, Actor, Permission
from xinyong.kit.db import begin_write
from xinyong.kit.errors import Forbidden, NotAuthenticated
from xinyong.kit.platform import Platform

SESSION_COOKIE = "xy_session"
CSRF_COOKIE = "xy_csrf"
SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}


def get_platform(request: Request) -> Platform:
    return request.app.state.platform


def db_session(request: Request) -> Session:
    """Opened here, committed or rolled back by ``UnitOfWorkRoute`` once the handler has finished,
    before the response leaves: a client never sees success for a change that was not committed."""
    session = getattr(request.state, "db", None)
    if session is None:
        session = get_platform(request).sessions()
        request.state.db = session
        if request.method not in SAFE_METHODS:
            begin_write(session)
    return session


class UnitOfWorkRoute(APIRoute):
    def get_route_handler(self) -> Callable:
        handler = super().get_route_handler()

        async def run(request: Request):
            try:
                response = await handler(request)
            except BaseException:
                await _finish(request, commit=False)
                raise
            await _finish(request, commit=True)
            return response

        return run


async def _finish(request: Request, *, commit: bool) -> None:
    session: Session | None = request.state._state.pop("db", None)
    if session is None:
        return
    try:
        if commit:
            await run_in_threadpool(session.commit)
        else:
            await run_in_threadpool(session.rollback)
    finally:
        await run_in_threadpool(session.close)


DB = Annotated[Session, Depends(db_session)]


def current_actor(request: Request, session: DB) -> Actor:
    from xinyong.accounts import service

    cached = getattr(request.state, "actor", None)
    if cached is not None:
        return cached
    actor = PUBLIC
    auth = request.headers.get("authorization", "")
    if auth:
        scheme, _, raw = auth.partition(" ")
        user = service.token_user(session, raw.strip()) if scheme.lower() == "bearer" else None
        if user is None:
            raise NotAuthenticated("接口令牌无效、已过期或已吊销")
        actor = service.actor_for(user)
    elif raw := request.cookies.get(SESSION_COOKIE):
        ws = service.session_user(session, raw)
        if ws is not None:
            actor = service.actor_for(ws.user)
            request.state.csrf_token = ws.csrf_token
            if request.method not in SAFE_METHODS:
                _check_csrf(request, ws.csrf_token)
    request.state.actor = actor
    session.info["actor"] = actor
    return actor


def _check_csrf(request: Request, expected: str) -> None:
    sent = request.headers.get("x-csrf-token") or getattr(request.state, "form_csrf", None)
    if not sent or not secrets.compare_digest(sent, expected):
        raise Forbidden("表单已失效或来源不明（CSRF 校验失败），请刷新页面后重试")


CurrentActor = Annotated[Actor, Depends(current_actor)]


def require(permission: Permission) -> Callable[..., Actor]:
    def dependency(actor: CurrentActor) -> Actor:
        if actor.can(permission):
            return actor
        if actor.is_public:
            raise NotAuthenticated("请先登录")
        raise Forbidden("当前角色无权进行此操作")

    return dependency


def pre_session_csrf(request: Request) -> str:
    """Forms shown before login (the login form itself) use a double-submit cookie token."""
    token = request.cookies.get(CSRF_COOKIE) or getattr(request.state, "new_csrf_cookie", None)
    if token is None:
        token = secrets.token_urlsafe(32)
        request.state.new_csrf_cookie = token
    return token


async def read_form_csrf(request: Request) -> None:
    """Pages post forms; the token travels as a form field (HTMX sends the header instead)."""
    if request.method not in SAFE_METHODS and request.headers.get("content-type", "").startswith(
            ("application/x-www-form-urlencoded", "multipart/form-data")):
        form = await request.form()
        request.state.form_csrf = form.get("csrf_token")


def api_router(**kwargs):
    from fastapi import APIRouter

    return APIRouter(prefix="/api/v1", route_class=UnitOfWorkRoute, **kwargs)


def page_router():
    from fastapi import APIRouter

    return APIRouter(route_class=UnitOfWorkRoute, dependencies=[Depends(read_form_csrf)])


def allowed(permission: Permission):
    """``Reader = allowed(Permission.ENTITY_READ)`` then ``actor: Reader`` in a route (DESIGN habit 2)."""
    return Annotated[Actor, Depends(require(permission))]
