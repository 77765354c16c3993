import pytest
from sqlalchemy import select, text

from tests.helpers import entity_counts, id_number
from xinyong.accounts.permissions import PUBLIC, SYSTEM, Actor, Role
from xinyong.audit.models import AuditEvent
from xinyong.entities import repository, service
from xinyong.entities.models import Entity, EntityKind
from xinyong.kit.clock import today
from xinyong.kit.errors import Conflict, Forbidden, Invalid, NotFound


def create(uow, payload: dict, actor=SYSTEM) -> Entity:
    with uow(actor=actor) as s:
        return service.create_entity(s, actor=actor, entity_in=service.parse_entity_payload(payload))


def refused(uow, payload: dict, error=Invalid):
    """The error, asserted to leave nothing behind even though the unit of work commits."""
    before = entity_counts(uow)
    with uow(actor=SYSTEM) as s:
        with pytest.raises(error) as exc:
            service.create_entity(s, actor=SYSTEM, entity_in=service.parse_entity_payload(payload))
    assert entity_counts(uow) == before
    return exc.value


def test_entity_is_created_with_normalised_code_and_an_audit_event(uow, make):  # R-ENT-1, R-REV-3
    code = make.uscc()
    entity = create(uow, {"name": " 北京星河科技（北京）有限责任公司 ", "uscc": f" {code.lower()} ",
                          "legal_representative": "王五", "industry": "i"})
    with uow(write=False) as s:
        stored = s.get(Entity, entity.id)
        event, regraded = reversed(s.scalars(select(AuditEvent).order_by(AuditEvent.seq.desc()).limit(2)).all())
    assert stored.uscc == code and stored.code == code
    assert stored.name == "北京星河科技（北京）有限责任公司"
    assert stored.name_key == "北京星河科技(北京)有限公司"
    assert stored.kind is EntityKind.LEGAL_PERSON and stored.industry == "I"
    assert event.action == "entity.created" and event.subject_id == str(entity.id)
    assert regraded.action == "grading.regraded"  # a new entity is graded in the same commit (R-GRD-4)


def test_duplicate_uscc_is_a_conflict_naming_the_field(uow, make):  # R-ENT-1, R-ENT-3: one file per entity
    code = make.uscc()
    create(uow, {"name": "北京星河科技有限公司", "uscc": code})
    err = refused(uow, {"name": "另一个名字有限公司", "uscc": code.lower()}, Conflict)
    assert err.field == "uscc" and code in err.message


def test_duplicate_id_number_is_a_conflict_that_shows_the_number_masked(uow):  # R-ENT-1, R-SEC-2
    number = id_number()
    create(uow, {"name": "张三", "id_number": number})
    err = refused(uow, {"name": "张三丰", "id_number": f"{number[:6]} {number[6:]}"}, Conflict)
    assert err.field == "id_number"
    assert number not in err.message and "110105********" + number[-4:] in err.message


@pytest.mark.parametrize("prefix, kind", [
    ("92", EntityKind.INDIVIDUAL_BUSINESS),  # GB 32100: 9 market regulation, 2 个体工商户
    ("91", EntityKind.LEGAL_PERSON),
    ("93", EntityKind.LEGAL_PERSON),
])
def test_kind_is_inferred_from_the_uscc(uow, make, prefix, kind):  # R-ENT-1
    assert create(uow, {"name": "朝阳区老王小吃店", "uscc": make.uscc(prefix)}).kind is kind


def test_explicit_kind_is_kept(uow, make):  # R-ENT-1
    assert create(uow, {"name": "星河合伙企业", "uscc": make.uscc("92"), "kind": "unincorporated"}).kind \
        is EntityKind.UNINCORPORATED


def test_natural_person_is_inferred_from_an_id_number(uow):  # R-ENT-1
    entity = create(uow, {"name": "张三", "id_number": id_number()})
    assert entity.kind is EntityKind.NATURAL_PERSON and entity.uscc is None


