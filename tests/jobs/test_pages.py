"""The credit office sees every job, its schedule and its runs, and can run one now (pages and API)."""

import datetime as dt

import pytest

from tests.web.test_auth import csrf_of, login
from xinyong.jobs import lease
from xinyong.jobs.registry import REGISTRY, Job, Schedule
from xinyong.jobs.runner import wait_for_background


@pytest.fixture
def people(make):
    return {"admin": make.user("admin", "xyb"), "officer": make.user("officer", "jbr"),
            "auditor": make.user("auditor", "sj")}


def test_the_jobs_page_lists_jobs_and_the_button_runs_one(client, people):
    login(client, "xyb")
    page = client.get("/jobs")
    assert page.status_code == 200
    assert "签署审计检查点" in page.text and "每天 00:10（北京时间）" in page.text and "尚未运行" in page.text
    assert "默克尔树检查点" in page.text
    assert "立即运行" in page.text
    r = client.post("/jobs/audit.checkpoint/run", data={"csrf_token": csrf_of(page.text)}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/jobs?started=audit.checkpoint"
    assert wait_for_background(30)
    after = client.get(r.headers["location"]).text
    assert "已开始运行「签署审计检查点」" in after
    assert "已签署检查点：前" in after and "成功" in after and "手动" in after and "xyb（信用办管理员）" in after


def test_a_failed_run_shows_its_reason(client, people, platform, monkeypatch):
    def broken(platform, *, now):
        raise RuntimeError("外部接口无响应")

    monkeypatch.setitem(REGISTRY._jobs, "test.broken", Job("test.broken", "出错的任务", Schedule(every=dt.timedelta(hours=1)),
                                                           broken))
    login(client, "xyb")
    token = csrf_of(client.get("/jobs").text)
    assert client.post("/jobs/test.broken/run", data={"csrf_token": token}, follow_redirects=False).status_code == 303
    assert wait_for_background(30)
    page = client.get("/jobs").text
    assert "失败" in page and "RuntimeError: 外部接口无响应" in page and "出错的任务" in page


def test_running_needs_the_csrf_token_the_role_and_a_free_lease(client, people, platform):
    login(client, "xyb")
    token = csrf_of(client.get("/jobs").text)
    assert client.post("/jobs/audit.checkpoint/run", data={}).status_code == 403
    assert client.post("/jobs/no.such_job/run", data={"csrf_token": token}).status_code == 404
    assert lease.acquire(platform, "audit.checkpoint", "elsewhere", ttl=dt.timedelta(minutes=5))
    busy = client.post("/jobs/audit.checkpoint/run", data={"csrf_token": token})
    assert busy.status_code == 409 and "正在运行" in busy.text and "disabled" in busy.text
    client.post("/logout", data={"csrf_token": token})
    login(client, "jbr")
    assert client.get("/jobs").status_code == 403


def test_the_api_lists_jobs_and_their_runs_and_starts_one(client, people, bearer):
    admin = bearer(people["admin"])
    jobs = client.get("/api/v1/jobs", headers=admin).json()
    [job] = [j for j in jobs if j["name"] == "audit.checkpoint"]
    assert job["label"] == "签署审计检查点" and job["last_run"] is None and job["due"] is True
    r = client.post("/api/v1/jobs/audit.checkpoint/run", headers=admin)
    assert r.status_code == 202 and r.json()["started"] is True
    assert wait_for_background(30)
    runs = client.get("/api/v1/jobs/audit.checkpoint/runs", headers=admin).json()
    assert runs["total"] == 1
    [run] = runs["items"]
    assert run["status"] == "succeeded" and run["trigger"] == "manual" and run["summary"]["tree_size"] >= 1
    assert run["duration_seconds"] >= 0 and run["triggered_by"] == "xyb（信用办管理员）"
    missing = client.get("/api/v1/jobs/no.such_job/runs", headers=admin)
    assert missing.status_code == 404 and "audit.checkpoint" in missing.json()["message"]
    auditor = bearer(people["auditor"])
    assert client.get("/api/v1/jobs", headers=auditor).status_code == 403
    assert client.post("/api/v1/jobs/audit.checkpoint/run", headers=auditor).status_code == 403
