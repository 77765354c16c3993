"""One layout for every page; each domain keeps its templates in its own ``templates/`` folder."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates
from jinja2 import ChoiceLoader, Environment, FileSystemLoader, select_autoescape

from xinyong.accounts.permissions import PUBLIC, ROLE_LABELS, Actor, Permission
from xinyong.audit.trail import action_label, subject_label
from xinyong.kit.clock import local

from .deps import CSRF_COOKIE, pre_session_csrf

PACKAGE = Path(__file__).resolve().parent.parent
# every domain folder that has templates/ (web's layout first): a new domain's pages need no edit here
DOMAINS_WITH_PAGES = ("web", *sorted(p.parent.name for p in PACKAGE.glob("*/templates") if p.parent.name != "web"))

env = Environment(
    loader=ChoiceLoader([FileSystemLoader(str(PACKAGE / d / "templates")) for d in DOMAINS_WITH_PAGES]),
    autoescape=select_autoescape(["html"]),  # HTML in any text is shown as text, never run
    trim_blocks=True,
    lstrip_blocks=True,
)
env.filters["local"] = lambda ts, fmt="%Y-%m-%d %H:%M": local(ts).strftime(fmt) if ts else ""
env.globals["ROLE_LABELS"] = ROLE_LABELS
env.filters["action_label"] = action_label
env.filters["subject_label"] = subject_label
templates = Jinja2Templates(env=env)

# (label, path, any of these permissions) — the navigation an actor sees
NAV: list[tuple[str, str, tuple[Permission, ...]]] = [
    ("主体查询", "/entities", (Permission.ENTITY_SEARCH,)),
    ("我的信用档案", "/my", (Permission.OWN_FILE_READ,)),
    ("查询授权", "/me/consents", (Permission.CONSENT_MANAGE,)),
    ("信用记录", "/records", (Permission.RECORD_SUBMIT, Permission.RECORD_REVIEW)),
    ("待人工匹配", "/records/held", (Permission.RECORD_SUBMIT, Permission.RECORD_REVIEW)),
    ("缩短公示期", "/records/shortenings", (Permission.RECORD_SUBMIT, Permission.RECORD_REVIEW, Permission.OWN_FILE_READ)),
    ("信息目录", "/catalog", (Permission.RECORD_SUBMIT, Permission.CATALOG_MANAGE)),
    ("红黑名单", "/lists", (Permission.LIST_DETERMINE, Permission.GRADING_RUN)),
    ("奖惩措施", "/measures", (Permission.MEASURE_READ,)),
    ("联合奖惩", "/actions", (Permission.ACTION_RESPOND,)),
    ("提醒约谈", "/reminders", (Permission.RECORD_SUBMIT, Permission.GRADING_RUN)),
    # one entry per reader of the objections pages, each named for what it holds there (issue 18 §10)
    ("我的异议", "/objections", (Permission.OWN_FILE_READ,)),
    ("异议核查", "/objections", (Permission.OBJECTION_VERIFY,)),
    ("异议处理", "/objections", (Permission.OBJECTION_OVERSEE,)),
    ("信用评价", "/grading", (Permission.GRADING_RUN,)),
    ("部门与用户", "/admin/users", (Permission.USER_MANAGE,)),
    ("审计日志", "/audit", (Permission.AUDIT_READ,)),
    ("查询日志", "/audit/queries", (Permission.QUERY_LOG_READ,)),
    ("定时任务", "/jobs", (Permission.JOB_READ,)),
    ("接口令牌", "/account/tokens", (Permission.TOKEN_CREATE,)),
]


# path → count(session, actor): a number shown beside a navigation entry (rows waiting for a person…);
# each domain registers its own where it defines its pages
NAV_COUNTS: dict[str, Callable[[Any, Actor], int]] = {}


def nav_for(actor: Actor) -> list[tuple[str, str]]:
    if actor.is_public:  # a visitor without login searches through the public query (R-PUB-1)
        return [("首页", "/"), ("主体查询", "/public")]
    return [("首页", "/")] + [(label, path) for label, path, any_of in NAV if any(map(actor.can, any_of))]


def _nav_counter(request: Request, actor: Actor) -> Callable[[str], int | None]:
    """``nav_count(href)`` for the layout: counted on first use, so a fragment (htmx) costs no query."""
    cache: dict[str, int | None] = {}

    def nav_count(href: str) -> int | None:
        from sqlalchemy.exc import SQLAlchemyError

        if href not in cache:
            count = NAV_COUNTS.get(href)
            session = getattr(request.state, "db", None)  # the request's own session, when it has one
            try:
                cache[href] = count(session, actor) if count and session is not None and not actor.is_public else None
            except SQLAlchemyError:  # a page about an error still renders, without its badges
                cache[href] = None
        return cache[href]

    return nav_count


def _current(path: str, nav: list[tuple[str, str]]) -> str | None:
    """The entry the page belongs to: the longest path that leads to it (/records/held, not /records)."""
    matches = [href for _, href in nav if path == href or (href != "/" and path.startswith(href.rstrip("/") + "/"))]
    return max(matches, key=len, default=None)


def render(request: Request, name: str, context: dict[str, Any] | None = None, *, status: int = 200) -> HTMLResponse:
    actor: Actor = getattr(request.state, "actor", None) or PUBLIC
    csrf = getattr(request.state, "csrf_token", None) or pre_session_csrf(request)
    settings = request.app.state.platform.settings
    nav = nav_for(actor)
    ctx = {"actor": actor, "csrf_token": csrf, "nav": nav, "nav_current": _current(request.url.path, nav),
           "nav_count": _nav_counter(request, actor), "zone_name": settings.zone_name,
           "settings": settings, "path": request.url.path} | (context or {})
    response = templates.TemplateResponse(request, name, ctx, status_code=status)
    new_cookie = getattr(request.state, "new_csrf_cookie", None)
    if new_cookie:
        response.set_cookie(CSRF_COOKIE, new_cookie, httponly=True, samesite="strict",
                            secure=settings.cookie_secure)
    return response
