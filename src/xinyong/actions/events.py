"""Named audit events for joint actions (R-MEA-4, R-MEA-6)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from xinyong.audit.trail import describe, record_event

describe("action.initiated", "发起联合奖惩", subject=("joint_action", "联合奖惩"))
describe("action.task_answered", "反馈联合奖惩执行情况")
describe("action.lift_acknowledged", "确认解除联合奖惩措施")
describe("action.task_corrected", "更正联合奖惩执行反馈")
describe("action.task_urged", "催办联合奖惩实施部门")


def initiated(session: Session, action, tasks, actor) -> None:
    record_event(session, "action.initiated", subject_type="joint_action", subject_id=action.id, actor=actor,
                 detail={"entity_id": action.entity_id, "list_entry_id": action.list_entry_id, "kind": action.kind.value,
                         "measures": [m["code"] for m in action.measures],
                         "departments": sorted(t.department_id for t in tasks),
                         "due_by": action.due_by.isoformat() if action.due_by else None,
                         "related": len(action.related)})


def task_answered(session: Session, action, task, actor) -> None:
    record_event(session, "action.task_answered", subject_type="joint_action", subject_id=action.id, actor=actor,
                 detail={"task_id": task.id, "department_id": task.department_id, "status": task.status.value,
                         "note": task.note, "answered_on": task.answered_on.isoformat()})


def lift_acknowledged(session: Session, action, task, actor) -> None:
    record_event(session, "action.lift_acknowledged", subject_type="joint_action", subject_id=action.id, actor=actor,
                 detail={"task_id": task.id, "department_id": task.department_id, "note": task.lift_note,
                         "acknowledged_on": task.lift_acknowledged_on.isoformat()})


def task_corrected(session: Session, action, task, before, actor) -> None:
    record_event(session, "action.task_corrected", subject_type="joint_action", subject_id=action.id, actor=actor,
                 detail={"task_id": task.id, "department_id": task.department_id,
                         "before": {"status": before.status.value, "note": before.note,
                                    "answered_on": before.answered_on.isoformat() if before.answered_on else None},
                         "after": {"status": task.status.value, "note": task.note,
                                   "answered_on": task.answered_on.isoformat()}})


def task_urged(session: Session, action, task, urge, count: int, actor) -> None:
    record_event(session, "action.task_urged", subject_type="joint_action", subject_id=action.id, actor=actor,
                 detail={"task_id": task.id, "department_id": task.department_id, "reason": urge.reason.value,
                         "note": urge.note, "urged_on": urge.urged_on.isoformat(), "count": count})
