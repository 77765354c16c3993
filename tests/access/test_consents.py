"""Consent (R-PUB-2): granted for a purpose and a period, used (each use logged and shown to the
entity), revoked; an expired or someone else's consent is refused, and the refusal logged."""

import datetime as dt
import random

import pytest
from sqlalchemy import select

from tests.factories import uscc as make_uscc
from xinyong.access import service
from xinyong.access.models import Consent, Outcome, QueryLog
from xinyong.access.schemas import ConsentCreate
from xinyong.audit.models import AuditEvent
from xinyong.kit.clock import today
from xinyong.kit.errors import Conflict, Forbidden, Invalid, NotFound

SEEN_WITH_CONSENT = {"scjg_public", "scjg_internal", "sthj_public", "sthj_internal"}


def grant(uow, world, who="entity", **fields) -> int:
    data = {"grantee_uscc": world["sthj"].uscc, "purpose": "办理排污许可变更，核查企业信用状况",
            "valid_to": today() + dt.timedelta(days=90)} | fields
    actor = world["actors"][who]
    with uow(actor=actor) as s:
        return service.grant(s, actor=actor, consent_in=ConsentCreate(**data)).id


def read(uow, world, who="outsider", **kw):
    with uow(write=False) as s:
        view = service.read_file(s, actor=world["actors"][who], entity_id=world["company"].id, **kw)
    return view, {world["label"][r.id] for r in view.records}


def uses(uow, world, consent_id):
    with uow(write=False) as s:
        return service.consent_uses(s, actor=world["actors"]["entity"], consent_id=consent_id)


def test_granted_used_logged_and_seen_by_the_entity_then_revoked_and_refused(uow, world):  # R-PUB-2
    cid = grant(uow, world)
    with uow(write=False) as s:
        [mine] = service.my_consents(s, actor=world["actors"]["entity"])
    assert (mine.grantee_name, mine.on_platform, mine.status_label, mine.uses) == (
        "北京经济技术开发区生态环境局", True, "有效", 0)

    view, seen = read(uow, world, consent_id=cid, matter="排污许可变更 2026-118")
    assert seen == SEEN_WITH_CONSENT and view.consent_id == cid and view.non_public
    [use] = uses(uow, world, cid)
    assert (use.party, use.matter, use.outcome) == ("北京经济技术开发区生态环境局", "排污许可变更 2026-118", Outcome.ALLOWED)

    with uow(actor=world["actors"]["entity"]) as s:
        service.revoke(s, actor=world["actors"]["entity"], consent_id=cid)
    view, seen = read(uow, world, consent_id=cid)
    assert seen == {"scjg_public", "sthj_public", "sthj_internal"}  # the public part and its own only
    assert not view.non_public and view.refused == ["该授权已被主体撤回"]
    latest, first = uses(uow, world, cid)
    assert latest.outcome is Outcome.REFUSED and "撤回" in latest.reason and first.outcome is Outcome.ALLOWED
    with uow(write=False) as s:
        actions = list(s.scalars(select(AuditEvent.action).where(AuditEvent.subject_type == "consent")))
    assert actions == ["consent.granted", "consent.revoked"]


def test_an_expired_consent_is_refused_and_logged(uow, world, monkeypatch):
    cid = grant(uow, world, valid_to=today() + dt.timedelta(days=1))
    later = today() + dt.timedelta(days=2)  # the platform's day (China time), not the machine's
    monkeypatch.setattr(service, "today", lambda: later)
    view, seen = read(uow, world, consent_id=cid)
    assert "sthj_internal" in seen and "scjg_internal" not in seen
    assert view.refused and "到期" in view.refused[0]
    [use] = uses(uow, world, cid)
    assert use.outcome is Outcome.REFUSED


def test_a_consent_not_yet_in_force_is_refused(uow, world):
    cid = grant(uow, world, valid_from=today() + dt.timedelta(days=3))
    view, _ = read(uow, world, consent_id=cid)
    assert view.refused and "起生效" in view.refused[0]


def test_a_consent_given_to_one_department_is_not_anothers(uow, world):
    cid = grant(uow, world)
    view, seen = read(uow, world, "officer", consent_id=cid)
    assert view.refused == ["该授权不是给本部门的"] and "sthj_internal" not in seen
    with uow(write=False) as s:
        [entry] = s.scalars(select(QueryLog)).all()
    assert entry.outcome is Outcome.REFUSED and entry.consent_id == cid and entry.department.endswith("市场监督管理局")


