"""Running jobs: due once per slot, recorded, failures kept with their reason while the scheduler goes on."""

import datetime as dt
import time

import pytest
from sqlalchemy import func, select

from xinyong.jobs import lease
from xinyong.jobs.models import JobRun, RunStatus, Trigger
from xinyong.jobs.registry import Registry
from xinyong.jobs.runner import ABANDONED, RETRY_AFTER, Scheduler, run_job
from xinyong.kit.clock import CHINA
from xinyong.kit.errors import Conflict, Invalid


def cst(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=CHINA)


def runs(uow, name=None) -> list[JobRun]:
    with uow(write=False) as s:
        stmt = select(JobRun).order_by(JobRun.id)
        return list(s.scalars(stmt.where(JobRun.job == name) if name else stmt))


@pytest.fixture
def reg():
    reg = Registry()
    reg.calls = []

    @reg.job("test.daily", "每日测试任务", daily_at=dt.time(0, 10))
    def daily(platform, *, now):
        reg.calls.append(("daily", now))
        return {"message": "完成", "n": len(reg.calls)}

    return reg


def test_a_due_job_runs_once_per_slot(platform, uow, reg):
    scheduler = Scheduler(platform, registry=reg)
    [run] = scheduler.run_pending(cst(2026, 3, 5, 15, 0))  # started late in the day: catches up on today's 00:10
    assert run.status is RunStatus.SUCCEEDED and run.trigger is Trigger.SCHEDULE
    assert run.summary == {"message": "完成", "n": 1} and run.started_at == cst(2026, 3, 5, 15, 0)
    assert run.finished_at >= run.started_at and run.holder == scheduler.holder
    assert scheduler.run_pending(cst(2026, 3, 5, 15, 0, 5)) == []
    assert scheduler.run_pending(cst(2026, 3, 6, 0, 9)) == []  # still the 5th's slot
    assert len(scheduler.run_pending(cst(2026, 3, 6, 0, 10))) == 1
    assert [c[1] for c in reg.calls] == [cst(2026, 3, 5, 15, 0), cst(2026, 3, 6, 0, 10)]
    assert len(runs(uow)) == 2


def test_a_manual_run_does_not_wait_for_the_schedule_and_counts_for_the_slot(platform, uow, reg):
    run = run_job(platform, "test.daily", now=cst(2026, 3, 5, 9, 0), triggered_by="xyb（信用办管理员）", registry=reg)
    assert run.trigger is Trigger.MANUAL and run.triggered_by == "xyb（信用办管理员）"
    assert Scheduler(platform, registry=reg).run_pending(cst(2026, 3, 5, 9, 5)) == []
    again = run_job(platform, "test.daily", now=cst(2026, 3, 5, 9, 6), registry=reg)  # a person may always run it
    assert again.status is RunStatus.SUCCEEDED and len(reg.calls) == 2


def test_a_failed_job_is_recorded_with_its_reason_and_the_others_still_run(platform, uow, reg):
    @reg.job("test.fails", "总是失败的任务", every=dt.timedelta(hours=1))
    def fails(platform, *, now):
        raise RuntimeError("磁盘已满")

    @reg.job("test.invalid", "日历缺失的任务", every=dt.timedelta(hours=1))
    def invalid(platform, *, now):
        raise Invalid("2027 年的节假日安排尚未载入")

    scheduler = Scheduler(platform, registry=reg)
    t = cst(2026, 3, 5, 15, 0)
    done = {r.job: r for r in scheduler.run_pending(t)}
    assert done["test.fails"].status is RunStatus.FAILED and done["test.fails"].error == "RuntimeError: 磁盘已满"
    assert done["test.invalid"].error == "2027 年的节假日安排尚未载入"  # a domain error reads as its message
    assert done["test.daily"].status is RunStatus.SUCCEEDED
    assert done["test.fails"].finished_at is not None
    # not retried on every tick; retried after a pause, within the same slot
    assert scheduler.run_pending(t + dt.timedelta(minutes=1)) == []
    retried = scheduler.run_pending(t + RETRY_AFTER + dt.timedelta(seconds=1))
    assert sorted(r.job for r in retried) == ["test.fails", "test.invalid"]
    # nothing is left holding a lease: a manual run right after is fine
    assert run_job(platform, "test.fails", now=t + dt.timedelta(minutes=30), registry=reg).status is RunStatus.FAILED
    with uow(write=False) as s:
        assert s.scalar(select(func.count()).select_from(lease.JobLease)) == 0


