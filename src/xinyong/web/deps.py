"""Request-scoped dependencies: the session (the boundary owns the transaction), the actor,
permissions, CSRF, and bounded numbers for paths and queries."""

from __future__ import annotations

import inspect
import secrets
from collections.abc import Callable
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.routing import APIRoute
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData

from xinyong.access import log
from xinyong.accounts.permissions import PUBLIC, Actor, Permission
from xinyong.kit.db import begin_write
from xinyong.kit.errors import Forbidden, NotAuthenticated
from xinyong.kit.platform import Platform
from xinyong.public import throttle

SESSION_COOKIE = "xy_session"
CSRF_COOKIE = "xy_csrf"
SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}

# Who may call a route without a login (R-PUB-1, R-SEC-3), decided here for every route of every router,
# since each resolves the actor (``enforce_csrf``): a route is a staff route unless it is part of the public
# query, whatever the permissions its handler asks for — so no route is anonymous by accident, and the public
# sees what the public view shows and nothing more. The public query lives under /public (pages) and
# /api/v1/public (API) and each of its requests is counted against the public budgets (public.throttle).
# Outside it, only what shows nobody's information needs no login: home, the login form, logout, and the
# published list of 应查必查 duties (fixed by law, read from no database).
PUBLIC_QUERY = ("/public", "/api/v1/public")
NO_LOGIN = frozenset({"/", "/login", "/logout", "/api/v1/duties"})

# Numbers from a URL never reach the database unbounded (an out-of-range integer is a 422, not a 500).
MAX_ID = 2**31 - 1
RowId = Annotated[int, Path(ge=1, le=MAX_ID)]
PageNo = Annotated[int, Query(ge=1, le=100_000)]
Offset = Annotated[int, Query(ge=0, le=10_000_000)]
Limit = Annotated[int, Query(ge=1, le=100)]


def get_platform(request: Request) -> Platform:
    return request.app.state.platform


async def db_session(request: Request) -> Session:
    """Opened here, committed or rolled back by ``UnitOfWorkRoute`` once the handler has finished,
    before the response leaves: a client never sees success for a change that was not committed.
    A request that may change something begins as the one writer (kit.db.begin_write), in the thread
    pool since it may wait for the lock; opening a session touches no database and stays on the loop.

    The dependencies that only look at the request are ``async`` for the same reason: FastAPI runs a
    plain ``def`` dependency in the thread pool, and each such hop cost a request more than its query."""
    session = getattr(request.state, "db", None)
    if session is None:
        if _runs_inline(request):
            session = get_platform(request).inline_session()
            session.info[log.DEFERRED] = []
        else:
            session = get_platform(request).sessions()
        request.state.db = session
        if request.method not in SAFE_METHODS and not _reads_only(request):
            await run_in_threadpool(begin_write, session)
    return session


def reads_only(endpoint: Callable) -> Callable:
    """Mark a POST that changes nothing (a search whose query must stay out of the URL): it does not
    take the writer's lock, so the public's searches never queue behind a clerk's import."""
    endpoint.reads_only = True
    return endpoint


def _marked(request: Request, mark: str) -> bool:
    """Whether the route's endpoint carries ``mark`` (``reads_only``, ``inline``)."""
    return getattr(getattr(request.scope.get("route"), "endpoint", None), mark, False)


def _reads_only(request: Request) -> bool:
    return _marked(request, "reads_only")


def inline(endpoint: Callable) -> Callable:
    """Mark an ``async def`` GET route whose whole work is a few indexed reads (the credit check): it runs
    on the event loop, the token lookup included, with no hop to the thread pool — three hops and the
    threads' contention for the GIL cost the check a third of its throughput (bench/credit_check.py).

    What keeps the loop from waiting: the route only reads (SQLite's WAL readers never wait); it holds its
    connection without yielding to the loop, from a small pool of its own (``Platform.inline_session``);
    and its query-log entries are written when the handler is done, before the response leaves — on SQLite at
    once if nobody holds the log's lock, else (and always on PostgreSQL, whose write waits on the network)
    queued for it in the thread pool (``access.log.write_deferred``)."""
    if not inspect.iscoroutinefunction(endpoint):
        raise TypeError(f"{endpoint.__name__}: an inline route is an async def that calls the services directly")
    endpoint.inline = True
    return endpoint


