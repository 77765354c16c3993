"""Reading objections: one, a queue, a timeline, and the accountability figures (000 §29). Every state
that follows from time (working days left, overdue, suspended) is evaluated as of the day asked."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import and_, case, func, or_, select
from sqlalchemy.orm import Session

from xinyong.accounts.permissions import Actor, Permission
from xinyong.kit.clock import local, today
from xinyong.kit.errors import Forbidden
from xinyong.kit.schemas import Page
from xinyong.kit.workdays import WorkCalendar

from . import repository
from .deadlines import CORRECT_WORKDAYS, DECIDE_WORKDAYS, VERIFY_WORKDAYS, calendar, deadline
from .marks import is_suspended
from .models import (
    APPEAL_OUTCOME_LABELS,
    FINDING_LABELS,
    GROUND_LABELS,
    OPEN,
    OUTCOME_LABELS,
    REVIEW_KIND_LABELS,
    STAGE_LABELS,
    STATUS_LABELS,
    TARGET_LABELS,
    Objection,
    Status,
    Target,
)
from .schemas import Deadline, DepartmentTally, EvidenceRead, ObjectionRead, TimelineStep
from .service import correction_from, readable


def _names(session: Session, ids: set[int]) -> dict[int, str]:
    from xinyong.accounts.models import Department

    ids.discard(None)
    if not ids:
        return {}
    return dict(session.execute(select(Department.id, Department.name).where(Department.id.in_(ids))).all())


def _records(session: Session, objections: list[Objection]) -> tuple[dict[int, object], dict[str, object]]:
    """(the records objected to by id, the current version of each lineage)."""
    from xinyong.records.models import Record

    ids = {o.record_id for o in objections if o.record_id}
    lineages = {o.lineage for o in objections if o.lineage}
    if not ids:
        return {}, {}
    by_id = {r.id: r for r in session.scalars(select(Record).where(Record.id.in_(ids)))}
    current = {r.lineage: r for r in session.scalars(select(Record).where(Record.lineage.in_(lineages),
                                                                          Record.is_current.is_(True)))}
    return by_id, current


def to_reads(session: Session, objections: list[Objection], day: dt.date | None = None,
             cal: WorkCalendar | None = None) -> list[ObjectionRead]:
    from xinyong.lists.models import LIST_LABELS, ListEntry
    from xinyong.records.models import Status as RecordStatus

    day = day or today()
    cal = cal or calendar(session)
    names = _names(session, {o.department_id for o in objections} | {o.applicant_department_id for o in objections})
    by_id, current = _records(session, objections)
    entry_ids = {o.list_entry_id for o in objections if o.list_entry_id}
    entries = {e.id: e for e in session.scalars(select(ListEntry).where(ListEntry.id.in_(entry_ids)))} if entry_ids else {}
    evidence: dict[int, list[EvidenceRead]] = {}
    for e in repository.evidence_of(session, [o.id for o in objections]):
        evidence.setdefault(e.objection_id, []).append(EvidenceRead(
            id=e.id, stage=e.stage.value, stage_label=STAGE_LABELS[e.stage], filename=e.filename,
            media_type=e.media_type, size=e.size, sha256=e.sha256, uploaded_at=e.uploaded_at))
    out = []
    for o in objections:
        record = by_id.get(o.record_id) if o.record_id else None
        now_record = current.get(o.lineage) if o.lineage else None
        corrected = None
        if o.target is Target.RECORD and o.upheld and record is not None:
            corrected = now_record is not None and (now_record.version > record.version
                                                    or now_record.status is RecordStatus.REVOKED)
        entry = entries.get(o.list_entry_id) if o.list_entry_id else None
        decided = o.decided_on if o.status not in (Status.RECEIVED, Status.VERIFIED) else None
        withdrawn = o.withdrawn_on if o.status is Status.WITHDRAWN else None
        out.append(ObjectionRead(
            id=o.id, target=o.target.value, target_label=TARGET_LABELS[o.target], entity_code=o.entity.code,
            entity_name=o.entity.name, record_id=o.record_id, lineage=o.lineage,
            current_record_id=now_record.id if now_record is not None else None,
            document_number=record.document_number if record is not None else None,
            info_type_name=record.info_type_version.name if record is not None else None,
            list_entry_id=o.list_entry_id, list_label=LIST_LABELS[entry.kind] if entry is not None else None,
            grade=o.grade, score=o.score, department_id=o.department_id,
            department=names.get(o.department_id) if o.department_id else None,
            applicant=names.get(o.applicant_department_id, "") if o.applicant_department_id else o.entity.name,
            applicant_department_id=o.applicant_department_id, ground=o.ground.value,
            ground_label=GROUND_LABELS[o.ground], statement=o.statement, status=o.status.value,
            status_label=STATUS_LABELS[o.status], open=o.status in OPEN, received_on=o.received_on,
            decide_by=o.decide_by, verify_by=o.verify_by,
            decision_deadline=deadline(cal, o.decide_by, day, start=o.received_on, n=DECIDE_WORKDAYS,
                                        done_on=decided or withdrawn),
            verification_deadline=_verification(cal, o, day, ended=withdrawn or decided) if o.department_id else None,
            suspended=is_suspended(o, day), finding=o.finding.value if o.finding else None,
            finding_label=FINDING_LABELS[o.finding] if o.finding else None, finding_reason=o.finding_reason,
            verified_on=o.verified_on, outcome=o.outcome.value if o.outcome else None, upheld=o.upheld,
            outcome_label=OUTCOME_LABELS[o.outcome] if o.outcome else None, decision_reason=o.decision_reason,
            decided_on=o.decided_on, notice_number=o.notice_number, correct_by=o.correct_by, corrected=corrected,
            correction_deadline=deadline(cal, o.correct_by, day, start=correction_from(o), n=CORRECT_WORKDAYS,
                                          done_on=_corrected_on(now_record, day) if corrected else None)
            if corrected is not None else None,
            appeal_by=o.appeal_by,
            appealable=o.status is Status.DECIDED and (o.appeal_by is None or day <= o.appeal_by),
            appealed_on=o.appealed_on, appeal_statement=o.appeal_statement,
            appeal_outcome=o.appeal_outcome.value if o.appeal_outcome else None,
            appeal_outcome_label=APPEAL_OUTCOME_LABELS[o.appeal_outcome] if o.appeal_outcome else None,
            appeal_reason=o.appeal_reason, appeal_decided_on=o.appeal_decided_on,
            review_kind=o.review_kind.value if o.review_kind else None,
            review_kind_label=REVIEW_KIND_LABELS[o.review_kind] if o.review_kind else None,
            review_filed_on=o.review_filed_on, review_result=o.review_result, review_closed_on=o.review_closed_on,
            withdrawn_on=o.withdrawn_on, evidence=evidence.get(o.id, []), applied_at=o.applied_at))
    return out


def _corrected_on(record, day: dt.date) -> dt.date:
    # the day in China the corrected version was accepted: at 01:30 in Beijing it is still yesterday in UTC
    return local(record.reviewed_at).date() if record.reviewed_at else day


def _verification(cal: WorkCalendar, o: Objection, day: dt.date, *, ended: dt.date | None) -> Deadline:
    """The department's deadline; one it never answered because the objection ended first (withdrawn, or
    decided by the credit office on its own check) is said so, not called done."""
    if o.verified_on is None and ended is not None:
        how = "申请人已撤回" if o.status is Status.WITHDRAWN else "信用办已作出处理决定"
        return Deadline(due=o.verify_by, workdays_left=None, overdue=False, note=f"部门未核查；{ended.isoformat()}{how}")
    return deadline(cal, o.verify_by, day, start=o.received_on, n=VERIFY_WORKDAYS, done_on=o.verified_on)


def get(session: Session, *, actor: Actor, objection_id: int, day: dt.date | None = None) -> ObjectionRead:
    return to_reads(session, [readable(session, actor, objection_id)], day)[0]


def listing(session: Session, *, actor: Actor, status: list[Status] | None = None, open_only: bool = False,
            role: str | None = None, entity_id: int | None = None, overdue: bool = False, offset: int = 0,
            limit: int = 20, day: dt.date | None = None) -> Page[ObjectionRead]:
    """``role``: "tasks" — the objections a department verifies; "mine" — those its actor filed. Open
    first, by deadline; then the rest newest first. ``overdue``: verification or decision past its day."""
    day = day or today()
    stmt = repository.readable(actor)
    if status:
        stmt = stmt.where(Objection.status.in_(status))
    if open_only:
        stmt = stmt.where(Objection.status.in_(OPEN))
    if role == "tasks" and actor.department_id:
        stmt = stmt.where(Objection.department_id == actor.department_id)
    elif role == "mine" and actor.department_id:
        stmt = stmt.where(Objection.applicant_department_id == actor.department_id)
    if entity_id is not None:
        stmt = stmt.where(Objection.entity_id == entity_id)
    if overdue:
        stmt = stmt.where(_overdue_clause(day))
    total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    is_open = Objection.status.in_(OPEN)
    # the deadline a handler works to: the department's while it verifies, else the credit office's
    due = Objection.decide_by if actor.can(Permission.OBJECTION_DECIDE) else case(
        (and_(Objection.status == Status.RECEIVED, Objection.verify_by.is_not(None)), Objection.verify_by),
        else_=Objection.decide_by)
    page = list(session.scalars(stmt.order_by(
        case((is_open, 0), else_=1),
        case((and_(is_open, due.is_(None)), 0), else_=1),  # a deadline not computable counts as due now
        case((is_open, due), else_=None), case((is_open, Objection.id), else_=-Objection.id))
        .offset(offset).limit(limit)))
    return Page[ObjectionRead](items=to_reads(session, page, day), total=total, offset=offset, limit=limit)


def _overdue_clause(day: dt.date):
    return or_(
        (Objection.status == Status.RECEIVED) & (Objection.verify_by < day),
        Objection.status.in_([Status.RECEIVED, Status.VERIFIED]) & (Objection.decide_by < day),
    )


def counts(session: Session, actor: Actor, day: dt.date | None = None) -> dict[str, int]:
    """For the navigation: what waits for this actor — the credit office's open objections (overdue
    among them), a department's verification tasks."""
    day = day or today()
    if actor.can(Permission.OBJECTION_DECIDE):
        base = select(func.count()).select_from(Objection)
        waiting = session.scalar(base.where(Objection.status.in_([Status.RECEIVED, Status.VERIFIED, Status.APPEALED])))
        late = session.scalar(base.where(_overdue_clause(day)))
        unknown = session.scalar(base.where(Objection.status.in_(OPEN), Objection.decide_by.is_(None)))
        return {"waiting": waiting or 0, "overdue": late or 0, "deadline_unknown": unknown or 0}
    if actor.can(Permission.OBJECTION_VERIFY) and actor.department_id:
        base = select(func.count()).select_from(Objection).where(Objection.department_id == actor.department_id,
                                                                Objection.status == Status.RECEIVED)
        return {"waiting": session.scalar(base) or 0, "overdue": session.scalar(base.where(Objection.verify_by < day)) or 0,
                "deadline_unknown": session.scalar(base.where(Objection.verify_by.is_(None))) or 0}
    return {"waiting": 0, "overdue": 0, "deadline_unknown": 0}


