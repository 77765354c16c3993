"""Objections and appeals (SPEC §10; 000 §23–26, 003 §18, 002 二(四)4). Services flush, never commit.

The life of one: filed (the day of receipt is not counted) → the recording department verifies within
10 working days → the credit office decides within 7 and tells the applicant in a numbered notice →
the applicant may appeal to the management committee within ``settings.appeal_workdays`` → reconsideration
or litigation are recorded with their results. From filing until the objection and any appeal end, the
information is marked 异议处理中 (``OPEN``) and still used and published (R-OBJ-3, §19); a department
that lets ``verify_by`` pass stops public query of the record until it answers (R-OBJ-4).
"""

from __future__ import annotations

import datetime as dt
import hashlib

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from xinyong.accounts.permissions import Actor, Permission, Role
from xinyong.kit.clock import today
from xinyong.kit.errors import Conflict, DeadlineUnknown, Forbidden, Invalid, NotFound
from xinyong.kit.text import clean_text
from xinyong.kit.workdays import WorkCalendar

from . import events, repository
from .deadlines import CORRECT_WORKDAYS, DECIDE_WORKDAYS, VERIFY_WORKDAYS, add, calendar
from .models import (
    GROUND_LABELS,
    GROUNDS_FOR,
    STAGE_LABELS,
    STATUS_LABELS,
    TARGET_LABELS,
    AppealOutcome,
    Evidence,
    Finding,
    Ground,
    Objection,
    Outcome,
    ReviewKind,
    Stage,
    Status,
    Target,
)

NOT_FOUND = "未找到该异议申请"
RECORD_NOT_FOUND = "未找到该信用记录"

# evidence: PDF or images, known by their first bytes, not by what the upload says it is
MEDIA_TYPES = {b"%PDF-": "application/pdf", b"\x89PNG\r\n\x1a\n": "image/png", b"\xff\xd8\xff": "image/jpeg"}
MAX_EVIDENCE_FILES = 10  # per stage: an applicant's papers never crowd out the department's or the court's


def _appeal_workdays(session: Session) -> int:
    settings = session.info.get("settings")
    return getattr(settings, "appeal_workdays", 15)


# ---- filing ------------------------------------------------------------------------------------------

def _require(actor: Actor, permission: Permission, message: str) -> None:
    if not actor.can(permission):
        raise Forbidden(message)


def record_for(session: Session, actor: Actor, record_id: int | None):
    """The record ``actor`` may object to. One outside the caller's file answers exactly like one that does
    not exist (404). An entity objects to its own file; a department to another department's record that
    it sees (a public one; 003 §18, 002 二(四)4) — its own it corrects itself (R-REV-5)."""
    from xinyong.records import service as records
    from xinyong.records import visibility
    from xinyong.records.models import Record
    from xinyong.records.models import Status as RecordStatus

    if record_id is None:
        raise Invalid("请指明异议所涉的信用记录", field="record_id")
    record = None
    if actor.role is Role.ENTITY:
        try:
            record = records.get(session, actor=actor, record_id=record_id)
        except NotFound:
            record = None
    elif actor.department_id:
        candidate = session.get(Record, record_id)
        if candidate is not None and (candidate.department_id == actor.department_id
                                      or visibility.is_public(candidate, today())):
            record = candidate
    if record is None or record.status is not RecordStatus.ACCEPTED or not record.is_current:
        raise NotFound(RECORD_NOT_FOUND, field="record_id")
    if actor.department_id and record.department_id == actor.department_id:
        raise Invalid("本部门记录有误的，请直接更正（更正即形成新版本），无需提出异议", field="record_id")
    return record


def entry_for(session: Session, actor: Actor, entry_id: int | None):
    from xinyong.lists import service as lists

    if entry_id is None:
        raise Invalid("请指明异议所涉的名单记录", field="list_entry_id")
    try:
        entry = lists.get(session, entry_id)
    except NotFound:
        entry = None
    if entry is None or actor.role is not Role.ENTITY or entry.entity_id != actor.entity_id:
        raise NotFound("未找到该名单记录", field="list_entry_id")
    return entry


