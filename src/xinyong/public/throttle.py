"""How often one client may use the public query (R-PUB-1, R-SEC-3).

Two budgets per client address (``kit.ratelimit``): the ID-number lookup, which answers "is this
number on file" and so must not be walked through (an ID number is a region, a birth date and a
three-digit sequence: a thousand guesses find a person whose birthday and district are known), and
the search with the public pages, which a scraper would otherwise copy wholesale. A person at a
screen stays well inside both. Staff signed in (credit office, departments, auditors) are not
limited: they are named, and their reads of non-public information are on the query log. An entity
user is limited like anyone else on these routes.

Every request to the public query's routes (``web.deps.PUBLIC_QUERY``: pages under /public, the API
under /api/v1/public) is counted by a client that is not staff: a GET against the search budget before
its handler runs (an ID number never travels in a URL, so no GET is a lookup), a POST against the budget
its handler chooses from what was posted (``refusal``), or, when it chose none, against the search budget
before its answer leaves. A request is counted once per budget however often it is asked for.

The client is ``request.client``: behind a reverse proxy on the same host, uvicorn takes it from
``X-Forwarded-For`` (it trusts 127.0.0.1 by default, FORWARDED_ALLOW_IPS otherwise); a proxy that does
not send that header makes every visitor one client.

The budgets live on the app (``app.state.public_limits``), built on first use from the settings
(``public_search_per_minute``, ``public_search_per_day``, ``public_lookup_per_minute``,
``public_lookup_per_day``; 0 turns one off) or, while the settings have no such fields, from the
defaults below. A test or a bench may put its own ``PublicLimits`` there.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from fastapi import Request
from fastapi.responses import JSONResponse, Response

from xinyong.accounts.permissions import Actor, Role
from xinyong.kit.errors import XinyongError
from xinyong.kit.ratelimit import Rate, RateLimiter, client_key

SEARCH, LOOKUP = "search", "lookup"
DEFAULTS = {"public_search_per_minute": 60, "public_search_per_day": 3000,
            "public_lookup_per_minute": 10, "public_lookup_per_day": 100}
UNLIMITED = frozenset({Role.ADMIN, Role.OFFICER, Role.REVIEWER, Role.AUDITOR})


class RateLimited(XinyongError):
    status = 429
    code = "rate_limited"

    def __init__(self, retry_after: int, budget: str = SEARCH):
        super().__init__(f"查询过于频繁，请{_wait_text(retry_after)}后再试")
        self.retry_after = retry_after
        self.budget = budget


def _wait_text(seconds: int) -> str:
    if seconds < 60:
        return f" {seconds} 秒"
    if seconds < 3600:
        return f"约 {-(-seconds // 60)} 分钟"
    return f"约 {-(-seconds // 3600)} 小时"


@dataclass(frozen=True)
class PublicLimits:
    search: RateLimiter | None  # None: not limited
    lookup: RateLimiter | None

    @classmethod
    def build(cls, *, search: list[Rate], lookup: list[Rate], clock: Callable[[], float] = time.monotonic) -> PublicLimits:
        return cls(search=RateLimiter(search, clock=clock) if search else None,
                   lookup=RateLimiter(lookup, clock=clock) if lookup else None)

    @classmethod
    def from_settings(cls, settings: Any, *, clock: Callable[[], float] = time.monotonic) -> PublicLimits:
        def rates(kind: str) -> list[Rate]:
            chosen = []
            for period, rate in (("minute", Rate.per_minute), ("day", Rate.per_day)):
                name = f"public_{kind}_per_{period}"
                count = int(getattr(settings, name, DEFAULTS[name]))
                if count > 0:
                    chosen.append(rate(count))
            return chosen

        return cls.build(search=rates("search"), lookup=rates("lookup"), clock=clock)


_BUILD = threading.Lock()


def limits_of(request: Request) -> PublicLimits:
    state = request.app.state
    limits = getattr(state, "public_limits", None)
    if limits is None:
        with _BUILD:
            limits = getattr(state, "public_limits", None)
            if limits is None:
                limits = state.public_limits = PublicLimits.from_settings(state.platform.settings)
    return limits


def refusal(request: Request, actor: Actor, budget: str) -> Response | None:
    """None when this request may go ahead (and is counted); otherwise the 429 to send back: JSON for
    the API, a page for a browser, both with ``Retry-After``."""
    try:
        charge(request, actor, budget)
    except RateLimited as exc:
        return limited(request, exc)
    return None


def charge(request: Request, actor: Actor, budget: str) -> None:
    """Count this request against ``budget``, or raise RateLimited when its client is past it. Asked again
    for the same request and budget, it answers as the first time without counting again."""
    if actor.role in UNLIMITED:
        return
    seen: dict[str, int | None] = _charged(request)
    if budget not in seen:
        limiter: RateLimiter | None = getattr(limits_of(request), budget)
        seen[budget] = None if limiter is None else limiter.hit(
            client_key(request.client.host if request.client else None))
    if (wait := seen[budget]) is not None:
        raise RateLimited(wait, budget)


def charged(request: Request) -> bool:
    """Whether this request was counted against a budget (or refused by one)."""
    return bool(_charged(request))


def _charged(request: Request) -> dict[str, int | None]:
    # request.state lives in the ASGI scope: the dependencies and the handler share it
    seen = getattr(request.state, "public_budgets", None)
    if seen is None:
        seen = request.state.public_budgets = {}
    return seen


def limited(request: Request, error: RateLimited) -> Response:
    """The 429 for ``error``: JSON for the API, a zh-CN page for a browser, both with ``Retry-After``."""
    headers = {"Retry-After": str(error.retry_after)}
    if request.url.path.startswith("/api/"):
        return JSONResponse(error.as_dict() | {"retry_after": error.retry_after}, status_code=error.status,
                            headers=headers)
    from xinyong.web.templating import render

    response = render(request, "public/limited.html", {"error": error, "lookup": error.budget == LOOKUP},
                      status=error.status)
    response.headers.update(headers)
    return response
