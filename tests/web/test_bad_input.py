"""Bad input anywhere: a clear error naming the field, never a 500 (issue 2, 'Bad input')."""

import pytest

from tests.web.test_auth import login


@pytest.fixture
def admin_h(make, bearer):
    return bearer(make.user("admin"))


@pytest.mark.parametrize("url", [
    "/api/v1/entities?q=北京&offset=100000000000000000000",
    "/api/v1/entities?q=北京&limit=0",
    "/api/v1/audit/events?limit=100000",
    "/api/v1/audit/proof/100000000000000000000",
    "/api/v1/catalog/types/award?version=100000000000000000000",
])
def test_out_of_range_numbers_in_urls_are_422(client, admin_h, url):
    r = client.get(url, headers=admin_h)
    assert r.status_code == 422 and r.json()["field"] and r.json()["message"].startswith("字段")


@pytest.mark.parametrize("url", ["/entities?q=北京&page=1000000000000000000", "/entities/100000000000000000000",
                                 "/audit?page=1000000000000000000"])
def test_out_of_range_numbers_on_pages_are_a_chinese_error_page(client, make, url):
    make.user("admin", "xyb")
    login(client, "xyb")
    r = client.get(url)
    assert r.status_code == 422 and "操作未完成" in r.text


@pytest.mark.parametrize("payload, field", [
    ({"name": None, "change_note": "x"}, "name"),
    ({"name": "", "change_note": "x"}, "name"),
    ({"name": "名" * 101, "change_note": "x"}, "name"),
    ({"category": None, "change_note": "x"}, "category"),
    ({"regime_code": "", "change_note": "x"}, "regime_code"),
    ({"validity_months": -5, "change_note": "x"}, "validity_months"),
    ({"retention_years": 10**20, "change_note": "x"}, "retention_years"),
    ({"update_cycle": "周" * 41, "change_note": "x"}, "update_cycle"),
    ({"fields": [{"name": {"a": 1}, "label": "x", "type": "text"}], "change_note": "x"}, "fields[0].name"),
    ({"fields": [{"name": "ok", "label": "x", "type": "text", "weird": 1e300}], "change_note": "x"}, "fields[0]"),
    ({"fields": [{"name": "ok", "label": "x", "type": "picture"}], "change_note": "x"}, "fields[0].type"),
    ({"fields": "nope", "change_note": "x"}, "fields"),
    ({"change_note": "x", "unknown": 1}, "unknown"),
])
def test_catalog_updates_check_every_field(client, admin_h, payload, field):  # R-CAT-1
    r = client.patch("/api/v1/catalog/types/award", headers=admin_h, json=payload)
    assert r.status_code == 400, r.text
    assert r.json()["field"] == field
    assert client.get("/api/v1/catalog/types/award", headers=admin_h).json()["version"] == 1


def test_lone_surrogates_are_refused_as_control_characters(client, admin_h, make):
    body = '{"uscc": "' + make.uscc() + '", "name": "a\\ud800b"}'  # JSON text: a lone surrogate escape
    r = client.post("/api/v1/entities", headers=admin_h | {"content-type": "application/json"}, content=body.encode())
    assert r.status_code == 400 and r.json()["field"] == "name"


def test_pydantic_errors_read_in_chinese(client, admin_h, make):
    r = client.post("/api/v1/entities", headers=admin_h, json={"uscc": make.uscc(), "name": "甲", "established_on": "昨天"})
    assert r.status_code == 400
    assert r.json() == {"error": "invalid", "field": "established_on", "message": "字段“established_on”应为日期（如 2026-03-05）"}


def test_an_id_number_typed_as_a_uscc_is_not_echoed(client, admin_h):  # R-SEC-2
    r = client.post("/api/v1/entities", headers=admin_h, json={"uscc": "11010519491231002X", "name": "甲"})
    assert r.status_code == 400 and "11010519491231002X" not in r.text and "110105********002X" in r.text


def test_the_page_search_posts_so_an_id_number_never_reaches_the_url(client, make):  # R-SEC-2
    from tests.helpers import id_number
    from tests.web.test_auth import csrf_of

    number = id_number("19800101", "555")
    make.entity("吴十", id_number=number)
    make.user("officer", "jbr")
    login(client, "jbr")
    page = client.get("/entities")
    assert 'method="post"' in page.text and "hx-push-url" not in page.text
    found = client.post("/entities", data={"q": number, "csrf_token": csrf_of(page.text)})
    assert "吴十" in found.text and number not in found.text
    refused = client.get(f"/entities?q={number}")
    assert refused.status_code == 400 and number not in refused.text and "不经网址传递" in refused.text
