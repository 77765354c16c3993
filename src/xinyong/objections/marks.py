"""What other domains show of objections: the 异议处理中 mark on a record (R-OBJ-3, §19), the public
query a late department stops (R-OBJ-4), and the credit check's ``objections`` (SPEC §18)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import ColumnElement, and_, exists, select
from sqlalchemy.orm import Session

from xinyong.kit.clock import today

from . import repository
from .models import OPEN, STATUS_LABELS, TARGET_LABELS, Objection, Outcome, Status, Target


def open_on(lineage: ColumnElement[str]) -> ColumnElement[bool]:
    return repository.open_on(lineage)


def _late(day: dt.date) -> ColumnElement[bool]:
    """SQL: ``is_suspended`` — the verifying department has not answered and its ``verify_by`` has passed on
    ``day``. A deadline not yet computable (empty) suspends nothing: nobody is called late on a guess."""
    return and_(Objection.status == Status.RECEIVED, Objection.department_id.is_not(None), Objection.verify_by < day)


def suspended_on(lineage: ColumnElement[str], day: dt.date) -> ColumnElement[bool]:
    """SQL: the public no longer sees the record ``lineage`` on ``day`` (R-OBJ-4), until its department answers."""
    return exists().where(Objection.lineage == lineage, _late(day))


def entry_suspended_on(entry_id: ColumnElement[int], day: dt.date) -> ColumnElement[bool]:
    """SQL: the same for a list entry whose determining department is late (R-OBJ-4: 中止…该信息的查询)."""
    return exists().where(Objection.list_entry_id == entry_id, _late(day))


def entry_marks(session: Session, entry_ids: list[int], day: dt.date | None = None) -> dict[int, dict[str, Any]]:
    """{entry id: {"objection_id", "suspended"}} for the list entries among ``entry_ids`` an objection or appeal
    is about while it is handled (R-OBJ-3, §19), in one query."""
    if not entry_ids:
        return {}
    day = day or today()
    out: dict[int, dict[str, Any]] = {}
    for o in session.scalars(select(Objection).where(Objection.list_entry_id.in_(set(entry_ids)),
                                                     Objection.status.in_(OPEN)).order_by(Objection.id)):
        out.setdefault(o.list_entry_id, {"objection_id": o.id, "suspended": is_suspended(o, day)})
    return out


def marks(session: Session, lineages: list[str], day: dt.date | None = None) -> dict[str, dict[str, Any]]:
    """{lineage: {"objection_id", "status", "status_label", "suspended"}} for the records among ``lineages``
    marked 异议处理中 today (R-OBJ-3, §19): an objection or appeal about it is being handled, or one was
    upheld and the record is not corrected yet (000 §25: marked until the corrected information is out)."""
    if not lineages:
        return {}
    day = day or today()
    out: dict[str, dict[str, Any]] = {}
    for o, current_id, current_status in _with_current(session, lineages, Objection.status != Status.WITHDRAWN):
        if o.status in OPEN or _uncorrected(o, current_id, current_status):
            label = STATUS_LABELS[o.status] if o.status in OPEN else "异议成立，待更正"
            out[o.lineage] = {"objection_id": o.id, "status": o.status.value, "status_label": label,
                              "suspended": is_suspended(o, day)}
    return out


def disputed(session: Session, lineages: list[str]) -> dict[str, str]:
    """{lineage: the department's finding} for the records whose latest decided objection could not be
    confirmed: the objection and the finding stay on the record, shown with it (issue 18 §6; 000 §25)."""
    if not lineages:
        return {}
    latest: dict[str, Objection] = {}
    for o, _, _ in _with_current(session, lineages, Objection.outcome.is_not(None)):
        latest[o.lineage] = o  # ordered by id: the latest decision stands
    return {lineage: o.finding_reason or "" for lineage, o in latest.items()
            if o.outcome is Outcome.UNCONFIRMED and not o.upheld}


def _with_current(session: Session, lineages: list[str], condition):
    """(objection, the id and status of its record's current version) for ``lineages``, oldest first."""
    from xinyong.records.models import Record

    return session.execute(
        select(Objection, Record.id, Record.status).outerjoin(Record, and_(
            Record.lineage == Objection.lineage, Record.is_current.is_(True)))
        .where(Objection.lineage.in_(set(lineages)), condition).order_by(Objection.id)).all()


def _uncorrected(o: Objection, current_id: int | None, current_status) -> bool:
    """Upheld about a record, decided, and the record still the version objected to (R-OBJ-5)."""
    from xinyong.records.models import Status as RecordStatus

    return (o.upheld and o.target.value == "record" and o.status not in OPEN and current_id == o.record_id
            and current_status is not RecordStatus.REVOKED)


def is_suspended(o: Objection, day: dt.date) -> bool:
    return (o.status is Status.RECEIVED and o.department_id is not None and o.verify_by is not None
            and o.verify_by < day)


def open_of_entity(session: Session, entity_id: int, *, records_only: bool = False) -> list[dict[str, Any]]:
    """The open objections and appeals on the entity's information, each with ``record_id`` (the record's
    current version; null for a list entry or the grade) and ``status``. ``records_only``: the credit
    check's ``objections``, which SPEC §18 defines as those on the entity's records."""
    from xinyong.records.models import Record

    out = []
    stmt = select(Objection, Record.id).outerjoin(Record, and_(
        Record.lineage == Objection.lineage, Record.is_current.is_(True))).where(
        Objection.entity_id == entity_id, Objection.status.in_(OPEN))
    if records_only:
        stmt = stmt.where(Objection.target == Target.RECORD)
    rows = session.execute(stmt.order_by(Objection.id))
    for o, current in rows:
        out.append({"id": o.id, "target": o.target.value, "target_label": TARGET_LABELS[o.target],
                    "record_id": current or o.record_id, "list_entry_id": o.list_entry_id, "status": o.status.value,
                    "status_label": STATUS_LABELS[o.status], "received_on": o.received_on.isoformat(),
                    "appeal": o.status in (Status.APPEALED, Status.IN_REVIEW)})
    return out


def grade_objections(session: Session, entity_id: int, *, limit: int = 10) -> list[dict[str, Any]]:
    """An entity's objections to its grading result, newest first, for the grading card (000 §19(二))."""
    from .models import OUTCOME_LABELS, Target

    rows = session.scalars(select(Objection).where(Objection.entity_id == entity_id, Objection.target == Target.GRADE)
                           .order_by(Objection.id.desc()).limit(limit))
    return [{"id": o.id, "status_label": STATUS_LABELS[o.status], "open": o.status in OPEN, "received_on": o.received_on,
             "score": o.score, "grade": o.grade, "outcome_label": OUTCOME_LABELS[o.outcome] if o.outcome else None}
            for o in rows]