def file(session: Session, *, actor: Actor, objection_in, day: dt.date | None = None) -> Objection:
    """R-OBJ-1: an entity about its own record, list entry or grading result; a department about a record."""
    from xinyong.grading import service as grading
    from xinyong.lists.models import Basis

    _require(actor, Permission.OBJECTION_FILE, "只有信用主体本身或相关部门可以提出异议")
    day = day or today()
    target = Target(objection_in.target)
    if actor.role is not Role.ENTITY and target is not Target.RECORD:
        raise Invalid("部门只能对信用记录提出异议", field="target")
    ground = Ground(objection_in.ground)
    if ground not in GROUNDS_FOR[target]:
        allowed = "、".join(GROUND_LABELS[g] for g in GROUNDS_FOR[target])
        raise Invalid(f"对{TARGET_LABELS[target]}的异议理由应为：{allowed}", field="ground")
    statement = clean_text(objection_in.statement, field="statement", label="异议陈述", max_len=4000, multiline=True)
    o = Objection(target=target, ground=ground, statement=statement, status=Status.RECEIVED, received_on=day,
                  applied_by=actor.user_id,
                  applicant_department_id=actor.department_id if actor.role is not Role.ENTITY else None)
    if target is Target.RECORD:
        record = record_for(session, actor, objection_in.record_id)
        first = repository.open_for_record(session, record.lineage)
        if first is not None:
            # an entity is not shown the number of an objection a department filed, which it may not open
            named = f"异议 #{first.id}（{first.received_on.isoformat()}提出）" if (
                first.applicant_department_id is None or actor.role is not Role.ENTITY) else "相关部门提出的异议"
            raise Conflict(f"该记录已有{named}正在处理，处理完毕前不能再次提出", field="record_id")
        o.entity_id, o.record_id, o.lineage, o.department_id = (record.entity_id, record.id, record.lineage,
                                                                record.department_id)
    elif target is Target.LIST_ENTRY:
        entry = entry_for(session, actor, objection_in.list_entry_id)
        first = repository.open_for_entry(session, entry.id)
        if first is not None:
            raise Conflict(f"该名单记录已有异议 #{first.id} 正在处理", field="list_entry_id")
        o.entity_id, o.list_entry_id = entry.entity_id, entry.id
        o.department_id = entry.department_id if entry.basis is Basis.DETERMINATION else None
    else:
        standing = grading.standing(session, actor.entity_id)
        if standing is None:
            raise Conflict("本主体尚未评价，暂无可提出异议的评价结果")
        first = repository.open_for_grade(session, actor.entity_id)
        if first is not None:
            raise Conflict(f"对评价结果的异议 #{first.id} 正在处理，处理完毕前不能再次提出")
        o.entity_id, o.run_id, o.score, o.grade = actor.entity_id, standing.run.id, standing.score, standing.grade
    cal = calendar(session)
    o.decide_by = add(cal, day, DECIDE_WORKDAYS)
    o.verify_by = add(cal, day, VERIFY_WORKDAYS) if o.department_id else None
    session.add(o)
    session.flush()
    events.filed(session, o, actor)
    return o


def _sniff(content: bytes) -> str | None:
    for magic, media in MEDIA_TYPES.items():
        if content.startswith(magic):
            return media
    return None


