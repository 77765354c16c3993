"""The API's error contract (R-SEC-1, SPEC §18; issue 17, defect 6): each route's description declares the error
statuses it answers with the error schema, a 405 names the methods the path allows, and dates are ISO dates."""

from __future__ import annotations

import datetime as dt

import pytest
from pydantic import BaseModel, ValidationError

from xinyong.kit.schemas import IsoDate, describe_error


@pytest.fixture(scope="module")
def described(platform) -> dict:
    """The description as /openapi.json serves it, generated once for the module (it takes a few seconds)."""
    from fastapi.testclient import TestClient

    from xinyong.web.app import create_app

    with TestClient(create_app(platform), base_url="http://127.0.0.1") as c:
        return c.get("/openapi.json").json()


def _responses(described, method: str, path: str) -> dict:
    return described["paths"][path][method]["responses"]


# ---- the description declares each route's errors ------------------------------------------------------------

def test_every_error_a_route_declares_has_the_error_schema(described):  # R-SEC-1, issue 17
    assert described["components"]["schemas"]["Error"]["required"] == ["error", "message"]
    assert "HTTPValidationError" not in described["components"]["schemas"]  # FastAPI's 422 body is not ours
    errors = [(path, method, status, response) for path, operations in described["paths"].items()
              for method, operation in operations.items() for status, response in operation["responses"].items()
              if int(status) >= 400]
    assert len(errors) > 300
    for path, method, status, response in errors:
        schema = response["content"]["application/json"]["schema"]
        assert schema == {"$ref": "#/components/schemas/Error"}, (method, path, status)
        assert response["description"] and response["description"].isascii() is False  # described in Chinese


@pytest.mark.parametrize("method, path, declared, not_declared", [
    # who you are: a bad token anywhere; a login only where the route asks for a permission
    ("get", "/api/v1/me", {"401"}, {"400", "403", "404", "409", "429"}),
    ("get", "/api/v1/users", {"401", "403"}, {"400", "404", "409"}),
    # a path parameter names something that may not exist; a body is content a clerk fixes; writes conflict
    ("get", "/api/v1/records/{record_id}", {"401", "403", "404", "422"}, {"409", "429"}),
    ("post", "/api/v1/records", {"400", "401", "403", "404", "409", "422"}, {"429"}),
    ("post", "/api/v1/records/{record_id}/revoke", {"400", "401", "403", "404", "409", "422"}, set()),
    # paging alone is a 422 when malformed, never a clerk's 400
    ("get", "/api/v1/actions", {"401", "403", "422"}, {"400", "404", "409"}),
    # the public query: throttled, with Retry-After
    ("get", "/api/v1/public/search", {"401", "422", "429"}, {"409"}),
    ("post", "/api/v1/public/lookup", {"400", "401", "422", "429"}, {"409"}),
    # a job or a grading run already running
    ("post", "/api/v1/jobs/{name}/run", {"401", "403", "404", "409"}, set()),
    ("post", "/api/v1/grading/runs", {"400", "401", "403", "409"}, set()),
    # an auditor reads no credit files
    ("get", "/api/v1/entities/{code}/grade", {"401", "403", "404"}, {"409"}),
])
def test_each_route_declares_the_statuses_it_answers(described, method, path, declared, not_declared):  # R-SEC-1
    statuses = set(_responses(described, method, path))
    assert declared <= statuses, declared - statuses
    assert not statuses & not_declared, statuses & not_declared


def test_rate_limit_and_login_answers_declare_their_headers(described):  # R-SEC-3
    assert _responses(described, "get", "/api/v1/public/search")["429"]["headers"]["Retry-After"]["required"]
    assert _responses(described, "get", "/api/v1/me")["401"]["headers"]["WWW-Authenticate"]["required"]


def test_the_bodies_read_by_hand_are_described(described):
    """The model and score uploads read their body themselves; the description still says what it is."""
    assert "text/plain" in described["paths"]["/api/v1/grading/models"]["post"]["requestBody"]["content"]
    assert "multipart/form-data" in described["paths"]["/api/v1/grading/scores"]["post"]["requestBody"]["content"]


def test_a_401_answer_carries_the_declared_header(client):
    r = client.get("/api/v1/me", headers={"Authorization": "Bearer nonsense"})
    assert r.status_code == 401 and r.headers["www-authenticate"] == "Bearer"
    assert set(r.json()) <= {"error", "message", "field"}


# ---- 405 names what the path allows --------------------------------------------------------------------------

@pytest.mark.parametrize("method, path, allow", [
    ("put", "/api/v1/me/consents", "GET, POST"),  # two routes at one path: both methods, not the first one met
    ("delete", "/api/v1/records", "GET, POST"),
    ("post", "/api/v1/me", "GET"),
    ("patch", "/api/v1/tokens/5", "DELETE"),
])
def test_method_not_allowed_names_the_allowed_methods(client, method, path, allow):  # R-SEC-1, issue 17
    r = client.request(method.upper(), path)
    assert r.status_code == 405
    assert r.headers["allow"] == allow
    assert r.json()["error"] == "method_not_allowed" and "不支持" in r.json()["message"]


