"""Queries about objections. ``readable(actor)`` decides which objections an actor may see; the SQL
marks other domains ask about (``open_on``, ``suspended_on``) are built here and given out by the
service."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ColumnElement, Select, and_, exists, false, or_, select
from sqlalchemy.orm import Session

from xinyong.accounts.permissions import Actor, Permission, Role

from .models import OPEN, Evidence, Objection, Status, Target


def readable(actor: Actor) -> Select[tuple[Objection]]:
    stmt = select(Objection)
    if actor.can(Permission.OBJECTION_OVERSEE):  # the credit office and the auditor
        return stmt
    if actor.role in (Role.OFFICER, Role.REVIEWER) and actor.department_id:
        # its verification tasks, and the objections it made itself (003 §18; 002 二(四)4)
        return stmt.where(or_(Objection.department_id == actor.department_id,
                              Objection.applicant_department_id == actor.department_id))
    if actor.role is Role.ENTITY and actor.entity_id:
        return stmt.where(Objection.entity_id == actor.entity_id, Objection.applicant_department_id.is_(None))
    return stmt.where(false())


def readable_one(session: Session, actor: Actor, objection_id: int) -> Objection | None:
    return session.scalars(readable(actor).where(Objection.id == objection_id)).first()


def open_on(lineage: ColumnElement[str]) -> ColumnElement[bool]:
    """SQL: an objection or appeal about the record ``lineage`` is being handled (R-OBJ-3; 000 §25)."""
    return exists().where(Objection.lineage == lineage, Objection.status.in_(OPEN))


def suspended_on(lineage: ColumnElement[str], day: dt.date) -> ColumnElement[bool]:
    """SQL: the recording department has not verified an objection about ``lineage`` and its ``verify_by``
    has passed on ``day`` (R-OBJ-4): the public no longer sees the record, until it answers. A deadline
    not yet computable (empty) suspends nothing: nobody is called late on a guess."""
    return exists().where(Objection.lineage == lineage, Objection.status == Status.RECEIVED,
                          Objection.department_id.is_not(None), Objection.verify_by < day)


def open_for_record(session: Session, lineage: str) -> Objection | None:
    return session.scalars(select(Objection).where(Objection.lineage == lineage, Objection.status.in_(OPEN))
                           .order_by(Objection.id)).first()


def open_for_entry(session: Session, entry_id: int) -> Objection | None:
    return session.scalars(select(Objection).where(Objection.list_entry_id == entry_id, Objection.status.in_(OPEN))
                           .order_by(Objection.id)).first()


def open_for_grade(session: Session, entity_id: int) -> Objection | None:
    return session.scalars(select(Objection).where(Objection.entity_id == entity_id,
                                                   Objection.target == "grade", Objection.status.in_(OPEN))
                           .order_by(Objection.id)).first()


def open_of_entity(session: Session, entity_id: int) -> list[Objection]:
    return list(session.scalars(select(Objection).where(Objection.entity_id == entity_id,
                                                        Objection.status.in_(OPEN)).order_by(Objection.id)))


def evidence_of(session: Session, ids: list[int]) -> list[Evidence]:
    if not ids:
        return []
    return list(session.scalars(select(Evidence).where(Evidence.objection_id.in_(ids)).order_by(Evidence.id)))


def unsettled(session: Session) -> list[Objection]:
    """Objections whose deadlines could not be computed when they were made (a year was not loaded). An
    upheld record's correction stays due whatever came after the decision (an appeal, a court)."""
    handled_by_deadline = and_(Objection.status.in_(OPEN + (Status.DECIDED,)), or_(
        Objection.decide_by.is_(None), and_(Objection.verify_by.is_(None), Objection.department_id.is_not(None)),
        and_(Objection.decided_on.is_not(None), Objection.appeal_by.is_(None))))
    correction_unknown = and_(Objection.upheld, Objection.target == Target.RECORD,
                              Objection.correct_by.is_(None))
    return list(session.scalars(select(Objection).where(or_(handled_by_deadline, correction_unknown))
                                .order_by(Objection.id)))


def next_notice_serial(session: Session, year: int) -> int:
    prefix = f"信异告〔{year}〕"
    numbers = session.scalars(select(Objection.notice_number).where(Objection.notice_number.like(prefix + "%")))
    serials = [int(n[len(prefix):].rstrip("号")) for n in numbers if n and n[len(prefix):].rstrip("号").isdigit()]
    return max(serials, default=0) + 1
