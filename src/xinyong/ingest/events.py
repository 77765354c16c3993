"""Named audit events for imports. A run's progress is operational and not on the chain; its end is,
with its counts. A held row enters the chain with the batch that held it (the batch's own event
attests every row it wrote); a person's decision on it is an event of its own (R-ENT-6, R-REV-3)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from xinyong.audit.trail import describe, record_event

describe("import.finished", "文件导入完成", subject=("import_run", "文件导入"))
describe("import.failed", "文件导入失败")
describe("import.interrupted", "文件导入中断")
describe("import.row_matched", "待匹配行人工匹配入库", subject=("held_row", "待人工匹配行"))
describe("import.row_dismissed", "待匹配行不予导入")


def _counts(run) -> dict:
    return {"filename": run.filename, "format": run.format, "department_id": run.department_id,
            "total": run.total, "accepted": run.accepted, "duplicates": run.duplicates,
            "rejected": run.rejected_count, "held": run.held}


def import_finished(session: Session, run, actor) -> None:
    record_event(session, "import.finished", subject_type="import_run", subject_id=run.id, actor=actor,
                 detail=_counts(run))


def import_failed(session: Session, run, actor) -> None:
    record_event(session, "import.failed", subject_type="import_run", subject_id=run.id, actor=actor,
                 detail=_counts(run) | {"error": run.error})


def import_interrupted(session: Session, run, actor) -> None:
    """The process stopped mid-way: how far it got (the batches it committed are in)."""
    record_event(session, "import.interrupted", subject_type="import_run", subject_id=run.id, actor=actor,
                 detail=_counts(run) | {"batches": run.batches, "error": run.error})


def _held(held) -> dict:
    return {"import_run_id": held.import_run_id, "row_number": held.row_number, "format": held.format,
            "party_name": held.party_name}


def row_matched(session: Session, held, entity_id: int, actor) -> None:
    record_event(session, "import.row_matched", subject_type="held_row", subject_id=held.id, actor=actor,
                 detail=_held(held) | {"entity_id": entity_id, "record_id": held.record_id})


def row_dismissed(session: Session, held, actor) -> None:
    record_event(session, "import.row_dismissed", subject_type="held_row", subject_id=held.id, actor=actor,
                 detail=_held(held) | {"reason": held.decision_reason})
