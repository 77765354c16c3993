"""联合奖惩 over the API and in the pages (R-MEA-4, R-MEA-6)."""

import datetime as dt
import re

from xinyong.accounts.permissions import SYSTEM
from xinyong.actions.models import JointAction
from xinyong.kit.clock import today
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


def _overdue_action(uow, z):
    """An action pushed to 发改局 and 财政局 whose deadline passed yesterday; 发改局 answered, 财政局 did not."""
    from .test_service import _answer, _initiate, _read, _task

    aid = _initiate(uow, z)
    with uow(actor=SYSTEM) as s:  # the deadline has passed (whatever today's calendar year)
        s.get(JointAction, aid).due_by = today() - dt.timedelta(days=1)
    r = _read(uow, z, aid)
    fgw, czj = _task(r, z["fgw"]).id, _task(r, z["czj"]).id
    _answer(uow, z, "fgw_officer", aid, fgw, "executed", "已限制")
    return aid, fgw, czj


def test_api_urge_an_overdue_department_and_correct_an_answer(client, bearer, uow, joint):
    """R-MEA-4: POST …/urge by the initiator or the credit office, refused (400, zh-CN) for an answered task;
    POST …/correct by the department keeps the old answer and shows the new one to the initiator."""
    z = joint
    aid, fgw, czj = _overdue_action(uow, z)
    url = f"/api/v1/actions/{aid}/tasks"
    initiator, fgw_h, czj_h = (bearer(_user(uow, z[k])) for k in ("initiator", "fgw_officer", "czj_officer"))
    assert client.post(f"{url}/{czj}/urge", headers=fgw_h, json={}).status_code == 403
    r = client.post(f"{url}/{fgw}/urge", headers=initiator, json={})
    assert r.status_code == 400 and r.json()["error"] == "invalid" and "无需催办" in r.json()["message"]
    assert client.post(f"{url}/{czj}/urge", headers=initiator, json={"note": "催" * 501}).status_code == 422
    r = client.post(f"{url}/{czj}/urge", headers=initiator, json={"note": "请今日内反馈"})
    assert r.status_code == 200, r.text
    t = next(t for t in r.json()["tasks"] if t["id"] == czj)
    assert (t["urge_count"], t["urges"][0]["note"], t["urges"][0]["urged_by"]) == (1, "请今日内反馈", "scjg_jbr")
    assert t["last_urged_at"] == t["urges"][0]["urged_at"]
    assert client.post(f"{url}/{czj}/urge", headers=bearer(_user(uow, z["admin"])), json={}).status_code == 200
    seen = next(t for t in client.get(f"/api/v1/actions/{aid}", headers=czj_h).json()["tasks"] if t["id"] == czj)
    assert seen["urge_count"] == 2 and [u["urger_department"] for u in seen["urges"]] == [z["scjg"].name, z["office"].name]

    same = client.post(f"{url}/{fgw}/correct", headers=fgw_h, json={"status": "executed", "note": "已限制"})
    assert same.status_code == 400 and "相同" in same.json()["message"]
    assert client.post(f"{url}/{fgw}/correct", headers=czj_h, json={"status": "executed", "note": "x"}).status_code == 403
    assert client.post(f"{url}/{czj}/correct", headers=czj_h, json={"status": "executed"}).status_code == 409  # unanswered
    r = client.post(f"{url}/{fgw}/correct", headers=fgw_h, json={"status": "not_applicable", "note": "该主体无在办补贴申请"})
    assert r.status_code == 200, r.text
    t = next(t for t in client.get(f"/api/v1/actions/{aid}", headers=initiator).json()["tasks"] if t["id"] == fgw)
    assert (t["status"], t["note"]) == ("not_applicable", "该主体无在办补贴申请")
    assert [(h["status"], h["note"], h["answered_by"]) for h in t["history"]] == [("executed", "已限制", "fgw_jbr")]


def test_pages_urge_button_and_correction_form(client, uow, joint):
    """R-MEA-4: the initiator's 「催办」 form on the action page (CSRF-protected); the department sees the urge on its
    task list and page, and corrects its answer there; the replaced answer is shown."""
    z = joint
    aid, fgw, czj = _overdue_action(uow, z)
    login(client, "scjg_jbr")
    page = client.get(f"/actions/{aid}").text
    assert re.findall(r'action="/actions/\d+/tasks/(\d+)/urge"', page) == [str(czj)]  # only the overdue task
    assert client.post(f"/actions/{aid}/tasks/{czj}/urge", data={"note": "无令牌"}).status_code == 403
    r = client.post(f"/actions/{aid}/tasks/{czj}/urge", data={"csrf_token": csrf_of(page), "note": "请尽快反馈"},
                    follow_redirects=False)
    assert r.status_code == 303
    bad = client.post(f"/actions/{aid}/tasks/{fgw}/urge", data={"csrf_token": csrf_of(page)})
    assert bad.status_code == 400 and "无需催办" in bad.text
    page = client.get(f"/actions/{aid}").text
    assert "已催办 1 次" in page and "请尽快反馈" in page and "催办记录" in page
    client.post("/logout", data={"csrf_token": csrf_of(page)})
    client.cookies.clear()

    login(client, "czj_shr")
    assert "已催办 1 次" in client.get("/actions").text  # on the department's task list
    page = client.get(f"/actions/{aid}").text
    assert "本部门任务已被催办 1 次" in page and "请尽快反馈" in page
    client.post(f"/actions/{aid}/tasks/{czj}/answer", data={"csrf_token": csrf_of(page), "status": "not_applicable",
                                                           "note": "无在办事项"})
    page = client.get(f"/actions/{aid}").text
    assert f'action="/actions/{aid}/tasks/{czj}/correct"' in page and "无在办事项</textarea>" in page
    same = client.post(f"/actions/{aid}/tasks/{czj}/correct", data={"csrf_token": csrf_of(page), "status": "not_applicable",
                                                                     "note": "无在办事项"})
    assert same.status_code == 400 and "相同" in same.text
    ok = client.post(f"/actions/{aid}/tasks/{czj}/correct", data={"csrf_token": csrf_of(page), "status": "executed",
                                                                   "note": "已暂停拨付"}, follow_redirects=True)
    assert ok.status_code == 200 and "反馈更正记录" in ok.text and "已更正 1 次" in ok.text
    assert re.search(r"<td>不适用</td><td>无在办事项</td>", ok.text)


def _user(uow, actor):
    from xinyong.accounts.models import User

    with uow(write=False) as s:
        return s.get(User, actor.user_id)