def test_every_path_answers_an_undeclared_method_with_405_and_allow(client, described):  # R-SEC-1, issue 17
    for path, operations in described["paths"].items():
        declared = {m.upper() for m in operations}
        method = next(m for m in ("PATCH", "PUT", "DELETE", "POST", "GET") if m not in declared)
        url = path.replace("{", "").replace("}", "")  # any value will do: routing decides before the handler
        r = client.request(method, url)
        assert r.status_code == 405, (method, path, r.status_code)
        allow = set(r.headers["allow"].split(", "))
        # /measures/matters is also /measures/{code}: Allow names what routing would serve at the URL
        assert declared <= allow and method not in allow, (method, path, r.headers.get("allow"))


def test_a_page_answers_405_with_allow_too(client):
    r = client.request("DELETE", "/login")
    assert r.status_code == 405 and r.headers["allow"] == "GET, POST"
    assert "text/html" in r.headers["content-type"]
    assert client.post("/static/favicon.svg").headers["allow"] == "GET, HEAD"  # the static files name no methods


def test_a_body_that_cannot_be_parsed_is_a_malformed_request_in_chinese(client, make, bearer):
    headers = bearer(make.user("admin")) | {"content-type": "application/json"}
    r = client.post("/api/v1/departments", headers=headers, content=b'{"name": "\xff"}')
    assert r.status_code == 422
    assert r.json()["error"] == "invalid" and "请求体无法解析" in r.json()["message"]


# ---- dates are dates -----------------------------------------------------------------------------------------

@pytest.mark.parametrize("value", ["0", "20260305", "1741132800", "2026-3-5", "2026-03-05T00:00:00", "0001-01-01",
                                   "9999-12-31", "２０２６-０３-０５"])
def test_a_date_in_a_query_is_an_iso_date(client, make, bearer, value):  # issue 17: date_to=0 was 1970-01-01
    auditor = bearer(make.user("auditor"))
    r = client.get("/api/v1/audit/queries", params={"date_to": value}, headers=auditor)
    assert r.status_code == 422, r.text
    assert r.json()["field"] == "date_to" and "日期" in r.json()["message"]
    assert client.get("/api/v1/audit/queries", params={"date_to": "2026-03-05"}, headers=auditor).status_code == 200


class _Body(BaseModel):
    on: IsoDate
    until: IsoDate | None = None


@pytest.mark.parametrize("payload", [{"on": 0}, {"on": 1741132800}, {"on": 1.5}, {"on": True}, {"on": "0"},
                                     {"on": "2026-02-30"}, {"on": "2026-03-05", "until": 0}])
def test_a_date_in_a_body_is_an_iso_date(payload):
    with pytest.raises(ValidationError) as refused:
        _Body.model_validate(payload)
    where, message = describe_error(refused.value.errors()[0])
    assert where in ("on", "until") and "日期" in message


def test_an_iso_date_reads_as_that_day():
    assert _Body.model_validate_json('{"on": "2026-03-05", "until": null}').on == dt.date(2026, 3, 5)
    assert _Body.model_validate({"on": dt.date(2026, 3, 5)}).on == dt.date(2026, 3, 5)
    assert _Body.model_json_schema()["properties"]["on"] == {"format": "date", "title": "On", "type": "string"}


def _body_models():
    from xinyong.access.schemas import ConsentCreate
    from xinyong.entities.schemas import EntityCreate
    from xinyong.grading.schemas import RunStart
    from xinyong.lists.schemas import DeterminationCreate
    from xinyong.records.api import FulfilmentIn, ShorteningIn
    from xinyong.records.schemas import RecordChange, RecordCreate

    return [(RecordCreate, "decision_date"), (RecordChange, "publicity_end"), (DeterminationCreate, "decided_on"),
            (DeterminationCreate, "planned_end"), (ConsentCreate, "valid_to"), (RunStart, "as_of"),
            (EntityCreate, "established_on"), (FulfilmentIn, "fulfilled_on"), (ShorteningIn, "fulfilled_on")]


@pytest.mark.parametrize("value", [0, "0001-01-01", "9999-12-31", "2026-03-05T08:00:00"])
def test_every_body_date_the_api_reads_is_an_iso_date_in_range(value):  # issue 17: bodies stored 1970-01-01 and 0001-01-01
    for model, field in _body_models():
        with pytest.raises(ValidationError) as refused:
            model.model_validate({field: value})
        assert any(e["loc"] == (field,) for e in refused.value.errors()), (model.__name__, field)


def test_a_grading_run_as_of_the_year_one_is_refused(client, make, bearer):  # issue 17: it started a run
    admin = bearer(make.user("admin"))
    r = client.post("/api/v1/grading/runs", json={"as_of": "0001-01-01"}, headers=admin)
    assert r.status_code == 400 and r.json()["field"] == "as_of" and "日期" in r.json()["message"], r.text  # parse_payload
    assert client.get("/api/v1/grading/runs", headers=admin).json() == []