def timeline(session: Session, *, actor: Actor, objection_id: int) -> list[TimelineStep]:
    """Each step of the objection, from the audit trail (which is where every change is written anyway)."""
    from xinyong.audit.models import AuditEvent
    from xinyong.audit.trail import action_label

    o = readable(session, actor, objection_id)
    rows = session.scalars(select(AuditEvent).where(AuditEvent.subject_type == "objection",
                                                    AuditEvent.subject_id == str(o.id)).order_by(AuditEvent.seq))
    return [TimelineStep(at=e.at, on=_STEP_DAY.get(e.action, lambda _: None)(o), action=e.action,
                         label=action_label(e.action), actor=_actor_label(e, o)) for e in rows]


# the day each step counts from, as the deadlines count it (a step may be recorded after the day it was taken)
_STEP_DAY = {
    "objection.filed": lambda o: o.received_on, "objection.verified": lambda o: o.verified_on,
    "objection.decided": lambda o: o.decided_on, "objection.appealed": lambda o: o.appealed_on,
    "objection.appeal_decided": lambda o: o.appeal_decided_on, "objection.review_started": lambda o: o.review_filed_on,
    "objection.review_closed": lambda o: o.review_closed_on, "objection.withdrawn": lambda o: o.withdrawn_on,
}


def _actor_label(event, o: Objection) -> str:
    # an entity sees who acted by role, not officers' user names
    action = event.action
    if action in ("objection.filed", "objection.appealed", "objection.withdrawn"):
        return "申请人"
    if action == "objection.verified":
        return "核查部门"
    if action == "objection.deadlines_settled":
        return "系统"
    if action == "objection.evidence_added":
        return "上传人"
    return "信用办"


