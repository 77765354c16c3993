"""The lease row: one process at a time runs a job, on SQLite and on PostgreSQL.

Taking it is one statement that cannot interleave with another taker's: an UPDATE of the row
only where it has expired or is already ours (PostgreSQL re-checks the condition on the locked
row; SQLite has one writer), and, for a job never run before, an INSERT whose primary key lets
only one of two racing processes in. Each change commits in a short transaction of its own, so
the lease is visible to other processes before the job starts. A holder renews it while it runs;
one that dies simply lets it expire.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import secrets
import socket
import threading
from collections.abc import Callable

from sqlalchemy import delete, insert, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from xinyong.kit import clock
from xinyong.kit.platform import Platform

from .models import JobLease

log = logging.getLogger("xinyong.jobs")
LEASES = JobLease.__table__


def new_holder() -> str:
    return f"{socket.gethostname()[:60]}:{os.getpid()}:{secrets.token_hex(4)}"


def _machine() -> str:
    """This machine as the processes on it see each other: the host name and the PID namespace (two
    containers may share a host name, never a PID namespace)."""
    try:
        namespace = os.readlink("/proc/self/ns/pid").removeprefix("pid:")
    except OSError:
        namespace = ""
    return f"{socket.gethostname()[:60]}/{namespace}"


def _started(pid: int) -> str | None:
    """When process ``pid`` started (clock ticks since boot, /proc), so a reused PID is not taken for it;
    None when it has exited or is only a zombie waiting for its parent."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as f:
            fields = f.read().rsplit(b")", 1)[1].split()  # the command name may hold spaces and brackets
    except FileNotFoundError:
        return None
    except OSError:
        return ""
    if fields[0] in (b"Z", b"X"):
        return None
    return fields[19].decode()


def this_process() -> str:
    """A holder name that names this very process: machine, PID and start time. Another process on the
    same machine can then tell at once that the holder is gone (``gone``), without waiting for its lease."""
    started = _started(os.getpid()) or ""
    return f"{_machine()}:{os.getpid()}:{started}"


def gone(holder: str | None) -> bool:
    """True when ``holder`` (``this_process``) named a process on this machine that no longer runs. A holder
    on another machine, or one this process cannot check, is never called gone: its lease says."""
    try:
        machine, pid_text, started = (holder or "").rsplit(":", 2)
        pid = int(pid_text)
    except ValueError:
        return False
    if machine != _machine() or pid <= 0:
        return False
    now_started = _started(pid)
    if now_started is None:
        return True
    if now_started and started:
        return now_started != started  # the PID now belongs to a newer process
    try:  # no /proc here: is anything at that PID at all?
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except OSError:
        return False
    return False


def acquire(platform: Platform, name: str, holder: str, *, ttl: dt.timedelta, now: dt.datetime | None = None) -> bool:
    """True when ``holder`` now holds the lease on ``name`` until ``now + ttl``."""
    now = now or clock.now()
    values = {"holder": holder, "acquired_at": now, "expires_at": now + ttl}
    try:
        with platform.uow() as session:
            taken = session.execute(update(LEASES).where(
                LEASES.c.name == name, or_(LEASES.c.expires_at <= now, LEASES.c.holder == holder)).values(**values))
            if taken.rowcount == 1:
                return True
            if session.scalar(select(LEASES.c.name).where(LEASES.c.name == name)) is not None:
                return False  # held by someone else and not expired
            session.execute(insert(LEASES).values(name=name, **values))
        return True
    except IntegrityError:  # another process inserted the first lease row a moment before us
        return False


def renew(platform: Platform, name: str, holder: str, *, ttl: dt.timedelta, now: dt.datetime | None = None) -> bool:
    """Extend a lease we still hold; False when it expired and someone else took it."""
    now = now or clock.now()
    with platform.uow() as session:
        r = session.execute(update(LEASES).where(LEASES.c.name == name, LEASES.c.holder == holder)
                            .values(expires_at=now + ttl))
        return r.rowcount == 1


def release(platform: Platform, name: str, holder: str) -> None:
    with platform.uow() as session:
        session.execute(delete(LEASES).where(LEASES.c.name == name, LEASES.c.holder == holder))


def live(session: Session, name: str, now: dt.datetime | None = None) -> JobLease | None:
    """The lease on ``name`` if someone holds it now."""
    lease = session.get(JobLease, name)
    return lease if lease is not None and lease.expires_at > (now or clock.now()) else None


class Heartbeat:
    """Renews a held lease every third of its lifetime while a long job runs, in a thread of its own.
    ``renew_with(now)`` renews a lease kept elsewhere than the lease table (an import run's own row)."""

    def __init__(self, platform: Platform, name: str, holder: str, *, ttl: dt.timedelta,
                 now: Callable[[], dt.datetime] = clock.now,
                 renew_with: Callable[[dt.datetime], bool] | None = None) -> None:
        self.platform, self.name, self.holder, self.ttl, self.now = platform, name, holder, ttl, now
        self.renew_with = renew_with
        self.lost = False
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._beat, name=f"xinyong-lease-{name}", daemon=True)

    def _beat(self) -> None:
        interval = max(self.ttl.total_seconds() / 3, 0.2)
        while not self._stop.wait(interval):
            try:
                at = self.now()
                kept = (self.renew_with(at) if self.renew_with is not None
                        else renew(self.platform, self.name, self.holder, ttl=self.ttl, now=at))
                if not kept:
                    self.lost = True
                    log.warning("%s 的租约已失效（已被其他进程取得或判定中断；续期间隔过长？）", self.name)
                    return
            except Exception:  # the database busy or away for a moment: try again next beat
                log.exception("%s 的租约续期失败", self.name)

    def __enter__(self) -> Heartbeat:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()
