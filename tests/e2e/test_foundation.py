"""In a real browser: log in, search an entity, open its page (issue 2's done-when)."""

import pytest

from tests.factories import PASSWORD

pytestmark = pytest.mark.e2e


def test_officer_logs_in_searches_and_opens_entity(live_server, page, make, artifacts):
    dept = make.department("北京经济技术开发区市场监督管理局")
    make.user("officer", "scjg_clerk", department=dept)
    person = make.id_number("19800101")
    target = make.entity("北京亦庄星河精密制造有限公司", legal_representative="王建国",
                         related_persons=[{"role": "legal_representative", "name": "王建国", "id_number": person}])
    make.entity("北京亦庄云帆软件有限公司")

    page.goto(f"{live_server}/")
    page.get_by_role("banner").get_by_role("link", name="登录").click()
    page.get_by_label("用户名").fill("scjg_clerk")
    page.get_by_label("口令").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(f"{live_server}/")
    assert page.get_by_text("北京经济技术开发区市场监督管理局").first.is_visible()

    page.get_by_role("link", name="主体查询").click()
    # full-width brackets and spaces as a clerk might type them (R-ENT-6)
    page.get_by_role("searchbox").fill("星河 精密")
    page.get_by_role("button", name="查询").click()
    page.get_by_role("link", name="北京亦庄星河精密制造有限公司").click()

    page.wait_for_url(f"{live_server}/entities/{target.id}")
    assert page.get_by_role("heading", name="北京亦庄星河精密制造有限公司").is_visible()
    assert page.get_by_text(target.uscc).first.is_visible()
    masked = person[:6] + "********" + person[-4:]
    assert page.get_by_text(masked).is_visible()  # R-SEC-2: masked wherever shown
    assert person not in page.content()
    page.screenshot(path=str(artifacts / "e2e-entity-page.png"), full_page=True)


def test_failed_login_shows_reason_in_chinese(live_server, page, make):
    make.user("admin", "xyb_admin")
    page.goto(f"{live_server}/login")
    page.get_by_label("用户名").fill("xyb_admin")
    page.get_by_label("口令").fill("wrong-password")
    page.get_by_role("button", name="登录").click()
    assert page.get_by_role("alert").inner_text() == "用户名或口令错误"


def test_public_search_works_on_a_phone(live_server, phone, make, artifacts):
    make.entity("北京亦庄绿源餐饮管理有限公司")
    phone.goto(f"{live_server}/")
    phone.get_by_role("searchbox").fill("绿源餐饮")
    phone.get_by_role("button", name="查询").click()
    phone.get_by_role("link", name="北京亦庄绿源餐饮管理有限公司").click()
    assert phone.get_by_role("heading", name="北京亦庄绿源餐饮管理有限公司").is_visible()
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"page scrolls sideways on a phone: {width}px"
    phone.screenshot(path=str(artifacts / "e2e-public-phone.png"), full_page=True)
