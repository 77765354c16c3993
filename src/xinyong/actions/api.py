"""联合奖惩 over REST (R-MEA-4, R-MEA-6): initiate, the actions an actor may read, answer or correct a task, urge a late
department, acknowledge a lift."""

from __future__ import annotations

from xinyong.accounts.permissions import Permission
from xinyong.kit.schemas import Page
from xinyong.web.deps import DB, Limit, Offset, RowId, allowed, api_router

from . import service
from .schemas import ActionCreate, ActionRead, LiftAck, TaskAnswer, UrgeCreate

router = api_router(tags=["actions 联合奖惩"])
# staff only until action permissions exist (see the report): the service checks role and department
Staff = allowed(Permission.ACTION_RESPOND)


@router.post("/actions", status_code=201)
def initiate(body: ActionCreate, session: DB, actor: Staff) -> ActionRead:
    """发起联合奖惩: pushed as one task per implementing department, due in 5 working days (R-MEA-4)."""
    return service.to_read(session, service.initiate(session, actor=actor, action_in=body))


@router.get("/actions")
def list_actions(session: DB, actor: Staff, offset: Offset = 0, limit: Limit = 30) -> Page[ActionRead]:
    """The credit office: every action; a department: those it initiated or implements. Overdue and lifts as of today."""
    items, total = service.list_actions(session, actor=actor, offset=offset, limit=limit)
    return Page(items=items, total=total, offset=offset, limit=limit)


@router.get("/actions/{action_id}")
def get_action(action_id: RowId, session: DB, actor: Staff) -> ActionRead:
    return service.to_read(session, service.get(session, actor=actor, action_id=action_id))


@router.post("/actions/{action_id}/tasks/{task_id}/answer")
def answer(action_id: RowId, task_id: RowId, body: TaskAnswer, session: DB, actor: Staff) -> ActionRead:
    """执行反馈: executed, or not applicable with a reason — by the implementing department only."""
    action = service.get(session, actor=actor, action_id=action_id)
    service.answer(session, actor=actor, action=action, task_id=task_id, status=body.status, note=body.note)
    return service.to_read(session, action)


@router.post("/actions/{action_id}/tasks/{task_id}/correct")
def correct(action_id: RowId, task_id: RowId, body: TaskAnswer, session: DB, actor: Staff) -> ActionRead:
    """更正反馈: the implementing department replaces its answer while the basis stands; the old one is kept."""
    action = service.get(session, actor=actor, action_id=action_id)
    service.correct(session, actor=actor, action=action, task_id=task_id, status=body.status, note=body.note)
    return service.to_read(session, action)


@router.post("/actions/{action_id}/tasks/{task_id}/urge")
def urge(action_id: RowId, task_id: RowId, body: UrgeCreate, session: DB, actor: Staff) -> ActionRead:
    """催办 an overdue department (or one that has not acknowledged a lift) — the initiator or the credit office."""
    action = service.get(session, actor=actor, action_id=action_id)
    service.urge(session, actor=actor, action=action, task_id=task_id, note=body.note)
    return service.to_read(session, action)


@router.post("/actions/{action_id}/tasks/{task_id}/lift")
def lift(action_id: RowId, task_id: RowId, body: LiftAck, session: DB, actor: Staff) -> ActionRead:
    """确认解除 once the basis has ended (R-MEA-6; 003 §18)."""
    action = service.get(session, actor=actor, action_id=action_id)
    service.acknowledge_lift(session, actor=actor, action=action, task_id=task_id, note=body.note)
    return service.to_read(session, action)
