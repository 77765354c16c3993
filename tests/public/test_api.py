"""信用查询 over HTTP, no login: the API of SPEC §18 and the pages (R-PUB-1, R-SEC-2)."""

import datetime as dt
import re

from tests.public.conftest import penalty


def test_get_public_entity_answers_the_keys_of_spec_18(client, zone, accepted, on_day):  # SPEC §18
    accepted(penalty(zone["company"]))
    on_day(dt.date(2026, 6, 1))
    r = client.get(f"/api/v1/public/entities/{zone['company'].uscc}")
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["code"] == zone["company"].uscc and body["name"] == "北京亦庄星河精密制造有限公司"
    assert body["lists"] == [] and len(body["records"]) == 1
    record = body["records"][0]
    assert (record["document_number"], record["decision_date"], record["publicity_end"]) == (
        "京开市监罚〔2026〕118号", "2026-03-05", "2027-03-05")
    on_day(dt.date(2027, 3, 6))
    assert client.get(f"/api/v1/public/entities/{zone['company'].uscc}").json()["records"] == []


def test_an_unknown_code_is_404_with_the_usual_error_body(client):
    r = client.get("/api/v1/public/entities/91110302MA00000000")
    assert r.status_code == 404 and r.json()["error"] == "not_found" and r.json()["message"]


def test_search_by_get_and_its_limits(client, make):
    make.entity("北京亦庄绿源餐饮管理有限公司", region="北京经济技术开发区")
    r = client.get("/api/v1/public/search", params={"q": "绿源餐饮"})
    assert r.status_code == 200
    item = r.json()["items"][0]
    assert set(item) == {"code", "name", "kind", "kind_label", "region", "status"}  # public fields only
    assert item["name"] == "北京亦庄绿源餐饮管理有限公司" and item["region"] == "北京经济技术开发区"
    assert client.get("/api/v1/public/search", params={"q": "绿", "limit": 20}).status_code == 400
    assert client.get("/api/v1/public/search", params={"q": "绿源", "limit": 21}).status_code == 422


def test_an_id_number_goes_by_post_only_and_comes_back_masked(client, make):  # R-SEC-2
    number = make.id_number("19790615")
    make.entity("钱七", id_number=number)
    masked = number[:6] + "********" + number[-4:]
    for url in (f"/api/v1/public/search?q={number}", f"/api/v1/public/entities/{number}"):
        r = client.get(url)
        assert r.status_code == 400 and number not in r.text, url
    r = client.post("/api/v1/public/lookup", json={"id_number": number})
    assert r.status_code == 200 and number not in r.text
    body = r.json()
    assert body["code"] == masked and body["id_number_masked"] == masked and body["name"] == "钱七"
    again = client.get(f"/api/v1/public/entities/{body['link']}")
    assert again.status_code == 200 and again.json()["code"] == masked
    assert client.post("/api/v1/public/lookup", json={"id_number": make.id_number("19790616")}).status_code == 404
    assert client.post("/api/v1/public/lookup", json={"id_number": "12345"}).status_code == 400
    assert client.post("/api/v1/public/lookup", json={"q": number}).status_code == 400


def csrf_of(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def test_the_pages_search_and_show_an_entity(client, zone, accepted, on_day):  # R-PUB-1
    accepted(penalty(zone["company"]))
    on_day(dt.date(2026, 6, 1))
    home = client.get("/public")
    assert home.status_code == 200 and 'action="/public/search"' in home.text and "/public/lookup" in home.text
    found = client.post("/public/search", data={"q": "星河 精密", "csrf_token": csrf_of(home.text)})
    assert found.status_code == 200 and "共 1 个结果" in found.text
    assert f'href="/public/entities/{zone["company"].uscc}"' in found.text
    page = client.get(f"/public/entities/{zone['company'].uscc}")
    assert page.status_code == 200
    assert "京开市监罚〔2026〕118号" in page.text and "公示截止日期" in page.text and "2027-03-05" in page.text
    by_code = client.post("/public/search", data={"q": zone["company"].uscc.lower(), "csrf_token": csrf_of(home.text)},
                          follow_redirects=False)
    assert by_code.status_code == 303 and by_code.headers["location"] == f"/public/entities/{zone['company'].uscc}"
    assert client.get("/public/entities/91110302MA00000000").status_code == 404


def test_an_id_number_typed_in_the_box_is_looked_up_and_never_echoed(client, make):  # R-SEC-2
    number = make.id_number("19790615")
    make.entity("钱七", id_number=number)
    home = client.get("/public")
    r = client.post("/public/search", data={"q": number, "csrf_token": csrf_of(home.text)})
    assert r.status_code == 200 and "钱七" in r.text and number not in r.text
    assert number[:6] + "********" + number[-4:] in r.text
    r = client.post("/public/lookup", data={"id_number": number, "csrf_token": csrf_of(home.text)})
    assert r.status_code == 200 and "钱七" in r.text and number not in r.text
    r = client.get(f"/public/search?q={number}")
    assert r.status_code == 400 and number not in r.text
    missing = make.id_number("19790616")
    r = client.post("/public/lookup", data={"id_number": missing, "csrf_token": csrf_of(home.text)})
    assert r.status_code == 404 and missing not in r.text
    # a number with a wrong check digit is no ID number, but its first 17 digits are someone's: masked too
    mistyped = number[:17] + ("0" if number[17] != "0" else "1")
    r = client.post("/public/search", data={"q": mistyped, "csrf_token": csrf_of(home.text)})
    assert r.status_code == 200 and number[:17] not in r.text and number[:6] + "********" + mistyped[-4:] in r.text


def test_the_public_finds_the_query_from_the_home_page_and_the_login_page(client):
    assert 'action="/public/search"' in client.get("/").text
    assert 'href="/public"' in client.get("/login").text
