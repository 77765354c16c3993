"""In a real browser: an officer uploads a small file and watches its run count to the end; then picks
the entity of a row that waits for a person (R-COL-5, R-ENT-6)."""

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.test_records import log_in
from tests.ingest.builders import MARKET_BUREAU_USCC, PENALTY_HEADERS, penalty, write_csv
from tests.ingest.conftest import SAME_NAME, name_only
from xinyong.accounts import service as accounts
from xinyong.accounts.permissions import SYSTEM

pytestmark = pytest.mark.e2e


def test_upload_watch_the_run_then_match_a_held_row(live_server, page, make, uow, artifacts, tmp_path):
    with uow(actor=SYSTEM) as s:
        dept = accounts.create_department(s, actor=SYSTEM, uscc=MARKET_BUREAU_USCC, name="北京经济技术开发区市场监督管理局")
    first = make.entity(SAME_NAME, uscc=make.uscc("92"), legal_representative="张建国", address="荣华中路8号")
    make.entity(SAME_NAME, uscc=make.uscc("92"), legal_representative="张立", address="亦庄镇小羊坊村")
    make.user("officer", "scjg_jbr", department=dept)
    rows = [penalty(**{"行政处罚决定书文号": f"京经开市监罚〔2026〕{i}号"}) for i in range(1, 5)] + [penalty(处罚依据="")]
    rows.append(name_only(行政处罚决定书文号="京经开市监罚〔2026〕9号"))  # row 7: only a name, two shops bear it
    path = write_csv(tmp_path / "四月处罚.csv", PENALTY_HEADERS, rows)

    log_in(page, live_server, "scjg_jbr")
    page.get_by_role("link", name="信用记录").click()
    page.get_by_role("link", name="导入文件").click()
    page.get_by_label("文件").set_input_files(str(path))
    page.get_by_role("button", name="导入").click()
    page.wait_for_url(re.compile(r".*/records/import/runs/\d+$"))
    status = page.get_by_role("status")
    expect(status).to_contain_text("完成", timeout=60_000)
    assert "导入 4 行" in status.inner_text() and "拒收 1 行" in status.inner_text()
    assert "待人工匹配 1 行" in status.inner_text()
    assert page.get_by_text("第 6 行").is_visible() and page.get_by_role("link", name="下载错误行（Excel）").is_visible()
    page.screenshot(path=str(artifacts / "e2e-import-run.png"), full_page=True)
    page.get_by_role("link", name="导入记录").first.click()
    expect(page.get_by_role("link", name="四月处罚.csv")).to_be_visible()

    nav = page.get_by_role("navigation", name="主导航")
    expect(nav.get_by_role("link", name="待人工匹配")).to_contain_text("1")
    nav.get_by_role("link", name="待人工匹配").click()
    page.get_by_role("link", name=SAME_NAME).click()
    assert page.get_by_text("有多个同名主体").is_visible() and page.get_by_text("荣华中路8号").is_visible()
    page.screenshot(path=str(artifacts / "e2e-held-row.png"), full_page=True)
    page.get_by_role("button", name=f"匹配到此主体：{SAME_NAME}（{first.uscc}）").click()
    expect(page.get_by_role("status")).to_contain_text("已匹配入库")
    page.get_by_role("link", name="查看生成的信用记录").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("行政处罚")
    assert page.get_by_text(first.uscc).is_visible()
    expect(page.get_by_role("navigation", name="主导航").locator(".badge")).to_have_count(0)
