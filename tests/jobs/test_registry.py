"""Jobs registered in code by name, with a schedule in China time (DESIGN habit 6)."""

import datetime as dt

import pytest

from xinyong.jobs.registry import REGISTRY, Registry, Schedule
from xinyong.kit.clock import CHINA
from xinyong.kit.errors import NotFound


def cst(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=CHINA)


def test_a_daily_slot_is_the_last_time_of_day_passed_in_china():
    s = Schedule(daily_at=dt.time(0, 10))
    assert s.slot(cst(2026, 3, 5, 0, 10)) == cst(2026, 3, 5, 0, 10)
    assert s.slot(cst(2026, 3, 5, 15, 0)) == cst(2026, 3, 5, 0, 10)
    assert s.slot(cst(2026, 3, 5, 0, 9)) == cst(2026, 3, 4, 0, 10)  # before 00:10: still yesterday's slot
    # 23:00 UTC on the 4th is already 07:00 on the 5th in Beijing
    assert s.slot(dt.datetime(2026, 3, 4, 23, 0, tzinfo=dt.UTC)) == cst(2026, 3, 5, 0, 10)
    assert s.next_after(cst(2026, 3, 5, 15, 0)) == cst(2026, 3, 6, 0, 10)
    assert s.slot(cst(2026, 3, 5, 15, 0)).tzinfo == dt.UTC


def test_interval_slots_are_counted_from_midnight_in_china():
    s = Schedule(every=dt.timedelta(hours=6))
    assert s.slot(cst(2026, 3, 5, 7, 30)) == cst(2026, 3, 5, 6, 0)
    assert s.slot(cst(2026, 3, 5, 5, 59)) == cst(2026, 3, 5, 0, 0)
    assert s.next_after(cst(2026, 3, 5, 23, 0)) == cst(2026, 3, 6, 0, 0)
    assert Schedule(every=dt.timedelta(minutes=15)).slot(cst(2026, 3, 5, 7, 44, 59)) == cst(2026, 3, 5, 7, 30)


def test_schedule_labels_in_chinese():
    assert Schedule(daily_at=dt.time(0, 10)).label == "每天 00:10（北京时间）"
    assert Schedule(every=dt.timedelta(hours=1)).label == "每 1 小时"
    assert Schedule(every=dt.timedelta(minutes=30)).label == "每 30 分钟"
    assert Schedule(every=dt.timedelta(days=7)).label == "每 7 天"
    assert Schedule(every=dt.timedelta(seconds=90)).label == "每 90 秒"


@pytest.mark.parametrize("kwargs", [{}, {"every": dt.timedelta(hours=1), "daily_at": dt.time(1)},
                                    {"every": dt.timedelta(0)}, {"daily_at": dt.time(1, tzinfo=dt.UTC)}])
def test_a_schedule_is_exactly_one_interval_or_one_time_of_day(kwargs):
    with pytest.raises(ValueError):
        Schedule(**kwargs)


def test_register_by_decorator_and_look_up_by_name():
    reg = Registry()

    @reg.job("publicity.expire", "公示期满下线", every=dt.timedelta(hours=1), description=" 公示期满的记录不再公示。 ")
    def expire(platform, *, now):
        return {"message": "ok"}

    job = reg.get("publicity.expire")
    assert job.fn is expire and job.label == "公示期满下线" and job.schedule.every == dt.timedelta(hours=1)
    assert job.description == "公示期满的记录不再公示。" and [j.name for j in reg.all()] == ["publicity.expire"]


def test_names_labels_and_duplicates_are_checked():
    reg = Registry()
    fn = lambda platform, *, now: None  # noqa: E731
    for bad in ("expire", "Publicity.expire", "publicity expire", "publicity."):
        with pytest.raises(ValueError):
            reg.register(bad, "任务", fn, every=dt.timedelta(hours=1))
    with pytest.raises(ValueError):
        reg.register("a.b", " ", fn, every=dt.timedelta(hours=1))
    reg.register("a.b", "任务", fn, every=dt.timedelta(hours=1))
    reg.register("a.b", "任务", fn, every=dt.timedelta(hours=2))  # the same function again (a re-import) is fine

    def other(platform, *, now):
        return None

    with pytest.raises(ValueError, match="already registered"):
        reg.register("a.b", "任务", other, every=dt.timedelta(hours=1))


def test_an_unknown_name_is_refused_naming_the_known_ones():
    with pytest.raises(NotFound) as exc:
        REGISTRY.get("no.such_job")
    assert "no.such_job" in exc.value.message and "audit.checkpoint" in exc.value.message


def test_domains_register_their_jobs_without_the_web_app():
    job = REGISTRY.get("audit.checkpoint")  # found in xinyong/audit/jobs.py by discovery
    assert job.label == "签署审计检查点" and job.schedule.daily_at == dt.time(0, 10)
    assert job.fn.__module__ == "xinyong.audit.jobs"
