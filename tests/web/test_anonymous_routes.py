"""Who gets in without a login (R-PUB-1…3, R-SEC-3; issue 17 defect 4).

Every route of the app — API and pages, every method — is called without a login. Exactly the routes
listed here answer; every other one asks for a login (401 for the API, the login page for a page). The
list lives in this test, so a route that is anonymous by accident fails it. Each route of the public
query is behind the public budgets (a 429 is provoked on each), and the pages that need no login show
nobody's information and are never throttled (an office behind one address logs in all at once).

The defect: /api/v1/entities?q=, /api/v1/entities/{code}, POST /api/v1/entities/search and /lookup and
the page /entities/{id} (sequential ids) answered anyone, unthrottled, with the legal representative (an
individual business's owner), address, capital and founding date."""

from __future__ import annotations

import re

import pytest
from fastapi.routing import iter_route_contexts
from starlette.routing import Mount

from xinyong.kit.ratelimit import Rate
from xinyong.public.throttle import PublicLimits

# The public query (R-PUB-1): counted against the public budgets.
PUBLIC_QUERY = {
    ("GET", "/public"),
    ("GET", "/public/search"),
    ("POST", "/public/search"),
    ("GET", "/public/lookup"),
    ("POST", "/public/lookup"),
    ("GET", "/public/entities/{code}"),
    ("GET", "/public/lists/{kind}"),
    ("GET", "/api/v1/public/search"),
    ("POST", "/api/v1/public/lookup"),
    ("GET", "/api/v1/public/entities/{code}"),
    ("GET", "/api/v1/public/lists/{kind}"),
}
# Need no login and show nobody's information: the home page, logging in and out, the API description,
# the 应查必查 duties (a list fixed by law).
NO_DATA = {
    ("GET", "/"),
    ("GET", "/api/v1/duties"),
    ("GET", "/login"),
    ("POST", "/login"),
    ("POST", "/logout"),
    ("GET", "/docs"),
    ("GET", "/openapi.json"),
}
MOUNTS = {"/static"}  # the stylesheet, scripts and fonts


def _routes(app) -> set[tuple[str, str]]:
    found = set()
    for route in iter_route_contexts(app.routes):
        if isinstance(route.original_route, Mount):
            found.add(("MOUNT", route.path))
            continue
        found |= {(method, route.path) for method in route.methods or () if method != "HEAD"}
    return found


def _url(path: str, uscc: str) -> str:
    return re.sub(r"\{[^}]+\}", lambda m: {"{code}": uscc, "{kind}": "black"}.get(m.group(0), "1"), path)


def _call(client, method: str, path: str, uscc: str):
    url = _url(path, uscc)
    if method == "GET":
        return client.get(url, params={"q": "星河"} if path.endswith("search") else None)
    if path.startswith("/api/"):
        return client.request(method, url, json={})
    return client.request(method, url, data={"q": "星河"})


def _asks_for_login(r) -> bool:
    return r.status_code == 401 or (r.status_code == 303 and r.headers["location"].startswith("/login?next="))


@pytest.fixture
def anon(app):
    from fastapi.testclient import TestClient

    with TestClient(app, base_url="http://127.0.0.1", follow_redirects=False) as c:
        yield c


def test_exactly_the_listed_routes_answer_without_a_login(app, anon, make):  # R-PUB-1, R-PUB-3, issue 17
    company = make.entity("北京亦庄星河精密制造有限公司", legal_representative="张三丰")
    routes = _routes(app)
    assert len(routes) > 150 and ("GET", "/api/v1/entities/{code}") in routes  # every router was seen
    listed = PUBLIC_QUERY | NO_DATA | {("MOUNT", m) for m in MOUNTS}
    assert listed <= routes, sorted(listed - routes)  # a listed route that no longer exists: update the list
    anonymous, refused = [], []
    for method, path in sorted(routes):
        if method == "MOUNT":
            continue
        r = _call(anon, method, path, company.uscc)
        assert r.status_code < 500, (method, path, r.status_code)
        (refused if _asks_for_login(r) else anonymous).append((method, path))
        if r.status_code == 401 and path.startswith("/api/"):
            assert r.json()["message"] and r.headers["www-authenticate"] == "Bearer"
    assert set(anonymous) == PUBLIC_QUERY | NO_DATA, sorted(set(anonymous) ^ (PUBLIC_QUERY | NO_DATA))
    assert anon.get("/static/app.css").status_code == 200  # a mount serves files, never a database row


def test_the_staff_entity_routes_ask_for_a_login_and_tell_nothing(anon, make):  # R-PUB-1, R-SEC-2, issue 17
    e = make.entity("北京亦庄星河精密制造有限公司", legal_representative="张三丰", address="北京经济技术开发区科创十三街 8 号",
                    registered_capital="500万元人民币")
    answers = [anon.get("/api/v1/entities", params={"q": "星河"}), anon.get(f"/api/v1/entities/{e.uscc}"),
               anon.post("/api/v1/entities/search", json={"q": "星河"}),
               anon.post("/api/v1/entities/lookup", json={"code": e.uscc}),
               anon.get(f"/api/v1/entities/{e.uscc}/file"), anon.get(f"/api/v1/entities/{e.uscc}/grade"),
               anon.get(f"/api/v1/entities/{e.uscc}/check", params={"matter": "subsidy"})]
    for r in answers:
        assert r.status_code == 401 and r.json()["message"] == "请先登录", (r.request.url, r.text)
    page = anon.get(f"/entities/{e.id}")
    assert page.status_code == 303 and page.headers["location"] == f"/login?next=/entities/{e.id}"
    assert anon.get("/entities", params={"q": "星河"}).headers["location"] == "/login?next=/entities"
    for r in [*answers, page]:
        assert "张三丰" not in r.text and "科创十三街" not in r.text and "500万" not in r.text


def test_the_public_query_shows_the_public_view_only(anon, make):  # R-PUB-1, issue 17
    e = make.entity("北京亦庄星河精密制造有限公司", legal_representative="张三丰", address="北京经济技术开发区科创十三街 8 号",
                    registered_capital="500万元人民币")
    for r in (anon.get("/api/v1/public/search", params={"q": "星河"}), anon.get(f"/api/v1/public/entities/{e.uscc}"),
              anon.get("/public/search", params={"q": "星河"}), anon.get(f"/public/entities/{e.uscc}")):
        assert r.status_code == 200 and "星河" in r.text, r.text
        assert "张三丰" not in r.text and "科创十三街" not in r.text and "500万" not in r.text


@pytest.fixture
def small_budgets(app):
    app.state.public_limits = PublicLimits.build(search=[Rate.per_minute(2)], lookup=[Rate.per_minute(1)],
                                                 clock=lambda: 0.0)


@pytest.mark.parametrize(("method", "path"), sorted(PUBLIC_QUERY))
def test_every_public_query_route_is_behind_the_public_budgets(anon, make, small_budgets, method, path):  # R-SEC-3
    uscc = make.uscc()
    statuses = [_call(anon, method, path, uscc) for _ in range(3)]
    assert [r.status_code for r in statuses[:1]] != [429] and statuses[-1].status_code == 429, \
        [r.status_code for r in statuses]
    assert statuses[-1].headers["retry-after"].isdigit()


@pytest.mark.parametrize(("method", "path"), sorted(NO_DATA))
def test_the_pages_without_data_are_never_throttled(anon, make, small_budgets, method, path):
    assert all(_call(anon, method, path, make.uscc()).status_code != 429 for _ in range(4))
