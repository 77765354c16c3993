"""The public query is rate-limited per client (R-PUB-1, R-SEC-3): the ID-number lookup with the
smaller budget, a 429 with Retry-After and a Chinese message, recovery with time, staff untouched."""

import pytest

from tests.public.test_api import csrf_of
from tests.web.test_auth import login
from xinyong.kit.ratelimit import Rate
from xinyong.public.throttle import PublicLimits


class Clock:
    def __init__(self) -> None:
        self.t = 0.0

    def __call__(self) -> float:
        return self.t


@pytest.fixture
def clock(app) -> Clock:
    """Small budgets on a clock the test turns: 3 searches and 2 lookups a minute."""
    c = Clock()
    app.state.public_limits = PublicLimits.build(search=[Rate.per_minute(3)], lookup=[Rate.per_minute(2)], clock=c)
    return c


def test_the_api_search_answers_429_with_retry_after_and_recovers(client, make, clock):
    make.entity("北京亦庄绿源餐饮管理有限公司")
    url, params = "/api/v1/public/search", {"q": "绿源"}
    assert [client.get(url, params=params).status_code for _ in range(3)] == [200, 200, 200]
    r = client.get(url, params=params)
    assert r.status_code == 429 and r.headers["retry-after"] == "20"
    assert r.json() == {"error": "rate_limited", "message": "查询过于频繁，请 20 秒后再试", "retry_after": 20}
    clock.t += 19
    assert client.get(url, params=params).headers["retry-after"] == "1"
    clock.t += 1
    assert client.get(url, params=params).status_code == 200


def test_the_id_number_lookup_has_its_own_smaller_budget(client, make, clock):
    number = make.id_number("19790615")
    make.entity("钱七", id_number=number)
    answers = [client.post("/api/v1/public/lookup", json={"id_number": make.id_number("19790616")}).status_code
               for _ in range(3)]
    assert answers == [404, 404, 429]  # misses count: they are what an enumeration is made of
    refused = client.post("/api/v1/public/lookup", json={"id_number": number})
    assert refused.status_code == 429 and "钱七" not in refused.text and number not in refused.text
    assert client.get("/api/v1/public/search", params={"q": "绿源"}).status_code == 200  # searching goes on
    clock.t += 30
    assert client.post("/api/v1/public/lookup", json={"id_number": number}).json()["name"] == "钱七"


def test_the_pages_say_it_in_chinese_and_never_echo_the_number(client, make, clock):
    number = make.id_number("19790615")
    make.entity("钱七", id_number=number)
    token = csrf_of(client.get("/public").text)
    # an ID number typed into the search box is a lookup, and spends the lookup budget
    assert client.post("/public/search", data={"q": number, "csrf_token": token}).status_code == 200
    assert client.post("/public/lookup", data={"id_number": number, "csrf_token": token}).status_code == 200
    for r in (client.post("/public/lookup", data={"id_number": number, "csrf_token": token}),
              client.post("/public/search", data={"q": number, "csrf_token": token})):
        assert r.status_code == 429 and r.headers["retry-after"] == "30"
        assert r.headers["content-type"].startswith("text/html")
        assert "请稍候再查询" in r.text and "查询过于频繁，请 30 秒后再试" in r.text
        assert "按公民身份号码查询的次数上限更低" in r.text
        assert number not in r.text and "钱七" not in r.text
    assert client.post("/public/search", data={"q": "绿源", "csrf_token": token}).status_code == 200


ROUTES = [
    ("get", "/api/v1/public/search", {"params": {"q": "星河"}}),
    ("get", "/api/v1/public/entities/91110302MA00000000", {}),
    ("post", "/api/v1/public/lookup", {"json": {"id_number": "110105197906150018"}}),
    ("get", "/public/search", {"params": {"q": "星河"}}),
    ("post", "/public/search", {"data": {"q": "星河"}}),
    ("get", "/public/entities/91110302MA00000000", {}),
    ("post", "/public/lookup", {"data": {"id_number": "110105197906150018"}}),
]


@pytest.mark.parametrize(("method", "url", "kw"), ROUTES)
def test_every_public_query_route_is_limited(client, clock, method, url, kw):
    statuses = [getattr(client, method)(url, **kw).status_code for _ in range(4)]
    assert 429 not in statuses[:2] and statuses[-1] == 429, statuses


def test_signed_in_staff_are_not_limited_while_the_address_is(client, make, clock, bearer):
    make.entity("北京亦庄绿源餐饮管理有限公司")
    officer = bearer(make.user("officer", "scjg_jbr", department=make.department("北京经济技术开发区市场监督管理局")))
    for _ in range(4):
        client.get("/api/v1/public/search", params={"q": "绿源"})
    assert client.get("/api/v1/public/search", params={"q": "绿源"}).status_code == 429  # this address, anonymous
    assert all(client.get("/api/v1/public/search", params={"q": "绿源"}, headers=officer).status_code == 200
               for _ in range(5))
    assert all(client.get("/api/v1/entities", params={"q": "绿源"}, headers=officer).status_code == 200
               for _ in range(5))  # a staff route
    login(client, "scjg_jbr")
    assert all(client.get("/public/search", params={"q": "绿源"}).status_code == 200 for _ in range(5))


def test_an_entity_user_is_limited_like_anyone(client, make, clock, bearer):
    company = make.entity("北京亦庄星河精密制造有限公司")
    h = bearer(make.user("entity", "xinghe", entity=company))
    statuses = [client.post("/api/v1/public/lookup", json={"id_number": make.id_number()}, headers=h).status_code
                for _ in range(3)]
    assert statuses[-1] == 429


def test_the_default_budgets_leave_a_person_alone_and_stop_a_walk(app, client, make):
    """Built from the settings on first use: 10 lookups a minute and 100 a day; 60 searches a minute
    and 3,000 a day. The existing tests' few lookups each stay inside them."""
    assert client.get("/api/v1/public/search", params={"q": "绿源"}).status_code == 200
    limits = app.state.public_limits
    assert limits.lookup.rates == (Rate(10, 60), Rate(100, 86400))
    assert limits.search.rates == (Rate(60, 60), Rate(3000, 86400))
    statuses = [client.post("/api/v1/public/lookup", json={"id_number": make.id_number(f"197906{d:02d}")}).status_code
                for d in range(1, 12)]
    assert statuses == [404] * 10 + [429]


def test_a_budget_set_to_zero_is_off():
    from types import SimpleNamespace

    limits = PublicLimits.from_settings(SimpleNamespace(public_lookup_per_minute=0, public_lookup_per_day=0,
                                                        public_search_per_minute=0, public_search_per_day=5))
    assert limits.lookup is None and limits.search.rates == (Rate(5, 86400),)
