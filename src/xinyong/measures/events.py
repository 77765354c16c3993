"""Named audit events for the measures catalog."""

from __future__ import annotations

from sqlalchemy.orm import Session

from xinyong.audit.trail import describe, record_event

describe("measures.defaults_loaded", "载入默认奖惩措施清单", subject=("measures", "奖惩措施清单"))
describe("measures.created", "新增奖惩措施", subject=("measure", "奖惩措施"))
describe("measures.versioned", "奖惩措施生成新版本", subject=("measure", "奖惩措施"))
describe("measures.retired", "停用奖惩措施", subject=("measure", "奖惩措施"))


def defaults_loaded(session: Session, actor, added: dict) -> None:
    record_event(session, "measures.defaults_loaded", subject_type="measures", actor=actor, detail=added)


def created(session: Session, actor, code: str, note: str | None) -> None:
    record_event(session, "measures.created", subject_type="measure", subject_id=code, actor=actor,
                 detail={"version": 1, "note": note})


def versioned(session: Session, actor, code: str, version: int, changed: list[str], note: str) -> None:
    record_event(session, "measures.versioned", subject_type="measure", subject_id=code, actor=actor,
                 detail={"version": version, "changed": changed, "note": note})


def retired(session: Session, actor, code: str, version: int, note: str) -> None:
    record_event(session, "measures.retired", subject_type="measure", subject_id=code, actor=actor,
                 detail={"version": version, "note": note})


describe("reminder.issued", "作出信用提醒或诚信约谈", subject=("reminder", "提醒约谈"))
describe("reminder.urged", "催告整改")
describe("reminder.closed", "提醒约谈整改完毕")
describe("reminder.escalated", "拒不整改，记入不良信息")


def _reminder(r) -> dict:
    return {"entity_id": r.entity_id, "kind": r.kind.value, "record_id": r.record_id, "status": r.status.value,
            "rectify_by": r.rectify_by.isoformat()}


def reminder_issued(session, reminder, actor) -> None:
    record_event(session, "reminder.issued", subject_type="reminder", subject_id=reminder.id, actor=actor,
                 detail=_reminder(reminder))


def reminder_urged(session, reminder, actor) -> None:
    record_event(session, "reminder.urged", subject_type="reminder", subject_id=reminder.id, actor=actor,
                 detail=_reminder(reminder))


def reminder_closed(session, reminder, actor) -> None:
    record_event(session, "reminder.closed", subject_type="reminder", subject_id=reminder.id, actor=actor,
                 detail=_reminder(reminder))


def reminder_escalated(session, reminder, actor) -> None:
    record_event(session, "reminder.escalated", subject_type="reminder", subject_id=reminder.id, actor=actor,
                 detail=_reminder(reminder) | {"escalated_record_id": reminder.escalated_record_id})
