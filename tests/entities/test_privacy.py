"""R-ENT-5 (never collected) and R-SEC-2 (identifiers protected at rest, masked when shown)."""

import pytest
from sqlalchemy import select

from tests.helpers import entity_counts, id_number
from xinyong.accounts.permissions import PUBLIC, SYSTEM
from xinyong.audit.models import AuditEvent
from xinyong.entities import service
from xinyong.entities.models import Entity, RelatedPerson
from xinyong.kit.errors import Forbidden, Invalid, NotFound


def submit(uow, payload: dict):
    """Parse and create as one submission; an error is caught inside the unit of work so that it
    commits whatever was written before the refusal (there must be nothing)."""
    with uow(actor=SYSTEM) as s:
        try:
            return service.create_entity(s, actor=SYSTEM, entity_in=service.parse_entity_payload(payload)).id
        except Invalid as exc:
            return exc


PERSON = {"name": "张三", "id_number": id_number()}
COMPANY = "91110302EUHUXQEEGX"


@pytest.mark.parametrize("payload, field, kind", [
    (PERSON | {"religion": "佛教"}, "religion", "宗教"),
    (PERSON | {"血型": "AB"}, "血型", "血型"),
    (PERSON | {"Blood Type": "O"}, "Blood Type", "血型"),
    (PERSON | {"fingerprint": "base64…"}, "fingerprint", "指纹"),
    (PERSON | {"基因": "…"}, "基因", "基因"),
    (PERSON | {"medical-history": "高血压"}, "medical-history", "病史"),
    (PERSON | {"疾病": None}, "疾病", "疾病"),  # the field itself is refused, even empty
    ({"name": "北京星河科技有限公司", "uscc": COMPANY,
      "related_persons": [{"role": "director", "name": "李四"},
                          {"role": "legal_representative", "name": "王五", "宗教信仰": "无"}]},
     "related_persons[1].宗教信仰", "宗教"),
    (PERSON | {"extra": {"health": {"diagnosis": "…"}}}, "extra.health.diagnosis", "疾病"),
])
def test_forbidden_personal_field_refused_naming_it_and_nothing_stored(uow, payload, field, kind):  # R-ENT-5
    before = entity_counts(uow)
    result = submit(uow, payload)
    assert isinstance(result, Invalid)
    assert result.field == field
    assert field in result.message and kind in result.message
    assert "禁止" in result.message  # the reason, not a generic "unexpected field"
    assert entity_counts(uow) == before


def test_words_in_names_and_values_are_not_forbidden_fields(uow):  # R-ENT-5 refuses fields, not words
    entity_id = submit(uow, {"name": "北京基因宗教文化研究中心", "uscc": COMPANY,
                             "address": "血型检测大楼"})
    assert isinstance(entity_id, int)


def test_id_number_is_stored_encrypted(uow, platform):  # R-SEC-2
    number = id_number(serial="456")
    entity_id = submit(uow, {"name": "张三", "id_number": number})
    with platform.engine.connect() as conn:
        row = conn.execute(select(Entity.__table__).where(Entity.__table__.c.id == entity_id)).mappings().one()
    for column, value in row.items():
        assert number not in str(value), column
        if isinstance(value, (bytes, memoryview)):
            assert number.encode() not in bytes(value), column
    assert row["id_number_masked"] == number[:6] + "********" + number[-4:]
    assert row["id_number_cipher"] is not None and row["id_number_index"] is not None


def test_related_persons_id_numbers_are_stored_encrypted_and_shown_masked(uow, platform):  # R-SEC-2, R-ENT-4
    number = id_number(serial="789")
    entity_id = submit(uow, {"name": "北京星河科技有限公司", "uscc": COMPANY,
                             "related_persons": [{"role": "legal_representative", "name": "王五", "id_number": number}]})
    with platform.engine.connect() as conn:
        rows = conn.execute(select(RelatedPerson.__table__)).mappings().all()
    assert len(rows) == 1 and rows[0]["entity_id"] == entity_id
    for column, value in rows[0].items():
        assert number not in str(value), column
        if isinstance(value, (bytes, memoryview)):
            assert number.encode() not in bytes(value), column
    with uow(write=False) as s:
        read = service.to_read(service.get_entity(s, actor=SYSTEM, entity_id=entity_id))
    assert read.related_persons[0].id_number_masked == "110105********" + number[-4:]
    assert number not in read.model_dump_json()