def add_evidence(session: Session, *, actor: Actor, objection_id: int, filename: str, content: bytes,
                 stage: Stage | None = None) -> Evidence:
    """A document in writing (000 §23: 提供相关证明材料): the applicant's at filing and appeal, the
    department's with its verification, the credit office's for reconsideration and litigation."""
    o = readable(session, actor, objection_id)
    if stage is None:
        stage = (Stage.VERIFICATION if actor.department_id and actor.department_id == o.department_id
                 and not _is_applicant(actor, o) else Stage.REVIEW if actor.role is Role.ADMIN
                 else Stage.APPEAL if o.status is Status.APPEALED else Stage.FILING)
    if stage in (Stage.FILING, Stage.APPEAL) and not _is_applicant(actor, o):
        raise Forbidden("只有异议申请人可以提交证明材料")
    if stage is Stage.VERIFICATION and not (actor.department_id and actor.department_id == o.department_id):
        raise Forbidden("只有核查部门可以提交核查材料")
    if stage is Stage.REVIEW and not actor.can(Permission.OBJECTION_DECIDE):
        raise Forbidden("只有信用办可以登记复议或诉讼文书")
    # each party's papers belong to its own step: the applicant's while the objection or its appeal is
    # handled, the department's while it verifies, the credit office's once the appeal is decided
    when = {Stage.FILING: (Status.RECEIVED, Status.VERIFIED), Stage.APPEAL: (Status.APPEALED,),
            Stage.VERIFICATION: (Status.RECEIVED, Status.VERIFIED),
            Stage.REVIEW: (Status.APPEAL_DECIDED, Status.IN_REVIEW, Status.CLOSED)}[stage]
    if o.status not in when:
        raise Conflict(f"异议 #{o.id} 当前为“{STATUS_LABELS[o.status]}”，不在提交{STAGE_LABELS[stage]}的环节")
    settings = session.info.get("settings")
    limit_mb = getattr(settings, "evidence_max_mb", 10)
    name = clean_text(filename or "", field="file", label="文件名", max_len=200) or "材料"
    if not content:
        raise Invalid(f"文件“{name}”是空的", field="file")
    if len(content) > limit_mb * 1024 * 1024:
        raise Invalid(f"文件“{name}”超过 {limit_mb} MB 的大小限制（{len(content) / 1048576:.1f} MB）", field="file")
    media = _sniff(content)
    if media is None:
        raise Invalid(f"文件“{name}”不是 PDF 或图片（JPEG、PNG）：证明材料请以 PDF 或图片提交", field="file")
    count = session.scalar(select(func.count()).select_from(Evidence).where(Evidence.objection_id == o.id,
                                                                            Evidence.stage == stage)) or 0
    if count >= MAX_EVIDENCE_FILES:
        raise Invalid(f"每件异议的{STAGE_LABELS[stage]}最多 {MAX_EVIDENCE_FILES} 份", field="file")
    evidence = Evidence(objection_id=o.id, stage=stage, filename=name, media_type=media, size=len(content),
                        sha256=hashlib.sha256(content).hexdigest(), content=content, uploaded_by=actor.user_id)
    session.add(evidence)
    session.flush()
    events.evidence_added(session, o, evidence, actor)
    return evidence


def evidence_file(session: Session, *, actor: Actor, objection_id: int, evidence_id: int) -> Evidence:
    o = readable(session, actor, objection_id)
    evidence = session.get(Evidence, evidence_id)
    if evidence is None or evidence.objection_id != o.id:
        raise NotFound("未找到该材料")
    return evidence


# ---- handling ----------------------------------------------------------------------------------------

def _is_applicant(actor: Actor, o: Objection) -> bool:
    if o.applicant_department_id is not None:
        return actor.department_id == o.applicant_department_id and actor.role is not Role.ENTITY
    return actor.role is Role.ENTITY and actor.entity_id == o.entity_id


def readable(session: Session, actor: Actor, objection_id: int) -> Objection:
    o = repository.readable_one(session, actor, objection_id)
    if o is None:
        raise NotFound(NOT_FOUND)
    return o


def _at_stage(session: Session, actor: Actor, objection_id: int, permission: Permission, forbidden: str,
              stages: tuple[Status, ...], conflict: str) -> Objection:
    """The objection, if ``actor`` may act on it and it stands at one of ``stages``."""
    _require(actor, permission, forbidden)
    o = readable(session, actor, objection_id)
    if o.status not in stages:
        raise Conflict(f"异议 #{o.id} {conflict}（当前：{STATUS_LABELS[o.status]}）")
    return o


def _reason(text: str, label: str) -> str:
    return clean_text(text, field="reason", label=label, max_len=4000, multiline=True)


def verify(session: Session, *, actor: Actor, objection_id: int, finding: Finding, reason: str,
           day: dt.date | None = None) -> Objection:
    """The recording department's finding (000 §24 第二款). A late answer is taken, and counted late; it
    ends the suspension of public query (R-OBJ-4). "Wrong": the department corrects its record through the
    normal path (a new version, R-REV-3), which is what republishes it (R-OBJ-5)."""
    o = _at_stage(session, actor, objection_id, Permission.OBJECTION_VERIFY, "只有记录部门可以核查异议",
                  (Status.RECEIVED,), "不在待核查环节")
    if o.department_id is None or actor.department_id != o.department_id:
        raise Forbidden("只有记录部门（认定部门）可以核查该异议")
    day = day or today()
    o.finding, o.finding_reason = Finding(finding), _reason(reason, "核查意见")
    o.verified_on, o.verified_by, o.status = day, actor.user_id, Status.VERIFIED
    late = None
    if o.verify_by is not None and day > o.verify_by:
        try:
            late = calendar(session).workdays_between(o.verify_by, day)
        except DeadlineUnknown:
            late = None
    session.flush()
    events.verified(session, o, actor, late_workdays=late)
    return o


