"""In a real browser: a company, on a phone, objects to a record from its file with a PDF as evidence; the
credit office finds it in its queue and decides it; the company sees the outcome and its notice
(issue 18 §10; R-OBJ-1, R-OBJ-2, R-OBJ-3)."""

import re

import pytest
from playwright.sync_api import expect

from tests.access.conftest import world  # noqa: F401  two departments, a company with public records, every role
from tests.e2e.test_records import log_in
from tests.objections.conftest import PDF, objection_today  # noqa: F401  the day deadlines are counted from

pytestmark = pytest.mark.e2e


def test_company_files_with_evidence_and_the_credit_office_decides(live_server, browser, phone, world,  # noqa: F811
                                                                   objection_today, tmp_path, artifacts):  # noqa: F811
    evidence = tmp_path / "复议决定书.pdf"
    evidence.write_bytes(PDF)

    company = phone  # the company's person files from a phone
    log_in(company, live_server, "xinghe")
    company.get_by_role("link", name="我的信用档案").click()
    row = company.get_by_role("row").filter(has_text="京开市监罚〔2026〕11号")
    row.get_by_role("link", name="提出异议").click()
    company.get_by_label("信息与事实不符，记载存在错误或者遗漏").check()
    company.get_by_label("异议陈述").fill("处罚决定书认定的经营天数有误，实际为3天，附复议决定书。")
    company.get_by_label("证明材料").set_input_files(str(evidence))
    company.get_by_role("button", name="提交异议").click()
    expect(company.get_by_role("status").first).to_contain_text("异议已提交")
    expect(company.get_by_text("剩余7个工作日", exact=True)).to_be_visible()  # the credit office's 7 working days (000 §24)
    objection_url = company.url.split("?")[0]
    company.screenshot(path=str(artifacts / "e2e-objection-filed-phone.png"), full_page=True)

    office = browser.new_context(locale="zh-CN").new_page()
    log_in(office, live_server, "xyb")
    nav = office.get_by_role("navigation", name="主导航").get_by_role("link", name=re.compile("异议处理"))
    expect(nav).to_have_text("异议处理 1")  # the count in the navigation
    nav.click()
    queued = office.get_by_role("row").filter(has_text="北京亦庄星河精密制造有限公司")
    expect(queued).to_contain_text("已受理，待核查")
    queued.get_by_role("link", name=re.compile(r"^#\d+$")).click()
    expect(office.get_by_role("link", name="复议决定书.pdf")).to_be_visible()
    office.get_by_label("异议成立，予以更正").check()
    office.get_by_label("处理意见").fill("经会同市场监管局核实，经营天数记载有误，异议成立，由记录部门更正。")
    office.get_by_role("button", name="作出处理决定").click()
    expect(office.get_by_role("status").first).to_contain_text("处理决定已作出")
    expect(office.get_by_text("信异告〔2026〕1号")).to_be_visible()
    office.screenshot(path=str(artifacts / "e2e-objection-decided.png"), full_page=True)

    company.goto(f"{live_server}/objections")
    company.get_by_role("link", name=re.compile(r"^#\d+$")).first.click()
    assert company.url.split("?")[0] == objection_url
    expect(company.get_by_text("异议成立，予以更正").first).to_be_visible()
    expect(company.get_by_role("link", name="下载《异议处理结果告知书》（PDF）")).to_be_visible()
    expect(company.get_by_role("button", name="提出申诉")).to_be_visible()  # until the appeal period ends (R-OBJ-6)
