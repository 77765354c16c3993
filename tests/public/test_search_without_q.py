"""``q`` is optional on the public search, as its OpenAPI description says (issue 17 defect 6)."""


def test_the_api_answers_an_empty_page_without_a_query(client, make):  # R-PUB-1
    make.entity("北京亦庄绿源餐饮管理有限公司")
    for params in ({}, {"q": ""}, {"q": "  "}):
        r = client.get("/api/v1/public/search", params=params)
        assert r.status_code == 200, r.text
        assert r.json() == {"items": [], "total": 0, "offset": 0, "limit": 20, "more": False}
    assert client.get("/api/v1/public/search", params={"q": "绿"}).status_code == 400  # one character: too vague
    assert client.get("/api/v1/public/search", params={"q": "绿源"}).json()["total"] == 1


def test_the_page_asks_what_to_look_for(client):
    r = client.get("/public/search")
    assert r.status_code == 200 and "请输入企业名称或统一社会信用代码" in r.text and "role=\"alert\"" not in r.text
