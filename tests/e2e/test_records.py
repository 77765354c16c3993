"""In a real browser: a department officer uploads a national file; the credit office returns one
record with a reason and accepts the rest; the officer corrects and resubmits (issue 3)."""

from importlib import resources

import pytest
from playwright.sync_api import expect

from tests.factories import PASSWORD
from xinyong.accounts import service as accounts
from xinyong.accounts.permissions import SYSTEM

pytestmark = pytest.mark.e2e
SCJG = "11110302MB0141592W"  # the authority code the sample file carries


def log_in(page, base, username):
    page.goto(f"{base}/login")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("口令").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(f"{base}/")


def test_upload_return_resubmit_accept(live_server, browser, make, uow, artifacts):
    with uow(actor=SYSTEM) as s:
        dept = accounts.create_department(s, actor=SYSTEM, uscc=SCJG, name="北京经济技术开发区市场监督管理局")
    make.user("officer", "scjg_jbr", department=dept)
    make.user("admin", "xyb_admin")
    sample = resources.files("xinyong.ingest").joinpath("samples", "penalties.csv")

    officer = browser.new_context(locale="zh-CN").new_page()
    log_in(officer, live_server, "scjg_jbr")
    officer.get_by_role("link", name="信用记录").click()
    officer.get_by_role("link", name="导入文件").click()
    officer.get_by_label("文件").set_input_files(str(sample))
    officer.get_by_role("button", name="导入").click()
    status = officer.get_by_role("status")
    expect(status).to_contain_text("完成", timeout=60_000)  # the run page counts until the import ends
    assert "导入 27 行" in status.inner_text() and "拒收 3 行" in status.inner_text()
    assert officer.get_by_text("第 10 行").is_visible()
    officer.screenshot(path=str(artifacts / "e2e-import-report.png"), full_page=True)

    admin = browser.new_context(locale="zh-CN").new_page()
    log_in(admin, live_server, "xyb_admin")
    admin.get_by_role("link", name="信用记录").click()
    assert "共 27 条" in admin.content()
    admin.get_by_role("link", name="行政处罚信息").first.click()
    admin.get_by_label("退回理由").fill("违法事实表述不完整，请补充当事人经营的具体食品名称")
    admin.get_by_role("button", name="退回部门").click()
    assert admin.get_by_text("已退回").first.is_visible()
    returned_url = admin.url

    officer.goto(returned_url)
    assert officer.get_by_text("退回理由：违法事实表述不完整").is_visible()
    officer.get_by_label("违法事实").fill("当事人经营超过保质期的“鲜牛奶”共12盒。")
    officer.get_by_label("修改说明").fill("已按退回意见补充")
    officer.get_by_role("button", name="重新报送").click()
    assert officer.get_by_text("待信用办审核").first.is_visible()

    admin.goto(f"{live_server}/records?status=submitted")
    for box in admin.get_by_role("checkbox").all():
        box.check()
    admin.get_by_role("button", name="批量审核通过").click()
    assert "共 0 条" in admin.content()
    admin.goto(f"{live_server}/records?status=accepted")
    assert "共 27 条" in admin.content()
    admin.screenshot(path=str(artifacts / "e2e-review-accepted.png"), full_page=True)
