"""The upload page starts a run and sends the clerk to it; the run page counts and ends on the report;
the match queue's pages (R-COL-5, R-ENT-6)."""

import re
import time
from importlib import resources

import pytest

from tests.ingest.builders import PENALTY_HEADERS, penalty, write_csv
from tests.ingest.conftest import SAME_NAME
from tests.web.test_auth import csrf_of, login
from xinyong.ingest.models import HeldRow, HeldStatus

SAMPLES = resources.files("xinyong.ingest").joinpath("samples")


def wait_finished(client, run_url: str, timeout: float = 60) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        fragment = client.get(run_url + "/progress", headers={"HX-Request": "true"}).text
        if "hx-trigger" not in fragment:
            return fragment
        time.sleep(0.1)
    raise AssertionError("the run did not finish")


def login_as(client, username):
    client.cookies.clear()
    login(client, username)


def upload(client, path, name=None):
    token = csrf_of(client.get("/records/import").text)
    with open(path, "rb") as f:
        return client.post("/records/import", data={"csrf_token": token}, files={"file": (name or path.name, f)},
                           follow_redirects=False)


def test_upload_redirects_to_the_run_which_ends_on_the_report(client, qzone, tmp_path):  # R-COL-5
    rows = [penalty(**{"行政处罚决定书文号": f"京经开市监罚〔2026〕{i}号"}) for i in range(1, 4)] + [penalty(违法事实="")]
    path = write_csv(tmp_path / "处罚.csv", PENALTY_HEADERS, rows)
    login_as(client, "scjg_jbr")
    r = upload(client, path)
    assert r.status_code == 303 and re.fullmatch(r"/records/import/runs/\d+", r.headers["location"])
    run_url = r.headers["location"]
    page = client.get(run_url)
    assert page.status_code == 200 and "处罚.csv" in page.text and 'id="run-progress"' in page.text
    done = wait_finished(client, run_url)
    assert "完成" in done and "<html" not in done
    assert "导入 3 行</strong>，拒收 1 行，重复跳过 0 行" in done and "第 5 行" in done and "缺少必填项：违法事实" in done
    errors = client.get(run_url + "/errors")
    assert errors.status_code == 200 and errors.headers["content-type"].startswith("application/vnd.openxmlformats")
    listing = client.get("/records/import/runs")
    assert "处罚.csv" in listing.text and "完成" in listing.text


def test_a_run_page_is_its_departments_own(client, qzone, tmp_path):
    login_as(client, "scjg_jbr")
    run_url = upload(client, write_csv(tmp_path / "p.csv", PENALTY_HEADERS, [penalty()])).headers["location"]
    wait_finished(client, run_url)
    login_as(client, "sthj_jbr")
    assert client.get(run_url).status_code == 404
    assert "p.csv" not in client.get("/records/import/runs").text
    login_as(client, "xyb")
    assert client.get(run_url).status_code == 200


def test_a_file_of_another_kind_is_refused_at_once(client, qzone, tmp_path):
    login_as(client, "scjg_jbr")
    bad = tmp_path / "note.txt"
    bad.write_text("x")
    r = upload(client, bad)
    assert r.status_code == 400 and "请上传 CSV 或 Excel" in r.text


