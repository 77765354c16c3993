"""The SPEC §18 commands of the foundation, run as an operator runs them."""

import json
import os
import subprocess
import sys

import pytest

from tests.conftest import TEST_SECRET


@pytest.fixture
def xinyong(settings, tmp_path):
    env = os.environ | {"XINYONG_DATABASE_URL": settings.database_url, "XINYONG_SECRET_KEY": TEST_SECRET}

    def run(*args):
        return subprocess.run([sys.executable, "-m", "xinyong.cli", *args], env=env, cwd=tmp_path,
                              capture_output=True, text=True, timeout=120)

    return run


def test_init_is_safe_to_run_again(xinyong):
    first = xinyong("init", "--json")
    assert first.returncode == 0, first.stderr
    assert json.loads(first.stdout) == {"regimes": 0, "info_types": 0}  # the fixture loaded them already


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
