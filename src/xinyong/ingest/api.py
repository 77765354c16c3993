"""The match queue and import runs for a department's own system (R-ENT-6): the same rules as the pages."""

from __future__ import annotations

from typing import Any

from fastapi import Body

from xinyong.accounts.permissions import Permission
from xinyong.kit.schemas import Page, parse_payload
from xinyong.records import service as records
from xinyong.records.schemas import RecordRead
from xinyong.web.deps import DB, Limit, Offset, RowId, allowed, api_router

from . import queue, runs
from .models import HeldStatus
from .schemas import Candidate, DismissIn, HeldRowRead, ImportRunRead, MatchIn

router = api_router(tags=["import 文件导入与人工匹配"])
Submitter = allowed(Permission.RECORD_SUBMIT)
Viewer = allowed(Permission.RECORD_SUBMIT, Permission.RECORD_REVIEW)


class HeldRowDetail(HeldRowRead):
    candidates: list[Candidate]


@router.get("/records/held")
def list_held(session: DB, actor: Viewer, status: HeldStatus | None = HeldStatus.WAITING, offset: Offset = 0,
              limit: Limit = 20) -> Page[HeldRowRead]:
    """Rows without a code that no single entity's name answers, waiting for a person: the department's
    own, or every department's for the credit office."""
    return queue.listing(session, actor=actor, status=status, offset=offset, limit=limit)


@router.get("/records/held/{held_id}")
def get_held(held_id: RowId, session: DB, actor: Viewer) -> HeldRowDetail:
    held = queue.get(session, actor=actor, held_id=held_id)
    return HeldRowDetail(**queue.to_read(held).model_dump(), candidates=queue.candidates(session, held, actor=actor))


@router.post("/records/held/{held_id}/match", status_code=201)
def match_held(held_id: RowId, session: DB, actor: Submitter, payload: dict[str, Any] = Body(...)) -> RecordRead:
    """Create the row's record in the chosen entity's file (any entity, not only a candidate)."""
    body = parse_payload(MatchIn, payload)
    return records.to_read(queue.match(session, actor=actor, held_id=held_id, entity_id=body.entity_id))


@router.post("/records/held/{held_id}/dismiss")
def dismiss_held(held_id: RowId, session: DB, actor: Submitter, payload: dict[str, Any] = Body(...)) -> HeldRowRead:
    body = parse_payload(DismissIn, payload)
    return queue.to_read(queue.dismiss(session, actor=actor, held_id=held_id, reason=body.reason))


@router.get("/records/import/runs")
def list_runs(session: DB, actor: Viewer, offset: Offset = 0, limit: Limit = 20) -> Page[ImportRunRead]:
    return runs.listing(session, actor=actor, offset=offset, limit=limit)


@router.get("/records/import/runs/{run_id}")
def get_run(run_id: RowId, session: DB, actor: Viewer) -> ImportRunRead:
    return runs.to_read(runs.get(session, actor=actor, run_id=run_id))
