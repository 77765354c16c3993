"""/api/v1/measures: everyone logged in reads the catalog; the credit office edits it (R-MEA-1, SPEC §0)."""

import pytest

ETDZ = "etdz_reference"
NEW = {"code": "etdz_expo_priority", "name": "优先推荐参加区内展会", "kind": "incentive",
       "basis": "经开区诚信管理办法第三十一条第（六）项", "triggers": [{"model": ETDZ, "grades": ["A"]}],
       "matters": ["honours"], "departments": ["商务金融局"]}


@pytest.fixture
def users(make):
    dept = make.department("北京经济技术开发区市场监督管理局")
    company = make.entity("北京亦庄星河精密制造有限公司")
    return {"admin": make.user("admin", "xyb"), "officer": make.user("officer", "jbr", department=dept),
            "reviewer": make.user("reviewer", "shr", department=dept), "auditor": make.user("auditor", "sj"),
            "entity": make.user("entity", "qiye", entity=company)}


@pytest.mark.parametrize("role", ["admin", "officer", "reviewer", "auditor", "entity"])
def test_everyone_logged_in_reads_the_catalog(client, bearer, users, role):  # R-MEA-1
    h = bearer(users[role])
    r = client.get("/api/v1/measures", headers=h)
    assert r.status_code == 200 and len(r.json()) > 50
    one = client.get("/api/v1/measures/etdz_reminder", headers=h).json()
    assert one["name"] == "信用提醒" and one["mandatory"] is True and "第三十三条" in one["basis"]
    assert client.get("/api/v1/measures/matters", headers=h).status_code == 200


def test_the_public_does_not(client):
    r = client.get("/api/v1/measures")
    assert r.status_code == 401 and r.json()["error"] == "not_authenticated"


def test_filters_by_kind_and_matter(client, bearer, users):
    h = bearer(users["officer"])
    incentives = client.get("/api/v1/measures", params={"kind": "incentive"}, headers=h).json()
    assert incentives and all(m["kind"] == "incentive" for m in incentives)
    bidding = client.get("/api/v1/measures", params={"matter": "招标投标"}, headers=h).json()
    assert bidding and all("bidding" in m["matters"] for m in bidding)
    r = client.get("/api/v1/measures", params={"matter": "炒股"}, headers=h)
    assert r.status_code == 400 and r.json()["field"] == "matter"


def test_matters_name_their_duty(client, bearer, users):  # R-MEA-3, R-PUB-3
    matters = {m["code"]: m for m in client.get("/api/v1/measures/matters", headers=bearer(users["officer"])).json()}
    assert matters["procurement"]["label"] == "政府采购" and matters["procurement"]["duty"] == "procurement"
    assert matters["appointment"]["duty"] == "licensing" and matters["association"]["duty"] is None


def test_applicable_answers_mandatory_first_with_basis(client, bearer, users):  # R-MEA-2, R-MEA-3, SPEC §18
    h = bearer(users["officer"])
    r = client.get("/api/v1/measures/applicable", headers=h,
                   params={"grade": "D", "score": 350, "lists": ["black"], "matter": "procurement", "model": ETDZ})
    got = r.json()
    assert r.status_code == 200 and got
    assert all({"name", "mandatory", "basis", "departments", "kind"} <= set(m) for m in got)
    flags = [m["mandatory"] for m in got]
    assert flags == sorted(flags, reverse=True) and flags[0] is True
    c = client.get("/api/v1/measures/applicable", headers=h, params={"grade": "C", "score": 600, "model": ETDZ})
    assert c.json() == []
    bad = client.get("/api/v1/measures/applicable", headers=h, params={"grade": "D", "lists": "grey"})
    assert bad.status_code == 400 and bad.json()["field"] == "lists"
    related = client.get("/api/v1/measures/applicable", headers=h,
                         params={"grade": "D", "score": 350, "lists": "black", "related": "true", "model": ETDZ}).json()
    assert related and all(m["extends_to_related"] for m in related)


def test_the_credit_office_creates_versions_and_retires(client, bearer, users):  # R-MEA-1
    h = bearer(users["admin"])
    r = client.post("/api/v1/measures", json=NEW, headers=h)
    assert r.status_code == 201 and r.json()["version"] == 1 and r.json()["department_labels"] == ["商务金融局"]
    r = client.put("/api/v1/measures/etdz_expo_priority", headers=h,
                   json={"triggers": [{"lists": ["red"]}], "change_note": "仅限诚信典型"})
    assert r.status_code == 200 and r.json()["version"] == 2 and r.json()["name"] == NEW["name"]
    assert client.get("/api/v1/measures/etdz_expo_priority", params={"version": 1}, headers=h).json()["triggers"] == \
        [{"model": ETDZ, "grades": ["A"]}]
    applicable = client.get("/api/v1/measures/applicable", headers=h,
                            params={"grade": "A", "score": 920, "lists": "red", "matter": "honours", "model": ETDZ}).json()
    assert "etdz_expo_priority" in [m["code"] for m in applicable]
    r = client.post("/api/v1/measures/etdz_expo_priority/retire", json={"change_note": "展会停办"}, headers=h)
    assert r.status_code == 200 and r.json()["retired"] is True and r.json()["version"] == 3
    assert "etdz_expo_priority" not in [m["code"] for m in client.get("/api/v1/measures", headers=h).json()]
    assert "etdz_expo_priority" in [m["code"] for m in client.get("/api/v1/measures", params={"retired": "true"},
                                                                   headers=h).json()]


@pytest.mark.parametrize("role", ["officer", "reviewer", "auditor", "entity"])
def test_no_one_else_edits(client, bearer, users, role):  # SPEC §0
    h = bearer(users[role])
    assert client.post("/api/v1/measures", json=NEW, headers=h).status_code == 403
    r = client.put("/api/v1/measures/etdz_reminder", json={"name": "改名", "change_note": "x"}, headers=h)
    assert r.status_code == 403 and r.json()["error"] == "forbidden"
    assert client.post("/api/v1/measures/etdz_reminder/retire", json={"change_note": "x"}, headers=h).status_code == 403


def test_bad_payloads_name_the_field(client, bearer, users):
    h = bearer(users["admin"])
    r = client.post("/api/v1/measures", json=NEW | {"kind": "reward"}, headers=h)
    assert r.status_code == 400 and r.json()["field"] == "kind"
    r = client.post("/api/v1/measures", json=NEW | {"triggers": [{"grades": ["A"], "colour": "x"}]}, headers=h)
    assert r.status_code == 400 and "colour" in r.json()["field"]
    r = client.put("/api/v1/measures/etdz_reminder", json={"name": "信用提醒"}, headers=h)
    assert r.status_code == 400 and r.json()["field"] == "change_note"
    assert client.get("/api/v1/measures/no_such", headers=h).status_code == 404
    assert client.get("/api/v1/measures/etdz_reminder", params={"version": 10**9}, headers=h).status_code == 422
