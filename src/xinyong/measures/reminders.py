"""信用提醒 and 诚信约谈 for D-grade subjects, and what follows when they are ignored (R-MEA-5; 000 §33-34).

- ``issue``: the department records the reminder or interview as a credit record of its type (subject,
  date, manner, content — the normal record path, so it enters the file and, once accepted, the
  grade's supervision indicator) and sets a date to rectify by (working days on the official calendar).
- ``rectified``: the subject put it right; the matter closes.
- ``urge`` (催告): past the date and not rectified, the department urges once, with a new date.
- ``escalate``: ignored after urging, the department records a heavier bad record (``ignored_reminder``,
  提醒约谈后拒不整改) through the normal record path; accepted, it lowers the grade (reference model −50).
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from xinyong.accounts.permissions import SYSTEM, Actor, Permission, Role
from xinyong.entities import service as entities
from xinyong.grading.models import GradeResult
from xinyong.kit.clock import today
from xinyong.kit.errors import Conflict, Forbidden, Invalid, NotFound
from xinyong.records import service as records
from xinyong.records.schemas import RecordCreate
from xinyong.workcalendar.service import calendar

from . import events
from .reminder_models import KIND_LABELS, Reminder, ReminderKind, ReminderStatus

RECTIFY_WORKDAYS = 10  # working days to rectify after a reminder, an interview or an urging


def _department(actor: Actor) -> int:
    if not actor.can(Permission.RECORD_SUBMIT) or actor.department_id is None:
        raise Forbidden("只有部门可以作出信用提醒、诚信约谈和催告")
    return actor.department_id


def issue(session: Session, *, actor: Actor, entity_code: str, kind: ReminderKind, document_number: str, manner: str,
          content: str, held_on: dt.date | None = None, rectify_workdays: int = RECTIFY_WORKDAYS) -> Reminder:
    department_id = _department(actor)
    kind = ReminderKind(kind)
    held_on = held_on or today()
    manner, content = (manner or "").strip(), (content or "").strip()
    if not manner:
        raise Invalid("请写明方式（书面、当面、电话等）", field="manner")
    if not content:
        raise Invalid("请写明内容和整改要求", field="content")
    entity = entities.get_by_code(session, actor=actor, code=entity_code)
    record = records.create(session, actor=actor, record_in=RecordCreate(
        info_type=kind.value, entity_code=entity_code, document_number=document_number, decision_date=held_on,
        authority=actor.department_name or "", content={"manner": manner, "content": content}))
    reminder = Reminder(entity_id=entity.id, department_id=department_id, kind=kind, record_id=record.id, manner=manner,
                        content=content, held_on=held_on, status=ReminderStatus.OPEN, created_by=actor.user_id,
                        rectify_by=calendar(session).add_workdays(held_on, rectify_workdays))
    session.add(reminder)
    session.flush()
    events.reminder_issued(session, reminder, actor)
    return reminder


def get(session: Session, *, actor: Actor, reminder_id: int) -> Reminder:
    reminder = session.get(Reminder, reminder_id)
    if reminder is None or not (actor.role is Role.ADMIN or actor.department_id == reminder.department_id):
        raise NotFound("没有这条提醒约谈记录")
    return reminder


def _own(actor: Actor, reminder: Reminder) -> None:
    if _department(actor) != reminder.department_id:
        raise Forbidden("只有作出提醒约谈的部门可以办理")


def rectified(session: Session, *, actor: Actor, reminder: Reminder, note: str) -> None:
    _own(actor, reminder)
    if reminder.status not in (ReminderStatus.OPEN, ReminderStatus.URGED):
        raise Conflict("该提醒约谈已办结")
    if not (note or "").strip():
        raise Invalid("请写明整改情况", field="note")
    reminder.status, reminder.outcome = ReminderStatus.RECTIFIED, note.strip()
    session.flush()
    events.reminder_closed(session, reminder, actor)


def urge(session: Session, *, actor: Actor, reminder: Reminder, on: dt.date | None = None,
         rectify_workdays: int = RECTIFY_WORKDAYS) -> None:
    _own(actor, reminder)
    on = on or today()
    if reminder.status is not ReminderStatus.OPEN:
        raise Conflict("只有待整改的提醒约谈可以催告（每条催告一次）")
    if on <= reminder.rectify_by:
        raise Conflict(f"整改期限（{reminder.rectify_by}）未过，不能催告")
    reminder.status, reminder.urged_on = ReminderStatus.URGED, on
    reminder.rectify_by = calendar(session).add_workdays(on, rectify_workdays)
    session.flush()
    events.reminder_urged(session, reminder, actor)


def escalate(session: Session, *, actor: Actor, reminder: Reminder, document_number: str, content: str,
             on: dt.date | None = None) -> int:
    """Ignored after urging (000 §34): a heavier bad record through the normal record path. Returns its id."""
    _own(actor, reminder)
    on = on or today()
    if reminder.status is not ReminderStatus.URGED:
        raise Conflict("先催告；催告后仍拒不整改的，才能记入不良信息")
    if on <= reminder.rectify_by:
        raise Conflict(f"催告后的整改期限（{reminder.rectify_by}）未过，不能升级")
    content = ((content or "").strip()
               or f"经{KIND_LABELS[reminder.kind]}（{reminder.held_on}）并于 {reminder.urged_on} 催告后仍拒不整改")
    entity = entities.get_entity(session, actor=SYSTEM, entity_id=reminder.entity_id)
    code = entity.uscc or entities.reveal_id_number(session, actor=SYSTEM, entity=entity)  # the record names its subject
    record = records.create(session, actor=actor, record_in=RecordCreate(
        info_type="ignored_reminder", entity_code=code,
        document_number=document_number, decision_date=on, authority=actor.department_name or "",
        content={"content": content}))
    reminder.status, reminder.outcome, reminder.escalated_record_id = ReminderStatus.ESCALATED, content, record.id
    session.flush()
    events.reminder_escalated(session, reminder, actor)
    return record.id


def listing(session: Session, *, actor: Actor) -> list[Reminder]:
    stmt = select(Reminder).order_by(Reminder.id.desc()).limit(200)
    if actor.role is not Role.ADMIN:
        stmt = stmt.where(Reminder.department_id == _department(actor))
    return list(session.scalars(stmt))


def d_grade_without_reminder(session: Session, *, limit: int = 50) -> list[tuple[int, int]]:
    """(entity id, score) of D-grade entities (their latest result) with no reminder or interview still
    open — the subjects 000 §33 says get one."""
    from xinyong.grading.service import standing_results

    latest = standing_results()
    handled = select(Reminder.entity_id).where(Reminder.status.in_([ReminderStatus.OPEN, ReminderStatus.URGED]))
    rows = session.execute(select(GradeResult.entity_id, GradeResult.final_score)
                           .join(latest, (latest.c.entity_id == GradeResult.entity_id) & (latest.c.run_id == GradeResult.run_id))
                           .where(GradeResult.grade == "D", GradeResult.entity_id.not_in(handled))
                           .order_by(GradeResult.final_score, GradeResult.entity_id).limit(limit)).all()
    return [(eid, score) for eid, score in rows]