def _notice_number(session: Session, day: dt.date) -> str:
    return f"信异告〔{day.year}〕{repository.next_notice_serial(session, day.year)}号"


def decide(session: Session, *, actor: Actor, objection_id: int, outcome: Outcome, reason: str,
           day: dt.date | None = None) -> Objection:
    """The credit office's decision, told in writing (R-OBJ-2): a numbered notice. Upheld: the information
    is corrected (a record by its department within 5 working days, R-OBJ-5; a list entry ends; a grade
    is graded again) and its effects follow; not upheld: the mark goes and the information stays;
    cannot be confirmed: the objection and the finding stay on the record."""
    o = _at_stage(session, actor, objection_id, Permission.OBJECTION_DECIDE, "只有信用办可以作出异议处理决定",
                  (Status.RECEIVED, Status.VERIFIED), "已作出处理决定或已撤回")
    day = day or today()
    o.outcome, o.decision_reason = Outcome(outcome), _reason(reason, "处理意见")
    o.decided_on, o.decided_by, o.status = day, actor.user_id, Status.DECIDED
    o.notice_number = _notice_number(session, day)
    cal = calendar(session)
    o.appeal_by = add(cal, day, _appeal_workdays(session))
    if o.outcome is Outcome.UPHELD:
        _uphold(session, o, actor, cal, day)
    session.flush()
    events.decided(session, o, actor)
    return o


def _uphold(session: Session, o: Objection, actor: Actor, cal: WorkCalendar, day: dt.date) -> None:
    """R-OBJ-5 and the effects an upheld objection has at once (issue 18 §8)."""
    if o.target is Target.RECORD:
        o.correct_by = add(cal, day, CORRECT_WORKDAYS)
    elif o.target is Target.LIST_ENTRY:
        from xinyong.lists import service as lists
        from xinyong.lists.models import Basis, EndReason

        entry = lists.get(session, o.list_entry_id)
        if entry.ended_on is None and entry.basis is Basis.DETERMINATION:
            # ending the entry lifts the measures through the joint-action lift flow (R-MEA-6)
            lists.end(session, actor=actor, entry=entry, reason=EndReason.CORRECTED,
                      note=f"异议 #{o.id} 成立（{o.notice_number}）：{o.decision_reason}", on=day)
    if o.target in (Target.GRADE, Target.LIST_ENTRY):
        from xinyong.grading import service as grading

        grading.regrade(session, [o.entity_id], trigger=f"异议 #{o.id} 成立，重新评价")


def appeal(session: Session, *, actor: Actor, objection_id: int, statement: str, day: dt.date | None = None) -> Objection:
    """申诉 to the management committee (000 §26; R-OBJ-6): by the applicant, within the appeal period.
    The information is marked again until the appeal ends (§19)."""
    o = readable(session, actor, objection_id)
    if not _is_applicant(actor, o):
        raise Forbidden("只有异议申请人可以提出申诉")
    if o.status is not Status.DECIDED:
        raise Conflict(f"异议 #{o.id} 尚未作出处理决定或已申诉，不能提出申诉")
    day = day or today()
    if o.appeal_by is not None and day > o.appeal_by:
        raise Invalid(f"申诉期限已于{o.appeal_by.isoformat()}届满", field="statement")
    o.appeal_statement = clean_text(statement, field="statement", label="申诉理由", max_len=4000, multiline=True)
    o.appealed_on, o.status = day, Status.APPEALED
    session.flush()
    events.appealed(session, o, actor)
    return o


def decide_appeal(session: Session, *, actor: Actor, objection_id: int, outcome: AppealOutcome, reason: str,
                  day: dt.date | None = None) -> Objection:
    """The committee's decision, recorded by the credit office. Upheld: the objection stands, with the
    effects of an upheld one from that day (``Objection.upheld``; ``outcome`` keeps the credit office's own
    decision); dismissed: the decision stays."""
    o = _at_stage(session, actor, objection_id, Permission.OBJECTION_DECIDE, "只有信用办可以登记申诉决定",
                  (Status.APPEALED,), "不在申诉处理中")
    day = day or today()
    o.appeal_outcome, o.appeal_reason = AppealOutcome(outcome), _reason(reason, "申诉决定意见")
    o.appeal_decided_on, o.status = day, Status.APPEAL_DECIDED
    if o.appeal_outcome is AppealOutcome.UPHELD and o.outcome is not Outcome.UPHELD:
        _uphold(session, o, actor, calendar(session), day)
    session.flush()
    events.appeal_decided(session, o, actor)
    return o