def test_natural_person_found_by_id_number_and_shown_masked(uow):  # R-SEC-2
    number = id_number("19700101", "111")
    entity_id = submit(uow, {"name": "张三", "id_number": number})
    with uow(write=False) as s:
        for typed in (number, number.lower(), f"{number[:6]} {number[6:]}"):
            assert service.get_by_code(s, actor=SYSTEM, code=typed).id == entity_id
        read = service.to_read(service.get_by_code(s, actor=SYSTEM, code=number))
    assert read.code == read.id_number_masked == "110105********" + number[-4:]
    assert read.uscc is None
    assert number not in read.model_dump_json()


def test_related_person_is_linked_to_the_natural_person_with_the_same_number(uow):  # R-ENT-4
    number = id_number(serial="222")
    person_id = submit(uow, {"name": "王五", "id_number": number})
    company_id = submit(uow, {"name": "北京星河科技有限公司", "uscc": COMPANY,
                              "related_persons": [{"role": "legal_representative", "name": "王五",
                                                   "id_number": number.lower()}]})
    with uow(write=False) as s:
        company = service.get_entity(s, actor=SYSTEM, entity_id=company_id)
        assert company.related_persons[0].person_entity_id == person_id


def test_no_audit_event_carries_the_plain_id_number(uow, platform):  # R-SEC-2
    number = id_number(serial="333")
    entity_id = submit(uow, {"name": "张三", "id_number": number,
                             "related_persons": [{"role": "principal", "name": "张三", "id_number": number}]})
    with uow(actor=SYSTEM) as s:
        service.reveal_id_number(s, actor=SYSTEM, entity=s.get(Entity, entity_id))
    with platform.engine.connect() as conn:
        events = conn.execute(select(AuditEvent.__table__)).mappings().all()
    assert events
    for ev in events:
        assert number not in str(dict(ev))


def test_reveal_id_number_for_the_credit_office_writes_an_audit_event(uow, make):  # R-SEC-2, R-SEC-3
    number = id_number(serial="444")
    entity_id = submit(uow, {"name": "张三", "id_number": number})
    admin = make.actor(make.user("admin"))
    before = entity_counts(uow)[2]
    with uow(actor=admin) as s:
        assert service.reveal_id_number(s, actor=admin, entity=s.get(Entity, entity_id)) == number
    with uow(write=False) as s:
        events = s.scalars(select(AuditEvent).order_by(AuditEvent.seq)).all()
    assert len(events) == before + 1
    last = events[-1]
    assert last.action == "entity.id_number_revealed"
    assert last.actor_id == admin.user_id
    assert last.subject_id == str(entity_id)


@pytest.mark.parametrize("role", ["officer", "reviewer", "entity", "auditor", "public"])
def test_reveal_id_number_is_forbidden_to_everyone_else_and_leaves_no_event(uow, make, role):  # R-SEC-2
    number = id_number(serial="555")
    entity_id = submit(uow, {"name": "张三", "id_number": number})
    if role == "public":
        actor = PUBLIC
    elif role == "entity":
        actor = make.actor(make.user("entity", entity_code=number))
    else:
        actor = make.actor(make.user(role))
    before = entity_counts(uow)
    with uow(actor=actor) as s:
        with pytest.raises(Forbidden):
            service.reveal_id_number(s, actor=actor, entity=s.get(Entity, entity_id))
    assert entity_counts(uow) == before


def test_reveal_for_an_entity_without_an_id_number_is_not_found(uow, make):  # R-SEC-2
    company_id = submit(uow, {"name": "北京星河科技有限公司", "uscc": COMPANY})
    with uow(actor=SYSTEM) as s:
        with pytest.raises(NotFound):
            service.reveal_id_number(s, actor=SYSTEM, entity=s.get(Entity, company_id))