@pytest.mark.parametrize("payload, field", [
    ({"name": "张三", "kind": "natural_person", "uscc": "USCC"}, "uscc"),
    ({"name": "星河公司", "kind": "legal_person", "id_number": id_number()}, "uscc"),
    ({"name": "星河公司", "uscc": "USCC", "id_number": id_number()}, "id_number"),
    ({"name": "星河公司"}, "uscc"),
    ({"name": "星河公司", "uscc": "91110302EUHUXQEEG"}, "uscc"),
    ({"name": "星河公司", "uscc": "USCC", "industry": "Z"}, "industry"),
    ({"name": "星河公司", "uscc": "USCC", "kind": "company"}, "kind"),
    ({"name": "星河公司", "uscc": "USCC", "nickname": "星河"}, "nickname"),
    ({"name": "星河公司", "uscc": "USCC", "related_persons": [{"role": "boss", "name": "王五"}]},
     "related_persons.0.role"),
    ({"name": "星河公司", "uscc": "USCC",
      "related_persons": [{"role": "director", "name": "王五", "id_number": "110105198503121230"}]},
     "related_persons[0].id_number"),
])
def test_bad_payload_is_invalid_naming_the_field(uow, make, payload, field):  # R-ENT-1
    payload = {k: (make.uscc() if v == "USCC" else v) for k, v in payload.items()}
    assert refused(uow, payload).field == field


@pytest.mark.parametrize("payload, field", [
    ({"name": "星" * 201}, "name"),
    ({"name": "   "}, "name"),
    ({"name": "星河\x00科技有限公司"}, "name"),
    ({"name": "星河\u202e科技有限公司"}, "name"),
    ({"name": "星河\n科技有限公司"}, "name"),
    ({"name": "星河科技有限公司", "legal_representative": "王" * 101}, "legal_representative"),
    ({"name": "星河科技有限公司", "address": "地址\x07"}, "address"),
    ({"name": "星河科技有限公司", "related_persons": [{"role": "director", "name": "王" * 101}]},
     "related_persons[0].name"),
])
def test_over_long_or_control_character_text_is_invalid_naming_the_field(uow, make, payload, field):  # R-SEC-3
    err = refused(uow, payload | {"uscc": make.uscc()})
    assert err.field == field


def test_a_name_of_exactly_200_characters_is_accepted(uow, make):  # R-ENT-2
    assert len(create(uow, {"name": "星" * 200, "uscc": make.uscc()}).name) == 200


@pytest.mark.parametrize("name", [
    "<script>alert('x')</script>星河有限公司",
    "星河'); DROP TABLE entities; --有限公司",
    "A&B \"星河\" 100% _科技_ 有限公司",
])
def test_html_and_sql_in_a_name_are_stored_as_inert_text(uow, make, platform, name):  # R-SEC-3
    entity = create(uow, {"name": name, "uscc": make.uscc()})
    with platform.engine.connect() as conn:
        stored = conn.execute(text("SELECT name FROM entities WHERE id = :id"), {"id": entity.id}).scalar_one()
        assert conn.execute(text("SELECT count(*) FROM entities")).scalar_one() == 1
    assert stored == name
    with uow(write=False) as s:
        assert service.get_by_code(s, actor=PUBLIC, code=entity.uscc).name == name


def test_under_18_natural_person_is_refused(uow):  # R-ENT-1
    now = today()
    day = min(now.day, 28)
    born = f"{now.year - 17}{now.month:02d}{day:02d}"
    err = refused(uow, {"name": "小明", "id_number": id_number(born)})
    assert err.field == "id_number" and "18" in err.message


def test_natural_person_who_turned_18_today_is_accepted(uow):  # R-ENT-1
    now = today()
    if (now.month, now.day) == (2, 29):
        now = now.replace(day=28)
    born = f"{now.year - 18}{now.month:02d}{now.day:02d}"
    assert create(uow, {"name": "小明", "id_number": id_number(born)}).kind is EntityKind.NATURAL_PERSON


@pytest.mark.parametrize("role", ["entity", "auditor", "public"])
def test_only_departments_and_the_credit_office_register_entities(uow, make, role):  # SPEC §0
    actor = PUBLIC if role == "public" else make.actor(
        make.user(role, entity=make.entity()) if role == "entity" else make.user(role))
    before = entity_counts(uow)
    with uow(actor=actor) as s:
        with pytest.raises(Forbidden):
            service.create_entity(s, actor=actor, entity_in=service.parse_entity_payload(
                {"name": "星河科技有限公司", "uscc": make.uscc()}))
    assert entity_counts(uow) == before


