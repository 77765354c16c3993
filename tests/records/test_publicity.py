"""Fulfilment and shortened publicity (优化营商环境条例 §63; R-PUB-4)."""

import datetime as dt

import pytest
from sqlalchemy import select

from tests.records.conftest import penalty_in
from xinyong.audit.models import AuditEvent
from xinyong.audit.verify import verify
from xinyong.kit.errors import Conflict, Forbidden, Invalid
from xinyong.records import publicity, service, visibility
from xinyong.records.models import Fulfilment, PublicityShortening, Record, ShorteningStatus

D = dt.date


@pytest.fixture
def penalty(uow, zone, submit, make):
    """An accepted general penalty decided 2026-03-05, public to 2027-03-05, and the company's own user."""
    rid = submit(zone["officer"], penalty_in(zone["company"]))
    with uow(actor=zone["admin"]) as s:
        service.accept(s, actor=zone["admin"], records=[s.get(Record, rid)])
    zone["company_user"] = make.actor(make.user("entity", "xinghe", entity=zone["company"]))
    return rid


def _run(uow, actor, fn, **kw):
    with uow(actor=actor) as s:
        if "record" in kw:
            kw["record"] = s.get(Record, kw["record"])
        if "application" in kw:
            kw["application"] = s.get(PublicityShortening, kw["application"])
        return fn(s, actor=actor, **kw).id


def _record(uow, rid):
    with uow(write=False) as s:
        return s.get(Record, rid)


def test_the_recording_department_marks_a_penalty_unfulfilled_and_it_stays_public(uow, zone, penalty):
    _run(uow, zone["officer"], publicity.set_fulfilment, record=penalty, fulfilment=Fulfilment.UNFULFILLED,
         fulfilled_on=None, reason="罚款逾期未缴纳")
    assert visibility.is_public(_record(uow, penalty), D(2027, 6, 1))
    with pytest.raises(Forbidden):
        _run(uow, zone["outsider"], publicity.set_fulfilment, record=penalty, fulfilment=Fulfilment.FULFILLED,
             fulfilled_on=D(2026, 4, 1), reason="")
    with pytest.raises(Invalid):  # fulfilled needs a date after the decision
        _run(uow, zone["officer"], publicity.set_fulfilment, record=penalty, fulfilment=Fulfilment.FULFILLED,
             fulfilled_on=D(2026, 3, 1), reason="")


def test_an_approved_shortening_ends_publicity_earlier_by_itself(uow, zone, penalty, platform):  # R-PUB-4
    app = _run(uow, zone["company_user"], publicity.apply, record=penalty, months=6, fulfilled_on=D(2026, 3, 20),
               reason="已于3月20日缴清罚款，并已下架全部过期食品")
    with pytest.raises(Conflict):  # one application at a time
        _run(uow, zone["company_user"], publicity.apply, record=penalty, months=3, fulfilled_on=D(2026, 3, 20), reason="再次")
    with pytest.raises(Forbidden):  # another department cannot decide
        _run(uow, zone["outsider"], publicity.decide, application=app, approve=True, reason="")
    _run(uow, zone["officer"], publicity.decide, application=app, approve=True, reason="履行到位，同意缩短6个月")
    r = _record(uow, penalty)
    assert r.publicity_end == D(2026, 9, 5) and r.fulfilment is Fulfilment.FULFILLED and r.fulfilled_on == D(2026, 3, 20)
    assert visibility.is_public(r, D(2026, 9, 5)) and not visibility.is_public(r, D(2026, 9, 6))
    with uow(write=False) as s:
        a = s.get(PublicityShortening, app)
        assert (a.status, a.old_end, a.new_end) == (ShorteningStatus.APPROVED, D(2027, 3, 5), D(2026, 9, 5))
        actions = set(s.scalars(select(AuditEvent.action)))
        assert {"publicity.shortening_applied", "publicity.shortening_approved"} <= actions
        assert verify(s, platform.keyring).ok


def test_a_shortening_never_goes_before_the_decision_and_months_are_3_to_12(uow, zone, penalty):
    for months in (2, 13):
        with pytest.raises(Invalid):
            _run(uow, zone["company_user"], publicity.apply, record=penalty, months=months, fulfilled_on=D(2026, 3, 20),
                 reason="x")
    with uow() as s:  # a three-month publicity, shortened by twelve
        s.get(Record, penalty).publicity_end = D(2026, 6, 5)
    app = _run(uow, zone["company_user"], publicity.apply, record=penalty, months=12, fulfilled_on=D(2026, 3, 20),
               reason="已履行")
    _run(uow, zone["officer"], publicity.decide, application=app, approve=True, reason="")
    assert _record(uow, penalty).publicity_end == D(2026, 3, 5)


