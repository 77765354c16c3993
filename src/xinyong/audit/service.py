"""Reading the trail (auditors and the credit office)."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from xinyong.accounts.permissions import Actor, Permission
from xinyong.kit.errors import Forbidden
from xinyong.kit.schemas import Page

from .models import AuditEvent
from .schemas import AuditEventRead


def list_events(session: Session, *, actor: Actor, action: str | None = None, subject_type: str | None = None,
                subject_id: str | None = None, actor_name: str | None = None, offset: int = 0,
                limit: int = 50) -> Page[AuditEventRead]:
    if not actor.can(Permission.AUDIT_READ):
        raise Forbidden("无权查看审计日志")
    stmt = select(AuditEvent)
    if action:
        stmt = stmt.where(AuditEvent.action.startswith(action, autoescape=True))
    if subject_type:
        stmt = stmt.where(AuditEvent.subject_type == subject_type)
    if subject_id:
        stmt = stmt.where(AuditEvent.subject_id == subject_id)
    if actor_name:
        stmt = stmt.where(AuditEvent.actor.contains(actor_name, autoescape=True))
    limit, offset = max(1, min(limit, 200)), max(0, offset)
    total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    rows = session.scalars(stmt.order_by(AuditEvent.seq.desc()).offset(offset).limit(limit))
    return Page[AuditEventRead](items=[AuditEventRead.model_validate(e) for e in rows], total=total,
                                offset=offset, limit=limit)


def count_events(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(AuditEvent)) or 0
