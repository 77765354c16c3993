"""Named audit events for the lists."""

from __future__ import annotations

from sqlalchemy.orm import Session

from xinyong.audit.trail import describe, record_event

describe("list.entry_added", "列入名单", subject=("list_entry", "名单记录"))
describe("list.entry_ended", "移出名单")
describe("list.synced", "按评价结果调整名单")


def _detail(entry) -> dict:
    return {"entity_id": entry.entity_id, "list": entry.kind.value, "basis": entry.basis.value,
            "document_number": entry.document_number, "started_on": entry.started_on.isoformat(),
            "planned_end": entry.planned_end.isoformat() if entry.planned_end else None}


def entry_added(session: Session, entry, actor) -> None:
    record_event(session, "list.entry_added", subject_type="list_entry", subject_id=entry.id, actor=actor,
                 detail=_detail(entry))


def entry_ended(session: Session, entry, actor) -> None:
    record_event(session, "list.entry_ended", subject_type="list_entry", subject_id=entry.id, actor=actor,
                 detail=_detail(entry) | {"reason": entry.end_reason.value, "note": entry.end_note})


def synced(session: Session, run, *, added: int, ended: int) -> None:
    record_event(session, "list.synced", subject_type="grading_run", subject_id=run.id,
                 detail={"added": added, "ended": ended, "as_of": run.as_of.isoformat()})
