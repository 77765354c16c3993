"""Instant regrading (R-GRD-4, 000 §18: scores are dynamic between cycles): any change to an entity's
records — a new record accepted, a correction, a revocation, a fulfilment mark, a shortened publicity —
or a new entity regrades that entity in the same transaction, just before it commits.

ORM changes are noticed here; bulk writes note their entities with ``kit.db.touch``. Expiry, which no
one writes, is the daily ``grading.expiries`` job.
"""

from __future__ import annotations

from sqlalchemy import event
from sqlalchemy.orm import Session

from xinyong.entities.models import Entity
from xinyong.kit.db import TOUCHED, before_commit, touch
from xinyong.records.models import Record

from .models import ExternalScore


@event.listens_for(Session, "after_flush")
def _notice(session: Session, _ctx) -> None:
    ids = set()
    for obj in session.new:
        if isinstance(obj, Record | ExternalScore):
            ids.add(obj.entity_id)
        elif isinstance(obj, Entity):
            ids.add(obj.id)
    for obj in session.dirty:
        if isinstance(obj, Record | ExternalScore) and session.is_modified(obj, include_collections=False):
            ids.add(obj.entity_id)
    if ids:
        touch(session, ids)


@before_commit
def _regrade(session: Session) -> None:
    session.flush()
    ids = session.info.pop(TOUCHED, None)
    if not ids:
        return
    from .service import regrade

    regrade(session, sorted(i for i in ids if i is not None), trigger="信用记录或主体信息变化")
