"""The grading API: an entity's grade as its file is read, full runs, models and what-if (SPEC §6, §18;
R-GRD-4, R-GRD-5, R-GRD-7)."""

import time

import pytest
from sqlalchemy import func, select

from tests.access.conftest import world  # noqa: F401  two companies, their records, a user of every role
from xinyong.audit.verify import verify
from xinyong.grading import service
from xinyong.grading.model import preset_path
from xinyong.grading.models import GradeResult, GradingRun, RunKind, RunStatus

NINE_LEVELS = preset_path("regional_nine_levels").read_text(encoding="utf-8")
TOML = {"Content-Type": "application/toml"}


@pytest.fixture
def h(world, bearer):  # noqa: F811
    """Authorization headers per role."""
    return {name: bearer(user) for name, user in world["users"].items()}


def grade_url(entity) -> str:
    return f"/api/v1/entities/{entity.uscc}/grade"


def wait_run(client, h, run_id: int, timeout: float = 60) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        body = client.get(f"/api/v1/grading/runs/{run_id}", headers=h["admin"]).json()
        if body["status"] != "running":
            return body
        time.sleep(0.1)
    raise AssertionError("the run did not finish")


def test_the_entity_reads_its_own_grade_with_reasons_and_history(client, world, h):  # noqa: F811  R-GRD-5
    body = client.get(grade_url(world["company"]), headers=h["entity"]).json()
    assert (body["code"], body["score"], body["grade"], body["grade_label"], body["lists"]) == (
        world["company"].uscc, 620, "C", "中等", [])
    assert body["reasons"] == [body["reason_details"][0]["reason"]]
    assert body["reasons"][0].startswith("行政处罚（一般违法）2条，扣80分")
    assert sorted(body["reason_details"][0]["record_ids"]) == sorted([world["records"]["scjg_public"],
                                                                      world["records"]["sthj_public"]])
    bad = next(i for i in body["indicators"] if i["code"] == "bad")
    assert (bad["level"], bad["low"], bad["high"], bad["points"], bad["count"]) == (1, -400, 0, -80, 2)
    assert body["model"] == {"code": "etdz_reference", "version": 1, "name": "经开区行业信用评价参考模型"}
    assert body["history"][-1]["score"] == 620 and body["dimensions"] == []


def test_another_entitys_grade_answers_like_a_code_that_does_not_exist(client, world, h, make):  # noqa: F811
    other = client.get(grade_url(world["other"]), headers=h["entity"])
    missing = client.get(f"/api/v1/entities/{make.uscc()}/grade", headers=h["entity"])
    assert other.status_code == missing.status_code == 404 and other.json() == missing.json()


def test_who_reads_a_grade_follows_its_publication(client, world, h):  # noqa: F811  R-PUB-7, 000 §19(一)
    url = grade_url(world["company"])
    assert client.get(url, headers=h["admin"]).json()["score"] == 620  # the credit office: always
    # 内部使用, the default, includes sharing with the government departments (000 §19(一), §19(四))
    for who in ("officer", "reviewer", "outsider"):
        assert client.get(url, headers=h[who]).json()["score"] == 620, who
    public = client.get(url)
    assert public.status_code == 401 and "请先登录" in public.json()["message"]  # staff route (issue 17)
    public_view = f"/api/v1/public/entities/{world['company'].uscc}"
    assert client.get(public_view).json().get("grade") is None
    assert client.get(url, headers=h["auditor"]).status_code == 403
    models = client.get("/api/v1/grading/models", headers=h["admin"]).json()
    active = next(m for m in models if m["active"])
    assert (active["publication"], active["audience"]) == ("internal", [])
    set_ = client.post(f"/api/v1/grading/models/{active['id']}/publication", headers=h["admin"],
                       json={"publication": "specified", "audience": [world["other"].uscc]})
    assert set_.status_code == 200 and set_.json()["audience"] == [world["other"].uscc]
    assert client.get(url).status_code == 401  # disclosed to a specified subject, not to the public
    none = client.post(f"/api/v1/grading/models/{active['id']}/publication", headers=h["admin"],
                       json={"publication": "specified", "audience": []})
    assert none.status_code == 400 and none.json()["field"] == "audience"
    client.post(f"/api/v1/grading/models/{active['id']}/publication", json={"publication": "public"}, headers=h["admin"])
    assert client.get(public_view).json()["grade"]["grade"] == "C"
    assert client.get(url, headers=h["outsider"]).status_code == 200
    assert client.get(url, headers=h["auditor"]).status_code == 403  # auditors read logs, not files
    wrong = client.post(f"/api/v1/grading/models/{active['id']}/publication", json={"publication": "everyone"},
                        headers=h["admin"])
    assert wrong.status_code == 400 and wrong.json()["field"] == "publication"
    assert client.post(f"/api/v1/grading/models/{active['id']}/publication", json={"publication": "public"},
                       headers=h["officer"]).status_code == 403