def start_review(session: Session, *, actor: Actor, objection_id: int, kind: ReviewKind, filed_on: dt.date,
                 day: dt.date | None = None) -> Objection:
    """行政复议 or 行政诉讼 after the appeal (000 §26): recorded, and the mark stays through it."""
    o = _at_stage(session, actor, objection_id, Permission.OBJECTION_DECIDE, "只有信用办可以登记行政复议或诉讼",
                  (Status.APPEAL_DECIDED,), "的申诉尚未决定，不能登记复议或诉讼")
    if o.appeal_decided_on and filed_on < o.appeal_decided_on:
        raise Invalid("复议申请或起诉日期不能早于申诉决定日期", field="filed_on")
    if filed_on > (day or today()):
        raise Invalid("复议申请或起诉日期不能晚于今天", field="filed_on")
    o.review_kind, o.review_filed_on, o.status = ReviewKind(kind), filed_on, Status.IN_REVIEW
    session.flush()
    events.review_started(session, o, actor)
    return o


def close_review(session: Session, *, actor: Actor, objection_id: int, result: str, closed_on: dt.date,
                 day: dt.date | None = None) -> Objection:
    o = _at_stage(session, actor, objection_id, Permission.OBJECTION_DECIDE, "只有信用办可以登记复议或诉讼结果",
                  (Status.IN_REVIEW,), "不在复议或诉讼中")
    if closed_on < o.review_filed_on or closed_on > (day or today()):
        raise Invalid("结果日期应在复议申请或起诉之后、今天之前", field="closed_on")
    o.review_result = _reason(result, "复议决定或判决结果")
    o.review_closed_on, o.status = closed_on, Status.CLOSED
    session.flush()
    events.review_closed(session, o, actor)
    return o


def withdraw(session: Session, *, actor: Actor, objection_id: int, day: dt.date | None = None) -> Objection:
    o = readable(session, actor, objection_id)
    if not _is_applicant(actor, o):
        raise Forbidden("只有异议申请人可以撤回")
    if o.status not in (Status.RECEIVED, Status.VERIFIED, Status.APPEALED):
        raise Conflict(f"异议 #{o.id} 已作出决定或已终结，不能撤回")
    o.withdrawn_on, o.status = day or today(), Status.WITHDRAWN
    session.flush()
    events.withdrawn(session, o, actor)
    return o


def correction_from(o: Objection) -> dt.date | None:
    """The day the 5 working days to correct run from: the decision, or the committee's, when an upheld
    appeal turned a decision round (``decide_appeal``)."""
    if o.appeal_outcome is AppealOutcome.UPHELD and o.outcome is not Outcome.UPHELD and o.appeal_decided_on:
        return o.appeal_decided_on
    return o.decided_on


def settle_deadlines(session: Session) -> int:
    """Deadlines left empty because a year was not loaded, computed now that it may be (the job
    ``objections.deadlines``; the pages say 无法计算 meanwhile). Returns how many were filled."""
    cal = calendar(session)
    filled = 0
    for o in repository.unsettled(session):
        before = (o.decide_by, o.verify_by, o.appeal_by, o.correct_by)
        o.decide_by = o.decide_by or add(cal, o.received_on, DECIDE_WORKDAYS)
        if o.department_id:
            o.verify_by = o.verify_by or add(cal, o.received_on, VERIFY_WORKDAYS)
        if o.decided_on:
            o.appeal_by = o.appeal_by or add(cal, o.decided_on, _appeal_workdays(session))
            if o.upheld and o.target is Target.RECORD:
                o.correct_by = o.correct_by or add(cal, correction_from(o), CORRECT_WORKDAYS)
        if (o.decide_by, o.verify_by, o.appeal_by, o.correct_by) != before:
            session.flush()
            events.deadlines_settled(session, o)
            filled += 1
    return filled
