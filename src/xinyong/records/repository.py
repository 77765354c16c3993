"""Queries about records. ``readable(actor)`` decides which records an actor may see; for one entity's
credit file, ``access.scope`` decides it (``readable(actor, scope=…)``)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Select, false, func, select
from sqlalchemy.orm import Session

from xinyong.access.scope import FileScope, decide, file_clause
from xinyong.accounts.permissions import Actor, Role

from .models import Record, Status, Submission


def readable(actor: Actor, *, scope: FileScope | None = None, day: dt.date | None = None) -> Select[tuple[Record]]:
    """Without ``scope``: the records an actor works with (a department's own, the entity's own file,
    all for the credit office). With ``scope``: one entity's file as ``access.scope.decide`` allowed
    it to this actor on ``day`` — others' public records, and their non-public ones under a duty or a
    consent (R-PUB-2, R-PUB-3)."""
    stmt = select(Record)
    if scope is not None:
        from xinyong.kit.clock import today

        return stmt.where(file_clause(scope, day or today()))
    if actor.role is Role.ADMIN:
        return stmt
    if actor.role in (Role.OFFICER, Role.REVIEWER) and actor.department_id:
        # its own department's records: its work; others' reach it through an entity's file (access.scope)
        return stmt.where(Record.department_id == actor.department_id)
    if actor.role is Role.ENTITY and actor.entity_id:
        return stmt.where(Record.entity_id == actor.entity_id, Record.is_current.is_(True),
                          Record.status.in_([Status.ACCEPTED, Status.REVOKED]))
    return stmt.where(false())


def readable_record(session: Session, actor: Actor, record_id: int) -> Record | None:
    return session.scalars(readable(actor).where(Record.id == record_id)).first()


def versions(session: Session, actor: Actor, lineage: str) -> list[Record]:
    return list(session.scalars(readable(actor).where(Record.lineage == lineage).order_by(Record.version)))


def current_by_dedup_key(session: Session, key: str) -> Record | None:
    return session.scalars(select(Record).where(Record.dedup_key == key, Record.is_current.is_(True),
                                                Record.status != Status.REVOKED)).first()


def current_accepted(session: Session, lineage: str, *, exclude_id: int) -> Record | None:
    return session.scalars(select(Record).where(Record.lineage == lineage, Record.id != exclude_id,
                                                Record.is_current.is_(True))).first()


def pending_version(session: Session, lineage: str) -> Record | None:
    return session.scalars(select(Record).where(
        Record.lineage == lineage, Record.status.in_([Status.DRAFT, Status.AWAITING_APPROVAL, Status.SUBMITTED,
                                                      Status.RETURNED]), Record.version > 1)).first()


def open_pre_warnings(session: Session, entity_id: int, info_type_id: int, department_id: int) -> list[Record]:
    return [w for w in open_pre_warnings_of(session, [entity_id], info_type_id) if w.department_id == department_id]


def open_pre_warnings_of(session: Session, entity_ids: list[int], info_type_id: int) -> list[Record]:
    from xinyong.catalog.models import InfoTypeVersion

    return list(session.scalars(
        select(Record).join(InfoTypeVersion, InfoTypeVersion.id == Record.info_type_version_id)
        .where(Record.entity_id.in_(entity_ids), Record.is_pre_warning.is_(True),
               Record.is_current.is_(True), InfoTypeVersion.info_type_id == info_type_id,
               Record.status != Status.SUPERSEDED)))


def listing(session: Session, actor: Actor, *, statuses: list[Status] | None, department_id: int | None,
            info_type_id: int | None, q_entity_ids: list[int] | None, offset: int, limit: int,
            cycle: str | None = None, year: int | None = None, today=None) -> tuple[list[Record], int]:
    """``cycle``: "current" (recorded this year) or "history" (an earlier, closed year); ``year``: one
    record-keeping year (R-COL-6)."""
    from xinyong.catalog.models import InfoTypeVersion
    from xinyong.kit.clock import year_start

    stmt = readable(actor)
    if cycle in ("current", "history"):
        this_year = year_start(today.year)
        stmt = stmt.where(Record.created_at >= this_year if cycle == "current" else Record.created_at < this_year)
    if year:
        stmt = stmt.where(Record.created_at >= year_start(year), Record.created_at < year_start(year + 1))
    if statuses:
        stmt = stmt.where(Record.status.in_(statuses))
    if department_id:
        stmt = stmt.where(Record.department_id == department_id)
    if info_type_id:
        stmt = stmt.join(InfoTypeVersion, InfoTypeVersion.id == Record.info_type_version_id).where(
            InfoTypeVersion.info_type_id == info_type_id)
    if q_entity_ids is not None:
        stmt = stmt.where(Record.entity_id.in_(q_entity_ids))
    total = session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery())) or 0
    rows = session.scalars(stmt.order_by(Record.submitted_at.desc().nulls_last(), Record.id.desc())
                           .offset(offset).limit(limit)).all()
    return list(rows), total


def by_ids(session: Session, actor: Actor, ids: list[int]) -> list[Record]:
    return list(session.scalars(readable(actor).where(Record.id.in_(ids)).order_by(Record.id)))


def submission(session: Session, department_id: int, key: str) -> Submission | None:
    return session.scalars(select(Submission).where(Submission.department_id == department_id,
                                                    Submission.idempotency_key == key)).first()


def save_submission(session: Session, department_id: int, key: str, body_hash: str, result: dict) -> None:
    session.add(Submission(department_id=department_id, idempotency_key=key, body_hash=body_hash, result=result))
    session.flush()


def file_of(session: Session, actor: Actor, entity_id: int, *, scope: FileScope | None = None,
            day: dt.date | None = None) -> list[Record]:
    """The entity's current records within ``scope`` (decided, and logged, by ``access.service.authorise``);
    without one, what the actor sees claiming no duty and no consent."""
    from xinyong.kit.clock import today

    day = day or today()
    if scope is None:
        scope = decide(actor, entity_id, entity_exists=True, day=day).scope
        if scope is None:
            return []
    if scope.entity_id != entity_id:
        raise ValueError("a file scope read for another entity")
    return list(session.scalars(readable(actor, scope=scope, day=day)
                                .order_by(Record.decision_date.desc(), Record.id.desc())))


def timeliness(session: Session, today) -> list[dict]:
    """Per department: records submitted, how many late and by how much, and pre-warnings whose
    requested final deadline has passed without the final record (R-COL-2, R-COL-3)."""
    from sqlalchemy import case

    from xinyong.accounts.models import Department

    submitted = Record.submitted_at.is_not(None)
    late = Record.late_workdays > 0
    overdue_warning = (Record.is_pre_warning.is_(True) & Record.is_current.is_(True)
                       & (Record.status != Status.SUPERSEDED) & (Record.final_deadline < today))
    rows = session.execute(
        select(Department.id, Department.name,
               func.count(Record.id).filter(submitted & ~Record.is_pre_warning),
               func.count(Record.id).filter(submitted & late & ~Record.is_pre_warning),
               func.coalesce(func.max(case((late, Record.late_workdays), else_=0)), 0),
               func.count(Record.id).filter(Record.due_by.is_(None) & submitted),
               func.count(Record.id).filter(overdue_warning))
        .join(Record, Record.department_id == Department.id, isouter=True)
        .where(Department.is_credit_office.is_(False))
        .group_by(Department.id, Department.name).order_by(Department.id)).all()
    return [{"department_id": r[0], "department": r[1], "submitted": r[2], "late": r[3], "max_late_workdays": r[4],
             "unknown": r[5], "overdue_pre_warnings": r[6]} for r in rows]
