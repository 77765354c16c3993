"""In a real browser: a department initiates a joint punishment of a black-listed company, two implementing
departments answer — one executed, one not applicable (refused without a reason, then with one) — and the
initiator sees the last feedback (R-MEA-4, issue 6 item 7)."""

import pytest
from playwright.sync_api import expect

from tests.actions.conftest import FGW, joint  # noqa: F401  departments, users, a black-listed company
from tests.e2e.test_records import log_in

pytestmark = pytest.mark.e2e


def _open_task(page, base):
    page.goto(f"{base}/actions")
    expect(page.get_by_text("本部门待反馈（1）")).to_be_visible()
    page.locator("a[href^='/actions/']").first.click()


def test_joint_action_from_initiation_to_last_feedback(live_server, browser, joint, artifacts):  # noqa: F811
    z = joint
    initiator = browser.new_context(locale="zh-CN").new_page()
    log_in(initiator, live_server, "scjg_jbr")
    initiator.goto(f"{live_server}/actions/new?entity={z['company'].uscc}")
    initiator.get_by_label("限制申请政府补贴资金支持").check()
    initiator.get_by_label("限制担任单位的法定代表人").check()
    initiator.get_by_label(FGW).check()
    initiator.get_by_label("北京经济技术开发区财政局").check()
    initiator.get_by_label("发起说明").fill("经认定为严重失信主体，依法实施联合惩戒")
    initiator.get_by_role("button", name="发起并推送").click()
    expect(initiator.get_by_text("0/2 个部门已反馈")).to_be_visible()
    expect(initiator.get_by_text("王建国（法定代表人）")).to_be_visible()  # related persons named (R-MEA-2)
    action_url = initiator.url

    fgw = browser.new_context(locale="zh-CN").new_page()
    log_in(fgw, live_server, "fgw_jbr")
    _open_task(fgw, live_server)
    fgw.get_by_role("radio", name="已执行").check()
    fgw.get_by_role("textbox", name="说明（").fill("已在补贴申报系统中设置限制")
    fgw.get_by_role("button", name="提交反馈").click()
    expect(fgw.get_by_text("1/2 个部门已反馈")).to_be_visible()

    czj = browser.new_context(locale="zh-CN").new_page()
    log_in(czj, live_server, "czj_shr")
    _open_task(czj, live_server)
    czj.get_by_role("radio", name="不适用").check()
    czj.get_by_role("button", name="提交反馈").click()
    expect(czj.get_by_role("alert")).to_contain_text("必须写明理由")
    czj.get_by_role("radio", name="不适用").check()
    czj.get_by_role("textbox", name="说明（").fill("该主体本年度无在办财政补贴项目")
    czj.get_by_role("button", name="提交反馈").click()
    expect(czj.get_by_text("2/2 个部门已反馈")).to_be_visible()

    initiator.goto(action_url)
    expect(initiator.get_by_text("2/2 个部门已反馈")).to_be_visible()
    expect(initiator.get_by_text("该主体本年度无在办财政补贴项目")).to_be_visible()
    initiator.screenshot(path=str(artifacts / "e2e-joint-action.png"), full_page=True)
