"""One rendering of errors: JSON for /api, a page for the browser (DESIGN habit 3)."""

from __future__ import annotations

import logging
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from sqlalchemy.exc import IntegrityError
from starlette.exceptions import HTTPException as StarletteHTTPException

from xinyong.entities.identifiers import mask_ids_in
from xinyong.kit.errors import Conflict, Invalid, NotAuthenticated, NotFound, XinyongError
from xinyong.kit.schemas import describe_error

log = logging.getLogger("xinyong.web")


def wants_json(request: Request) -> bool:
    return request.url.path.startswith("/api/")


def _page(request: Request, exc: XinyongError) -> Response:
    from .templating import render

    if isinstance(exc, NotAuthenticated) and request.method == "GET":
        return RedirectResponse(f"/login?next={quote(str(request.url.path))}", status_code=303)
    return render(request, "error.html", {"error": exc}, status=exc.status)


def render_error(request: Request, exc: XinyongError) -> Response:
    if wants_json(request):
        headers = {"WWW-Authenticate": "Bearer"} if exc.status == 401 else None
        return JSONResponse(exc.as_dict(), status_code=exc.status, headers=headers)
    return _page(request, exc)


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
        if exc.status_code == 404:
            return render_error(request, NotFound("页面不存在"))
        return render_error(request, XinyongError(str(exc.detail), status=exc.status_code))

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception):
        log.exception("unhandled error on %s %s", request.method, mask_ids_in(request.url.path))
        return render_error(request, XinyongError("系统内部错误，已记录，请稍后重试", status=500))
