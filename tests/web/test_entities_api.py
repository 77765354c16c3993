"""The entity API: bad input gets a clear error naming the field and stores nothing."""

import pytest
from sqlalchemy import select

from tests.helpers import entity_counts
from xinyong.entities.models import RelatedPerson


@pytest.fixture
def officer_h(make, bearer):
    return bearer(make.user("officer"))


def test_create_legal_person_with_full_width_lower_case_code(client, officer_h, make):  # R-ENT-1
    code = make.uscc()
    messy = code.lower().translate(str.maketrans("0123456789abcdefghijklmnopqrstuvwxyz",
                                                 "０１２３４５６７８９ａｂｃｄｅｆｇｈｉｊｋｌｍｎｏｐｑｒｓｔｕｖｗｘｙｚ"))
    r = client.post("/api/v1/entities", headers=officer_h,
                    json={"uscc": " " + messy, "name": "北京亦庄测试（北京）有限责任公司", "industry": "i"})
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["uscc"] == code and body["kind"] == "legal_person" and body["industry"] == "I"
    assert client.get(f"/api/v1/entities/{code.lower()}", headers=officer_h).json()["name"] == body["name"]


@pytest.mark.parametrize("payload, field", [
    ({"uscc": "91110000600037341X", "name": "甲公司"}, "uscc"),
    ({"uscc": "9111000060003734", "name": "甲公司"}, "uscc"),
    ({"name": "甲公司"}, "uscc"),
    ({"id_number": "110105198503120011", "name": "张三"}, "id_number"),
    ({"uscc": "91110000600037341L", "name": "甲" * 201}, "name"),
    ({"uscc": "91110000600037341L", "name": "甲\x07公司"}, "name"),
    ({"uscc": "91110000600037341L", "name": "甲公司", "industry": "Z"}, "industry"),
    ({"uscc": "91110000600037341L", "name": "甲公司",
      "related_persons": [{"role": "shareholder", "name": "李四", "blood_type": "O"}]}, "related_persons[0].blood_type"),
    ({"id_number": "11010519850312001X", "name": "张三", "宗教信仰": "无"}, "宗教信仰"),
    ({"uscc": "91110000600037341L", "name": "甲公司", "related_persons": [{"role": "boss", "name": "李四"}]},
     "related_persons.0.role"),
])
def test_bad_input_is_refused_naming_the_field_and_nothing_is_stored(client, officer_h, uow, payload, field):  # R-ENT-5
    before = entity_counts(uow)
    r = client.post("/api/v1/entities", headers=officer_h, json=payload)
    assert r.status_code == 400, r.text
    assert r.json()["field"] == field and r.json()["message"]
    assert entity_counts(uow) == before


def test_duplicate_code_is_a_conflict(client, officer_h, make):
    code = make.uscc()
    assert client.post("/api/v1/entities", headers=officer_h, json={"uscc": code, "name": "甲公司"}).status_code == 201
    r = client.post("/api/v1/entities", headers=officer_h, json={"uscc": code, "name": "乙公司"})
    assert r.status_code == 409 and r.json()["field"] == "uscc"


def test_html_and_sql_in_text_is_stored_as_inert_text_and_escaped_on_pages(client, officer_h, make):
    name = "<script>alert(1)</script>'; DROP TABLE entities;--有限公司"
    r = client.post("/api/v1/entities", headers=officer_h, json={"uscc": make.uscc(), "name": name})
    assert r.status_code == 201 and r.json()["name"] == name
    page = client.get(f"/entities/{r.json()['id']}", headers=officer_h)
    assert "<script>alert(1)</script>" not in page.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page.text


def test_natural_person_id_number_is_masked_and_found_only_exactly(client, officer_h, make):  # R-SEC-2
    number = make.id_number("19790615")
    r = client.post("/api/v1/entities", headers=officer_h, json={"id_number": number, "name": "赵六"})
    assert r.status_code == 201
    assert r.json()["code"] == number[:6] + "********" + number[-4:]
    assert number not in r.text
    found = client.post("/api/v1/entities/search", headers=officer_h, json={"q": number}).json()
    assert found["total"] == 1 and number not in str(found)
    assert client.post("/api/v1/entities/search", headers=officer_h, json={"q": number[:-1]}).json()["total"] == 0
    assert client.post("/api/v1/entities/lookup", headers=officer_h, json={"code": number}).json()["name"] == "赵六"


