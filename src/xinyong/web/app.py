"""The one FastAPI app: REST API under /api/v1 (OpenAPI at /docs) and the zh-CN pages."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.staticfiles import StaticFiles
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from xinyong.kit.platform import Platform

from . import errors, logs, openapi

STATIC = Path(__file__).resolve().parent / "static"
API_DESCRIPTION = """北京经济技术开发区市场主体信用平台接口。

Authenticate with `Authorization: Bearer <token>` (`xinyong token create NAME`). Errors are
`{"error": code, "message": 中文说明, "field": 字段}` with the HTTP status of the error.
"""
CSP = ("default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
       "form-action 'self'; frame-ancestors 'none'; base-uri 'self'")


class SecurityHeaders:
    """Headers every response carries, and the page-only ones on HTML. A plain ASGI middleware: the
    ``@app.middleware("http")`` kind runs each request through an extra task and a response stream."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        docs = scope["path"] == "/docs"

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers.setdefault("X-Content-Type-Options", "nosniff")
                headers.setdefault("Referrer-Policy", "same-origin")
                if headers.get("content-type", "").startswith("text/html") and not docs:
                    headers.setdefault("Content-Security-Policy", CSP)
                    headers.setdefault("X-Frame-Options", "DENY")
                    headers.setdefault("Cache-Control", "no-store")
            await send(message)

        await self.app(scope, receive, send_with_headers)


def _scheduled_jobs(platform: Platform):
    """The scheduler lives as long as the app serves (SPEC §18: `serve` runs pages, API and the
    scheduler); XINYONG_SCHEDULER=false leaves it off, as the tests do."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        from xinyong.ingest.runs import recover as recover_imports
        from xinyong.jobs.runner import Scheduler, wait_for_background

        await run_in_threadpool(recover_imports, platform)  # imports a killed server left running: 已中断 (issue 17)
        scheduler = Scheduler(platform).start() if platform.settings.scheduler else None
        try:
            yield
        finally:
            if scheduler is not None:
                await run_in_threadpool(scheduler.stop)
            await run_in_threadpool(wait_for_background, 30)

    return lifespan


def from_settings() -> FastAPI:
    """The app of one server process when `xinyong serve --workers N` starts several: each opens the
    platform from the same settings (the environment)."""
    return create_app(Platform.create())


def create_app(platform: Platform) -> FastAPI:
    from xinyong.access import api as access_api
    from xinyong.access import pages as access_pages
    from xinyong.accounts import api as accounts_api
    from xinyong.accounts import pages as accounts_pages
    from xinyong.actions import api as actions_api
    from xinyong.actions import pages as actions_pages
    from xinyong.audit import api as audit_api
    from xinyong.audit import pages as audit_pages
    from xinyong.catalog import api as catalog_api
    from xinyong.catalog import pages as catalog_pages
    from xinyong.entities import api as entities_api
    from xinyong.entities import pages as entities_pages
    from xinyong.grading import api as grading_api
    from xinyong.grading import pages as grading_pages
    from xinyong.ingest import api as ingest_api
    from xinyong.ingest import pages as ingest_pages
    from xinyong.jobs import api as jobs_api
    from xinyong.jobs import pages as jobs_pages
    from xinyong.lists import api as lists_api
    from xinyong.lists import pages as lists_pages
    from xinyong.measures import api as measures_api
    from xinyong.measures import pages as measures_pages
    from xinyong.objections import api as objections_api
    from xinyong.objections import notice_pages as objection_notice_pages
    from xinyong.objections import pages as objections_pages
    from xinyong.public import api as public_api
    from xinyong.public import pages as public_pages
    from xinyong.records import api as records_api
    from xinyong.records import pages as records_pages

    from . import pages as home_pages

    app = FastAPI(title="Xinyong 信用平台", version="0.1.0", description=API_DESCRIPTION,
                  docs_url=None, redoc_url=None, openapi_url="/openapi.json", lifespan=_scheduled_jobs(platform))
    app.state.platform = platform
    errors.install(app)
    logs.install()  # no ID number in any log line of this process (R-SEC-2)
    openapi.install(app)  # every error status each route answers, declared with the error schema (R-SEC-1)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    # FastAPI tries routes one by one, a few microseconds each: the routes called most come first — the
    # credit check (measures), which department systems call for every matter, and the public query.
    # ingest before records: /api/v1/records/held must not be taken for /records/{record_id}
    for module in (measures_api, public_api, accounts_api, entities_api, ingest_api, records_api, catalog_api, audit_api,
                   jobs_api, access_api, grading_api, lists_api, actions_api, objections_api):
        app.include_router(module.router)
    # ingest before records: /records/import must not be taken for /records/{record_id}
    for module in (home_pages, accounts_pages, entities_pages, ingest_pages, records_pages, catalog_pages, audit_pages,
                   jobs_pages, access_pages, public_pages, grading_pages, lists_pages, measures_pages, actions_pages,
                   objection_notice_pages, objections_pages):
        app.include_router(module.router, include_in_schema=False)
    app.include_router(accounts_pages.login_router, include_in_schema=False)

    @app.get("/docs", include_in_schema=False)
    def docs():
        # Swagger UI from the vendored npm package: this platform runs without reaching a CDN.
        return get_swagger_ui_html(openapi_url="/openapi.json", title="Xinyong 信用平台 · 接口文档",
                                   swagger_js_url="/static/vendor/swagger-ui/swagger-ui-bundle.js",
                                   swagger_css_url="/static/vendor/swagger-ui/swagger-ui.css",
                                   swagger_favicon_url="/static/favicon.svg")

    app.add_middleware(SecurityHeaders)

    return app
