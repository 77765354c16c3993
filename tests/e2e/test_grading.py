"""In a real browser: a company sees its grade, the reasons and the ECharts history on its own page (a
desktop and a phone); the credit office runs a full grading from /grading and watches it end (R-GRD-4,
R-GRD-5)."""

import datetime as dt

import pytest
from playwright.sync_api import expect

from tests.access.conftest import world  # noqa: F401  two companies, their records, a user of every role
from tests.e2e.test_records import log_in
from xinyong.grading import service
from xinyong.kit.clock import today
from xinyong.records import service as records
from xinyong.records.models import Record
from xinyong.records.schemas import RecordCreate

pytestmark = pytest.mark.e2e


@pytest.fixture
def demo_like(world, uow, platform):  # noqa: F811
    """The company also holds a licence and a district commendation, and was graded on the last two cycle
    dates as well as today: its history has three points."""
    officer, admin = world["actors"]["officer"], world["actors"]["admin"]
    made = []
    with uow(actor=officer) as s:
        for number, kind, content in (("京开市监表〔2026〕3号", "commendation", {"level": "区级", "content": "诚信经营示范单位"}),
                                      ("京开市监字〔2026〕8号", "certification", {"content": "质量管理体系认证"})):
            made.append(records.create(s, actor=officer, record_in=RecordCreate(
                info_type=kind, entity_code=world["company"].uscc, document_number=number,
                decision_date=today() - dt.timedelta(days=200), authority="北京经济技术开发区市场监督管理局",
                content=content)).id)
    with uow(actor=admin) as s:
        records.accept(s, actor=admin, records=[s.get(Record, i) for i in made])
    this = dt.date(today().year, 1 if today().month < 7 else 7, 1)
    for as_of in (this - dt.timedelta(days=184), this - dt.timedelta(days=1)):
        service.run(platform, trigger="测试", as_of=as_of)
    service.run(platform, trigger="测试")
    return world


def test_a_company_sees_its_grade_reasons_and_history_chart(live_server, browser, demo_like, artifacts):
    errors = []
    page = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900}).new_page()
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    log_in(page, live_server, "xinghe")
    page.get_by_role("link", name="我的信用档案").click()
    card = page.locator("#grading")
    expect(card.get_by_role("heading", name="信用评价")).to_be_visible()
    expect(card.locator(".grade-badge")).to_contain_text("C")  # 700 + 5 + 20 − 80 = 645
    expect(card.locator(".grade-score")).to_contain_text("645")
    expect(card.get_by_role("listitem").first).to_contain_text("行政处罚（一般违法）2条，扣80分")
    expect(card.get_by_role("link", name="京开市监罚〔2026〕11号")).to_be_visible()
    canvas = card.locator(".chart canvas")
    expect(canvas).to_have_count(1)
    box = canvas.bounding_box()
    assert box["width"] > 600 and box["height"] > 200
    card.locator("details.chart-data summary").click()
    expect(card.locator("details.chart-data tbody tr")).to_have_count(3)
    page.screenshot(path=str(artifacts / "e2e-grading-entity.png"), full_page=True)
    assert errors == []


def test_the_chart_follows_a_phones_width(live_server, phone, demo_like, artifacts):
    log_in(phone, live_server, "xinghe")
    phone.goto(f"{live_server}/my")
    canvas = phone.locator("#grading .chart canvas")
    expect(canvas).to_have_count(1)
    assert canvas.bounding_box()["width"] <= 390
    phone.locator("#grading").screenshot(path=str(artifacts / "e2e-grading-phone.png"))


def test_the_credit_office_runs_a_full_grading_from_its_page(live_server, browser, demo_like, artifacts):
    page = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900}).new_page()
    log_in(page, live_server, "xyb")
    page.get_by_role("link", name="信用评价").first.click()
    expect(page.locator("#current .chart canvas")).to_have_count(1)  # the grade distribution
    page.get_by_role("button", name="立即全量评价").click()
    rows = page.locator("#runs-table tbody tr")
    expect(rows.first).to_contain_text("页面「立即全量评价」", timeout=30_000)
    expect(rows.first).to_contain_text("成功", timeout=30_000)
    expect(rows.first).to_contain_text("现行")
    expect(page.locator("#runs-table progress")).to_have_count(0)
    # the page reloads itself once the run has ended: the results now in force are the new run's
    expect(page.get_by_role("status").filter(has_text="已结束")).to_be_visible()
    run_id = rows.first.locator("td").first.inner_text().split()[0]
    expect(page.locator("#current")).to_contain_text(f"评价运行 {run_id}，模型")
    page.screenshot(path=str(artifacts / "e2e-grading-office.png"), full_page=True)
