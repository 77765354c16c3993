"""After a penalty is published: whether it was carried out, and shortening its publicity on the entity's
application (优化营商环境条例 §63; R-PUB-4). Services flush, never commit.

§63: 公示期届满的行政处罚信息不再公示，未履行行政处罚决定的除外 … 在规定期限内履行行政处罚决定、主动消除或者
减轻违法行为危害后果的，经市场主体申请，有关政府部门可以视情将公示期相应缩短三至十二个月.

- The recording department tells whether a penalty was carried out. "Unfulfilled" keeps it public
  past its end (``visibility``); "unknown", the default of every record, lets it end as set — the
  platform does not keep a penalty public on a guess.
- The entity applies for 3 to 12 months off, once the penalty is carried out; the recording
  department approves or refuses with its reasons. An approved shortening moves the publicity end
  (never before the decision date), and the validity end with it (000 §21: a penalty's validity ends
  with its publicity): the record leaves the public view, and stops counting, on its new end by itself.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from xinyong.accounts.permissions import Actor, Permission, Role
from xinyong.audit.trail import describe, record_event
from xinyong.catalog.enums import Category
from xinyong.kit.clock import now, today
from xinyong.kit.errors import Conflict, Forbidden, Invalid, NotFound
from xinyong.kit.text import clean_text

from .models import Fulfilment, PublicityShortening, Record, ShorteningStatus, Status
from .periods import add_months

MIN_MONTHS, MAX_MONTHS = 3, 12
describe("record.fulfilment_set", "登记处罚履行情况")
describe("publicity.shortening_applied", "申请缩短公示期", subject=("shortening", "缩短公示期申请"))
describe("publicity.shortening_approved", "同意缩短公示期")
describe("publicity.shortening_refused", "不同意缩短公示期")


def _penalty(record: Record) -> None:
    if record.info_type_version.category is not Category.BAD or "penalty_categories" not in (record.content or {}):
        raise Invalid("只有行政处罚记录登记履行情况、申请缩短公示期")
    if record.status is not Status.ACCEPTED or not record.is_current:
        raise Conflict("只有现行的已入库记录可以办理")


def _recording_department(actor: Actor, department_id: int) -> None:
    if not actor.can(Permission.RECORD_SUBMIT) or actor.department_id != department_id:
        raise Forbidden("只有记录部门可以办理")


def set_fulfilment(session: Session, *, actor: Actor, record: Record, fulfilment: Fulfilment,
                   fulfilled_on: dt.date | None, reason: str) -> Record:
    """The recording department's word on whether the penalty was carried out."""
    _recording_department(actor, record.department_id)
    _penalty(record)
    if fulfilment is Fulfilment.FULFILLED:
        if fulfilled_on is None or not record.decision_date <= fulfilled_on <= today():
            raise Invalid("已履行的，须填写决定日期之后、不晚于今天的履行完毕日期", field="fulfilled_on")
    else:
        fulfilled_on = None
    record.fulfilment, record.fulfilled_on = fulfilment, fulfilled_on
    session.flush()
    record_event(session, "record.fulfilment_set", subject_type="record", subject_id=record.id, actor=actor,
                 detail={"lineage": record.lineage, "fulfilment": fulfilment.value,
                         "fulfilled_on": fulfilled_on.isoformat() if fulfilled_on else None,
                         "reason": clean_text(reason, field="reason", label="说明", max_len=1000, multiline=True,
                                              required=False)})
    return record


def apply(session: Session, *, actor: Actor, record: Record, months: int, fulfilled_on: dt.date,
          reason: str) -> PublicityShortening:
    """The entity's own application (R-PUB-4)."""
    if actor.role is not Role.ENTITY or actor.entity_id != record.entity_id:
        raise Forbidden("只有信用主体本身可以申请缩短其行政处罚的公示期")
    _penalty(record)
    if not record.public or record.publicity_end is None:
        raise Conflict("该记录不公示或没有确定的公示截止日，无需缩短")
    if not MIN_MONTHS <= months <= MAX_MONTHS:
        raise Invalid(f"缩短的期限为{MIN_MONTHS}至{MAX_MONTHS}个月", field="months")
    if not record.decision_date <= fulfilled_on <= today():
        raise Invalid("履行完毕日期应在处罚决定日期之后、不晚于今天", field="fulfilled_on")
    if record.fulfilment is Fulfilment.UNFULFILLED:
        raise Conflict("记录部门登记该处罚尚未履行：履行完毕后再申请")
    earlier = session.scalars(select(PublicityShortening).where(
        PublicityShortening.lineage == record.lineage,
        PublicityShortening.status.in_([ShorteningStatus.PENDING, ShorteningStatus.APPROVED]))).first()
    if earlier is not None:
        state = "正在审核" if earlier.status is ShorteningStatus.PENDING else "并已获同意"
        raise Conflict(f"该记录已有缩短公示期的申请，{state}")
    application = PublicityShortening(
        record_id=record.id, lineage=record.lineage, entity_id=record.entity_id, department_id=record.department_id,
        months=months, fulfilled_on=fulfilled_on, status=ShorteningStatus.PENDING, old_end=record.publicity_end,
        reason=clean_text(reason, field="reason", label="申请理由", max_len=2000, multiline=True),
        applied_by=actor.user_id)
    session.add(application)
    session.flush()
    record_event(session, "publicity.shortening_applied", subject_type="shortening", subject_id=application.id,
                 actor=actor, detail={"record_id": record.id, "months": months})
    return application


