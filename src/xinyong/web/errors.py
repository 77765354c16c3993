"""One rendering of errors: JSON for /api, a page for the browser (DESIGN habit 3)."""

from __future__ import annotations

import logging
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from sqlalchemy.exc import IntegrityError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match

from xinyong.entities.identifiers import mask_ids_in
from xinyong.kit.errors import Conflict, Invalid, MethodNotAllowed, NotAuthenticated, NotFound, XinyongError
from xinyong.kit.schemas import describe_error

log = logging.getLogger("xinyong.web")


def wants_json(request: Request) -> bool:
    return request.url.path.startswith("/api/")


def _page(request: Request, exc: XinyongError) -> Response:
    from .templating import render

    if isinstance(exc, NotAuthenticated) and request.method == "GET":
        return RedirectResponse(f"/login?next={quote(str(request.url.path))}", status_code=303)
    return render(request, "error.html", {"error": exc}, status=exc.status)


def render_error(request: Request, exc: XinyongError, headers: dict[str, str] | None = None) -> Response:
    """``headers``: what the status needs beside the body (405: ``Allow``)."""
    if wants_json(request):
        headers = dict(headers or {})
        if exc.status == 401:
            headers["WWW-Authenticate"] = "Bearer"
        return JSONResponse(exc.as_dict(), status_code=exc.status, headers=headers or None)
    response = _page(request, exc)
    response.headers.update(headers or {})
    return response


def allowed_methods(request: Request) -> list[str]:
    """Every method some route serves at this path: a path's GET and POST are often two routes, and the router's
    405 names only the first one it met (RFC 9110 §15.5.6: ``Allow`` lists what the resource supports)."""
    from .openapi import flat_routes

    scope = dict(request.scope, method="")  # no route serves "", so a route that serves this path matches PARTIAL
    methods: set[str] = set()
    for route in flat_routes(request.app):
        if route.methods and route.matches(scope)[0] is not Match.NONE:
            methods |= route.methods
    return sorted(methods)


def install(app: FastAPI) -> None:
    @app.exception_handler(XinyongError)
    async def domain_error(request: Request, exc: XinyongError):
        return render_error(request, exc)

    @app.exception_handler(RequestValidationError)
    async def malformed(request: Request, exc: RequestValidationError):
        where, message = describe_error(exc.errors()[0]) if exc.errors() else ("", "请求格式错误")
        return render_error(request, Invalid(message, field=where or None, status=422))

    @app.exception_handler(IntegrityError)
    async def conflict(request: Request, exc: IntegrityError):
        # the checks before a write make this rare; a race between two clerks can still end here
        return render_error(request, Conflict("与已有数据冲突（可能刚被他人登记），请刷新后重试"))

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException):
        # the framework's own refusals, in the platform's words and shape (its English detail is for developers)
        if exc.status_code == 404:
            return render_error(request, NotFound("页面不存在"))
        if exc.status_code == 405:
            # a route's methods; else the static files' (a mount, which names none): GET and HEAD
            allow = allowed_methods(request) or ["GET", "HEAD"]
            error = MethodNotAllowed(f"此地址不支持 {request.method} 请求，可用的方法：{'、'.join(allow)}")
            return render_error(request, error, headers={"Allow": ", ".join(allow)})
        if exc.status_code == 400:  # FastAPI could not parse the body at all: a malformed request
            message = "请求体无法解析：JSON 请求体须是有效的 JSON，并带 Content-Type: application/json"
            return render_error(request, Invalid(message, status=422))
        return render_error(request, XinyongError("请求未能完成", status=exc.status_code), headers=exc.headers)

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception):
        log.exception("unhandled error on %s %s", request.method, mask_ids_in(request.url.path))
        return render_error(request, XinyongError("系统内部错误，已记录，请稍后重试", status=500))
