"""The credit check (信用核查, R-MEA-3, R-ENT-4): a department's own system asks, for one entity and one
matter, and gets at once the grade, the lists, open objections and the measures that apply — mandatory
first, each with its basis — so it can act (002 二(四)3: 应查必查, 嵌入式).

Every check is a logged query under the 应查必查 duty its matter belongs to (``access.service.authorise``,
target 信用核查); a refused or unknown one is logged too. A natural person's check also says whether he
or she is a legal representative or manager of a black-listed entity, with the measures that reach
related persons (R-MEA-2; 000 §37(二)). That holds for a person who has no file of his or her own but
whom the platform knows as a related person of an entity, by the ID number (R-ENT-4): the answer says
so (``registered: false``, no grade, lists or measures of his or her own), and the check is logged
under its duty against the masked number (``access.service.note_check_without_file``). A person is checked
by the ID number in a request body (``POST /api/v1/entities/check``): the GET, whose code is in the URL,
refuses one (R-SEC-2: URLs end up in access logs and browser histories).
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from sqlalchemy import ColumnElement, Row, ScalarSelect, Select, bindparam, exists, or_, select, true
from sqlalchemy.orm import Session

from xinyong.access import service as access
from xinyong.access.duties import Duty
from xinyong.access.models import Target
from xinyong.access.scope import NOT_FOUND
from xinyong.accounts.permissions import SYSTEM, Actor, Permission
from xinyong.entities import service as entities
from xinyong.entities.identifiers import mask_id_number, mask_ids_in, normalize_code
from xinyong.entities.models import Entity, EntityKind, RelatedPerson, RelatedRole
from xinyong.grading import service as grading
from xinyong.kit.clock import now, today
from xinyong.kit.errors import Forbidden, Invalid, NotFound
from xinyong.lists import service as lists
from xinyong.objections import marks as objection_marks

from . import repository, service
from .matters import MATTER_LABELS, duty_for, parse_matter

# who answers for an entity's conduct (000 §37(二); R-ENT-4): the black list reaches them
ANSWERING_ROLES = (RelatedRole.LEGAL_REPRESENTATIVE, RelatedRole.PRINCIPAL, RelatedRole.SENIOR_MANAGER,
                   RelatedRole.DIRECTOR)


def _standing_of(entity: ColumnElement[int], *columns) -> Select:
    """``entity``'s grade, its lists and the catalog's token in one statement, after ``columns``: a check's
    reads are round trips to the database, each holding up the server's event loop on PostgreSQL
    (web.deps.inline). The token's one-row aggregate drives it, so the row is there when the entity has no
    standing."""
    grade = grading.grade_of(entity).subquery("grade")
    catalog = repository.TOKEN.subquery("catalog")
    return (select(*columns, grade, lists.kinds_of(entity).label("lists"),
                   *(catalog.c[name] for name in repository.TOKEN_COLUMNS))
            .select_from(catalog).outerjoin(grade, true()))


# a related entity's standing, by its id
_STANDING = _standing_of(bindparam("entity_id"))


def _objected() -> ColumnElement[bool]:
    """SQL: an objection or appeal about the entity's information is being handled (R-OBJ-3, §19). Read with
    the standing, so that the objections themselves are asked for only when there are some: most checks
    are of entities with none, and pay no further round trip."""
    from xinyong.objections.models import OPEN, Objection  # objections build on what a check reads

    return exists().where(Objection.entity_id == Entity.id, Objection.status.in_(OPEN)).label("objected")


@lru_cache(maxsize=4)
def _file(entity_id: ScalarSelect[int]) -> Select:
    """The entity ``entity_id`` finds (``entities.id_by_code``; None when there is none) with its standing, in
    one statement: the same subquery stands wherever the standing needs the entity's id."""
    return _standing_of(entity_id, Entity, _objected()).outerjoin(Entity, Entity.id == entity_id)


def _standing(session: Session, row: Row) -> dict[str, Any]:
    st = grading.grade_from(session, row)
    return {"grade": st.grade if st else None, "grade_label": st.grade_label if st else None,
            "score": st.score if st else None, "graded_on": st.as_of.isoformat() if st else None,
            "model": st.model if st else None, "lists": lists.ordered(row.lists)}


def _read_file(session: Session, uscc: str | None, id_index: str | None) -> tuple[Entity | None, Row | None]:
    """(the entity, the row its standing is read from) for a code ``entities.identify`` has read."""
    entity_id = entities.id_by_code(uscc, id_index)
    if entity_id is None:
        return None, None
    row = session.execute(_file(entity_id), {"uscc": uscc, "id_index": id_index, "day": today()}).one()
    return row.Entity, row


def _measures(session: Session, s: dict[str, Any], row: Row, matter: str, *, related: bool = False) -> list[dict[str, Any]]:
    """The measures that apply to standing ``s`` for ``matter``, from the catalog as of the token read in ``row``."""
    token = tuple(row._mapping[name] for name in repository.TOKEN_COLUMNS)
    return [m.as_dict() for m in service.applicable(session, grade=s["grade"], score=s["score"], lists=s["lists"],
                                                    matter=matter, related=related, model=s["model"],
                                                    catalog_token=token)]


# where a person's check goes: an ID number never travels in a URL (R-SEC-2)
ID_IN_URL = ("公民身份号码不经网址传递：自然人的信用核查请调用 POST /api/v1/entities/check，"
             "在请求体中提供 code（公民身份号码）和 matter（办理事项）")


