"""The file, consents and the query log over the API and the pages (R-PUB-2, R-PUB-3)."""

import csv
import datetime as dt
import io

import pytest

from tests.web.test_auth import csrf_of, login
from xinyong.kit.clock import today

IN_90_DAYS = (today() + dt.timedelta(days=90)).isoformat()


@pytest.fixture
def h(world, bearer):
    """Authorization headers per role."""
    return {name: bearer(user) for name, user in world["users"].items()}


def labels(world, body) -> set[str]:
    return {world["label"][r["id"]] for r in body["records"]}


def test_the_file_endpoint_shows_the_public_part_until_a_duty_is_claimed(client, world, h):  # R-PUB-3
    url = f"/api/v1/entities/{world['company'].uscc}/file"
    plain = client.get(url, headers=h["officer"]).json()
    assert labels(world, plain) == {"scjg_public", "scjg_internal", "sthj_public"} and not plain["non_public"]
    claimed = client.get(url, params={"duty": "bidding", "matter": "京开招〔2026〕9号"}, headers=h["officer"]).json()
    assert "sthj_internal" in labels(world, claimed) and claimed["duty_label"] == "招标投标"
    assert claimed["name"] == "北京亦庄星河精密制造有限公司" and claimed["non_public"]
    r = client.get(url, params={"duty": "curiosity"}, headers=h["officer"])
    assert r.status_code == 422 and r.json()["field"] == "duty"
    log = client.get("/api/v1/audit/queries", headers=h["auditor"]).json()
    assert log["total"] == 1 and log["items"][0]["duty"] == "bidding" and log["items"][0]["path"] == url


def test_another_entitys_file_answers_exactly_like_a_code_that_does_not_exist(client, world, h, make):  # R-PUB-3
    other = client.get(f"/api/v1/entities/{world['other'].uscc}/file", headers=h["entity"])
    missing = client.get(f"/api/v1/entities/{make.uscc()}/file", headers=h["entity"])
    assert other.status_code == missing.status_code == 404
    assert other.json() == missing.json() == {"error": "not_found", "message": "未找到该信用主体"}
    own = client.get(f"/api/v1/entities/{world['company'].uscc}/file", headers=h["entity"]).json()
    assert labels(world, own) == {"scjg_public", "scjg_internal", "sthj_public", "sthj_internal"}
    log = client.get("/api/v1/audit/queries", params={"outcome": "refused"}, headers=h["auditor"]).json()
    assert [e["entity"] for e in log["items"]] == [f"（未找到）{missing.url.path.split('/')[-2]}",
                                                   f"北京亦庄晨光电子有限公司（{world['other'].uscc}）"]


def test_the_pages_answer_another_entitys_file_like_a_missing_one(client, world, make):
    login(client, "xinghe")
    other = client.get(f"/entities/{world['other'].id}")
    missing = client.get("/entities/999999")
    assert other.status_code == missing.status_code == 404 and other.text == missing.text
    assert "未找到该信用主体" in other.text


def test_auditor_and_public_on_the_file_endpoint(client, world, h):
    url = f"/api/v1/entities/{world['company'].uscc}/file"
    assert client.get(url, headers=h["auditor"]).status_code == 403
    assert client.get(url).status_code == 401  # the public reads /api/v1/public/entities/{code} (issue 17)
    [entry] = client.get("/api/v1/audit/queries", headers=h["auditor"]).json()["items"]
    assert entry["outcome"] == "refused" and entry["actor_role"] == "auditor"


def test_consents_over_the_api_granted_used_revoked(client, world, h):  # R-PUB-2
    r = client.post("/api/v1/me/consents", headers=h["entity"], json={
        "grantee_uscc": world["sthj"].uscc, "purpose": "排污许可变更", "valid_to": IN_90_DAYS})
    assert r.status_code == 201, r.text
    consent = r.json()
    assert consent["status"] == "active" and consent["on_platform"] and consent["info_type_names"] == []
    url = f"/api/v1/entities/{world['company'].uscc}/file"
    used = client.get(url, params={"consent": consent["id"]}, headers=h["outsider"]).json()
    assert "scjg_internal" in labels(world, used) and used["consent_id"] == consent["id"]
    uses = client.get(f"/api/v1/me/consents/{consent['id']}/uses", headers=h["entity"]).json()
    assert [(u["party"], u["outcome"]) for u in uses] == [("北京经济技术开发区生态环境局", "allowed")]
    assert client.get("/api/v1/me/consents", headers=h["entity"]).json()[0]["uses"] == 1
    revoked = client.post(f"/api/v1/me/consents/{consent['id']}/revoke", headers=h["entity"]).json()
    assert revoked["status"] == "revoked"
    refused = client.get(url, params={"consent": consent["id"]}, headers=h["outsider"]).json()
    assert "scjg_internal" not in labels(world, refused) and refused["refused"] == ["该授权已被主体撤回"]
    uses = client.get(f"/api/v1/me/consents/{consent['id']}/uses", headers=h["entity"]).json()
    assert [u["outcome"] for u in uses] == ["refused", "allowed"]
    # nobody but the entity manages its consents
    assert client.get("/api/v1/me/consents", headers=h["officer"]).status_code == 403
    assert client.get(f"/api/v1/me/consents/{consent['id']}/uses", headers=h["other_entity"]).status_code == 404