def test_a_file_that_cannot_be_read_fails_the_run_with_its_reason(client, qzone, tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("序号,名称\n1,某公司\n", encoding="utf-8")
    login_as(client, "scjg_jbr")
    done = wait_finished(client, upload(client, bad).headers["location"])
    assert "失败" in done and "导入失败" in done


def test_the_queue_page_lists_and_the_officer_matches(client, qzone, held, uow):  # R-ENT-6
    held_id = held()
    login_as(client, "scjg_jbr")
    home = client.get("/").text
    assert re.search(r'待人工匹配 <span class="badge">1</span>', home)
    listing = client.get("/records/held").text
    assert SAME_NAME in listing and f"/records/held/{held_id}" in listing
    page = client.get(f"/records/held/{held_id}").text
    assert page.count("匹配到此主体</button>") == 2 and "张立" in page and "110105********" in page
    r = client.post(f"/records/held/{held_id}/match", data={"csrf_token": csrf_of(page), "entity_id": qzone["second"].id},
                    follow_redirects=False)
    assert r.status_code == 303
    after = client.get(f"/records/held/{held_id}").text
    assert "已匹配入库" in after and "查看生成的信用记录" in after and "匹配到此主体</button>" not in after
    assert 'class="badge"' not in client.get("/").text


def test_the_queue_page_searches_any_entity_by_post(client, qzone, held, make):
    other = make.entity("北京亦庄张记餐饮店", uscc=make.uscc("92"))
    held_id = held()
    login_as(client, "scjg_jbr")
    page = client.get(f"/records/held/{held_id}").text
    found = client.post(f"/records/held/{held_id}/search", data={"csrf_token": csrf_of(page), "q": "张记"}).text
    assert "北京亦庄张记餐饮店" in found and f'value="{other.id}"' in found


def test_errors_of_a_decision_are_shown_on_the_page(client, qzone, held, make):
    company = make.entity("北京亦庄老张餐饮管理有限公司")
    held_id = held()
    login_as(client, "scjg_jbr")
    token = csrf_of(client.get(f"/records/held/{held_id}").text)
    r = client.post(f"/records/held/{held_id}/match", data={"csrf_token": token, "entity_id": company.id})
    assert r.status_code == 400 and "个体工商户" in r.text
    r = client.post(f"/records/held/{held_id}/match", data={"csrf_token": token, "entity_id": "abc"})
    assert r.status_code == 400 and "请选择要匹配的主体" in r.text
    r = client.post(f"/records/held/{held_id}/dismiss", data={"csrf_token": token, "reason": ""})
    assert r.status_code == 400 and "理由不能为空" in r.text


def test_dismiss_from_the_page(client, qzone, held, uow):
    held_id = held()
    login_as(client, "scjg_jbr")
    token = csrf_of(client.get(f"/records/held/{held_id}").text)
    r = client.post(f"/records/held/{held_id}/dismiss", data={"csrf_token": token, "reason": "名称有误，退回原系统更正"},
                    follow_redirects=False)
    assert r.status_code == 303
    with uow(write=False) as s:
        assert s.get(HeldRow, held_id).status is HeldStatus.DISMISSED
    assert "名称有误，退回原系统更正" in client.get("/records/held?status=dismissed").text


def test_another_department_and_the_credit_office_cannot_decide(client, qzone, held):  # SPEC §0
    held_id = held()
    login_as(client, "sthj_jbr")
    assert client.get(f"/records/held/{held_id}").status_code == 404
    login_as(client, "xyb")
    page = client.get(f"/records/held/{held_id}")
    assert page.status_code == 200 and "匹配到此主体</button>" not in page.text
    r = client.post(f"/records/held/{held_id}/dismiss", data={"csrf_token": csrf_of(page.text), "reason": "x"})
    assert r.status_code == 403


# --- API ------------------------------------------------------------------------------------------------
@pytest.fixture
def tokens(qzone, bearer):
    return {"officer": bearer(qzone["officer_user"])}


def test_the_queue_over_the_api(client, qzone, held, tokens):  # R-ENT-6
    held_id = held()
    listing = client.get("/api/v1/records/held", headers=tokens["officer"]).json()
    assert listing["total"] == 1 and listing["items"][0]["party_name"] == SAME_NAME
    detail = client.get(f"/api/v1/records/held/{held_id}", headers=tokens["officer"]).json()
    assert {c["id"] for c in detail["candidates"]} == {qzone["first"].id, qzone["second"].id}
    r = client.post(f"/api/v1/records/held/{held_id}/match", headers=tokens["officer"], json={"entity_id": qzone["first"].id})
    assert r.status_code == 201, r.text
    assert r.json()["entity_id"] == qzone["first"].id and r.json()["status"] == "submitted"
    again = client.post(f"/api/v1/records/held/{held_id}/match", headers=tokens["officer"], json={"entity_id": qzone["first"].id})
    assert again.status_code == 409 and again.json()["error"] == "conflict"
    assert client.get("/api/v1/records/held", headers=tokens["officer"]).json()["total"] == 0
    assert client.get("/api/v1/records/held?status=matched", headers=tokens["officer"]).json()["total"] == 1


def test_dismiss_over_the_api(client, qzone, held, tokens):
    held_id = held()
    r = client.post(f"/api/v1/records/held/{held_id}/dismiss", headers=tokens["officer"], json={"reason": "名称有误"})
    assert r.status_code == 200 and r.json()["status"] == "dismissed"
    bad = client.post(f"/api/v1/records/held/{held_id + 1}/dismiss", headers=tokens["officer"], json={"reason": "x"})
    assert bad.status_code == 404
    malformed = client.post(f"/api/v1/records/held/{held_id}/match", headers=tokens["officer"], json={"entity": 1})
    assert malformed.status_code == 400


def test_runs_over_the_api(client, qzone, tokens, platform):
    from xinyong.ingest import runs

    run_id = runs.start(platform, qzone["officer"], "x.csv")
    r = client.get(f"/api/v1/records/import/runs/{run_id}", headers=tokens["officer"])
    assert r.status_code == 200 and r.json()["status"] == "running"
    assert client.get("/api/v1/records/import/runs", headers=tokens["officer"]).json()["total"] == 1
