"""联合奖惩 over the API and in the pages (R-MEA-4, R-MEA-6)."""

import re

from xinyong.lists import service as lists
from xinyong.lists.models import EndReason

from ..web.test_auth import csrf_of, login

BODY = {"list_kind": "black", "measure_codes": ["etdz_limit_subsidy"], "reason": "严重失信，实施联合惩戒"}


def test_api_round_trip_and_lifting(client, bearer, make, uow, joint):  # R-MEA-4, R-MEA-6
    z = joint
    initiator = bearer(_user(uow, z["initiator"]))
    r = client.post("/api/v1/actions", headers=initiator, json=BODY | {
        "entity_code": z["company"].uscc, "department_ids": [z["fgw"].id, z["czj"].id]})
    assert r.status_code == 201, r.text
    a = r.json()
    tasks = {t["department_id"]: t["id"] for t in a["tasks"]}
    fgw, czj = bearer(_user(uow, z["fgw_officer"])), bearer(_user(uow, z["czj_officer"]))
    url = f"/api/v1/actions/{a['id']}/tasks"
    assert client.post(f"{url}/{tasks[z['czj'].id]}/answer", headers=fgw, json={"status": "executed"}).status_code == 403
    assert client.post(f"{url}/{tasks[z['czj'].id]}/answer", headers=czj, json={"status": "not_applicable"}).status_code == 400
    assert client.post(f"{url}/{tasks[z['czj'].id]}/answer", headers=czj,
                       json={"status": "not_applicable", "note": "无在办补贴项目"}).status_code == 200
    r = client.post(f"{url}/{tasks[z['fgw'].id]}/answer", headers=fgw, json={"status": "executed", "note": "已限制"})
    assert r.json()["answered"] == 2
    listed = client.get("/api/v1/actions", headers=bearer(_user(uow, z["admin"]))).json()
    assert listed["total"] == 1 and listed["items"][0]["overdue"] == 0

    with uow(actor=z["admin"]) as s:
        lists.end(s, actor=z["admin"], entry=lists.get(s, z["entry_id"]), reason=EndReason.REPAIRED, note="信用修复")
    a = client.get(f"/api/v1/actions/{a['id']}", headers=initiator).json()
    assert a["lifts_outstanding"] == 1 and not a["basis_in_force"]
    assert client.post(f"{url}/{tasks[z['fgw'].id]}/lift", headers=fgw, json={"note": "已解除"}).json()["lifts_outstanding"] == 0


def test_entity_users_and_outsiders_cannot_see_or_initiate(client, bearer, make, uow, joint):  # R-MEA-4
    z = joint
    ent = bearer(_user(uow, z["entity_user"]))
    assert client.post("/api/v1/actions", headers=ent, json=BODY | {"entity_code": z["company"].uscc}).status_code == 403
    assert client.get("/api/v1/actions", headers=ent).status_code == 403
    r = client.post("/api/v1/actions", headers=bearer(_user(uow, z["initiator"])),
                    json=BODY | {"entity_code": z["company"].uscc, "department_ids": [z["fgw"].id]})
    outsider = make.user("officer", "other_jbr")
    assert client.get(f"/api/v1/actions/{r.json()['id']}", headers=bearer(outsider)).status_code == 404


def test_pages_initiate_answer_and_show_feedback(client, joint):  # R-MEA-4
    z = joint
    login(client, "scjg_jbr")
    page = client.get(f"/actions/new?entity={z['company'].uscc}")
    assert page.status_code == 200 and "限制申请政府补贴资金支持" in page.text
    r = client.post("/actions/new", data={"csrf_token": csrf_of(page.text), "entity_code": z["company"].uscc,
                                          "entry_id": str(z["entry_id"]), "measure_codes": "etdz_limit_subsidy",
                                          "department_ids": [str(z["fgw"].id)], "reason": "严重失信"},
                    follow_redirects=False)
    assert r.status_code == 303, r.text
    url = r.headers["location"]
    client.post("/logout", data={"csrf_token": csrf_of(client.get(url).text)})
    client.cookies.clear()
    login(client, "fgw_jbr")
    assert "本部门待反馈（1）" in client.get("/actions").text
    detail = client.get(url).text
    action = csrf_of(detail)
    form_url = re.search(r'action="(/actions/\d+/tasks/\d+/answer)"', detail).group(1)
    bad = client.post(form_url, data={"csrf_token": action, "status": "not_applicable", "note": ""})
    assert bad.status_code == 400 and "必须写明理由" in bad.text
    ok = client.post(form_url, data={"csrf_token": action, "status": "executed", "note": "已执行"}, follow_redirects=True)
    assert ok.status_code == 200 and "1/1 个部门已反馈" in ok.text


def _user(uow, actor):
    from xinyong.accounts.models import User

    with uow(write=False) as s:
        return s.get(User, actor.user_id)
