"""Records through the API and the pages (R-COL-1, R-REV-2)."""

import pytest

from tests.records.conftest import AGENCY
from tests.web.test_auth import csrf_of, login

CONTENT = {"violation_type": "广告", "violation_facts": "发布虚假广告", "penalty_basis": "《中华人民共和国广告法》第五十五条",
           "penalty_categories": ["罚款"], "penalty_content": "罚款人民币2万元", "fine_amount": "2",
           "valid_to": "2026-07-01", "authority_uscc": AGENCY, "source_unit": "北京经济技术开发区市场监督管理局",
           "source_unit_uscc": AGENCY}


def body(code, number="京开市监罚〔2026〕201号", **extra):
    return {"info_type": "penalty", "entity_code": code, "document_number": number, "decision_date": "2026-04-01",
            "authority": "北京经济技术开发区市场监督管理局", "content": CONTENT} | extra


@pytest.fixture
def api(make, bearer):
    dept = make.department("北京经济技术开发区市场监督管理局")
    return {"officer": bearer(make.user("officer", "jbr", department=dept)), "admin": bearer(make.user("admin", "xyb")),
            "company": make.entity("北京亦庄云帆软件有限公司"), "dept": dept}


def test_submit_review_return_resubmit_accept_over_the_api(client, api):  # R-REV-2
    r = client.post("/api/v1/records", headers=api["officer"], json=body(api["company"].uscc))
    assert r.status_code == 201, r.text
    rid = r.json()["id"]
    queue = client.get("/api/v1/records?status=submitted", headers=api["admin"]).json()
    assert [x["id"] for x in queue["items"]] == [rid]
    r = client.post(f"/api/v1/records/{rid}/return", headers=api["admin"], json={"reason": "违法事实过于简略"})
    assert r.json()["status"] == "returned"
    r = client.post(f"/api/v1/records/{rid}/resubmit", headers=api["officer"],
                    json={"content": {"violation_facts": "在其网站发布含有虚假内容的广告"}, "reason": "已补充"})
    assert r.json()["status"] == "submitted"
    r = client.post("/api/v1/records/accept", headers=api["admin"], json={"ids": [rid]})
    assert r.json()[0]["status"] == "accepted"
    detail = client.get(f"/api/v1/records/{rid}", headers=api["admin"]).json()
    assert detail["content"]["violation_facts"].startswith("在其网站") and len(detail["history"]) == 1


def test_batch_reports_bad_items_keeps_good_ones_and_is_idempotent(client, api, make):  # R-COL-5
    items = [body(api["company"].uscc, "甲〔2026〕1号"),
             body(api["company"].uscc, "甲〔2026〕2号", decision_date="2099-01-01"),
             body(make.uscc(), "甲〔2026〕3号", entity_name="北京亦庄新登记科技有限公司"),
             body(api["company"].uscc, "甲〔2026〕1号")]
    h = api["officer"] | {"Idempotency-Key": "batch-2026-04-01-a"}
    first = client.post("/api/v1/records/batch", headers=h, json={"records": items})
    assert first.status_code == 200, first.text
    result = first.json()
    assert len(result["accepted"]) == 2
    assert result["rejected"] == [{"index": 1, "reason": "决定日期 2099-01-01 晚于今天", "field": "decision_date"}]
    assert [d["index"] for d in result["duplicates"]] == [3]
    again = client.post("/api/v1/records/batch", headers=h, json={"records": items})
    assert again.json() == result
    assert client.get("/api/v1/records", headers=api["officer"]).json()["total"] == 2
    other = client.post("/api/v1/records/batch", headers=h, json={"records": items[:1]})
    assert other.status_code == 409 and other.json()["field"] == "Idempotency-Key"
    assert client.post("/api/v1/records/batch", headers=api["officer"], json={"records": items}).status_code == 400


def test_the_entity_sees_its_accepted_records_only(client, api, make, bearer):  # R-PUB-2: its own file
    r = client.post("/api/v1/records", headers=api["officer"], json=body(api["company"].uscc)).json()
    entity_h = bearer(make.user("entity", "yunfan", entity=api["company"]))
    assert client.get(f"/api/v1/records/{r['id']}", headers=entity_h).status_code == 404  # not yet accepted
    client.post("/api/v1/records/accept", headers=api["admin"], json={"ids": [r["id"]]})
    assert client.get(f"/api/v1/records/{r['id']}", headers=entity_h).json()["status"] == "accepted"


def test_another_department_cannot_see_or_touch_the_record(client, api, make, bearer):  # R-REV-3
    r = client.post("/api/v1/records", headers=api["officer"], json=body(api["company"].uscc)).json()
    outsider = bearer(make.user("officer", "sthj", department=make.department("北京经济技术开发区生态环境局")))
    assert client.get(f"/api/v1/records/{r['id']}", headers=outsider).status_code == 404
    assert client.post(f"/api/v1/records/{r['id']}/revoke", headers=outsider, json={"reason": "x"}).status_code == 404


def test_department_pages_submit_and_review_pages_return(client, api, make):
    make.user("officer", "scjg", department=api["dept"])
    login(client, "scjg")
    page = client.get("/records/new?type=penalty")
    assert page.status_code == 200 and "违法事实" in page.text and "行政相对人名称" not in page.text
    form = {"csrf_token": csrf_of(page.text), "info_type": "penalty", "entity_code": api["company"].uscc,
            "document_number": "京开市监罚〔2026〕301号", "decision_date": "2026-04-02",
            "authority": "北京经济技术开发区市场监督管理局"}
    form |= {f"c_{k}": v for k, v in CONTENT.items() if k != "penalty_categories"}
    form["c_penalty_categories"] = ["警告", "罚款"]
    r = client.post("/records/new", data=form, follow_redirects=False)
    assert r.status_code == 303, r.text
    detail = client.get(r.headers["location"]).text
    assert "待信用办审核" in detail and "警告、罚款" in detail
    bad = client.post("/records/new", data=form | {"document_number": "京开市监罚〔2026〕302号", "decision_date": "2099-01-01"})
    # the form keeps what the clerk typed
    assert bad.status_code == 400 and "晚于今天" in bad.text and 'value="京开市监罚〔2026〕302号"' in bad.text


def test_the_entity_page_lists_its_credit_file(client, api, make):  # R-ENT-3
    r = client.post("/api/v1/records", headers=api["officer"], json=body(api["company"].uscc)).json()
    client.post("/api/v1/records/accept", headers=api["admin"], json={"ids": [r["id"]]})
    make.user("admin", "xyb2")
    login(client, "xyb2")
    page = client.get(f"/entities/{api['company'].id}").text
    title = page[page.index("<title>"):page.index("</title>")]
    assert "信用记录" not in title and "京开市监罚〔2026〕201号" in page and "已入库" in page


def test_timeliness_page_and_api_for_the_credit_office(client, api, make):  # R-COL-2
    client.post("/api/v1/records", headers=api["officer"], json=body(api["company"].uscc))
    rows = client.get("/api/v1/records/timeliness", headers=api["admin"]).json()
    assert rows[0]["department"] == "北京经济技术开发区市场监督管理局" and rows[0]["late"] == 1
    assert client.get("/api/v1/records/timeliness", headers=api["officer"]).status_code == 403
    make.user("admin", "xyb3")
    login(client, "xyb3")
    assert "逾期未转正式的预警信息" in client.get("/records/timeliness").text