def tallies(session: Session, *, actor: Actor, day: dt.date | None = None) -> list[DepartmentTally]:
    """Per department: objections received, verified (on time / late), overdue and open, upheld — for its
    assessment (000 §29; 001 管理办法 §33)."""
    if not actor.can(Permission.OBJECTION_OVERSEE):
        raise Forbidden("只有信用办和审计监督可以查看各部门异议处理情况")
    day = day or today()
    on_time = Objection.verified_on.is_not(None) & (Objection.verify_by.is_(None)
                                                   | (Objection.verified_on <= Objection.verify_by))
    late = (Objection.verified_on.is_not(None)) & (Objection.verified_on > Objection.verify_by)
    stmt = (select(Objection.department_id, func.count(),
                   func.sum(case((Objection.verified_on.is_not(None), 1), else_=0)),
                   func.sum(case((on_time, 1), else_=0)), func.sum(case((late, 1), else_=0)),
                   func.sum(case(((Objection.status == Status.RECEIVED) & (Objection.verify_by < day), 1), else_=0)),
                   func.sum(case((Objection.upheld, 1), else_=0)))
            .where(Objection.department_id.is_not(None)).group_by(Objection.department_id))
    rows = session.execute(stmt).all()
    names = _names(session, {r[0] for r in rows})
    return sorted((DepartmentTally(department_id=d, department=names.get(d, ""), received=n, verified=v or 0,
                                   verified_on_time=t or 0, verified_late=lt or 0, overdue_open=od or 0, upheld=u or 0)
                   for d, n, v, t, lt, od, u in rows), key=lambda x: (-x.overdue_open, -x.verified_late, x.department))


def late(session: Session, *, actor: Actor, day: dt.date | None = None) -> list[ObjectionRead]:
    """Objections not handled in time (000 §29): verification or decision past its day, or an upheld
    record not corrected within 5 working days."""
    if not actor.can(Permission.OBJECTION_OVERSEE):
        raise Forbidden("只有信用办和审计监督可以查看逾期异议")
    day = day or today()
    candidates = list(session.scalars(select(Objection).where(or_(
        _overdue_clause(day), Objection.upheld & (Objection.correct_by < day)))
        .order_by(Objection.id)))
    reads = to_reads(session, candidates, day)
    # what is outstanding today: a deadline met late is counted in ``tallies``, not listed here for ever
    return [r for r in reads if any(d is not None and d.overdue and d.done_on is None
                                    for d in (r.decision_deadline, r.verification_deadline, r.correction_deadline))]