def decide(session: Session, *, actor: Actor, application: PublicityShortening, approve: bool,
           reason: str) -> PublicityShortening:
    """The recording department decides; approval moves the publicity end and records the fulfilment."""
    _recording_department(actor, application.department_id)
    if application.status is not ShorteningStatus.PENDING:
        raise Conflict("该申请已经审核")
    record = application.record
    if not record.is_current:  # corrected or revoked since: the current version is the one to shorten
        record = session.scalars(select(Record).where(Record.lineage == application.lineage,
                                                      Record.is_current.is_(True))).first()
    application.decision_reason = clean_text(reason, field="reason", label="审核意见", max_len=1000, multiline=True,
                                             required=not approve)
    application.decided_by, application.decided_at = actor.user_id, now()
    if approve:
        if record is None or record.status is not Status.ACCEPTED or record.publicity_end is None:
            raise Conflict("该记录已撤销或不再公示，无需缩短")
        application.status, application.new_end = ShorteningStatus.APPROVED, _shorten(record, application.months)
        record.fulfilment, record.fulfilled_on = Fulfilment.FULFILLED, application.fulfilled_on
    else:
        application.status = ShorteningStatus.REFUSED
    session.flush()
    record_event(session, f"publicity.shortening_{'approved' if approve else 'refused'}", subject_type="shortening",
                 subject_id=application.id, actor=actor,
                 detail={"record_id": application.record_id, "months": application.months,
                         "new_end": application.new_end.isoformat() if application.new_end else None})
    return application


def _shorten(record: Record, months: int) -> dt.date:
    """Move the publicity end ``months`` earlier (never before the decision), and the validity end with
    it: a penalty's validity ends with its publicity (000 §21), so it stops counting then too."""
    new_end = max(add_months(record.publicity_end, -months), record.decision_date)
    record.publicity_end = new_end
    record.validity_end = new_end if record.validity_end is None else min(record.validity_end, new_end)
    return new_end


def carry_shortening(session: Session, record: Record) -> None:
    """For a new version of a penalty whose periods were just computed again from its regime (a
    correction): the shortening approved for its lineage applies to it too, or the correction would
    quietly put the penalty back in public view and back into the grade. ``records.service`` should call
    this after it recomputes a version's periods."""
    if record.publicity_end is None:
        return
    approved = session.scalars(select(PublicityShortening).where(
        PublicityShortening.lineage == record.lineage, PublicityShortening.status == ShorteningStatus.APPROVED)
        .order_by(PublicityShortening.id.desc())).first()
    if approved is not None:
        _shorten(record, approved.months)


def get(session: Session, *, actor: Actor, application_id: int) -> PublicityShortening:
    application = session.get(PublicityShortening, application_id)
    visible = application is not None and (
        actor.role is Role.ADMIN or actor.department_id == application.department_id
        or (actor.role is Role.ENTITY and actor.entity_id == application.entity_id))
    if not visible:
        raise NotFound("未找到该申请")
    return application


def listing(session: Session, *, actor: Actor, status: ShorteningStatus | None = None) -> list[PublicityShortening]:
    """A department's applications to decide, an entity's own, or all for the credit office."""
    stmt = select(PublicityShortening).order_by(PublicityShortening.id.desc())
    if actor.role is Role.ENTITY:
        stmt = stmt.where(PublicityShortening.entity_id == actor.entity_id)
    elif actor.role is not Role.ADMIN:
        stmt = stmt.where(PublicityShortening.department_id == actor.department_id)
    if status is not None:
        stmt = stmt.where(PublicityShortening.status == status)
    return list(session.scalars(stmt.limit(200)))

