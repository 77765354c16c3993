"""A lease row stops two processes running one job; a dead holder's lease expires (DESIGN habit 6)."""

import datetime as dt
import os
import subprocess
import sys
import textwrap
import threading
import time

import pytest
from sqlalchemy import select

from tests.conftest import TEST_SECRET
from xinyong.jobs import lease
from xinyong.jobs.models import JobLease, JobRun, RunStatus, Trigger
from xinyong.jobs.registry import Registry
from xinyong.jobs.runner import ABANDONED, run_job
from xinyong.kit import clock
from xinyong.kit.errors import Conflict
from xinyong.kit.platform import Platform

TTL = dt.timedelta(minutes=1)
T = dt.datetime(2026, 3, 5, 7, 0, tzinfo=dt.UTC)


def test_one_holder_at_a_time_until_it_expires_or_is_released(platform, uow):
    assert lease.acquire(platform, "test.job", "a", ttl=TTL, now=T)
    assert not lease.acquire(platform, "test.job", "b", ttl=TTL, now=T + dt.timedelta(seconds=59))
    assert lease.acquire(platform, "test.job", "a", ttl=TTL, now=T + dt.timedelta(seconds=30))  # a renews its own
    assert lease.renew(platform, "test.job", "a", ttl=TTL, now=T + dt.timedelta(seconds=50))
    assert not lease.acquire(platform, "test.job", "b", ttl=TTL, now=T + dt.timedelta(seconds=100))
    assert lease.acquire(platform, "test.job", "b", ttl=TTL, now=T + dt.timedelta(seconds=111))  # a fell silent
    assert not lease.renew(platform, "test.job", "a", ttl=TTL, now=T + dt.timedelta(seconds=112))
    lease.release(platform, "test.job", "a")  # releasing a lease one lost leaves the new holder's alone
    with uow(write=False) as s:
        assert s.get(JobLease, "test.job").holder == "b"
        assert lease.live(s, "test.job", T + dt.timedelta(seconds=112)) is not None
    lease.release(platform, "test.job", "b")
    assert lease.acquire(platform, "test.job", "c", ttl=TTL, now=T + dt.timedelta(seconds=113))
    assert lease.acquire(platform, "other.job", "b", ttl=TTL, now=T)  # one lease per job


@pytest.fixture
def second_platform(settings):
    p = Platform.create(settings)  # an engine and connection pool of its own, as another process has
    yield p
    p.dispose()