def test_only_the_entity_itself_applies_and_a_refusal_needs_reasons(uow, zone, penalty, make):
    other = make.actor(make.user("entity", "other", entity=make.entity("北京亦庄别家科技有限公司")))
    with pytest.raises(Forbidden):
        _run(uow, other, publicity.apply, record=penalty, months=3, fulfilled_on=D(2026, 3, 20), reason="x")
    with pytest.raises(Forbidden):
        _run(uow, zone["officer"], publicity.apply, record=penalty, months=3, fulfilled_on=D(2026, 3, 20), reason="x")
    app = _run(uow, zone["company_user"], publicity.apply, record=penalty, months=3, fulfilled_on=D(2026, 3, 20),
               reason="已履行")
    with pytest.raises(Invalid):
        _run(uow, zone["officer"], publicity.decide, application=app, approve=False, reason="")
    _run(uow, zone["officer"], publicity.decide, application=app, approve=False, reason="危害后果尚未消除")
    assert _record(uow, penalty).publicity_end == D(2027, 3, 5)
    with uow(write=False) as s:
        assert [a.status for a in publicity.listing(s, actor=zone["company_user"])] == [ShorteningStatus.REFUSED]


def test_the_whole_round_over_the_api(client, make, bearer):  # R-PUB-4 through the API
    from tests.records.test_api import body

    dept = make.department("北京经济技术开发区市场监督管理局")
    company = make.entity("北京亦庄云帆软件有限公司")
    officer, admin = bearer(make.user("officer", "jbr", department=dept)), bearer(make.user("admin", "xyb"))
    owner = bearer(make.user("entity", "yunfan", entity=company))
    rid = client.post("/api/v1/records", headers=officer, json=body(company.uscc)).json()["id"]
    client.post("/api/v1/records/accept", headers=admin, json={"ids": [rid]})
    r = client.post(f"/api/v1/records/{rid}/fulfilment", headers=officer,
                    json={"fulfilment": "unfulfilled", "reason": "逾期未缴"})
    assert r.status_code == 200 and r.json()["fulfilment"] == "unfulfilled"
    r = client.post(f"/api/v1/records/{rid}/shortenings", headers=owner,
                    json={"months": 3, "fulfilled_on": "2026-04-10", "reason": "已缴清"})
    assert r.status_code == 409 and "尚未履行" in r.json()["message"]
    client.post(f"/api/v1/records/{rid}/fulfilment", headers=officer,
                json={"fulfilment": "fulfilled", "fulfilled_on": "2026-04-10"})
    r = client.post(f"/api/v1/records/{rid}/shortenings", headers=owner,
                    json={"months": 3, "fulfilled_on": "2026-04-10", "reason": "已缴清"})
    assert r.status_code == 201, r.text
    app_id = r.json()["id"]
    assert [a["id"] for a in client.get("/api/v1/shortenings?status=pending", headers=officer).json()] == [app_id]
    r = client.post(f"/api/v1/shortenings/{app_id}/decide", headers=officer, json={"approve": True, "reason": "同意"})
    assert r.json()["status"] == "approved" and r.json()["new_end"] < r.json()["old_end"]
    assert client.get(f"/api/v1/records/{rid}", headers=owner).json()["publicity_end"] == r.json()["new_end"]


def test_the_pages_let_the_entity_apply_and_the_department_decide(client, uow, zone, penalty):
    from tests.web.test_auth import csrf_of, login

    login(client, "xinghe")
    page = client.get(f"/records/{penalty}")
    assert "申请缩短公示期" in page.text
    r = client.post(f"/records/{penalty}/shorten", data={"csrf_token": csrf_of(page.text), "months": "4",
                                                         "fulfilled_on": "2026-03-20", "reason": "已缴清罚款"},
                    follow_redirects=False)
    assert r.status_code == 303
    client.post("/logout", data={"csrf_token": csrf_of(client.get("/").text)})
    login(client, "scjg_jbr")
    listing = client.get("/records/shortenings")
    assert "申请缩短 <strong>4 个月</strong>" in listing.text
    with uow(write=False) as s:
        app_id = s.scalars(select(PublicityShortening.id)).one()
    r = client.post(f"/records/shortenings/{app_id}/decide",
                    data={"csrf_token": csrf_of(listing.text), "approve": "1", "reason": "同意"}, follow_redirects=False)
    assert r.status_code == 303
    assert _record(uow, penalty).publicity_end == D(2026, 11, 5)