def test_a_malformed_consent_names_its_field(client, world, h):
    r = client.post("/api/v1/me/consents", headers=h["entity"], json={"grantee_uscc": world["sthj"].uscc,
                                                                      "purpose": "x", "valid_to": "明年"})
    assert r.status_code == 400 and r.json()["field"] == "valid_to"


def test_the_query_log_filters(client, world, h):
    url = f"/api/v1/entities/{world['company'].uscc}/file"
    client.get(url, params={"duty": "bidding"}, headers=h["officer"])
    client.get(url, params={"duty": "land"}, headers=h["outsider"])
    client.get(f"/api/v1/entities/{world['other'].uscc}/file", headers=h["entity"])

    def count(**params):
        return client.get("/api/v1/audit/queries", params=params, headers=h["auditor"]).json()["total"]

    assert count() == 3 and count(outcome="refused") == 1 and count(duty="land") == 1
    assert count(actor="生态环境局") == 1 and count(actor="scjg_jbr") == 1
    assert count(entity="星河") == 2 and count(entity=world["other"].uscc) == 1
    # the same on both backends whatever the case typed (LIKE is case-blind on SQLite only)
    assert count(actor="SCJG_JBR") == 1 and count(entity=world["other"].uscc.lower()) == 1
    assert count(date_from=today().isoformat(), date_to=today().isoformat()) == 3
    assert count(date_to=(today() - dt.timedelta(days=1)).isoformat()) == 0
    assert client.get("/api/v1/audit/queries", headers=h["officer"]).status_code == 403
    assert client.get("/api/v1/audit/queries", headers=h["admin"]).status_code == 200


def test_the_duties_list_is_published(client):
    duties = client.get("/api/v1/duties").json()
    assert {"code": "licensing", "label": "行政许可（行政审批）"}.items() <= duties[0].items()
    assert {d["label"] for d in duties} >= {"政府采购", "招标投标", "国有土地出让", "评优评先、表彰奖励", "重点领域监管"}


# ---- pages --------------------------------------------------------------------------------------

def test_a_department_claims_a_duty_on_the_entity_page(client, world):
    login(client, "scjg_jbr")
    page = client.get(f"/entities/{world['company'].id}").text
    assert "查询非公开信息" in page and "京开环罚〔2026〕21号" in page and "京开环提〔2026〕22号" not in page
    assert f'href="/records/{world["records"]["sthj_public"]}"' not in page  # another department's record: no link
    page = client.get(f"/entities/{world['company'].id}", params={"duty": "honours", "matter": "2026年度表彰"}).text
    assert "京开环提〔2026〕22号" in page and "按履职事由“评优评先、表彰奖励”" in page and "已记入查询日志" in page


def test_an_entity_grants_a_consent_on_its_page_and_sees_it_used(client, world, bearer):
    login(client, "xinghe")
    page = client.get("/me/consents")
    assert page.status_code == 200 and "查询授权" in page.text
    r = client.post("/me/consents", data={"csrf_token": csrf_of(page.text), "grantee_uscc": world["sthj"].uscc,
                                          "purpose": "排污许可变更", "valid_to": IN_90_DAYS,
                                          "info_types": ["other_bad"]}, follow_redirects=False)
    assert r.status_code == 303
    detail_url = r.headers["location"]
    cid = int(detail_url.rsplit("/", 1)[1])
    client.get(f"/api/v1/entities/{world['company'].uscc}/file", params={"consent": cid},
               headers=bearer(world["users"]["outsider"]))
    detail = client.get(detail_url).text
    assert "其他不良信息" in detail and "北京经济技术开发区生态环境局" in detail and "已查询" in detail
    r = client.post(f"{detail_url}/revoke", data={"csrf_token": csrf_of(detail)}, follow_redirects=False)
    assert r.status_code == 303 and "已撤回" in client.get(detail_url).text


def test_a_bad_consent_form_is_shown_again_with_the_reason(client, world):
    login(client, "xinghe")
    page = client.get("/me/consents").text
    r = client.post("/me/consents", data={"csrf_token": csrf_of(page), "grantee_uscc": "123",
                                          "purpose": "排污许可变更", "valid_to": IN_90_DAYS})
    assert r.status_code == 400 and "统一社会信用代码应为18位" in r.text and "排污许可变更" in r.text


def _logged_reads(client, world, bearer):
    officer = bearer(world["users"]["officer"])
    client.get(f"/api/v1/entities/{world['company'].uscc}/file", params={"duty": "procurement",
                                                                        "matter": "=HYPERLINK(\"x\")"}, headers=officer)
    client.get(f"/api/v1/entities/{world['other'].uscc}/file", headers=bearer(world["users"]["entity"]))


