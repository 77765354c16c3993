"""/measures in the browser: everyone logged in reads it, the credit office edits it (R-MEA-1, SPEC §0)."""

import pytest

from tests.web.test_auth import csrf_of, login

ETDZ = "etdz_reference"


@pytest.fixture
def users(make):
    dept = make.department("北京经济技术开发区市场监督管理局")
    company = make.entity("北京亦庄星河精密制造有限公司")
    return {"admin": make.user("admin", "xyb"), "officer": make.user("officer", "jbr", department=dept),
            "auditor": make.user("auditor", "sj"), "entity": make.user("entity", "qiye", entity=company)}


def form(csrf: str, **fields) -> dict:
    data = {"csrf_token": csrf, "code": "etdz_expo_priority", "name": "优先推荐参加区内展会", "kind": "incentive",
            "basis": "经开区诚信管理办法第三十一条第（六）项", "t0_model": ETDZ, "t0_grades": "A、B", "t0_unless": ["black"],
            "matters": ["honours", "public_service"], "departments": "商务金融局\n科技和产业促进局", "duration": "随信用等级",
            "change_note": ""}
    return data | fields


@pytest.mark.parametrize("role", ["admin", "officer", "auditor", "entity"])
def test_everyone_logged_in_reads_the_catalog_in_chinese(client, users, role):  # R-MEA-1
    login(client, users[role].username)
    page = client.get("/measures")
    assert page.status_code == 200 and 'lang="zh-CN"' in page.text
    assert "奖惩措施清单" in page.text and "信用提醒" in page.text and "强制性" in page.text
    assert ("新增措施" in page.text) is (role == "admin")
    detail = client.get("/measures/etdz_black_person_ban")
    assert "延伸至法定代表人" in detail.text and "经开区诚信管理办法第三十七条第（二）项" in detail.text
    assert ("停用措施" in detail.text) is (role == "admin")


def test_the_public_is_sent_to_log_in(client):
    r = client.get("/measures", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/login?next=/measures"


def test_filters_by_kind_and_matter(client, users):
    login(client, "jbr")
    incentives = client.get("/measures?kind=incentive").text
    assert "容缺受理" in incentives and "信用提醒" not in incentives
    honours = client.get("/measures?matter=honours").text
    assert "撤销荣誉称号" in honours and "不予容缺受理" not in honours


def test_preview_shows_what_a_grade_brings(client, users):  # R-MEA-2
    login(client, "jbr")
    c = client.get("/measures/preview", params={"model": ETDZ, "grade": "C", "score": "600"})
    assert "适用的措施（0）" in c.text and "既不激励也不惩戒" in c.text
    d = client.get("/measures/preview", params={"model": ETDZ, "grade": "D", "score": "350", "lists": "black",
                                                "matter": "honours", "related": "true"})
    assert "撤销荣誉称号" in d.text and "限制参与政府组织的表彰奖励活动" not in d.text
    bad = client.get("/measures/preview", params={"score": "很多"})
    assert bad.status_code == 400 and "分数应为数字" in bad.text


def test_the_credit_office_adds_edits_and_retires_a_measure(client, users):  # R-MEA-1
    login(client, "xyb")
    csrf = csrf_of(client.get("/measures/new").text)
    r = client.post("/measures", data=form(csrf), follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/measures/etdz_expo_priority?saved=1"
    page = client.get(r.headers["location"]).text
    assert "已保存为第 1 版" in page and "商务金融局、科技和产业促进局" in page
    assert "经开区信用评价（A/B/C/D）：等级为 A、B，未列入严重失信主体（黑名单）" in page

    edit = client.get("/measures/etdz_expo_priority/edit").text
    assert 'value="A、B"' in edit and "商务金融局\n科技和产业促进局" in edit
    r = client.post("/measures/etdz_expo_priority", follow_redirects=False,
                    data=form(csrf, t0_grades="A", t1_lists=["red"], change_note="B级不再适用；诚信典型适用"))
    assert r.status_code == 303
    page = client.get("/measures/etdz_expo_priority").text
    assert "v2" in page and "或 列入诚信典型（红名单）" in page and "B级不再适用" in page
    assert "等级为 A、B" in client.get("/measures/etdz_expo_priority?version=1").text

    r = client.post("/measures/etdz_expo_priority/retire", data={"csrf_token": csrf, "change_note": "展会停办"},
                    follow_redirects=False)
    assert r.status_code == 303
    assert "已停用" in client.get("/measures/etdz_expo_priority").text
    assert "优先推荐参加区内展会" in client.get("/measures?retired=true").text
    assert "优先推荐参加区内展会" not in client.get("/measures").text


def test_a_form_with_a_mistake_comes_back_with_the_reason_and_what_was_typed(client, users):
    login(client, "xyb")
    csrf = csrf_of(client.get("/measures/new").text)
    r = client.post("/measures", data=form(csrf, matters=[], t0_grades="A B!"))
    assert r.status_code == 400 and "格式不对" in r.text and "优先推荐参加区内展会" in r.text
    r = client.post("/measures", data=form(csrf, matters=[]))
    assert r.status_code == 400 and "至少应选择一个适用事项" in r.text
    r = client.post("/measures/etdz_reminder", data=form(csrf, name="信用提醒", change_note=""))
    assert r.status_code == 400 and "修改说明不能为空" in r.text


def test_others_may_not_reach_the_forms(client, users):  # SPEC §0
    login(client, "jbr")
    assert client.get("/measures/new").status_code == 403
    assert client.get("/measures/etdz_reminder/edit").status_code == 403
    csrf = csrf_of(client.get("/measures").text)
    r = client.post("/measures/etdz_reminder/retire", data={"csrf_token": csrf, "change_note": "x"})
    assert r.status_code == 403 and "只有信用办" in r.text
    assert client.post("/measures", data=form(csrf)).status_code == 403


def test_the_navigation_entry_shows_for_every_logged_in_role(make, users):
    from xinyong.web import templating

    assert [path for _, path, _ in templating.NAV].count("/measures") == 1
    for role in ("admin", "officer", "auditor", "entity"):
        assert ("奖惩措施", "/measures") in templating.nav_for(make.actor(users[role])), role
    assert ("奖惩措施", "/measures") not in templating.nav_for(templating.PUBLIC)