def test_a_consent_for_one_entity_opens_no_other(uow, world):
    cid = grant(uow, world)
    with uow(write=False) as s:
        view = service.read_file(s, actor=world["actors"]["outsider"], entity_id=world["other"].id, consent_id=cid)
    assert view.refused == ["该主体没有这项授权"]
    with uow(write=False) as s:
        entry = s.scalars(select(QueryLog)).one()
    # logged against the entity read, without the consent: its owner is not told of another's file
    assert entry.entity_id == world["other"].id and entry.consent_id is None and uses(uow, world, cid) == []


def test_a_consent_limited_to_some_types_opens_only_those(uow, world):
    cid = grant(uow, world, info_types=["penalty"])
    _, seen = read(uow, world, consent_id=cid)
    assert "scjg_internal" not in seen  # 其他不良信息 is outside the consent


def test_the_credit_office_answers_an_outside_partys_query_under_its_consent(uow, world):
    bank = make_uscc(random.Random(3), "91")
    cid = grant(uow, world, grantee_uscc=bank, grantee_name="北京亦庄农村商业银行股份有限公司", purpose="授信审查")
    with uow(write=False) as s:
        [c] = service.my_consents(s, actor=world["actors"]["entity"])
    assert not c.on_platform and c.grantee_name == "北京亦庄农村商业银行股份有限公司"
    read(uow, world, "admin", consent_id=cid)
    [use] = uses(uow, world, cid)
    assert use.party == "信用办" and use.outcome is Outcome.ALLOWED
    # a department cannot use a consent given to an outside party
    view, _ = read(uow, world, "outsider", consent_id=cid)
    assert view.refused == ["该授权不是给本部门的"]


@pytest.mark.parametrize(("fields", "field"), [
    ({"grantee_uscc": "91110302ABCDEFGH12"}, "grantee_uscc"),
    ({"purpose": "  "}, "purpose"),
    ({"valid_to": dt.date(2020, 1, 1)}, "valid_to"),
    ({"valid_from": dt.date(2020, 1, 1)}, "valid_from"),
    ({"info_types": ["horoscope"]}, "info_types"),
])
def test_a_consent_needs_a_real_party_purpose_and_period(uow, world, fields, field):
    with pytest.raises(Invalid) as exc:
        grant(uow, world, **fields)
    assert exc.value.field == field


def test_an_outside_party_needs_a_name_and_an_entity_cannot_name_itself(uow, world):
    with pytest.raises(Invalid) as exc:
        grant(uow, world, grantee_uscc=make_uscc(random.Random(5)))
    assert exc.value.field == "grantee_name"
    with pytest.raises(Invalid):
        grant(uow, world, grantee_uscc=world["company"].uscc, grantee_name="自己")


def test_only_the_entity_grants_revokes_and_sees_its_consents(uow, world):
    cid = grant(uow, world)
    with pytest.raises(Forbidden):
        grant(uow, world, "officer")
    with pytest.raises(NotFound), uow(actor=world["actors"]["other_entity"]) as s:
        service.revoke(s, actor=world["actors"]["other_entity"], consent_id=cid)
    with pytest.raises(NotFound), uow(write=False) as s:
        service.consent_uses(s, actor=world["actors"]["other_entity"], consent_id=cid)
    with uow(actor=world["actors"]["entity"]) as s:
        service.revoke(s, actor=world["actors"]["entity"], consent_id=cid)
    with pytest.raises(Conflict), uow(actor=world["actors"]["entity"]) as s:
        service.revoke(s, actor=world["actors"]["entity"], consent_id=cid)
    with uow(write=False) as s:
        assert s.get(Consent, cid).revoked_by == world["users"]["entity"].id


def test_a_consent_works_from_its_first_day_to_its_last_inclusive():  # R-PUB-2, at the boundary dates
    from xinyong.access.scope import ConsentView, consent_problem

    c = ConsentView(id=1, entity_id=7, grantee_department_id=3, valid_from=dt.date(2026, 5, 1),
                    valid_to=dt.date(2026, 5, 31), revoked=False)
    problems = {day: consent_problem(c, entity_id=7, department_id=3, day=dt.date(2026, *day))
                for day in ((4, 30), (5, 1), (5, 31), (6, 1))}
    assert problems[(5, 1)] is problems[(5, 31)] is None
    assert "起生效" in problems[(4, 30)] and "到期" in problems[(6, 1)]