def _runs_inline(request: Request) -> bool:
    return request.method == "GET" and _marked(request, "inline")


def is_public_query(path: str) -> bool:
    """Whether the route with this path (its template, ``/public/entities/{code}``) is the public query's."""
    return any(path == prefix or path.startswith(prefix + "/") for prefix in PUBLIC_QUERY)


def _route_path(request: Request) -> str:
    return getattr(request.scope.get("route"), "path", request.url.path)


class UnitOfWorkRoute(APIRoute):
    def get_route_handler(self) -> Callable:
        handler = super().get_route_handler()

        async def run(request: Request):
            try:
                response = await handler(request)
                # a POST of the public query that chose no budget is counted before its answer leaves
                if (request.method not in SAFE_METHODS and is_public_query(_route_path(request))
                        and not throttle.charged(request)):
                    throttle.charge(request, getattr(request.state, "actor", PUBLIC), throttle.SEARCH)
            except throttle.RateLimited as exc:
                await _finish(request, commit=False)
                return throttle.limited(request, exc)
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
    if log.DEFERRED not in session.info:
        await run_in_threadpool(_end, session, commit)
        return
    try:
        _end(session, commit)  # an inline route's transaction only read: ending it waits for nothing
    finally:
        # the log's entries before the response leaves: here if that never waits, else queued in a thread
        if not log.write_deferred(session, wait=False):
            await run_in_threadpool(log.write_deferred, session)


def _end(session: Session, commit: bool) -> None:
    try:
        if commit:
            session.commit()
        else:
            session.rollback()
    finally:
        session.close()


DB = Annotated[Session, Depends(db_session)]


async def current_actor(request: Request, session: DB) -> Actor:
    cached = getattr(request.state, "actor", None)
    if cached is not None:
        return cached
    if log.DEFERRED in session.info:
        actor = _actor(request, session)
    else:
        actor = await run_in_threadpool(_actor, request, session)
    request.state.actor = actor
    session.info["actor"] = actor
    _admit(request, actor)
    return actor


def _admit(request: Request, actor: Actor) -> None:
    """A visitor without a login reaches only the public query and the pages that show nobody's information
    (see PUBLIC_QUERY). A GET of the public query is counted before its handler runs: it cannot carry an ID
    number, so it is never a lookup and spends the search budget."""
    path = _route_path(request)
    if is_public_query(path):
        if request.method in SAFE_METHODS:
            throttle.charge(request, actor, throttle.SEARCH)
    elif actor.is_public and path not in NO_LOGIN:
        raise NotAuthenticated("请先登录")


def _actor(request: Request, session: Session) -> Actor:
    from xinyong.accounts import service

    actor = PUBLIC
    auth = request.headers.get("authorization", "")
    if auth:
        scheme, _, raw = auth.partition(" ")
        token_actor = service.token_actor(session, raw.strip()) if scheme.lower() == "bearer" else None
        if token_actor is None:
            raise NotAuthenticated("接口令牌无效、已过期或已吊销")
        actor = token_actor
    elif raw := request.cookies.get(SESSION_COOKIE):
        ws = service.session_user(session, raw)
        if ws is not None:
            actor = service.actor_for(ws.user)
            request.state.csrf_token = ws.csrf_token  # cookie-authenticated: writes must prove origin
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


async def enforce_csrf(request: Request, actor: CurrentActor) -> None:
    """Every write by a browser session carries the session's token: a router-level dependency, so
    no route can forget it. Bearer-token calls are not sent by browsers and need none."""
    expected = getattr(request.state, "csrf_token", None)
    if request.method in SAFE_METHODS or expected is None:
        return
    sent = request.headers.get("x-csrf-token") or getattr(request.state, "form_csrf", None)
    if not sent or not secrets.compare_digest(str(sent), expected):
        raise Forbidden("表单已失效或来源不明（CSRF 校验失败），请刷新页面后重试")


def require(permission: Permission, *alternatives: Permission) -> Callable[..., Actor]:
    async def dependency(actor: CurrentActor) -> Actor:
        if actor.can(permission) or any(map(actor.can, alternatives)):
            return actor
        if actor.is_public:
            raise NotAuthenticated("请先登录")
        raise Forbidden("当前角色无权进行此操作")

    dependency.permissions = (permission, *alternatives)  # any one will do; read by web.openapi
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
