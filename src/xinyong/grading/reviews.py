"""评价结果复核: an entity asks the credit office to review its grading result, and is answered
(000 §19(二), R-GRD-6). Only the entity itself asks, about its result in force; one request is open at
a time; the answer may follow a fresh grading of the entity (``regrade``). Services flush, never commit.
"""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from xinyong.accounts.permissions import Actor, Permission
from xinyong.entities.models import Entity
from xinyong.kit.clock import now
from xinyong.kit.errors import Conflict, Forbidden, NotFound
from xinyong.kit.schemas import Page
from xinyong.kit.text import clean_text

from . import events, service
from .models import REVIEW_LABELS, GradeReview, ReviewStatus
from .schemas import GradeReviewRead

NOT_FOUND = "未找到该复核申请"


def request_review(session: Session, *, actor: Actor, reason: str, entity_code: str | None = None) -> GradeReview:
    if not actor.can(Permission.GRADE_REVIEW_REQUEST) or not actor.entity_id:
        raise Forbidden("只有信用主体本身可以申请复核其评价结果")
    if entity_code is not None:
        _own_code(session, actor, entity_code)
    text = clean_text(reason, field="reason", label="申请理由", max_len=2000, multiline=True)
    standing = service.standing(session, actor.entity_id)
    if standing is None:
        raise Conflict("本主体尚未评价，暂无可申请复核的结果")
    pending = session.scalars(select(GradeReview).where(GradeReview.entity_id == actor.entity_id,
                                                        GradeReview.status == ReviewStatus.OPEN)).first()
    if pending is not None:
        raise Conflict(f"复核申请 #{pending.id} 正在处理中，信用办答复后可再次申请")
    review = GradeReview(entity_id=actor.entity_id, run_id=standing.run.id, score=standing.score, grade=standing.grade,
                         reason=text, status=ReviewStatus.OPEN, applied_by=actor.user_id, applied_at=now())
    session.add(review)
    session.flush()
    events.review_requested(session, review, actor)
    return review


def _own_code(session: Session, actor: Actor, code: str) -> None:
    """A code that is not the actor's own answers like one that does not exist (as the file does)."""
    from xinyong.entities import service as entities

    try:
        entity = entities.get_by_code(session, actor=actor, code=code, allow_id_number=False)
    except NotFound:
        entity = None
    if entity is None or entity.id != actor.entity_id:
        raise NotFound("未找到该信用主体", field="entity_code")


def answer(session: Session, *, actor: Actor, review_id: int, text: str, regrade: bool = False) -> GradeReview:
    if not actor.can(Permission.GRADING_MANAGE):
        raise Forbidden("只有信用办可以答复复核申请")
    review = session.get(GradeReview, review_id)
    if review is None:
        raise NotFound(NOT_FOUND)
    if review.status is not ReviewStatus.OPEN:
        raise Conflict(f"复核申请 #{review.id} 已答复")
    cleaned = clean_text(text, field="answer", label="答复意见", max_len=4000, multiline=True)
    if regrade:
        # graded again from its records as they stand now; a new result row only if anything changed
        service.regrade(session, [review.entity_id], trigger=f"复核申请 #{review.id} 重新评价")
    review.answer, review.status = cleaned, ReviewStatus.ANSWERED
    review.answered_by, review.answered_at = actor.user_id, now()
    session.flush()
    events.review_answered(session, review, actor)
    return review


def _readable(actor: Actor):
    stmt = select(GradeReview, Entity).join(Entity, Entity.id == GradeReview.entity_id)
    if actor.can(Permission.GRADING_MANAGE):
        return stmt
    if actor.can(Permission.GRADE_REVIEW_REQUEST) and actor.entity_id:
        return stmt.where(GradeReview.entity_id == actor.entity_id)
    raise Forbidden("无权查看评价复核申请")


def to_read(review: GradeReview, entity: Entity) -> GradeReviewRead:
    return GradeReviewRead(id=review.id, entity_id=review.entity_id, entity_name=entity.name, entity_code=entity.code,
                           run_id=review.run_id, score=review.score, grade=review.grade, reason=review.reason,
                           status=review.status, status_label=REVIEW_LABELS[review.status], answer=review.answer,
                           applied_at=review.applied_at, answered_at=review.answered_at)


def get(session: Session, *, actor: Actor, review_id: int) -> GradeReviewRead:
    row = session.execute(_readable(actor).where(GradeReview.id == review_id)).first()
    if row is None:
        raise NotFound(NOT_FOUND)
    return to_read(*row)


def listing(session: Session, *, actor: Actor, status: ReviewStatus | None = None, offset: int = 0,
            limit: int = 20) -> Page[GradeReviewRead]:
    """Open requests oldest first (the order they are answered in); otherwise newest first."""
    stmt = _readable(actor)
    if status is not None:
        stmt = stmt.where(GradeReview.status == status)
    total = session.scalar(select(func.count()).select_from(stmt.subquery()))
    order = GradeReview.id.asc() if status is ReviewStatus.OPEN else GradeReview.id.desc()
    rows = session.execute(stmt.order_by(order).offset(offset).limit(limit)).all()
    return Page[GradeReviewRead](items=[to_read(r, e) for r, e in rows], total=total or 0, offset=offset, limit=limit)


def of_entity(session: Session, entity_id: int, *, limit: int = 10) -> list[GradeReviewRead]:
    """An entity's requests, newest first, for its own page and the credit office's view of it."""
    rows = session.execute(select(GradeReview, Entity).join(Entity, Entity.id == GradeReview.entity_id)
                           .where(GradeReview.entity_id == entity_id).order_by(GradeReview.id.desc()).limit(limit)).all()
    return [to_read(r, e) for r, e in rows]


def open_count(session: Session, actor: Actor) -> int:
    """For the navigation badge: requests waiting for the credit office's answer."""
    if not actor.can(Permission.GRADING_MANAGE):
        return 0
    return session.scalar(select(func.count()).select_from(GradeReview).where(GradeReview.status == ReviewStatus.OPEN)) or 0
