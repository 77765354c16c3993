"""Named audit events for entities (DESIGN habit 4)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from xinyong.audit.trail import describe, record_event

describe("entity.created", "登记信用主体", subject=("entity", "信用主体"))
describe("entity.related_person_added", "登记关联人员")
describe("entity.id_number_revealed", "查看完整证件号码")
describe("entity.bulk_loaded", "批量导入信用主体")


def entity_created(session: Session, entity, actor) -> None:
    record_event(session, "entity.created", subject_type="entity", subject_id=entity.id, actor=actor,
                 detail={"code": entity.code, "name": entity.name, "kind": entity.kind.value})


def related_person_added(session: Session, entity, person, actor) -> None:
    record_event(session, "entity.related_person_added", subject_type="entity", subject_id=entity.id, actor=actor,
                 detail={"role": person.role.value, "name": person.name})


def id_number_revealed(session: Session, entity, actor) -> None:
    record_event(session, "entity.id_number_revealed", subject_type="entity", subject_id=entity.id, actor=actor,
                 detail={"masked": entity.id_number_masked})