def test_two_platforms_racing_run_the_job_once(platform, second_platform, uow):
    reg = Registry()
    calls = []
    gate = threading.Barrier(2)

    @reg.job("test.race", "并发测试", every=dt.timedelta(hours=1))
    def race(platform, *, now):
        calls.append(platform)
        time.sleep(0.5)
        return {"message": "只运行一次"}

    results = {}

    def worker(p):
        gate.wait()
        results[id(p)] = run_job(p, "test.race", trigger=Trigger.SCHEDULE, registry=reg)

    threads = [threading.Thread(target=worker, args=(p,)) for p in (platform, second_platform)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert len(calls) == 1
    assert sorted(r is None for r in results.values()) == [False, True]
    with uow(write=False) as s:
        assert [r.status for r in s.scalars(select(JobRun))] == [RunStatus.SUCCEEDED]


def test_a_long_job_renews_its_lease_while_it_runs(platform):
    reg = Registry()
    seen = {}

    @reg.job("test.long", "长任务", every=dt.timedelta(hours=1), lease=dt.timedelta(seconds=1))
    def long(platform, *, now):
        time.sleep(2.5)  # longer than the lease: only renewal keeps others out
        seen["other"] = lease.acquire(platform, "test.long", "intruder", ttl=dt.timedelta(seconds=1), now=clock.now())
        return None

    assert run_job(platform, "test.long", registry=reg).status is RunStatus.SUCCEEDED
    assert seen["other"] is False


# ---- a real second process on the same database ---------------------------------------------------

WORKER = textwrap.dedent("""
    import datetime as dt, os, sys, time
    from xinyong.jobs.models import Trigger
    from xinyong.jobs.registry import Registry
    from xinyong.jobs.runner import run_job
    from xinyong.kit.platform import Platform

    mode, marker = sys.argv[1], sys.argv[2]
    reg = Registry()

    @reg.job("test.exclusive", "跨进程测试", every=dt.timedelta(hours=1), lease=dt.timedelta(seconds=60))
    def work(platform, *, now):
        open(marker, "w").write(str(os.getpid()))
        if mode == "crash":
            os._exit(3)  # killed mid-run: no release, no record of the end
        time.sleep(3)
        return {"message": "另一进程完成"}

    run = run_job(Platform.create(), "test.exclusive", trigger=Trigger.SCHEDULE, registry=reg)
    print("ran" if run else "skipped")
""")


@pytest.fixture
def other_process(settings, tmp_path):
    env = os.environ | {"XINYONG_DATABASE_URL": settings.database_url, "XINYONG_SECRET_KEY": TEST_SECRET}
    marker = tmp_path / "started"

    def start(mode: str) -> subprocess.Popen:
        proc = subprocess.Popen([sys.executable, "-c", WORKER, mode, str(marker)], env=env, cwd=tmp_path,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        deadline = time.monotonic() + 60
        while not marker.exists():
            if proc.poll() is not None and not marker.exists():
                raise AssertionError(proc.stderr.read())
            assert time.monotonic() < deadline, "the other process never started its job"
            time.sleep(0.05)
        return proc

    return start


def _same_job(calls: list) -> Registry:
    reg = Registry()

    @reg.job("test.exclusive", "跨进程测试", every=dt.timedelta(hours=1), lease=dt.timedelta(seconds=60))
    def work(platform, *, now):
        calls.append(now)
        return {"message": "本进程完成"}

    return reg


def test_a_job_running_in_another_process_is_not_run_here(platform, uow, other_process):
    calls = []
    reg = _same_job(calls)
    proc = other_process("hold")
    with pytest.raises(Conflict, match="正在另一进程中运行"):
        run_job(platform, "test.exclusive", registry=reg)
    assert run_job(platform, "test.exclusive", trigger=Trigger.SCHEDULE, registry=reg) is None
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 0 and out.strip() == "ran", err
    assert calls == []
    # once the other process finished, the slot is done: the scheduler here does not run it again
    assert run_job(platform, "test.exclusive", trigger=Trigger.SCHEDULE, registry=reg) is None
    with uow(write=False) as s:
        [run] = s.scalars(select(JobRun))
        assert run.status is RunStatus.SUCCEEDED and run.summary == {"message": "另一进程完成"}
        assert run.holder.split(":")[1] == str(proc.pid)
        assert s.get(JobLease, "test.exclusive") is None  # released


def test_a_crashed_process_keeps_the_job_until_its_lease_expires(platform, uow, other_process):
    calls = []
    reg = _same_job(calls)
    proc = other_process("crash")
    assert proc.wait(timeout=60) == 3
    with uow(write=False) as s:
        assert s.scalars(select(JobRun.status)).all() == [RunStatus.RUNNING]
        assert s.get(JobLease, "test.exclusive") is not None  # the dead process never released it
    with pytest.raises(Conflict):
        run_job(platform, "test.exclusive", registry=reg)
    later = clock.now() + dt.timedelta(seconds=61)
    run = run_job(platform, "test.exclusive", now=later, registry=reg)
    assert run.status is RunStatus.SUCCEEDED and calls == [later]
    with uow(write=False) as s:
        dead, mine = s.scalars(select(JobRun).order_by(JobRun.id)).all()
        assert dead.status is RunStatus.FAILED and dead.error == ABANDONED and mine.id == run.id