def check(session: Session, *, actor: Actor, code: str, matter: str | None, via: str = "",
          in_url: bool = False) -> dict[str, Any]:
    """``in_url``: ``code`` came in the URL, where an ID number is refused (400) with where to send it."""
    if not actor.can(Permission.CREDIT_CHECK):
        raise Forbidden("只有部门和信用办可以进行信用核查")
    try:
        uscc, id_index = entities.identify(session, code, allow_id_number=not in_url)
    except Invalid:  # identify refuses only an ID number that is no USCC, and only where it is not allowed
        raise Invalid(ID_IN_URL, field="code") from None
    matter_code = parse_matter(matter)
    if matter_code is None:
        raise Invalid("请指明办理事项（matter），核查结果按事项给出适用的措施", field="matter")
    duty = duty_for(matter_code)
    if duty is None:  # every check is logged under the duty it is made for (R-PUB-3)
        raise Invalid(f"“{MATTER_LABELS[matter_code]}”不是部门应查必查的办理事项，不能据此核查", field="matter")
    entity, row = _read_file(session, uscc, id_index)
    via = mask_ids_in(via)  # a number mistyped into a URL is no valid ID number, yet still a person's: masked
    if entity is None:
        unregistered = _unregistered(session, actor=actor, code=code, uscc=uscc, id_index=id_index,
                                     matter=matter_code, duty=duty, via=via)
        if unregistered is not None:
            return unregistered
    # logged before anything is answered; an unknown code is logged and refused like another's file
    access.authorise(session, actor=actor, entity=entity, code=None if entity else code, duty=duty,
                     matter=MATTER_LABELS[matter_code], target=Target.CHECK, via=via)
    mine = _standing(session, row)
    answer: dict[str, Any] = {
        "code": entity.code, "name": entity.name, "kind": entity.kind.value, "matter": matter_code,
        "matter_label": MATTER_LABELS[matter_code], **mine,
        # the open objections and appeals, each with record_id and status (SPEC §18; 000 §25)
        "objections": objection_marks.open_of_entity(session, entity.id, records_only=True) if row.objected else [],
        "measures": _measures(session, mine, row, matter_code), "checked_at": now().isoformat(), "registered": True,
    }
    if entity.kind is EntityKind.NATURAL_PERSON:
        answer["related"] = _related(session, entity.id, entity.id_number_index, matter_code)
    return answer


# what a person without a file of his or her own stands at: nothing graded, on no list
_NO_FILE: dict[str, Any] = {"grade": None, "grade_label": None, "score": None, "graded_on": None, "model": None,
                            "lists": []}
NO_FILE_NOTICE = "该自然人未在平台登记为信用主体，无本人信用档案；以下为其担任法定代表人、负责人、高级管理人员或董事的黑名单主体"


def _unregistered(session: Session, *, actor: Actor, code: str, uscc: str | None, id_index: str | None, matter: str,
                  duty: Duty, via: str) -> dict[str, Any] | None:
    """The check of a natural person no entity is, by the ID number (``id_index``, its blind index), whom the
    platform knows as a related person answering for an entity (R-ENT-4). An ID number nobody carries is
    unknown, unlogged (nothing is read); None when ``code`` is no ID number, or may also be a USCC — the
    caller answers it."""
    if id_index is None:
        return None
    name = session.scalar(select(RelatedPerson.name).where(RelatedPerson.id_number_index == id_index,
                                                           RelatedPerson.role.in_(ANSWERING_ROLES))
                          .order_by(RelatedPerson.id.desc()).limit(1))
    if name is None:
        if uscc is None:
            raise NotFound(NOT_FOUND)
        return None
    masked = mask_id_number(normalize_code(code))
    access.note_check_without_file(session, actor=actor, masked_id=masked, duty=duty,
                                   matter=MATTER_LABELS[matter], via=via)
    return {"code": masked, "name": name, "kind": EntityKind.NATURAL_PERSON.value, "matter": matter,
            "matter_label": MATTER_LABELS[matter], **_NO_FILE, "objections": [], "measures": [],
            "checked_at": now().isoformat(), "registered": False, "notice": NO_FILE_NOTICE,
            "related": _related(session, None, id_index, matter)}


def _related(session: Session, person_id: int | None, id_index: str | None, matter: str) -> list[dict[str, Any]]:
    """The entities a person answers for — linked to his or her entity (``person_id``), or carrying his or
    her ID number (``id_index``, the blind index; the only link for a person without a file) — that are on
    the black list, each with the measures that reach related persons."""
    cond = []
    if person_id is not None:
        cond.append(RelatedPerson.person_entity_id == person_id)
    if id_index:
        cond.append(RelatedPerson.id_number_index == id_index)
    if not cond:
        return []
    rows = session.execute(select(RelatedPerson.entity_id, RelatedPerson.role)
                           .where(or_(*cond), RelatedPerson.role.in_(ANSWERING_ROLES))).all()
    out = []
    for entity_id, role in rows:
        row = session.connection().execute(_STANDING, {"entity_id": entity_id, "day": today()}).one()
        s = _standing(session, row)
        if "black" not in s["lists"]:
            continue
        other = entities.get_entity(session, actor=SYSTEM, entity_id=entity_id)
        out.append({"code": other.code, "name": other.name, "role": role.value, "lists": s["lists"],
                    "measures": _measures(session, s, row, matter, related=True)})
    return out
