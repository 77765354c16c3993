"""In a real browser on a phone, without logging in: search by a trade name, open the entity's public
page and read its records with their publicity end; look a person up by ID number (R-PUB-1, R-SEC-2)."""

import datetime as dt

import pytest

from tests.public.conftest import penalty
from xinyong.kit.clock import today
from xinyong.records import service as records
from xinyong.records.models import Record

pytestmark = pytest.mark.e2e


def test_a_visitor_searches_on_a_phone_and_opens_a_public_page(live_server, phone, make, uow, artifacts):
    dept = make.department("北京经济技术开发区市场监督管理局")
    officer = make.actor(make.user("officer", "scjg_jbr", department=dept))
    admin = make.actor(make.user("admin", "xyb"))
    company = make.entity("北京亦庄绿源餐饮管理有限公司", region="北京经济技术开发区")
    make.entity("北京亦庄绿源物流有限公司")
    number = make.id_number("19790615")
    make.entity("钱七", id_number=number)
    decided = today() - dt.timedelta(days=30)  # inside its publicity whatever day the test runs
    record_in = penalty(company, decision_date=decided,
                        content=penalty(company).content | {"valid_to": str(decided + dt.timedelta(days=180))})
    with uow(actor=officer) as s:
        rid = records.create(s, actor=officer, record_in=record_in).id
    with uow(actor=admin) as s:
        records.accept(s, actor=admin, records=[s.get(Record, rid)])

    phone.goto(f"{live_server}/")
    phone.get_by_role("link", name="主体查询").click()
    phone.get_by_role("searchbox").fill("绿源 餐饮")
    phone.get_by_role("button", name="查询").click()
    assert phone.get_by_role("status").inner_text().startswith("共 1 个结果")
    phone.screenshot(path=str(artifacts / "e2e-public-results-phone.png"), full_page=True)
    phone.get_by_role("link", name="北京亦庄绿源餐饮管理有限公司").click()
    phone.wait_for_url(f"{live_server}/public/entities/{company.uscc}")
    assert phone.get_by_role("heading", name="北京亦庄绿源餐饮管理有限公司").is_visible()
    record = phone.get_by_role("article")
    assert "京开市监罚〔2026〕118号" in record.inner_text() and "公示截止日期" in record.inner_text()
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"page scrolls sideways on a phone: {width}px"
    phone.screenshot(path=str(artifacts / "e2e-public-entity-phone.png"), full_page=True)

    phone.goto(f"{live_server}/public")
    phone.get_by_role("link", name="按公民身份号码查询自然人").click()
    phone.get_by_label("公民身份号码").fill(number)
    phone.get_by_role("button", name="查询").click()
    assert phone.get_by_role("heading", name="钱七").is_visible()
    assert number[:6] + "********" + number[-4:] in phone.content() and number not in phone.content()
    assert number not in phone.url
