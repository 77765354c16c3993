"""Jobs are registered in code by name (DESIGN habit 6), where their domain defines them:

    @job("audit.checkpoint", "签署审计检查点", daily_at=dt.time(0, 10), description="对审计日志签署默克尔树检查点")
    def checkpoint(platform, *, now): ...

The function opens its own units of work and returns a small summary (a dict, or None) that is
stored with the run; its ``message``, in Chinese, is what the credit office reads on the jobs page.

This module imports no domain: a domain's ``jobs.py`` is found by its name (``discover``), the way
DESIGN names every domain file, and registers itself on import.
"""

from __future__ import annotations

import datetime as dt
import importlib
import pkgutil
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from xinyong.kit.clock import CHINA
from xinyong.kit.errors import NotFound

JobFn = Callable[..., dict[str, Any] | None]
NAME = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$")  # domain.what, e.g. publicity.expire
DEFAULT_LEASE = dt.timedelta(minutes=5)
# Interval slots are counted from a midnight in China, so "every 6 hours" runs at 00:00, 06:00… Beijing time.
ANCHOR = dt.datetime(2000, 1, 1, tzinfo=CHINA)
DAY = dt.timedelta(days=1)


@dataclass(frozen=True)
class Schedule:
    """Either an interval or a daily time in China (Asia/Shanghai). Time is cut into slots; a job
    is due when it has not succeeded since the start of the current slot, so a platform that was
    down at 00:10 catches up on start."""

    every: dt.timedelta | None = None
    daily_at: dt.time | None = None

    def __post_init__(self) -> None:
        if (self.every is None) == (self.daily_at is None):
            raise ValueError("a job runs either every=timedelta or daily_at=time, exactly one of them")
        if self.every is not None and self.every < dt.timedelta(seconds=1):
            raise ValueError("a job's interval is at least one second")
        if self.daily_at is not None and self.daily_at.tzinfo is not None:
            raise ValueError("daily_at is a wall-clock time in China, given without a time zone")

    @property
    def period(self) -> dt.timedelta:
        return self.every if self.every is not None else DAY

    def slot(self, now: dt.datetime) -> dt.datetime:
        """The last scheduled time at or before ``now`` (UTC)."""
        if self.every is not None:
            return (ANCHOR + (now - ANCHOR) // self.every * self.every).astimezone(dt.UTC)
        local = now.astimezone(CHINA)
        at = dt.datetime.combine(local.date(), self.daily_at, tzinfo=CHINA)
        if at > local:
            at -= DAY  # China keeps no daylight saving: a day is always 24 hours
        return at.astimezone(dt.UTC)

    def next_after(self, now: dt.datetime) -> dt.datetime:
        return self.slot(now) + self.period

    @property
    def label(self) -> str:
        if self.daily_at is not None:
            return f"每天 {self.daily_at:%H:%M}（北京时间）"
        seconds = int(self.every.total_seconds())
        for unit, size in (("天", 86400), ("小时", 3600), ("分钟", 60)):
            if seconds % size == 0:
                return f"每 {seconds // size} {unit}"
        return f"每 {seconds} 秒"


@dataclass(frozen=True)
class Job:
    name: str
    label: str
    schedule: Schedule
    fn: JobFn
    lease: dt.timedelta = DEFAULT_LEASE  # how long a silent holder keeps others out (renewed while it runs)
    description: str = ""  # what it does, in Chinese, for the credit office


class Registry:
    def __init__(self, *, discover: bool = False) -> None:
        self._jobs: dict[str, Job] = {}
        self._discover = discover
        self._discovered = False
        self._lock = threading.Lock()

    def register(self, name: str, label: str, fn: JobFn, *, every: dt.timedelta | None = None,
                 daily_at: dt.time | None = None, lease: dt.timedelta = DEFAULT_LEASE, description: str = "") -> Job:
        if not NAME.match(name) or len(name) > 80:
            raise ValueError(f"job name {name!r}: lower-case words joined by dots, such as 'publicity.expire'")
        if not label.strip():
            raise ValueError(f"job {name!r} needs a Chinese label for the credit office")
        if lease < dt.timedelta(seconds=1):
            raise ValueError("a lease lasts at least one second")
        job = Job(name, label.strip(), Schedule(every=every, daily_at=daily_at), fn, lease, description.strip())
        old = self._jobs.get(name)
        if old is not None and _where(old.fn) != _where(fn):
            raise ValueError(f"job {name!r} is already registered by {_where(old.fn)}")
        self._jobs[name] = job
        return job

    def job(self, name: str, label: str, *, every: dt.timedelta | None = None, daily_at: dt.time | None = None,
            lease: dt.timedelta = DEFAULT_LEASE, description: str = "") -> Callable[[JobFn], JobFn]:
        def decorate(fn: JobFn) -> JobFn:
            self.register(name, label, fn, every=every, daily_at=daily_at, lease=lease, description=description)
            return fn

        return decorate

    def discover(self) -> None:
        """Import every ``xinyong.<domain>.jobs`` module once, so their jobs register themselves."""
        with self._lock:
            if self._discovered:
                return
            import xinyong

            for domain in pkgutil.iter_modules(xinyong.__path__):
                if not domain.ispkg or domain.name == "jobs":
                    continue
                path = [f"{p}/{domain.name}" for p in xinyong.__path__]
                if any(m.name == "jobs" for m in pkgutil.iter_modules(path)):
                    importlib.import_module(f"xinyong.{domain.name}.jobs")
            self._discovered = True

    def _ready(self) -> None:
        if self._discover and not self._discovered:
            self.discover()

    def all(self) -> list[Job]:
        self._ready()
        return sorted(self._jobs.values(), key=lambda j: j.name)

    def get(self, name: str) -> Job:
        self._ready()
        job = self._jobs.get(name)
        if job is None:
            known = "、".join(sorted(self._jobs)) or "（无）"
            raise NotFound(f"没有名为 {name} 的任务；已登记的任务：{known}")
        return job


def _where(fn: JobFn) -> str:
    return f"{fn.__module__}.{fn.__qualname__}"


REGISTRY = Registry(discover=True)
job = REGISTRY.job
register = REGISTRY.register