def test_the_auditor_filters_the_log_on_its_page(client, world, bearer):
    _logged_reads(client, world, bearer)
    login(client, "sj")
    home = client.get("/").text
    assert 'href="/audit/queries"' in home
    page = client.get("/audit/queries", params={"outcome": "refused"}).text
    assert "共 1 条" in page and "北京亦庄晨光电子有限公司" in page and "信用主体查询其他主体的档案" in page
    assert "共 2 条" in client.get("/audit/queries").text
    bad = client.get("/audit/queries", params={"date_from": "2026-13-01"})
    assert bad.status_code == 400 and "日期格式" in bad.text


def test_the_auditor_exports_the_log_as_csv_and_excel(client, world, bearer):
    _logged_reads(client, world, bearer)
    auditor = bearer(world["users"]["auditor"])
    r = client.get("/audit/queries.csv", headers=auditor)
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    assert r.content.startswith(b"\xef\xbb\xbf")  # a BOM, for Excel
    rows = list(csv.reader(io.StringIO(r.content.decode("utf-8-sig"))))
    assert rows[0][:6] == ["序号", "时间（北京时间）", "查询人", "角色", "部门", "信用主体"]
    assert [row[0] for row in rows[1:]] == ["1", "2"]
    first = dict(zip(rows[0], rows[1], strict=True))
    assert (first["履职事由"], first["结果"], first["部门"], first["角色"]) == (
        "政府采购", "已查询", "北京经济技术开发区市场监督管理局", "部门经办人")
    assert first["办理事项"] == "'=HYPERLINK(\"x\")"  # never a formula in a spreadsheet
    refused = client.get("/audit/queries.csv", params={"outcome": "refused"}, headers=auditor)
    assert len(list(csv.reader(io.StringIO(refused.content.decode("utf-8-sig"))))) == 2

    from openpyxl import load_workbook

    x = client.get("/audit/queries.xlsx", headers=auditor)
    assert x.status_code == 200 and x.headers["content-type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(x.content)).active
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    assert values[0] == rows[0] and len(values) == 3
    assert values[1][8] == "政府采购" and values[2][11] == "已拒绝" and values[1][9] == "=HYPERLINK(\"x\")"
    assert sheet["J2"].data_type == "s"  # text, not a formula
    assert client.get("/audit/queries.csv", headers=bearer(world["users"]["officer"])).status_code == 403


def _penalty_quoting_a_person(uow, world, number: str) -> int:
    """An accepted public penalty of 生态环境 whose facts quote a person's full ID number."""
    from tests.access.conftest import public_in
    from xinyong.records import service as records
    from xinyong.records.models import Record

    a = world["actors"]
    record_in = public_in(world["company"], "京开环罚〔2026〕41号", today() - dt.timedelta(days=10))
    record_in.content |= {"violation_facts": f"当事人的现场负责人王五（身份证号{number}）拒不整改",
                          "legal_representative": "王建国"}
    with uow(actor=a["outsider"]) as s:
        rid = records.create(s, actor=a["outsider"], record_in=record_in).id
        s.get(Record, rid).reason = "据执法记录仪补正"
    with uow(actor=a["admin"]) as s:
        records.accept(s, actor=a["admin"], records=[s.get(Record, rid)])
    return rid


def test_the_file_endpoint_shows_the_public_no_more_than_the_public_page(client, world, h, uow, make):  # R-SEC-2
    number = make.id_number("19790615")
    rid = _penalty_quoting_a_person(uow, world, number)
    url = f"/api/v1/entities/{world['company'].uscc}/file"
    assert client.get(url).status_code == 401  # the public's view is /api/v1/public/entities/{code} (issue 17)
    # another department claiming nothing sees what the public page shows: the published items, masked
    plain = client.get(url, headers=h["officer"])
    assert plain.status_code == 200 and number not in plain.text and "legal_representative" not in plain.text
    [record] = [r for r in plain.json()["records"] if r["id"] == rid]
    masked = number[:6] + "********" + number[-4:]
    assert record["content"]["violation_facts"] == f"当事人的现场负责人王五（身份证号{masked}）拒不整改"
    assert (record["reason"], record["due_by"], record["late_workdays"], record["submitted_at"]) == (None,) * 4
    # under a duty, the facts with the number masked
    claimed = client.get(url, params={"duty": "licensing"}, headers=h["officer"])
    [record] = [r for r in claimed.json()["records"] if r["id"] == rid]
    assert number not in claimed.text and record["content"]["legal_representative"] == "王建国"
    # the recording department, the credit office and the entity itself see the record as recorded
    for who in ("outsider", "admin", "entity"):
        [record] = [r for r in client.get(url, headers=h[who]).json()["records"] if r["id"] == rid]
        assert number in record["content"]["violation_facts"], who