def test_the_credit_offices_read_of_a_grade_is_on_the_query_log(client, world, h):  # noqa: F811  R-PUB-3
    url = grade_url(world["company"])
    client.get(url, headers=h["admin"])
    log = client.get("/api/v1/audit/queries", headers=h["auditor"]).json()
    assert any(e["path"] == url and e["outcome"] == "allowed" for e in log["items"])


def test_a_full_run_over_the_api_becomes_current(client, world, h, uow):  # noqa: F811  R-GRD-4
    assert client.post("/api/v1/grading/runs", headers=h["officer"]).status_code == 403
    r = client.post("/api/v1/grading/runs", json={"as_of": "2026-07-01"}, headers=h["admin"])
    assert r.status_code == 202 and r.json()["status"] == "running"
    run = wait_run(client, h, r.json()["run_id"])
    assert run["status"] == "succeeded" and run["as_of"] == "2026-07-01" and run["current"]
    assert run["entities"] == 2 and sum(run["grades"].values()) == 2 and run["results_digest"]
    listed = client.get("/api/v1/grading/runs", headers=h["admin"]).json()
    assert [x["id"] for x in listed] == [run["id"]] and listed[0]["kind"] == "full"
    assert client.get("/api/v1/grading/runs/999999", headers=h["admin"]).status_code == 404


def test_a_second_run_is_refused_while_one_is_going(client, world, h, uow):  # noqa: F811
    with uow() as s:
        model_id = service.active_version(s).id
        s.add(GradingRun(model_id=model_id, kind=RunKind.FULL, status=RunStatus.RUNNING, as_of=world["company"].created_at.date(),
                         trigger="另一进程"))
    r = client.post("/api/v1/grading/runs", headers=h["admin"])
    assert r.status_code == 409 and "正在进行" in r.json()["message"]


def test_what_if_over_the_api_gives_the_matrix_and_writes_nothing(client, world, h, uow):  # noqa: F811  R-GRD-7
    def counts():
        with uow(write=False) as s:
            return s.scalar(select(func.count()).select_from(GradeResult)), s.scalar(select(func.count()).select_from(GradingRun))

    before = counts()
    draft = NINE_LEVELS
    r = client.post("/api/v1/grading/what-if", content=draft.encode(), headers=h["admin"] | TOML)
    assert r.status_code == 200
    body = r.json()
    assert body["current"]["code"] == "etdz_reference" and body["draft"]["code"] == "regional_nine_levels"
    assert body["entities"] == 2 and sum(c["entities"] for c in body["matrix"]) == 2
    assert body["grades_after"][:3] == ["A", "A-", "B+"] and sum(body["before"].values()) == sum(body["after"].values()) == 2
    multipart = client.post("/api/v1/grading/what-if", files={"file": ("nine.toml", draft.encode())}, headers=h["admin"])
    assert multipart.status_code == 200 and multipart.json()["matrix"] == body["matrix"]
    assert counts() == before
    broken = client.post("/api/v1/grading/what-if", content=b'code = "x"\nversion = 1\n', headers=h["admin"] | TOML)
    assert broken.status_code == 400 and "行" in broken.json()["message"]
    assert client.post("/api/v1/grading/what-if", content=draft.encode(), headers=h["officer"] | TOML).status_code == 403


def test_models_over_the_api(client, world, h, uow, platform):  # noqa: F811  R-GRD-7
    listed = client.get("/api/v1/grading/models", headers=h["admin"]).json()
    assert {m["code"] for m in listed} == {"etdz_reference", "wenlv_five_grades", "shijingshan_risk_classes",
                                           "regional_nine_levels"}
    assert [m["code"] for m in listed if m["active"]] == ["etdz_reference"]
    v2 = NINE_LEVELS.replace("version = 1", "version = 2", 1)
    r = client.post("/api/v1/grading/models", params={"activate": "true"}, content=v2.encode(), headers=h["admin"] | TOML)
    assert r.status_code == 201 and r.json()["active"] and r.json()["version"] == 2
    clash = NINE_LEVELS.replace("version = 1", "version = 2", 1).replace("base = 700", "base = 710", 1)
    r = client.post("/api/v1/grading/models", content=clash.encode(), headers=h["admin"] | TOML)
    assert r.status_code == 400 and "已存在且内容不同" in r.json()["message"]
    reference = next(m for m in listed if m["code"] == "etdz_reference")
    r = client.post(f"/api/v1/grading/models/{reference['id']}/adopt", headers=h["admin"])
    assert r.status_code == 200 and r.json()["active"]
    with uow(write=False) as s:
        assert service.active_version(s).code == "etdz_reference"
        # adopting deactivates the others: a legitimate change, so on the chain (R-REV-4, issue 17)
        report = verify(s, platform.keyring)
        assert report.ok, report.problems
