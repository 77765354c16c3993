"""Lists in the browser and over REST: a department's determination, the lists in force, ending an
entry, and what the public sees (R-LST-1…4; SPEC §17 exchange codes)."""

import datetime as dt

from tests.web.test_auth import csrf_of, login
from xinyong.kit.clock import today

from ..grading.test_service import _accept, _penalty


def _determine(client, page_text, **over):
    form = {"csrf_token": csrf_of(page_text), "entity_code": "", "list": "black", "basis_text": "《食品安全法》第一百三十五条",
            "document_number": "京开市监认〔2026〕7号", "decided_on": str(today()),
            "planned_end": str(today() + dt.timedelta(days=365))} | over
    return client.post("/lists/new", data=form, follow_redirects=False)


def test_a_department_determines_and_ends_a_black_list_entry_on_the_pages(client, zone):  # R-LST-2, R-LST-4
    company = zone["company"]
    login(client, "scjg_jbr")
    page = client.get("/lists/new")
    bad = _determine(client, page.text, entity_code=company.uscc, basis_text="")
    assert bad.status_code == 400 and "请写明认定依据" in bad.text
    r = _determine(client, client.get("/lists/new").text, entity_code=company.uscc)
    assert r.status_code == 303
    entry = client.get(r.headers["location"])
    assert "严重失信主体（黑名单）" in entry.text and "京开市监认〔2026〕7号" in entry.text and "现行" in entry.text
    listing = client.get("/lists/black").text
    assert company.name in listing and "交换代码 8" in listing
    ended = client.post(r.headers["location"] + "/end", data={"csrf_token": csrf_of(entry.text), "reason": "corrected",
                                                              "note": "认定依据经复核更正"}, follow_redirects=False)
    assert ended.status_code == 303
    assert "认定依据经更正后移出" in client.get(r.headers["location"]).text
    assert company.name not in client.get("/lists/black").text


def test_the_public_sees_red_and_black_legal_entities_only(client, zone, uow, bearer, make):  # 000 §32, §36; R-SEC-2
    company = zone["company"]
    for i in range(4):
        _accept(uow, zone, _penalty(company, f"京开市监罚〔2026〕7{i}号", serious=True))
    public = client.get("/public/lists/black")
    assert public.status_code == 200 and company.name in public.text and company.uscc in public.text
    api = client.get("/api/v1/public/lists/black").json()
    assert api["total"] == 1 and api["items"][0]["exchange_code"] == 8 and api["items"][0]["basis"] == "grading"
    assert client.get("/api/v1/public/lists/key_attention").json()["total"] == 0  # for departments, not published
    staff = client.get("/api/v1/lists/black", headers=bearer(make.user("officer", "qt", department=zone["dept"])))
    assert staff.json()["items"][0]["entity_code"] == company.uscc


def test_determinations_over_rest_need_the_permission(client, zone, bearer, make):  # R-LST-2
    body = {"entity_code": zone["company"].uscc, "list": "key_attention", "basis_text": "多次违法经营",
            "document_number": "京开市监认〔2026〕9号", "decided_on": str(today()), "planned_end": None}
    officer = bearer(make.user("officer", "qt2", department=zone["dept"]))
    made = client.post("/api/v1/lists/determinations", json=body, headers=officer)
    assert made.status_code == 201 and made.json()["list"] == "key_attention" and made.json()["in_force"]
    owner = bearer(make.user("entity", "qy", entity=zone["company"]))
    assert client.post("/api/v1/lists/determinations", json=body, headers=owner).status_code == 403
    outsider = bearer(make.user("officer", "qt3", department=zone["other"]))
    refused = client.post(f"/api/v1/lists/entries/{made.json()['id']}/end", json={"reason": "lifted", "note": "x"},
                          headers=outsider)
    assert refused.status_code == 403


def test_the_public_entity_page_shows_its_public_lists_and_a_published_grade(client, zone, uow):  # R-PUB-1, R-PUB-7
    from xinyong.accounts.permissions import SYSTEM
    from xinyong.grading import service as grading
    from xinyong.grading.models import Publication

    company = zone["company"]
    for i in range(4):
        _accept(uow, zone, _penalty(company, f"京开市监罚〔2026〕6{i}号", serious=True))
    body = client.get(f"/api/v1/public/entities/{company.uscc}").json()
    assert body["lists"] == ["black"] and body["list_entries"][0]["exchange_code"] == 8
    assert body["grade"] is None  # results are internal until the credit office publishes them
    assert "严重失信主体（黑名单）" in client.get(f"/public/entities/{company.uscc}").text
    with uow(actor=SYSTEM) as s:
        grading.set_publication(s, actor=SYSTEM, version=grading.active_version(s), publication=Publication.PUBLIC)
    assert client.get(f"/api/v1/public/entities/{company.uscc}").json()["grade"]["grade"] == "D"
