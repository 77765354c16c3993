"""The credit check (信用核查, R-MEA-3, R-ENT-4): a department's own system asks, for one entity and one
matter, and gets at once the grade, the lists, open objections and the measures that apply — mandatory
first, each with its basis — so it can act (002 二(四)3: 应查必查, 嵌入式).

Every check is a logged query under the 应查必查 duty its matter belongs to (``access.service.authorise``,
target 信用核查); a refused or unknown one is logged too. A natural person's check also says whether he
or she is a legal representative or manager of a black-listed entity, with the measures that reach
related persons (R-MEA-2; 000 §37(二)).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from xinyong.access import service as access
from xinyong.access.models import Target
from xinyong.accounts.permissions import SYSTEM, Actor, Permission
from xinyong.entities import service as entities
from xinyong.entities.models import EntityKind, RelatedPerson, RelatedRole
from xinyong.grading import service as grading
from xinyong.kit.clock import now
from xinyong.kit.errors import Forbidden, Invalid, NotFound
from xinyong.lists import service as lists

from . import service
from .matters import MATTER_LABELS, duty_for, parse_matter

# who answers for an entity's conduct (000 §37(二); R-ENT-4): the black list reaches them
ANSWERING_ROLES = (RelatedRole.LEGAL_REPRESENTATIVE, RelatedRole.PRINCIPAL, RelatedRole.SENIOR_MANAGER,
                   RelatedRole.DIRECTOR)


def _standing(session: Session, entity_id: int) -> dict[str, Any]:
    st = grading.grade_of(session, entity_id)
    on = lists.lists_of(session, entity_id)
    return {"grade": st.grade if st else None, "grade_label": st.grade_label if st else None,
            "score": st.score if st else None, "graded_on": st.as_of.isoformat() if st else None,
            "model": st.model if st else None, "lists": on}


def _measures(session: Session, s: dict[str, Any], matter: str, *, related: bool = False) -> list[dict[str, Any]]:
    return [m.as_dict() for m in service.applicable(session, grade=s["grade"], score=s["score"], lists=s["lists"],
                                                    matter=matter, related=related, model=s["model"])]


def check(session: Session, *, actor: Actor, code: str, matter: str | None, via: str = "") -> dict[str, Any]:
    if not actor.can(Permission.CREDIT_CHECK):
        raise Forbidden("只有部门和信用办可以进行信用核查")
    matter_code = parse_matter(matter)
    if matter_code is None:
        raise Invalid("请指明办理事项（matter），核查结果按事项给出适用的措施", field="matter")
    duty = duty_for(matter_code)
    if duty is None:  # every check is logged under the duty it is made for (R-PUB-3)
        raise Invalid(f"“{MATTER_LABELS[matter_code]}”不是部门应查必查的办理事项，不能据此核查", field="matter")
    try:
        entity = entities.get_by_code(session, actor=SYSTEM, code=code, related=False)
    except (NotFound, Invalid):
        entity = None
    # logged before anything is answered; an unknown code is logged and refused like another's file
    access.authorise(session, actor=actor, entity=entity, code=None if entity else code, duty=duty,
                     matter=MATTER_LABELS[matter_code], target=Target.CHECK, via=via)
    mine = _standing(session, entity.id)
    answer: dict[str, Any] = {
        "code": entity.code, "name": entity.name, "kind": entity.kind.value, "matter": matter_code,
        "matter_label": MATTER_LABELS[matter_code], **mine,
        "objections": [],  # objections (R-OBJ) are not yet on the platform: none can be open
        "measures": _measures(session, mine, matter_code), "checked_at": now().isoformat(),
    }
    if entity.kind is EntityKind.NATURAL_PERSON:
        answer["related"] = _related(session, entity, matter_code)
    return answer


def _related(session: Session, person, matter: str) -> list[dict[str, Any]]:
    """The entities this person answers for that are on the black list, each with the measures that
    reach related persons."""
    cond = [RelatedPerson.person_entity_id == person.id]
    if person.id_number_index:
        cond.append(RelatedPerson.id_number_index == person.id_number_index)
    rows = session.execute(select(RelatedPerson.entity_id, RelatedPerson.role)
                           .where(or_(*cond), RelatedPerson.role.in_(ANSWERING_ROLES))).all()
    out = []
    for entity_id, role in rows:
        s = _standing(session, entity_id)
        if "black" not in s["lists"]:
            continue
        other = entities.get_entity(session, actor=SYSTEM, entity_id=entity_id)
        out.append({"code": other.code, "name": other.name, "role": role.value, "lists": s["lists"],
                    "measures": _measures(session, s, matter, related=True)})
    return out