def test_id_numbers_are_refused_in_urls(client, officer_h, make):  # R-SEC-2: URLs end up in logs
    number = make.id_number("19790615")
    client.post("/api/v1/entities", headers=officer_h, json={"id_number": number, "name": "赵六"})
    for url in (f"/api/v1/entities?q={number}", f"/api/v1/entities/{number}"):
        r = client.get(url, headers=officer_h)
        assert r.status_code == 400 and "POST /api/v1/entities/lookup" in r.json()["message"]
        assert number not in r.text


def test_an_all_digit_government_uscc_is_found_by_get(client, officer_h):  # 11… 机关 codes look like ID numbers
    from xinyong.entities.identifiers import uscc_check_digit

    body = next(b for b in (f"1111030200{n:07d}" for n in range(100)) if uscc_check_digit(b).isdigit())
    code = body + uscc_check_digit(body)
    assert code.isdigit()
    r = client.post("/api/v1/entities", headers=officer_h, json={"uscc": code, "name": "北京经济技术开发区某局"})
    assert r.status_code == 201, r.text
    assert client.get(f"/api/v1/entities/{code}", headers=officer_h).json()["uscc"] == code
    assert client.get(f"/api/v1/entities?q={code}", headers=officer_h).json()["total"] == 1


def test_public_never_sees_natural_persons(client, officer_h, make):
    # the entity routes are staff routes (issue 17): the public asks the public query, which lists no person
    number = make.id_number("19790615")
    client.post("/api/v1/entities", headers=officer_h, json={"id_number": number, "name": "赵六"})
    assert client.post("/api/v1/entities/lookup", json={"code": number}).status_code == 401
    assert client.get("/api/v1/entities?q=赵六").status_code == 401
    assert client.get("/api/v1/public/search", params={"q": "赵六"}).json()["total"] == 0


def test_the_public_sees_no_related_persons(client, make):  # R-PUB-1, issue 17
    e = make.entity(related_persons=[{"role": "shareholder", "name": "李四", "share_percent": "60"}])
    assert client.get(f"/api/v1/entities/{e.uscc}").status_code == 401
    public = client.get(f"/api/v1/public/entities/{e.uscc}")
    assert public.status_code == 200 and "李四" not in public.text


def test_entity_user_sees_only_itself_and_others_look_nonexistent(client, make, bearer):  # R-PUB-3 scope
    mine, other = make.entity("北京甲科技有限公司"), make.entity("北京乙科技有限公司")
    h = bearer(make.user("entity", entity=mine))
    assert client.get(f"/api/v1/entities/{mine.uscc}", headers=h).status_code == 200
    other_r = client.get(f"/api/v1/entities/{other.uscc}", headers=h)
    missing_r = client.get(f"/api/v1/entities/{make.uscc()}", headers=h)
    assert other_r.status_code == missing_r.status_code == 404
    assert other_r.json() == missing_r.json()


def test_auditor_reads_logs_not_files(client, make, bearer):
    e = make.entity()
    h = bearer(make.user("auditor"))
    assert client.get(f"/api/v1/entities/{e.uscc}", headers=h).status_code == 403
    events = client.get("/api/v1/audit/events?action=entity.", headers=h).json()
    assert events["total"] >= 1 and events["items"][0]["action"] == "entity.created"
    assert client.get("/api/v1/audit/verify", headers=h).json()["ok"] is True


def test_related_person_added_later_links_to_the_natural_person(client, officer_h, make, uow):  # R-ENT-4
    number = make.id_number("19700101")
    person = client.post("/api/v1/entities", headers=officer_h, json={"id_number": number, "name": "钱七"}).json()
    company = make.entity()
    r = client.post(f"/api/v1/entities/{company.uscc}/related-persons", headers=officer_h,
                    json={"role": "legal_representative", "name": "钱七", "id_number": number})
    assert r.status_code == 201 and r.json()["role_label"] == "法定代表人"
    with uow(write=False) as s:
        link = s.scalar(select(RelatedPerson.person_entity_id).where(RelatedPerson.entity_id == company.id))
    assert link == person["id"]


def test_malformed_json_is_422_in_the_platform_shape(client, officer_h):
    r = client.get("/api/v1/entities?limit=lots", headers=officer_h)
    assert r.status_code == 422 and r.json()["error"] == "invalid" and r.json()["field"] == "limit"


def test_docs_are_served_without_a_cdn(client):
    html = client.get("/docs").text
    assert "/static/vendor/swagger-ui/swagger-ui-bundle.js" in html and "cdn" not in html.lower()
    assert client.get("/static/vendor/swagger-ui/swagger-ui-bundle.js").status_code == 200
    spec = client.get("/openapi.json").json()
    assert "/api/v1/entities/{code}" in spec["paths"]
