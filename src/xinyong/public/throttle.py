"""How often one client may use the public query (R-PUB-1, R-SEC-3).

Two budgets per client address (``kit.ratelimit``): the ID-number lookup, which answers "is this
number on file" and so must not be walked through (an ID number is a region, a birth date and a
three-digit sequence: a thousand guesses find a person whose birthday and district are known), and
the search with the public pages, which a scraper would otherwise copy wholesale. A person at a
screen stays well inside both. Staff signed in (credit office, departments, auditors) are not
limited: they are named, and their reads of non-public information are on the query log. An entity
user is limited like anyone else on these routes.

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

    def __init__(self, retry_after: int):
        super().__init__(f"查询过于频繁，请{_wait_text(retry_after)}后再试")
        self.retry_after = retry_after


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
    if actor.role in UNLIMITED:
        return None
    limiter: RateLimiter | None = getattr(limits_of(request), budget)
    if limiter is None:
        return None
    wait = limiter.hit(client_key(request.client.host if request.client else None))
    if wait is None:
        return None
    error = RateLimited(wait)
    headers = {"Retry-After": str(wait)}
    if request.url.path.startswith("/api/"):
        return JSONResponse(error.as_dict() | {"retry_after": wait}, status_code=error.status, headers=headers)
    from xinyong.web.templating import render

    response = render(request, "public/limited.html", {"error": error, "lookup": budget == LOOKUP},
                      status=error.status)
    response.headers.update(headers)
    return response
