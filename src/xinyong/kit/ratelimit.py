"""An in-process rate limiter: token buckets keyed by client (R-PUB-1: the anonymous query must not let
one client enumerate; R-SEC-3: no guessing).

Each ``Rate`` is a bucket of ``count`` tokens that refills evenly over ``seconds``: a client may spend
the whole bucket at once (a person clicking about), then one token per ``seconds / count``. Several
rates apply together (10 a minute *and* 100 a day); a request passes only when every bucket has a
token, and then takes one from each. A refused request takes nothing, so waiting always recovers.

Memory is bounded: at most ``max_keys`` clients are remembered, least recently seen forgotten first
(a forgotten client starts again with full buckets — only a flood of other addresses can cause that).
State lives in this process: behind several worker processes each has its own count, so the
effective limit is per process.

Pure standard library, no web import; the clock is injected so tests never sleep.
"""

from __future__ import annotations

import ipaddress
import math
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Rate:
    count: int  # tokens in the bucket: the burst
    seconds: float  # the time in which an empty bucket refills

    def __post_init__(self) -> None:
        if self.count < 1 or self.seconds <= 0:
            raise ValueError(f"a rate needs at least one request in a positive time, not {self.count}/{self.seconds}s")

    @classmethod
    def per_minute(cls, count: int) -> Rate:
        return cls(count, 60)

    @classmethod
    def per_hour(cls, count: int) -> Rate:
        return cls(count, 3600)

    @classmethod
    def per_day(cls, count: int) -> Rate:
        return cls(count, 86400)


class RateLimiter:
    """``hit(key)`` → None when the request may go ahead (one token taken from each bucket), else the
    seconds until it may (what ``Retry-After`` says, rounded up to a whole second)."""

    def __init__(self, rates: Sequence[Rate], *, clock: Callable[[], float] = time.monotonic, max_keys: int = 100_000):
        if not rates:
            raise ValueError("a rate limiter needs at least one rate")
        self.rates = tuple(rates)
        self._clock = clock
        self._max_keys = max_keys
        self._lock = threading.Lock()
        # key → (time of the last update, tokens left in each bucket at that time)
        self._buckets: OrderedDict[str, tuple[float, list[float]]] = OrderedDict()

    def hit(self, key: str) -> int | None:
        with self._lock:
            now = self._clock()
            last, tokens = self._buckets.get(key, (now, [float(r.count) for r in self.rates]))
            elapsed = max(0.0, now - last)
            tokens = [min(float(r.count), t + elapsed * r.count / r.seconds) for r, t in zip(self.rates, tokens, strict=True)]
            wait = max((1 - t) * r.seconds / r.count for r, t in zip(self.rates, tokens, strict=True))
            if wait <= 0:
                tokens = [t - 1 for t in tokens]
            self._buckets[key] = (now, tokens)
            self._buckets.move_to_end(key)
            while len(self._buckets) > self._max_keys:
                self._buckets.popitem(last=False)
            return None if wait <= 0 else max(1, math.ceil(wait - 1e-6))  # 1.0000000001 s is 1 s

    def reset(self) -> None:
        with self._lock:
            self._buckets.clear()


def client_key(host: str | None) -> str:
    """What identifies a client: its IPv4 address, or its IPv6 /64 — one subscriber's whole block, which
    it can walk through at will. Anything else (a test client's name, a Unix socket) is taken as is."""
    if not host:
        return "-"
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return host
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return str(address.ipv4_mapped)
        return str(ipaddress.IPv6Network((address, 64), strict=False))
    return str(address)
