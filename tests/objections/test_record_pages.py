"""A record's own page and the records list carry the objection's mark, and the recording department
reads there that its lateness stopped the public query (R-OBJ-3, R-OBJ-4)."""

import datetime as dt

from tests.web.test_auth import login


def test_the_record_page_shows_the_mark_and_a_suspension(client, world, objection_flow):  # R-OBJ-3, R-OBJ-4
    record = world["records"]["scjg_public"]
    on_time = objection_flow.file("entity", record)
    login(client, "scjg_jbr")
    page = client.get(f"/records/{record}").text
    assert "异议处理中" in page and f'href="/objections/{on_time}"' in page and "已中止向社会提供查询" not in page
    assert "异议处理中" in client.get("/records").text
    objection_flow.withdraw("entity", on_time)
    assert "异议处理中" not in client.get(f"/records/{record}").text
    objection_flow.file("entity", record, day=dt.date(2026, 11, 9))  # verify_by 23 November: long passed
    assert "已中止向社会提供查询" in client.get(f"/records/{record}").text