# ---- data scope (SPEC §0: an entity only itself; R-SEC-2) ---------------------------------------

@pytest.fixture
def zone(uow, make):
    a = make.entity("北京甲科技有限公司")
    b = make.entity("北京乙科技有限公司")
    number = id_number("19800101", "777")
    p = make.entity("张三", id_number=number)
    return {"a": a, "b": b, "p": p, "p_number": number}


def readable_ids(uow, actor: Actor) -> set[int]:
    with uow(write=False) as s:
        return set(s.scalars(repository.readable(actor).with_only_columns(Entity.id)))


def not_found(uow, actor: Actor, code: str) -> NotFound:
    with uow(write=False) as s:
        with pytest.raises(NotFound) as exc:
            service.get_by_code(s, actor=actor, code=code)
    return exc.value


NOWHERE = "91110302MA0000000X"  # a valid code no entity has (an invalid one is 400: validate_code)


@pytest.mark.parametrize("role", ["admin", "officer", "reviewer"])
def test_departments_and_credit_office_read_every_entity(uow, make, zone, role):  # SPEC §0
    actor = make.actor(make.user(role))
    assert readable_ids(uow, actor) == {zone["a"].id, zone["b"].id, zone["p"].id}
    with uow(write=False) as s:
        assert service.get_by_code(s, actor=actor, code=zone["b"].uscc).id == zone["b"].id
        assert service.get_by_code(s, actor=actor, code=zone["p_number"]).id == zone["p"].id


def test_entity_user_reads_only_itself(uow, make, zone):  # SPEC §0, R-PUB-2
    actor = make.actor(make.user("entity", entity=zone["a"]))
    assert readable_ids(uow, actor) == {zone["a"].id}
    with uow(write=False) as s:
        assert service.get_by_code(s, actor=actor, code=zone["a"].uscc).id == zone["a"].id


def test_another_entitys_code_is_answered_like_a_code_that_does_not_exist(uow, make, zone):  # SPEC §0, R-PUB-2
    actor = make.actor(make.user("entity", entity=zone["a"]))
    other, missing = not_found(uow, actor, zone["b"].uscc), not_found(uow, actor, NOWHERE)
    assert (type(other), other.message, other.status, other.field) == \
        (type(missing), missing.message, missing.status, missing.field)
    assert zone["b"].uscc not in other.message
    person = not_found(uow, actor, zone["p_number"])
    assert person.message == missing.message
    with uow(write=False) as s:
        with pytest.raises(NotFound) as by_id:
            service.get_entity(s, actor=actor, entity_id=zone["b"].id)
    assert by_id.value.message == missing.message


def test_natural_person_user_reads_itself_by_id_number(uow, make, zone):  # SPEC §0, R-PUB-2
    actor = make.actor(make.user("entity", entity_code=zone["p_number"]))
    assert readable_ids(uow, actor) == {zone["p"].id}
    with uow(write=False) as s:
        assert service.get_by_code(s, actor=actor, code=zone["p_number"]).id == zone["p"].id


def test_entity_role_without_an_entity_reads_nothing(uow, zone):  # SPEC §0
    assert readable_ids(uow, Actor(role=Role.ENTITY, user_id=999, username="orphan")) == set()


def test_public_cannot_see_natural_persons(uow, zone):  # R-SEC-2
    assert readable_ids(uow, PUBLIC) == {zone["a"].id, zone["b"].id}
    with uow(write=False) as s:
        assert service.get_by_code(s, actor=PUBLIC, code=zone["a"].uscc).id == zone["a"].id
        assert service.search(s, actor=PUBLIC, q="张三").total == 0
        assert service.search(s, actor=PUBLIC, q=zone["p_number"]).total == 0
        assert service.search(s, actor=SYSTEM, q="张三").total == 1
    assert not_found(uow, PUBLIC, zone["p_number"]).message == not_found(uow, PUBLIC, NOWHERE).message


def test_auditor_sees_no_credit_file(uow, make, zone):  # SPEC §0: the auditor reads logs only
    actor = make.actor(make.user("auditor"))
    assert readable_ids(uow, actor) == set()
    for code in (zone["a"].uscc, zone["p_number"]):
        not_found(uow, actor, code)
