"""`xinyong jobs list` and `xinyong jobs run NAME`, as an operator runs them."""

import datetime as dt
import json

from click.testing import CliRunner
from sqlalchemy import select

from xinyong.audit.models import AuditCheckpoint
from xinyong.cli import main
from xinyong.jobs.models import JobRun, RunStatus, Trigger
from xinyong.jobs.registry import REGISTRY, Job, Schedule


def test_jobs_run_signs_a_checkpoint_and_records_the_run(xinyong, uow):
    r = xinyong("jobs", "run", "audit.checkpoint")
    assert r.returncode == 0, r.stderr
    assert "签署审计检查点" in r.stdout and "已签署检查点" in r.stdout
    with uow(write=False) as s:
        [run] = s.scalars(select(JobRun))
        assert run.trigger is Trigger.MANUAL and run.status is RunStatus.SUCCEEDED and run.triggered_by == "命令行"
        [cp] = s.scalars(select(AuditCheckpoint))
        assert run.summary["tree_size"] == cp.tree_size
    again = xinyong("jobs", "run", "audit.checkpoint", "--json")
    assert again.returncode == 0, again.stderr
    data = json.loads(again.stdout)
    assert data["status"] == "succeeded" and data["summary"]["signed"] is False  # no new event since


def test_jobs_list_shows_schedule_and_last_run(xinyong):
    before = xinyong("jobs", "list")
    assert before.returncode == 0, before.stderr
    line = next(x for x in before.stdout.splitlines() if x.startswith("audit.checkpoint"))
    assert "签署审计检查点" in line and "每天 00:10" in line and "尚未运行" in line
    assert xinyong("jobs", "run", "audit.checkpoint").returncode == 0
    data = json.loads(xinyong("jobs", "list", "--json").stdout)
    [job] = [j for j in data if j["name"] == "audit.checkpoint"]
    assert job["schedule"] == "每天 00:10（北京时间）" and job["last_run"]["status"] == "succeeded"
    assert job["due"] is False and job["running"] is False
    assert "成功" in xinyong("jobs", "list").stdout


def test_an_unknown_job_is_one_line_naming_the_known_ones(xinyong):
    r = xinyong("jobs", "run", "audit.nothing")
    assert r.returncode != 0 and r.stdout == ""
    assert len(r.stderr.strip().splitlines()) == 1
    assert "audit.nothing" in r.stderr and "audit.checkpoint" in r.stderr


def test_a_failing_job_is_recorded_and_exits_non_zero_in_one_line(platform, uow, monkeypatch):
    def broken(platform, *, now):
        raise RuntimeError("外部接口无响应")

    job = Job("test.broken", "出错的任务", Schedule(every=dt.timedelta(hours=1)), broken)
    monkeypatch.setitem(REGISTRY._jobs, job.name, job)
    r = CliRunner().invoke(main, ["jobs", "run", "test.broken"], obj=platform)
    assert r.exit_code == 1
    assert r.stderr.strip() == "错误：任务 test.broken（出错的任务）运行失败：RuntimeError: 外部接口无响应"
    with uow(write=False) as s:
        [run] = s.scalars(select(JobRun))
        assert run.status is RunStatus.FAILED and "外部接口无响应" in run.error
