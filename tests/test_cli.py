"""The SPEC §18 commands of the foundation, run as an operator runs them."""

import json
import os
import socket
import subprocess
import sys
import time

import httpx
import pytest

from tests.conftest import TEST_SECRET
from xinyong.web.deps import inline


def test_init_is_safe_to_run_again(xinyong):
    first = xinyong("init", "--json")
    assert first.returncode == 0, first.stderr
    assert json.loads(first.stdout) == {"regimes": 0, "info_types": 0, "grading_models": 0, "measures": 0}  # loaded already


def test_department_create_and_its_errors(xinyong, make):
    code = make.uscc("11")
    ok = xinyong("department", "create", code.lower(), "北京经济技术开发区税务局", "--json")
    assert ok.returncode == 0, ok.stderr
    assert json.loads(ok.stdout)["uscc"] == code
    dup = xinyong("department", "create", code, "另一个部门")
    assert dup.returncode != 0 and dup.stderr.count("\n") == 1 and "已登记" in dup.stderr
    bad = xinyong("department", "create", code[:-1] + ("0" if code[-1] != "0" else "1"), "坏部门")
    assert bad.returncode != 0 and "校验位" in bad.stderr and bad.stdout == ""


def test_user_create_roles_and_errors(xinyong, make):
    dept = make.department()
    entity = make.entity()
    r = xinyong("user", "create", "clerk", "--role", "officer", "--department", dept.uscc, "--json")
    assert r.returncode == 0, r.stderr
    created = json.loads(r.stdout)
    assert created["role"] == "officer" and len(created["password"]) >= 8
    r = xinyong("user", "create", "firm", "--role", "entity", "--entity", entity.uscc, "--password", "s3cret-pass")
    assert r.returncode == 0 and "firm" in r.stdout and "s3cret-pass" not in r.stdout
    for args, words in [(["x1", "--role", "boss"], "未知角色"),
                        (["x2", "--role", "officer"], "所属部门"),
                        (["clerk", "--role", "auditor"], "已存在"),
                        (["x3", "--role", "entity", "--entity", make.uscc()], "未找到")]:
        r = xinyong("user", "create", *args)
        assert r.returncode != 0 and words in r.stderr, (args, r.stderr)
        assert len(r.stderr.strip().splitlines()) == 1


def test_token_create_prints_a_token_the_api_accepts(xinyong, make, client):
    make.user("auditor", "shenji")
    r = xinyong("token", "create", "shenji")
    assert r.returncode == 0, r.stderr
    token = r.stdout.strip()
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).json()["role"] == "auditor"
    assert xinyong("token", "create", "nobody").returncode != 0


def test_entity_show_json(xinyong, make):
    e = make.entity("北京亦庄示例科技有限公司", legal_representative="孙八")
    r = xinyong("entity", "show", e.uscc, "--json")
    assert r.returncode == 0, r.stderr
    data = json.loads(r.stdout)
    assert data["code"] == e.uscc and data["name"] == "北京亦庄示例科技有限公司"
    missing = xinyong("entity", "show", make.uscc())
    assert missing.returncode != 0 and "未找到" in missing.stderr


def test_an_uninitialised_database_is_one_line_not_a_traceback(tmp_path):
    env = os.environ | {"XINYONG_DATABASE_URL": f"sqlite:///{tmp_path / 'empty.db'}", "XINYONG_SECRET_KEY": TEST_SECRET}
    r = subprocess.run([sys.executable, "-m", "xinyong.cli", "user", "create", "bob", "--role", "admin"], env=env,
                       cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert r.returncode == 2
    assert len(r.stderr.strip().splitlines()) == 1 and "xinyong init" in r.stderr


def test_a_bad_secret_key_is_one_chinese_line(tmp_path):
    env = os.environ | {"XINYONG_DATABASE_URL": f"sqlite:///{tmp_path / 'x.db'}", "XINYONG_SECRET_KEY": "zz"}
    r = subprocess.run([sys.executable, "-m", "xinyong.cli", "init"], env=env, cwd=tmp_path, capture_output=True,
                       text=True, timeout=120)
    assert r.returncode == 1 and r.stderr.strip() == "错误（secret_key）：XINYONG_SECRET_KEY 应为十六进制字符串"


def test_workdays_add_counts_the_official_calendar(xinyong):  # SPEC §16, §18
    r = xinyong("workdays", "add", "2026-09-30", "1")
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == "2026-10-08"  # National Day 10/1–10/7 off
    r = xinyong("workdays", "add", "2026/2/13", "10", "--json")  # 2/14 make-up Sat, 2/15–23 off, 2/28 make-up Sat
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout) == {"start": "2026-02-13", "workdays": 10, "result": "2026-03-05"}


