"""In a real browser: an entity grants a department consent to read its non-public information; the
department uses it on the entity's page; the entity sees that use (R-PUB-2, R-PUB-3)."""

import datetime as dt

import pytest
from playwright.sync_api import expect

from tests.access.conftest import world  # noqa: F401  the zone with its records and users
from tests.e2e.test_records import log_in
from xinyong.kit.clock import today

pytestmark = pytest.mark.e2e


def test_an_entity_grants_a_consent_and_sees_it_used(live_server, browser, world, artifacts):  # noqa: F811
    entity = browser.new_context(locale="zh-CN").new_page()
    log_in(entity, live_server, "xinghe")
    entity.get_by_role("link", name="查询授权").click()
    entity.get_by_label("被授权方统一社会信用代码").fill(world["sthj"].uscc)
    entity.get_by_label("查询用途").fill("办理排污许可变更，核查企业信用状况")
    entity.get_by_label("截止日").fill((today() + dt.timedelta(days=90)).isoformat())
    entity.get_by_role("button", name="授权").click()
    expect(entity.get_by_role("heading", level=1)).to_contain_text("北京经济技术开发区生态环境局")
    expect(entity.get_by_text("尚无依本授权的查询")).to_be_visible()
    consent_url = entity.url

    officer = browser.new_context(locale="zh-CN").new_page()
    log_in(officer, live_server, "sthj_jbr")
    officer.goto(f"{live_server}/entities/{world['company'].id}")
    expect(officer.get_by_text("京开市监提〔2026〕12号")).to_have_count(0)  # another department's, not public
    officer.get_by_label("主体授权").select_option(index=1)
    officer.get_by_label("办理事项").fill("排污许可变更 2026-118")
    officer.get_by_role("button", name="查询").click()
    expect(officer.get_by_role("status")).to_contain_text("依主体授权")
    expect(officer.get_by_text("京开市监提〔2026〕12号")).to_be_visible()
    officer.screenshot(path=str(artifacts / "e2e-consent-used.png"), full_page=True)

    entity.goto(consent_url)
    row = entity.get_by_role("row", name="排污许可变更 2026-118")
    expect(row).to_contain_text("北京经济技术开发区生态环境局")
    expect(row).to_contain_text("已查询")
    entity.get_by_role("button", name="撤回授权").click()
    expect(entity.get_by_role("heading", level=1)).to_contain_text("已撤回")
    entity.screenshot(path=str(artifacts / "e2e-consent-revoked.png"), full_page=True)