def test_the_scheduler_thread_runs_due_jobs_and_stops_cleanly(platform, uow, reg):
    @reg.job("test.hourly", "每小时测试任务", every=dt.timedelta(hours=1))
    def hourly(platform, *, now):
        raise RuntimeError("第一个任务失败，不影响其他任务")

    scheduler = Scheduler(platform, registry=reg, tick=0.05).start()
    try:
        deadline = time.monotonic() + 20
        while len(runs(uow)) < 2 and time.monotonic() < deadline:
            time.sleep(0.05)
        time.sleep(0.3)  # a few more ticks: nothing runs twice
    finally:
        assert scheduler.stop(timeout=10)
    assert not scheduler.running
    assert sorted((r.job, r.status) for r in runs(uow)) == [("test.daily", RunStatus.SUCCEEDED),
                                                            ("test.hourly", RunStatus.FAILED)]


def test_a_run_whose_process_died_is_marked_by_the_next_holder(platform, uow, reg):
    t = cst(2026, 3, 5, 15, 0)
    with uow() as s:
        s.add(JobRun(job="test.daily", trigger=Trigger.SCHEDULE, status=RunStatus.RUNNING, started_at=t, holder="dead:1:x"))
    assert lease.acquire(platform, "test.daily", "dead:1:x", ttl=dt.timedelta(minutes=5), now=t)
    assert Scheduler(platform, registry=reg).run_pending(t + dt.timedelta(minutes=1)) == []  # the lease is live
    with pytest.raises(Conflict, match="正在另一进程中运行"):
        run_job(platform, "test.daily", now=t + dt.timedelta(minutes=1), registry=reg)
    run = run_job(platform, "test.daily", now=t + dt.timedelta(minutes=6), registry=reg)  # the lease expired
    assert run.status is RunStatus.SUCCEEDED
    dead = runs(uow)[0]
    assert dead.status is RunStatus.FAILED and dead.error == ABANDONED


def test_the_scheduler_retries_a_run_whose_process_died_like_a_failed_one(platform, uow, reg):
    t = cst(2026, 3, 5, 15, 0)
    with uow() as s:
        s.add(JobRun(job="test.daily", trigger=Trigger.SCHEDULE, status=RunStatus.RUNNING, started_at=t, holder="dead:1:x"))
    assert lease.acquire(platform, "test.daily", "dead:1:x", ttl=dt.timedelta(minutes=5), now=t)
    scheduler = Scheduler(platform, registry=reg)
    assert scheduler.run_pending(t + dt.timedelta(minutes=4)) == []  # its lease is still live
    assert scheduler.run_pending(t + dt.timedelta(minutes=6)) == []  # expired, but it failed less than RETRY_AFTER ago
    [run] = scheduler.run_pending(t + RETRY_AFTER + dt.timedelta(seconds=1))
    assert run.status is RunStatus.SUCCEEDED and runs(uow)[0].error == ABANDONED


def test_a_summary_is_stored_as_json(platform, uow, reg):
    @reg.job("test.summary", "摘要测试", every=dt.timedelta(hours=1))
    def summary(platform, *, now):
        return {"as_of": dt.date(2026, 3, 5), "count": 3}

    @reg.job("test.nothing", "无摘要", every=dt.timedelta(hours=1))
    def nothing(platform, *, now):
        return None

    assert run_job(platform, "test.summary", registry=reg).summary == {"as_of": "2026-03-05", "count": 3}
    assert run_job(platform, "test.nothing", registry=reg).summary is None
    assert runs(uow, "test.summary")[0].summary == {"as_of": "2026-03-05", "count": 3}