def test_workdays_add_into_an_unloaded_year_names_the_year(xinyong):  # SPEC §16: say so rather than guess
    r = xinyong("workdays", "add", "2026-12-30", "5")
    assert r.returncode != 0 and r.stdout == ""
    assert len(r.stderr.strip().splitlines()) == 1 and "2027 年" in r.stderr and "calendar load" in r.stderr
    for args, words in [(["2026-02-30", "1"], "不存在的日期"), (["2026-03-02", "-1"], "负数"), (["2026-03-02", "x"], "整数")]:
        r = xinyong("workdays", "add", *args)
        assert r.returncode != 0 and words in r.stderr and len(r.stderr.strip().splitlines()) == 1, (args, r.stderr)


def test_calendar_load_then_workdays_add_works(xinyong, tmp_path):  # SPEC §16, §18
    data = {"year": 2027, "source": "测试用 2027 年安排（非官方）",
            "holidays": [{"name": "元旦", "dates": ["2027-01-01", "2027-01-02", "2027-01-03"]}], "makeup_workdays": []}
    path = tmp_path / "2027.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    r = xinyong("calendar", "load", str(path), "--json")
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout) == {"year": 2027, "source": "测试用 2027 年安排（非官方）", "replaced": False,
                                    "days_off": 3, "makeup_workdays": 0}
    r = xinyong("workdays", "add", "2026-12-30", "5")
    assert r.returncode == 0 and r.stdout.strip() == "2027-01-07", r.stderr  # 12/31, then 1/4…1/7
    r = xinyong("calendar", "list", "--json")
    assert [y["year"] for y in json.loads(r.stdout)] == [2025, 2026, 2027]
    r = xinyong("calendar", "list")
    assert "国办发明电〔2025〕7号" in r.stdout and "2027" in r.stdout
    assert xinyong("audit", "verify").returncode == 0


def test_calendar_load_refuses_a_bad_file_in_one_line(xinyong, tmp_path):  # SPEC §16, §18
    path = tmp_path / "bad.json"
    path.write_text(json.dumps({"year": 2027, "source": "x", "holidays": [{"name": "元旦", "dates": ["2026-12-31"]}],
                                "makeup_workdays": []}), encoding="utf-8")
    r = xinyong("calendar", "load", str(path))
    assert r.returncode == 1 and len(r.stderr.strip().splitlines()) == 1
    assert "holidays[0].dates[0]" in r.stderr and "不在 2027 年内" in r.stderr
    path.write_text("{not json", encoding="utf-8")
    r = xinyong("calendar", "load", str(path))
    assert r.returncode == 1 and "不是有效的 JSON" in r.stderr
    assert xinyong("calendar", "load", str(tmp_path / "missing.json")).returncode == 1


def test_serve_with_two_workers_answers_from_both_processes(tmp_path):  # SPEC §18 serve; issue 6 (credit check on every core)
    env = os.environ | {"XINYONG_DATABASE_URL": f"sqlite:///{tmp_path / 'w.db'}", "XINYONG_SECRET_KEY": TEST_SECRET,
                        "XINYONG_SCHEDULER": "false", "XINYONG_DATA_DIR": str(tmp_path / "data")}
    init = subprocess.run([sys.executable, "-m", "xinyong.cli", "init"], env=env, cwd=tmp_path, capture_output=True,
                          text=True, timeout=120)
    assert init.returncode == 0, init.stderr
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    log = tmp_path / "serve.log"
    with open(log, "wb") as out:
        server = subprocess.Popen([sys.executable, "-m", "xinyong.cli", "serve", "--workers", "2", "--port", str(port)],
                                  env=env, cwd=tmp_path, stdout=out, stderr=subprocess.STDOUT)
    try:
        deadline, status = time.monotonic() + 60, None
        while time.monotonic() < deadline and status != 200:
            try:
                status = httpx.get(f"http://127.0.0.1:{port}/api/v1/public/search", params={"q": "有限"}).status_code
            except httpx.TransportError:
                time.sleep(0.3)
        assert status == 200, log.read_text()
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and log.read_text().count("Application startup complete") < 2:
            time.sleep(0.3)
        assert log.read_text().count("Application startup complete") == 2, log.read_text()
    finally:
        server.terminate()
        server.wait(timeout=30)


def test_an_inline_route_must_be_async():  # web.deps.inline: a plain def would block the event loop unmarked
    def handler():
        return {}

    with pytest.raises(TypeError, match="async def"):
        inline(handler)
