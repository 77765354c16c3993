"""Every viewer's view of one entity's file, through the one data-scope place (SPEC §0, R-PUB-2, R-PUB-3)."""

import pytest
from sqlalchemy import select

from xinyong.access import service
from xinyong.access.duties import Duty
from xinyong.access.models import Outcome, QueryLog
from xinyong.kit.errors import Forbidden, NotFound
from xinyong.records import service as records

ALL = {"scjg_public", "scjg_internal", "sthj_public", "sthj_internal"}
PUBLIC = {"scjg_public", "sthj_public"}


def seen(uow, world, who, *, entity="company", **kw) -> set[str]:
    with uow(write=False) as s:
        view = service.read_file(s, actor=world["actors"][who], entity_id=world[entity].id, **kw)
    return {world["label"][r.id] for r in view.records}


def log(uow) -> list[QueryLog]:
    with uow(write=False) as s:
        return list(s.scalars(select(QueryLog).order_by(QueryLog.seq)))


# who × (own department's public, own non-public, another department's public, its non-public); the
# officer and reviewer are of 市场监管 (scjg), the outsider of 生态环境 (sthj)
VIEWS = [
    ("admin", {}, ALL),
    ("entity", {}, ALL),  # its own file, public or not
    ("officer", {}, PUBLIC | {"scjg_internal"}),
    ("reviewer", {}, PUBLIC | {"scjg_internal"}),
    ("outsider", {}, PUBLIC | {"sthj_internal"}),
    ("officer", {"duty": Duty.LICENSING}, ALL),
    ("outsider", {"duty": "procurement"}, ALL),
    ("public", {}, PUBLIC),
]


@pytest.mark.parametrize(("who", "claim", "expected"), VIEWS)
def test_each_role_sees_what_its_scope_allows(uow, world, who, claim, expected):  # SPEC §0, R-PUB-3
    assert seen(uow, world, who, **claim) == expected


@pytest.mark.parametrize("who", ["admin", "officer", "outsider", "public"])
def test_another_entitys_file_is_its_public_part_for_those_who_read_files(uow, world, who):
    assert seen(uow, world, who, entity="other") == {"other_public"}


def test_the_entity_asking_for_another_file_is_answered_as_for_no_entity_and_logged(uow, world):  # R-PUB-3
    actor = world["actors"]["entity"]
    answers = []
    for entity_id in (world["other"].id, 10**6):
        with pytest.raises(NotFound) as exc, uow(write=False) as s:
            records.credit_file(s, actor=actor, entity_id=entity_id)
        answers.append((exc.value.status, exc.value.as_dict()))
    assert answers[0] == answers[1] == (404, {"error": "not_found", "message": "未找到该信用主体"})
    refused = log(uow)
    assert [(e.outcome, e.entity_id, e.actor) for e in refused] == [
        (Outcome.REFUSED, world["other"].id, actor.label), (Outcome.REFUSED, None, actor.label)]
    assert refused[0].entity == f"北京亦庄晨光电子有限公司（{world['other'].uscc}）"


def test_the_auditor_reads_no_file_and_the_try_is_logged(uow, world):  # SPEC §0
    with pytest.raises(Forbidden), uow(write=False) as s:
        service.read_file(s, actor=world["actors"]["auditor"], entity_id=world["company"].id)
    [entry] = log(uow)
    assert entry.outcome is Outcome.REFUSED and entry.actor_role == "auditor" and "不查看信用档案" in entry.reason


def test_a_duty_read_is_logged_with_who_what_which_duty_and_when(uow, world):  # R-PUB-3
    with uow(write=False) as s:
        view = service.read_file(s, actor=world["actors"]["officer"], entity_id=world["company"].id,
                                 duty=Duty.LICENSING, matter="京开许〔2026〕0457号", via="/entities/1")
    assert view.non_public and view.duty_label == "行政许可（行政审批）"
    [entry] = log(uow)
    assert (entry.outcome, entry.actor_id, entry.department, entry.entity_id, entry.duty, entry.matter) == (
        Outcome.ALLOWED, world["users"]["officer"].id, "北京经济技术开发区市场监督管理局", world["company"].id,
        "licensing", "京开许〔2026〕0457号")
    assert entry.at is not None and entry.path == "/entities/1" and "行政许可" in entry.reason


def test_reading_only_what_is_public_or_ones_own_is_not_logged(uow, world):
    for who in ("officer", "entity", "public"):
        seen(uow, world, who)
    assert log(uow) == []


def test_every_credit_office_read_is_logged(uow, world):  # R-SEC-3: querying without need must be visible
    seen(uow, world, "admin")
    [entry] = log(uow)
    assert entry.outcome is Outcome.ALLOWED and entry.reason == "信用办" and entry.duty is None


def test_an_unknown_duty_is_refused_naming_the_list(uow, world):
    from xinyong.kit.errors import Invalid

    with pytest.raises(Invalid) as exc, uow(write=False) as s:
        service.read_file(s, actor=world["actors"]["officer"], entity_id=world["company"].id, duty="好奇")
    assert "应查必查" in exc.value.message and exc.value.field == "duty"


def test_a_type_published_only_to_specified_parties_needs_a_consent_not_a_duty(uow, world, make):
    """The catalog's sharing rule (003 §14): 向特定主体公开 is opened by the entity's consent alone."""
    import datetime as dt

    from tests.access.conftest import internal_in
    from xinyong.access.schemas import ConsentCreate
    from xinyong.catalog import service as catalog
    from xinyong.catalog.schemas import InfoTypeUpdate
    from xinyong.kit.clock import today
    from xinyong.records.models import Record

    a = world["actors"]
    with uow(actor=a["admin"]) as s:
        catalog.update_type(s, actor=a["admin"], code="other_bad",
                            changes=InfoTypeUpdate(publicity="specified", change_note="仅向授权主体公开"))
    with uow(actor=a["outsider"]) as s:
        rid = records.create(s, actor=a["outsider"], record_in=internal_in(world["company"], "京开环提〔2026〕23号",
                                                                           today())).id
    with uow(actor=a["admin"]) as s:
        records.accept(s, actor=a["admin"], records=[s.get(Record, rid)])
    with uow(actor=a["entity"]) as s:
        consent = service.grant(s, actor=a["entity"], consent_in=ConsentCreate(
            grantee_uscc=world["scjg"].uscc, purpose="资质审查", valid_to=today() + dt.timedelta(days=30))).id

    def ids(**kw):
        with uow(write=False) as s:
            return {r.id for r in service.read_file(s, actor=a["officer"], entity_id=world["company"].id, **kw).records}

    assert rid not in ids(duty=Duty.SUPERVISION)
    assert rid in ids(consent_id=consent)
