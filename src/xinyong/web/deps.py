"""Request-scoped dependencies: the session (the boundary owns the transaction), the actor,
permissions, CSRF, and bounded numbers for paths and queries."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.routing import APIRoute
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData

from xinyong.accounts.permissions import PUBLIC, Actor, Permission
from xinyong.kit.db import begin_write
from xinyong.kit.errors import Forbidden, NotAuthenticated
from xinyong.kit.platform import Platform

SESSION_COOKIE = "xy_session"
CSRF_COOKIE = "xy_csrf"
SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}

# Numbers from a URL never reach the database unbounded (an out-of-range integer is a 422, not a 500).
MAX_ID = 2**31 - 1
RowId = Annotated[int, Path(ge=1, le=MAX_ID)]
PageNo = Annotated[int, Query(ge=1, le=100_000)]
Offset = Annotated[int, Query(ge=0, le=10_000_000)]
Limit = Annotated[int, Query(ge=1, le=100)]


def get_platform(request: Request) -> Platform:
    return request.app.state.platform


def db_session(request: Request) -> Session:
    """Opened here, committed or rolled back by ``UnitOfWorkRoute`` once the handler has finished,
    before the response leaves: a client never sees success for a change that was not committed.
    A request that may change something begins as the one writer (kit.db.begin_write)."""
    session = getattr(request.state, "db", None)
    if session is None:
        session = get_platform(request).sessions()
        request.state.db = session
        if request.method not in SAFE_METHODS and not _reads_only(request):
            begin_write(session)
    return session


def reads_only(endpoint: Callable) -> Callable:
    """Mark a POST that changes nothing (a search whose query must stay out of the URL): it does not
    take the writer's lock, so the public's searches never queue behind a clerk's import."""
    endpoint.reads_only = True
    return endpoint


def _reads_only(request: Request) -> bool:
    return getattr(getattr(request.scope.get("route"), "endpoint", None), "reads_only", False)


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
        await run_in_threadpool(session.commit if commit else session.rollback)
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
            request.state.csrf_token = ws.csrf_token  # cookie-authenticated: writes must prove origin
    request.state.actor = actor
    session.info["actor"] = actor
    return actor


CurrentActor = Annotated[Actor, Depends(current_actor)]


async def read_form_csrf(request: Request) -> None:
    """Pages post forms; the token travels as a form field (htmx sends the header instead)."""
    if request.method not in SAFE_METHODS and request.headers.get("content-type", "").startswith(
            ("application/x-www-form-urlencoded", "multipart/form-data")):
        form = await request.form()
        request.state.form_csrf = form.get("csrf_token")


async def form_data(request: Request) -> FormData:
    """The posted form, read here so that the handler itself can be a plain ``def`` and do its
    database work in the thread pool rather than on the event loop."""
    return await request.form()


PostedForm = Annotated[FormData, Depends(form_data)]


def enforce_csrf(request: Request, actor: CurrentActor) -> None:
    """Every write by a browser session carries the session's token: a router-level dependency, so
    no route can forget it. Bearer-token calls are not sent by browsers and need none."""
    expected = getattr(request.state, "csrf_token", None)
    if request.method in SAFE_METHODS or expected is None:
        return
    sent = request.headers.get("x-csrf-token") or getattr(request.state, "form_csrf", None)
    if not sent or not secrets.compare_digest(str(sent), expected):
        raise Forbidden("表单已失效或来源不明（CSRF 校验失败），请刷新页面后重试")


def require(permission: Permission, *alternatives: Permission) -> Callable[..., Actor]:
    def dependency(actor: CurrentActor) -> Actor:
        if actor.can(permission) or any(map(actor.can, alternatives)):
            return actor
        if actor.is_public:
            raise NotAuthenticated("请先登录")
        raise Forbidden("当前角色无权进行此操作")

    return dependency


def allowed(permission: Permission, *alternatives: Permission):
    """``Reader = allowed(Permission.ENTITY_READ)`` then ``actor: Reader`` in a route (DESIGN habit 2);
    with alternatives, any one of the permissions will do."""
    return Annotated[Actor, Depends(require(permission, *alternatives))]


def pre_session_csrf(request: Request) -> str:
    """Forms shown before login (the login form itself) use a double-submit cookie token."""
    token = request.cookies.get(CSRF_COOKIE) or getattr(request.state, "new_csrf_cookie", None)
    if token is None:
        token = secrets.token_urlsafe(32)
        request.state.new_csrf_cookie = token
    return token


def api_router(**kwargs) -> APIRouter:
    return APIRouter(prefix="/api/v1", route_class=UnitOfWorkRoute, dependencies=[Depends(enforce_csrf)], **kwargs)


def page_router() -> APIRouter:
    return APIRouter(route_class=UnitOfWorkRoute, dependencies=[Depends(read_form_csrf), Depends(enforce_csrf)])
