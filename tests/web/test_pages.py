"""Every page a role can reach renders, in Chinese, and does what its buttons say."""

import pytest
from sqlalchemy import text

from tests.web.test_auth import csrf_of, login
from xinyong.accounts.permissions import PUBLIC
from xinyong.web.templating import nav_for


@pytest.fixture
def zone(make):
    dept = make.department("北京经济技术开发区市场监督管理局")
    company = make.entity("北京亦庄星河精密制造有限公司")
    return {"dept": dept, "company": company,
            "admin": make.user("admin", "xyb"), "officer": make.user("officer", "jbr", department=dept),
            "reviewer": make.user("reviewer", "shr", department=dept), "auditor": make.user("auditor", "sj"),
            "entity": make.user("entity", "qiye", entity=company)}


@pytest.mark.parametrize("role", ["admin", "officer", "reviewer", "auditor", "entity"])
def test_every_nav_link_renders_for_its_role(client, zone, make, role):  # SPEC §0
    login(client, zone[role].username)
    actor = make.actor(zone[role])
    links = nav_for(actor)
    assert links, role
    for label, href in links:
        r = client.get(href)
        assert r.status_code == 200, (role, href, r.status_code)
        assert 'lang="zh-CN"' in r.text and label in r.text


def test_public_nav_and_login_required_pages(client):
    assert [label for label, _ in nav_for(PUBLIC)] == ["首页", "主体查询"]
    r = client.get("/admin/users", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/login?next=/admin/users"


def test_officer_is_refused_admin_pages_in_chinese(client, zone):
    login(client, "jbr")
    r = client.get("/admin/users")
    assert r.status_code == 403 and "无权" in r.text


def test_search_pages_through_results(client, zone, make):
    for i in range(25):
        make.entity(f"北京亦庄翔宇{i:02d}科技有限公司")
    login(client, "jbr")
    first = client.get("/entities?q=翔宇")
    assert "共 25 个结果" in first.text and "第 1 / 2 页" in first.text and "下一页" in first.text
    second = client.get("/entities?q=翔宇&page=2")
    assert second.text.count("北京亦庄翔宇") == 5 and "上一页" in second.text


def test_htmx_search_returns_only_the_results_fragment(client, zone):
    login(client, "jbr")
    r = client.get("/entities?q=星河", headers={"HX-Request": "true", "HX-Target": "results"})
    assert "北京亦庄星河精密制造有限公司" in r.text and "<html" not in r.text


def test_admin_creates_a_user_and_sees_errors_in_the_form(client, zone):
    login(client, "xyb")
    token = csrf_of(client.get("/admin/users").text)
    r = client.post("/admin/users", data={"csrf_token": token, "username": "new_clerk", "role": "officer",
                                          "password": "long-enough-1", "department_uscc": zone["dept"].uscc})
    assert r.status_code == 200 and "已创建用户 new_clerk" in r.text
    r = client.post("/admin/users", data={"csrf_token": token, "username": "x", "role": "officer",
                                          "password": "short"})
    assert r.status_code == 400 and "登录名只能由" in r.text and 'value="x"' in r.text


def test_catalog_pages_show_types_and_versions(client, zone, uow):
    from xinyong.accounts.permissions import SYSTEM
    from xinyong.catalog import service
    from xinyong.catalog.schemas import InfoTypeUpdate

    with uow(actor=SYSTEM) as s:
        service.update_type(s, actor=SYSTEM, code="penalty", changes=InfoTypeUpdate(deadline_workdays=7,
                                                                                     change_note="按 002 二(一)3 调整"))
    login(client, "jbr")
    index = client.get("/catalog").text
    assert "行政处罚信息" in index and "不良信息" in index and "v2" in index
    page = client.get("/catalog/penalty").text
    assert "7 个工作日" in page and "按 002 二(一)3 调整" in page and "行政处罚决定书文号" in page
    assert "10 个工作日" in client.get("/catalog/penalty?version=1").text  # R-CAT-5


def test_audit_page_verifies_and_reports_tampering(client, zone, platform):  # R-REV-4
    login(client, "sj")
    ok = client.get("/audit?check=1")
    assert "审计链完整" in ok.text
    with platform.engine.begin() as conn:
        conn.execute(text("UPDATE entities SET name = '篡改后的名称' WHERE id = :id"), {"id": zone["company"].id})
    bad = client.get("/audit?check=1")
    assert "审计校验失败" in bad.text and f"entities 行 {zone['company'].id}" in bad.text


def test_admin_reveals_a_full_id_number_and_the_view_is_audited(client, make, zone):  # R-SEC-2
    from tests.helpers import id_number

    number = id_number("19800101", "321")
    person = make.entity("周九", id_number=number)
    login(client, "xyb")
    page = client.get(f"/entities/{person.id}").text
    assert number not in page and "查看完整号码" in page
    revealed = client.post(f"/entities/{person.id}/reveal-id", data={"csrf_token": csrf_of(page)}).text
    assert number in revealed
    events = client.get("/audit?action=entity.id_number_revealed").text
    assert "查看完整证件号码" in events and f"信用主体 {person.id}" in events


def test_unknown_page_is_a_chinese_404(client):
    r = client.get("/no/such/page")
    assert r.status_code == 404 and "未找到" in r.text


def test_pages_carry_a_content_security_policy(client):
    r = client.get("/")
    assert "script-src 'self'" in r.headers["content-security-policy"]
    assert r.headers["x-frame-options"] == "DENY"
