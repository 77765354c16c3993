"""Use cases for entities (R-ENT-1…6). Services flush, never commit."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ScalarSelect
from sqlalchemy.orm import Session

from xinyong.accounts.permissions import Actor, Permission
from xinyong.kit.clock import today
from xinyong.kit.errors import Conflict, Forbidden, Invalid, NotFound
from xinyong.kit.platform import keyring_of
from xinyong.kit.schemas import parse_payload
from xinyong.kit.text import clean_text

from . import events, repository
from .identifiers import (
    is_valid_id_number,
    is_valid_uscc,
    mask_id_number,
    normalize_code,
    validate_code,
    validate_id_number,
    validate_uscc,
)
from .industries import SECTIONS
from .models import KIND_LABELS, RELATED_ROLE_LABELS, Entity, EntityKind, RelatedPerson
from .names import normalize_name
from .privacy import refuse_forbidden_fields
from .schemas import EntityCreate, EntityPage, EntityRead, EntitySummary, RelatedPersonCreate, RelatedPersonRead

ID_CONTEXT = "entities.id_number"
RELATED_ID_CONTEXT = "related_persons.id_number"


def parse_entity_payload(payload: dict[str, Any]) -> EntityCreate:
    """Raw submissions pass the R-ENT-5 check before anything else looks at them."""
    refuse_forbidden_fields(payload)
    return parse_payload(EntityCreate, payload)


def parse_related_payload(payload: dict[str, Any]) -> RelatedPersonCreate:
    refuse_forbidden_fields(payload)
    return parse_payload(RelatedPersonCreate, payload)


def _kind_for(entity_in: EntityCreate, uscc: str | None) -> EntityKind:
    if uscc is None:
        if entity_in.kind not in (None, EntityKind.NATURAL_PERSON):
            raise Invalid("法人、非法人组织和个体工商户须有统一社会信用代码", field="uscc")
        return EntityKind.NATURAL_PERSON
    if entity_in.kind is EntityKind.NATURAL_PERSON:
        raise Invalid("自然人以公民身份号码标识，不填统一社会信用代码", field="uscc")
    if entity_in.kind is not None:
        return entity_in.kind
    # GB 32100: registration authority 9 (market regulation), type 2 = 个体工商户
    return EntityKind.INDIVIDUAL_BUSINESS if uscc.startswith("92") else EntityKind.LEGAL_PERSON


def _text(value, field: str, label: str, max_len: int, required: bool = False) -> str | None:
    return clean_text(value, field=field, label=label, max_len=max_len, required=required)


def create_entity(session: Session, *, actor: Actor, entity_in: EntityCreate) -> Entity:
    if not actor.can(Permission.ENTITY_CREATE):
        raise Forbidden("无权登记信用主体")
    keyring = keyring_of(session)
    if entity_in.uscc and entity_in.id_number:
        raise Invalid("统一社会信用代码和公民身份号码只填其一", field="id_number")
    if not entity_in.uscc and not entity_in.id_number:
        raise Invalid("须填写统一社会信用代码（单位）或公民身份号码（自然人）", field="uscc")
    uscc = validate_uscc(entity_in.uscc) if entity_in.uscc else None
    kind = _kind_for(entity_in, uscc)
    name = _text(entity_in.name, "name", "名称", 200, required=True)
    entity = Entity(
        kind=kind,
        uscc=uscc,
        name=name,
        name_key=normalize_name(name),
        legal_representative=_text(entity_in.legal_representative, "legal_representative", "法定代表人", 100),
        region=_text(entity_in.region, "region", "所在区域", 60),
        address=_text(entity_in.address, "address", "住所", 300),
        registered_capital=_text(entity_in.registered_capital, "registered_capital", "注册资本", 40),
        established_on=entity_in.established_on,
        status=_text(entity_in.status, "status", "登记状态", 20) or "存续",
        registration_authority=_text(entity_in.registration_authority, "registration_authority", "登记机关", 100),
    )
    if entity_in.industry:
        industry = normalize_code(entity_in.industry)
        if industry not in SECTIONS:
            raise Invalid(f"行业门类应为 GB/T 4754 的 A–T 之一，收到“{entity_in.industry}”", field="industry")
        entity.industry = industry
    if uscc and repository.exists(session, uscc=uscc):
        raise Conflict(f"统一社会信用代码 {uscc} 已登记", field="uscc")
    if kind is EntityKind.NATURAL_PERSON:
        number = validate_id_number(entity_in.id_number, adult_on=today())
        index = keyring.blind_index(number)
        if repository.exists(session, id_number_index=index):
            raise Conflict(f"公民身份号码 {mask_id_number(number)} 已登记", field="id_number")
        entity.id_number_cipher = keyring.encrypt(number, context=ID_CONTEXT)
        entity.id_number_index = index
        entity.id_number_masked = mask_id_number(number)
    related = [_related_person(session, p, i) for i, p in enumerate(entity_in.related_persons)]
    session.add(entity)
    session.flush()
    for person in related:
        person.entity_id = entity.id
        session.add(person)
    session.flush()
    events.entity_created(session, entity, actor)
    return entity


def _related_person(session: Session, person_in: RelatedPersonCreate, i: int) -> RelatedPerson:
    where = f"related_persons[{i}]"
    keyring = keyring_of(session)
    person = RelatedPerson(
        role=person_in.role,
        name=_text(person_in.name, f"{where}.name", "关联人员姓名", 100, required=True),
        position=_text(person_in.position, f"{where}.position", "职务", 60),
        share_percent=_text(person_in.share_percent, f"{where}.share_percent", "持股比例", 12),
    )
    if person_in.id_number:
        number = validate_id_number(person_in.id_number, field=f"{where}.id_number")
        person.id_number_index = keyring.blind_index(number)
        person.id_number_cipher = keyring.encrypt(number, context=RELATED_ID_CONTEXT)
        person.id_number_masked = mask_id_number(number)
        person.person_entity_id = repository.natural_person_id(session, person.id_number_index)
    return person


def add_related_person(session: Session, *, actor: Actor, entity: Entity, person_in: RelatedPersonCreate) -> RelatedPerson:
    if not actor.can(Permission.ENTITY_CREATE):
        raise Forbidden("无权登记关联人员")
    person = _related_person(session, person_in, len(entity.related_persons))
    person.entity_id = entity.id
    session.add(person)
    session.flush()
    events.related_person_added(session, entity, person, actor)
    return person


def get_entity(session: Session, *, actor: Actor, entity_id: int) -> Entity:
    entity = repository.get_readable(session, actor, entity_id)
    if entity is None:
        raise NotFound("未找到该信用主体")
    return entity


ID_IN_URL = "公民身份号码不经网址传递：请在查询框中输入，或调用 POST /api/v1/entities/lookup"


def identify(session: Session, code: str, *, allow_id_number: bool) -> tuple[str | None, str | None]:
    """(USCC, ID blind index) that ``code`` may be. An all-digit government USCC (11…, 12…) has the
    shape of an ID number too, so both are tried; an ID number is only ever matched exactly."""
    normal = normalize_code(code)
    uscc = normal if is_valid_uscc(normal) else None
    id_index = None
    if is_valid_id_number(normal):
        if not allow_id_number and uscc is None:
            raise Invalid(ID_IN_URL, field="q")
        id_index = keyring_of(session).blind_index(normal)
    return uscc, id_index


def get_by_code(session: Session, *, actor: Actor, code: str, allow_id_number: bool = True,
                related: bool = True, field: str = "code") -> Entity:
    """By USCC or ID number. Another entity's file and a code that does not exist get the same answer
    (404); a code that cannot exist is 400 with what is wrong with it (``validate_code``): that tells
    nothing about anyone's file. ``related=False``: without loading its related persons (a query the
    credit check does not need)."""
    uscc, id_index = identify(session, validate_code(code, field=field), allow_id_number=allow_id_number)
    entity = repository.find_by_code(session, actor, uscc=uscc, id_index=id_index, related=related)
    if entity is None:
        raise NotFound("未找到该信用主体")
    return entity


def id_by_code(uscc: str | None, id_index: str | None) -> ScalarSelect[int] | None:
    """SQL for the id of the entity a code ``identify`` has read stands for, its parameters ``:uscc`` and
    ``:id_index`` — for a statement that reads the entity with what hangs on it (the credit check) — or None
    when the code can be neither. Past any reader's scope: the caller rules on that."""
    if not uscc and not id_index:
        return None
    return repository.id_by_code(bool(uscc), bool(id_index))


