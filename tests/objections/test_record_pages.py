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


def test_an_upheld_record_stays_marked_until_corrected_and_a_doubt_stays_on_it(client, world, objection_flow, uow):
    # R-OBJ-5 (000 §25: marked until the corrected information is out); issue 18 §6 (无法确认 stays on record)
    from xinyong.records import service as records
    from xinyong.records.models import Record
    from xinyong.records.schemas import RecordChange

    record = world["records"]["scjg_public"]
    upheld = objection_flow.file("entity", record)
    objection_flow.decide("admin", upheld, "upheld")
    public = client.get(f"/api/v1/public/entities/{world['company'].uscc}").json()["records"]
    assert [r["under_objection"] for r in public if r["id"] == record] == [True]
    officer, admin = world["actors"]["officer"], world["actors"]["admin"]
    with uow(actor=officer) as s:
        new_id = records.correct(s, actor=officer, record=s.get(Record, record),
                                 change=RecordChange(reason="依异议处理决定更正", authority="北京经济技术开发区市场监管局")).id
    with uow(actor=admin) as s:
        records.accept(s, actor=admin, records=[s.get(Record, new_id)])
    public = client.get(f"/api/v1/public/entities/{world['company'].uscc}").json()["records"]
    assert [(r["under_objection"], r["disputed"]) for r in public if r["id"] == new_id] == [(False, False)]

    doubted = objection_flow.file("entity", new_id)
    objection_flow.verify("officer", doubted, "unconfirmed", reason="原始卷宗缺失，无法确认")
    objection_flow.decide("admin", doubted, "unconfirmed")
    public = client.get(f"/api/v1/public/entities/{world['company'].uscc}").json()["records"]
    assert [(r["under_objection"], r["disputed"]) for r in public if r["id"] == new_id] == [(False, True)]
    login(client, "xinghe")
    assert "存在异议" in client.get(f"/entities/{world['company'].id}").text