def find(session: Session, *, actor: Actor, q: str, offset: int = 0, limit: int = 20,
         allow_id_number: bool = True) -> tuple[list[Entity], int, bool]:
    """(entities, total, more) for what someone typed: a USCC or a full ID number exactly, a name
    through the name index (substring of the normalised name, best first; name_index). ``total`` is
    counted up to name_index.CAP and ``more`` says there are more."""
    if not actor.can(Permission.ENTITY_SEARCH):
        raise Forbidden("无权查询信用主体")
    limit = max(1, min(limit, 100))
    offset = max(0, offset)
    q = (q or "").strip()
    if actor.is_public and len(q) < 2:
        raise Invalid("请输入至少两个字的名称，或完整的统一社会信用代码", field="q")
    uscc, id_index = identify(session, q, allow_id_number=allow_id_number)
    name_key = None if id_index is not None and uscc is None else (normalize_name(q) or None)
    return repository.search(session, actor, name_key=name_key, uscc=uscc, id_index=id_index, offset=offset, limit=limit)


def search(session: Session, *, actor: Actor, q: str, offset: int = 0, limit: int = 20,
           allow_id_number: bool = True) -> EntityPage:
    rows, total, more = find(session, actor=actor, q=q, offset=offset, limit=limit, allow_id_number=allow_id_number)
    limit = max(1, min(limit, 100))
    return EntityPage(items=[summary(e) for e in rows], total=total, offset=max(0, offset), limit=limit, more=more)


def find_natural_person(session: Session, *, id_number: str) -> Entity | None:
    """A natural person by the full ID number, exactly (the blind index), never by a part of it or by
    name: how the public reaches a person (R-PUB-1, R-SEC-2)."""
    number = validate_id_number(id_number)
    return repository.natural_person(session, id_index=keyring_of(session).blind_index(number))


def natural_person(session: Session, *, entity_id: int) -> Entity | None:
    return repository.natural_person(session, entity_id=entity_id)


def summary(entity: Entity) -> EntitySummary:
    return EntitySummary(id=entity.id, code=entity.code, kind=entity.kind, kind_label=KIND_LABELS[entity.kind],
                         name=entity.name, legal_representative=entity.legal_representative,
                         industry_label=SECTIONS.get(entity.industry or ""), status=entity.status)


def to_read(entity: Entity, actor: Actor | None = None) -> EntityRead:
    """The public sees no related persons: their names and identities are not public information."""
    return EntityRead(
        id=entity.id, code=entity.code, kind=entity.kind, kind_label=KIND_LABELS[entity.kind], uscc=entity.uscc,
        id_number_masked=entity.id_number_masked, name=entity.name, legal_representative=entity.legal_representative,
        industry=entity.industry, industry_label=SECTIONS.get(entity.industry or ""), region=entity.region,
        address=entity.address, registered_capital=entity.registered_capital, established_on=entity.established_on,
        status=entity.status, registration_authority=entity.registration_authority,
        related_persons=[] if actor is not None and actor.is_public else [related_read(p) for p in entity.related_persons],
    )


def related_read(p: RelatedPerson) -> RelatedPersonRead:
    return RelatedPersonRead(role=p.role, role_label=RELATED_ROLE_LABELS[p.role], name=p.name,
                             id_number_masked=p.id_number_masked, position=p.position, share_percent=p.share_percent)


def reveal_id_number(session: Session, *, actor: Actor, entity: Entity) -> str:
    """The full number, for the credit office only; the read is itself an audited event."""
    if not actor.can(Permission.ENTITY_READ_IDENTIFIERS):
        raise Forbidden("无权查看完整证件号码")
    if entity.id_number_cipher is None:
        raise NotFound("该主体无公民身份号码")
    events.id_number_revealed(session, entity, actor)
    return keyring_of(session).decrypt(entity.id_number_cipher, context=ID_CONTEXT)


def counts_by_kind(session: Session) -> dict[str, int]:
    return {KIND_LABELS[kind]: n for kind, n in repository.counts_by_kind(session)}


def by_name_key(session: Session, name_key: str, *, limit: int = 2) -> list[Entity]:
    """Entities whose normalised name is exactly this one (R-ENT-6 matching without a code)."""
    return repository.by_name_key(session, name_key, limit=limit)
