"""Joint reward and punishment use cases (联合奖惩, R-MEA-4) and lifting (R-MEA-6).

- initiate: a department (officer or reviewer) or the credit office names an entity by one of its list
  entries in force (red → incentives; black or key attention → punishments), chooses measures among
  those the catalog says apply to the entity's standing and lists, and the action is pushed as one task
  per implementing department (002 二(四)3: 发起 → 推送 → 执行 → 反馈);
- answer: each implementing department answers its task executed (执行) or not applicable (不适用, with
  a reason) within ``DEADLINE_WORKDAYS`` working days on the official calendar;
- lifting: once the basis entry is no longer in force, every department that executed is told to lift
  its measures and acknowledges (确认解除; 003 §18). Derived as of the day asked (see ``models``);
- urging (催办): the initiating department or the credit office presses a department that is overdue, or
  that has not acknowledged a lift; every urge is kept and shown to the department;
- correcting (更正反馈): a department may change its answer while the basis stands and it has not lifted;
  the answer it replaces is kept as history, the task carries the latest.

Department mapping: a measure's implementing departments are names in the catalog (or 'all', 各行政部门).
A name equal to a platform department's name (or 信用办 → the credit office) goes to that department;
'all' and names with no platform department go to the departments the initiator picks.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import exists, func, or_, select
from sqlalchemy.orm import Session, aliased

from xinyong.accounts.models import Department, User
from xinyong.accounts.permissions import Actor, Permission, Role
from xinyong.entities import service as entities
from xinyong.entities.models import RELATED_ROLE_LABELS, Entity, RelatedPerson
from xinyong.grading import service as grading
from xinyong.kit.clock import today
from xinyong.kit.errors import Conflict, DeadlineUnknown, Forbidden, Invalid, NotFound
from xinyong.kit.workdays import WorkCalendar
from xinyong.lists import service as lists
from xinyong.lists.models import LIST_TITLES, ListEntry, ListKind
from xinyong.measures import service as measures
from xinyong.measures.check import ANSWERING_ROLES
from xinyong.measures.matching import ALL_DEPARTMENTS, Kind
from xinyong.workcalendar import service as workcalendar

from . import events
from .models import (
    ACTION_KIND_LABELS,
    TASK_STATUS_LABELS,
    URGE_NOTE_MAX,
    URGE_REASON_LABELS,
    ActionKind,
    ActionTask,
    AnswerRevision,
    JointAction,
    TaskStatus,
    TaskUrge,
    UrgeReason,
)
from .schemas import ActionCreate, ActionRead, AnswerRevisionRead, TaskRead, UrgeRead

DEADLINE_WORKDAYS = 5  # 反馈期限：推送后 5 个工作日（可按本地制度调整）
CREDIT_OFFICE_NAME = "信用办"
STAFF = (Role.ADMIN, Role.OFFICER, Role.REVIEWER)
KIND_OF_LIST = {ListKind.RED: ActionKind.INCENTIVE, ListKind.BLACK: ActionKind.PUNISHMENT,
                ListKind.KEY_ATTENTION: ActionKind.PUNISHMENT}


# ---- rules without a database ---------------------------------------------------------------------

def basis_end(entry: ListEntry, day: dt.date) -> dt.date | None:
    """The day the basis ended, as known on ``day``; None while the entry is in force (or not yet begun)."""
    if lists.is_in_force(entry, day):
        return None
    ends = []
    if entry.ended_on is not None and entry.ended_on <= day:
        ends.append(entry.ended_on)
    if entry.planned_end is not None and entry.planned_end < day:
        ends.append(entry.planned_end + dt.timedelta(days=1))
    return min(ends) if ends else None


def assign(chosen: list[Any], by_name: dict[str, int], picked: list[int]) -> dict[int, list[str]]:
    """Department id → the codes of the measures it implements (see the module's note on mapping)."""
    per: dict[int, list[str]] = {}
    for m in chosen:
        named = {by_name[n] for n in m.departments if n in by_name}
        open_ = any(n == ALL_DEPARTMENTS or n not in by_name for n in m.departments) or not m.departments
        targets = named | (set(picked) if open_ else set())
        if not targets:
            raise Invalid(f"措施“{m.name}”由{'、'.join(m.department_labels) or '各行政部门'}实施，请选择实施部门",
                          field="department_ids")
        for d in targets:
            per.setdefault(d, []).append(m.code)
    idle = [d for d in picked if d not in per]
    if idle:
        raise Invalid("所选部门中有部门不实施任何所选措施，请取消选择或调整措施", field="department_ids")
    return per


def is_overdue(task: ActionTask, due_by: dt.date | None, ended: dt.date | None, day: dt.date) -> bool:
    """Not answered after the deadline, while the basis still stands (R-MEA-4: who has not answered)."""
    return task.status is TaskStatus.PENDING and ended is None and due_by is not None and day > due_by


def lift_due(task: ActionTask, ended: dt.date | None) -> bool:
    return task.status is TaskStatus.EXECUTED and ended is not None and task.lift_acknowledged_on is None


def urge_reason(task: ActionTask, due_by: dt.date | None, ended: dt.date | None, day: dt.date) -> UrgeReason:
    """Why a task may be urged on ``day`` (催办): late with its answer, or not acknowledging a lift; otherwise
    Invalid, saying why nobody should be pressed."""
    if is_overdue(task, due_by, ended, day):
        return UrgeReason.ANSWER
    if lift_due(task, ended):
        return UrgeReason.LIFT
    if task.lift_acknowledged_on is not None:
        raise Invalid(f"该部门已于 {task.lift_acknowledged_on} 确认解除，无需催办")
    if task.status is not TaskStatus.PENDING:
        raise Invalid(f"该部门已于 {task.answered_on} 反馈（{TASK_STATUS_LABELS[task.status]}），无需催办")
    if ended is not None:
        raise Invalid("联合奖惩的依据已终止，该部门无需再反馈，无需催办")
    if due_by is None:
        raise Invalid("反馈期限待定（节假日安排未载入），尚不能认定逾期，不能催办")
    raise Invalid(f"该部门的反馈期限为 {due_by}，尚未逾期，不能催办")


def is_urgeable(task: ActionTask, due_by: dt.date | None, ended: dt.date | None, day: dt.date) -> bool:
    return is_overdue(task, due_by, ended, day) or lift_due(task, ended)


def can_correct(task: ActionTask, ended: dt.date | None) -> bool:
    """更正反馈 is open once answered, while the basis stands (so nothing has been lifted)."""
    return task.status is not TaskStatus.PENDING and ended is None and task.lift_acknowledged_on is None


# ---- reading ---------------------------------------------------------------------------------------

def _require_staff(actor: Actor) -> None:
    if not actor.can(Permission.ACTION_RESPOND) or (actor.role is not Role.ADMIN and actor.department_id is None):
        raise Forbidden("只有部门和信用办可以查看和办理联合奖惩")


def readable(actor: Actor):
    """The actions an actor may read: the credit office all; a department those it initiated or implements."""
    _require_staff(actor)
    stmt = select(JointAction)
    if actor.role is Role.ADMIN:
        return stmt
    mine = exists().where(ActionTask.action_id == JointAction.id, ActionTask.department_id == actor.department_id)
    return stmt.where(or_(JointAction.initiator_department_id == actor.department_id, mine))


def get(session: Session, *, actor: Actor, action_id: int) -> JointAction:
    action = session.scalar(readable(actor).where(JointAction.id == action_id))
    if action is None:
        raise NotFound(f"没有编号为 {action_id} 的联合奖惩，或您无权查看")
    return action


def tasks_of(session: Session, action: JointAction) -> list[ActionTask]:
    return list(session.scalars(select(ActionTask).where(ActionTask.action_id == action.id).order_by(ActionTask.id)))


def _dept_names(session: Session) -> dict[int, str]:
    return dict(session.execute(select(Department.id, Department.name)).all())


def _urges_and_history(session: Session, action_ids: list[int], names: dict[int, str]
                       ) -> tuple[dict[int, list[UrgeRead]], dict[int, list[AnswerRevisionRead]]]:
    """Per task id, its urges and its corrected answers, each oldest first: one query each for all the actions,
    the users' names joined in (not a query per action: /actions shows up to 200)."""
    urger, answerer, replacer = aliased(User), aliased(User), aliased(User)
    urges = session.execute(
        select(TaskUrge, urger.display_name).join(ActionTask, ActionTask.id == TaskUrge.task_id)
        .outerjoin(urger, urger.id == TaskUrge.urged_by)
        .where(ActionTask.action_id.in_(action_ids)).order_by(TaskUrge.id)).all()
    revisions = session.execute(
        select(AnswerRevision, answerer.display_name, replacer.display_name)
        .join(ActionTask, ActionTask.id == AnswerRevision.task_id)
        .outerjoin(answerer, answerer.id == AnswerRevision.answered_by)
        .outerjoin(replacer, replacer.id == AnswerRevision.replaced_by)
        .where(ActionTask.action_id.in_(action_ids)).order_by(AnswerRevision.id)).all()
    by_task: dict[int, list[UrgeRead]] = {}
    for u, urged_by in urges:
        by_task.setdefault(u.task_id, []).append(UrgeRead(
            id=u.id, reason=u.reason.value, reason_label=URGE_REASON_LABELS[u.reason], note=u.note,
            urged_by=urged_by or "", urged_on=u.urged_on, urged_at=u.urged_at,
            urger_department=names.get(u.urger_department_id, "") if u.urger_department_id else CREDIT_OFFICE_NAME))
    history: dict[int, list[AnswerRevisionRead]] = {}
    for r, answered_by, replaced_by in revisions:
        history.setdefault(r.task_id, []).append(AnswerRevisionRead(
            status=r.status.value, status_label=TASK_STATUS_LABELS[r.status], note=r.note, answered_on=r.answered_on,
            answered_by=answered_by or "", replaced_on=r.replaced_on, replaced_by=replaced_by or ""))
    return by_task, history


def _by_id(session: Session, model: Any, ids: set[int]) -> dict[int, Any]:
    return {row.id: row for row in session.scalars(select(model).where(model.id.in_(ids)))}


def to_reads(session: Session, actions: list[JointAction], day: dt.date | None = None,
             names: dict[int, str] | None = None, calendar: WorkCalendar | None = None) -> list[ActionRead]:
    """The actions as read, in their order. Their basis entries, entities, tasks, urges and answer history are
    loaded for all of them at once, so a page of actions costs the same few queries however many it shows."""
    if not actions:
        return []
    day = day or today()
    names = names if names is not None else _dept_names(session)
    ids = [a.id for a in actions]
    entries = _by_id(session, ListEntry, {a.list_entry_id for a in actions})
    entities_ = _by_id(session, Entity, {a.entity_id for a in actions})
    tasks: dict[int, list[ActionTask]] = {}
    for t in session.scalars(select(ActionTask).where(ActionTask.action_id.in_(ids)).order_by(ActionTask.id)):
        tasks.setdefault(t.action_id, []).append(t)
    urges, history = _urges_and_history(session, ids, names)
    return [_read_one(session, a, entries[a.list_entry_id], entities_[a.entity_id], tasks.get(a.id, []), urges,
                      history, day, names, calendar) for a in actions]


def to_read(session: Session, action: JointAction, day: dt.date | None = None,
            names: dict[int, str] | None = None, calendar: WorkCalendar | None = None) -> ActionRead:
    return to_reads(session, [action], day, names, calendar)[0]


def _read_one(session: Session, action: JointAction, entry: ListEntry, entity: Entity, action_tasks: list[ActionTask],
              urges: dict[int, list[UrgeRead]], history: dict[int, list[AnswerRevisionRead]], day: dt.date,
              names: dict[int, str], calendar: WorkCalendar | None) -> ActionRead:
    ended = basis_end(entry, day)
    by_code = {m["code"]: m for m in action.measures}
    tasks = []
    for t in action_tasks:
        late = is_overdue(t, action.due_by, ended, day)
        late_days = None
        if late:
            try:
                late_days = (calendar or workcalendar.calendar(session)).workdays_between(action.due_by, day)
            except DeadlineUnknown:
                late_days = None
        tasks.append(TaskRead(
            id=t.id, department_id=t.department_id, department=names.get(t.department_id, ""),
            measures=[by_code[c] for c in t.measure_codes if c in by_code], status=t.status.value,
            status_label=TASK_STATUS_LABELS[t.status], note=t.note, answered_on=t.answered_on, overdue=late,
            overdue_workdays=late_days, lift_due=lift_due(t, ended), lift_acknowledged_on=t.lift_acknowledged_on,
            lift_note=t.lift_note, urgeable=is_urgeable(t, action.due_by, ended, day),
            urge_count=len(urges.get(t.id, [])), last_urged_at=urges[t.id][-1].urged_at if t.id in urges else None,
            urges=urges.get(t.id, []), correctable=can_correct(t, ended), history=history.get(t.id, [])))
    return ActionRead(
        id=action.id, entity_code=entity.code, entity_name=entity.name, kind=action.kind.value,
        kind_label=ACTION_KIND_LABELS[action.kind], list_kind=entry.kind.value, list_label=LIST_TITLES[entry.kind],
        list_entry_id=entry.id,
        initiator_department=names.get(action.initiator_department_id, "") if action.initiator_department_id else "信用办",
        reason=action.reason, initiated_on=action.initiated_on, due_by=action.due_by, measures=action.measures,
        related=action.related, basis_in_force=ended is None, basis_ended_on=ended, tasks=tasks,
        initiator_department_id=action.initiator_department_id,
        answered=sum(t.status != TaskStatus.PENDING for t in tasks),
        overdue=sum(t.overdue for t in tasks), lifts_outstanding=sum(t.lift_due for t in tasks))


@dataclass(frozen=True)
class Overview:
    """What /actions shows an actor: tasks to answer, lifts to acknowledge, actions initiated (or all)."""

    to_answer: list[tuple[ActionRead, TaskRead]]
    to_lift: list[tuple[ActionRead, TaskRead]]
    actions: list[ActionRead]


def overview(session: Session, *, actor: Actor, day: dt.date | None = None, limit: int = 200) -> Overview:
    day = day or today()
    names, cal = _dept_names(session), workcalendar.calendar(session)
    rows = list(session.scalars(readable(actor).order_by(JointAction.id.desc()).limit(limit)))
    reads = to_reads(session, rows, day, names, cal)
    dept = actor.department_id
    to_answer = [(a, t) for a in reads for t in a.tasks
                 if t.department_id == dept and t.status == TaskStatus.PENDING and a.basis_in_force]
    to_lift = [(a, t) for a in reads for t in a.tasks if t.department_id == dept and t.lift_due]
    shown = reads if actor.role is Role.ADMIN else [a for a in reads if a.initiator_department_id == dept]
    return Overview(to_answer, to_lift, shown)


def list_actions(session: Session, *, actor: Actor, day: dt.date | None = None, offset: int = 0,
                 limit: int = 30) -> tuple[list[ActionRead], int]:
    stmt = readable(actor)
    total = session.scalar(select(func.count()).select_from(stmt.subquery()))
    names, cal = _dept_names(session), workcalendar.calendar(session)
    rows = list(session.scalars(stmt.order_by(JointAction.id.desc()).offset(offset).limit(limit)))
    return to_reads(session, rows, day, names, cal), total


# ---- initiating ------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Options:
    """What an initiator may choose for an entity: its entries in force and the measures that apply."""

    entity: Entity
    entries: list[ListEntry]
    measures: dict[int, list[Any]]  # entry id → applicable measures of the entry's kind
    departments: list[Department]


def _require_initiator(actor: Actor) -> None:
    if not actor.can(Permission.ACTION_INITIATE) or (actor.role is not Role.ADMIN and actor.department_id is None):
        raise Forbidden("只有部门（经办人、审核人）或信用办可以发起联合奖惩")


def options(session: Session, *, actor: Actor, entity_code: str, day: dt.date | None = None) -> Options:
    _require_initiator(actor)
    day = day or today()
    entity = entities.get_by_code(session, actor=actor, code=entity_code)
    entries = list(session.scalars(select(ListEntry).where(ListEntry.entity_id == entity.id, lists.in_force(day))
                                   .order_by(ListEntry.started_on.desc(), ListEntry.id.desc())))
    st = grading.standing(session, entity.id)
    on = lists.lists_of(session, entity.id, day)
    found = measures.applicable(session, grade=st.grade if st else None, score=st.score if st else None, lists=on,
                                model=st.model.code if st else None)
    per_entry = {}
    for e in entries:
        want = Kind.INCENTIVE if KIND_OF_LIST[e.kind] is ActionKind.INCENTIVE else Kind.PUNISHMENT
        per_entry[e.id] = [m for m in found if m.kind is want]
    depts = list(session.scalars(select(Department).order_by(Department.is_credit_office.desc(), Department.id)))
    return Options(entity, entries, per_entry, depts)


def _by_name(departments: list[Department]) -> dict[str, int]:
    out = {d.name: d.id for d in departments}
    office = [d for d in departments if d.is_credit_office]
    if office and CREDIT_OFFICE_NAME not in out:
        out[CREDIT_OFFICE_NAME] = office[0].id
    return out


def _related(session: Session, entity: Entity) -> list[dict[str, Any]]:
    rows = session.scalars(select(RelatedPerson).where(RelatedPerson.entity_id == entity.id,
                                                       RelatedPerson.role.in_(ANSWERING_ROLES)).order_by(RelatedPerson.id))
    return [{"name": p.name, "role": p.role.value, "role_label": RELATED_ROLE_LABELS[p.role], "position": p.position,
             "id_number_masked": p.id_number_masked} for p in rows]


def initiate(session: Session, *, actor: Actor, action_in: ActionCreate, day: dt.date | None = None,
             calendar: WorkCalendar | None = None) -> JointAction:
    """发起联合奖惩 (R-MEA-4): one task per implementing department, due in DEADLINE_WORKDAYS working days."""
    _require_initiator(actor)
    day = day or today()
    reason = (action_in.reason or "").strip()
    if not reason:
        raise Invalid("请写明发起说明（依据的名单和拟采取的措施理由）", field="reason")
    opts = options(session, actor=actor, entity_code=action_in.entity_code, day=day)
    entry = _pick_entry(opts, action_in)
    applicable = {m.code: m for m in opts.measures[entry.id]}
    codes = list(dict.fromkeys(c.strip() for c in action_in.measure_codes if c.strip()))
    if not codes:
        raise Invalid("请至少选择一项措施", field="measure_codes")
    wrong = [c for c in codes if c not in applicable]
    if wrong:
        raise Invalid(f"以下措施不适用于该主体依据的名单：{'、'.join(wrong)}", field="measure_codes")
    chosen = [applicable[c] for c in codes]
    known = {d.id for d in opts.departments}
    picked = list(dict.fromkeys(action_in.department_ids))
    if any(d not in known for d in picked):
        raise Invalid("所选实施部门不存在", field="department_ids")
    per = assign(chosen, _by_name(opts.departments), picked)
    try:
        due = (calendar or workcalendar.calendar(session)).add_workdays(day, DEADLINE_WORKDAYS)
    except DeadlineUnknown:
        due = None  # as for records: nobody is called late on a guess while the year is not loaded
    kind = KIND_OF_LIST[entry.kind]
    related = _related(session, opts.entity) if entry.kind is ListKind.BLACK and any(m.extends_to_related for m in chosen) \
        else []
    action = JointAction(entity_id=opts.entity.id, list_entry_id=entry.id, kind=kind,
                         initiator_department_id=actor.department_id, initiated_by=actor.user_id, reason=reason,
                         measures=[m.as_dict() for m in chosen], related=related, initiated_on=day, due_by=due)
    session.add(action)
    session.flush()
    tasks = [ActionTask(action_id=action.id, department_id=d, measure_codes=per[d], status=TaskStatus.PENDING)
             for d in sorted(per)]
    session.add_all(tasks)
    session.flush()
    events.initiated(session, action, tasks, actor)
    return action


def _pick_entry(opts: Options, action_in: ActionCreate) -> ListEntry:
    if not opts.entries:
        raise Invalid("该主体目前不在任何名单上，不能发起联合奖惩（须依据红名单、黑名单或重点关注名单）", field="entity_code")
    if action_in.entry_id is not None:
        for e in opts.entries:
            if e.id == action_in.entry_id:
                return e
        raise Invalid("所选名单记录不是该主体现行有效的名单记录", field="entry_id")
    if action_in.list_kind is None:
        raise Invalid("请指明依据的名单或名单记录", field="list_kind")
    same = [e for e in opts.entries if e.kind == ListKind(action_in.list_kind)]
    if not same:
        raise Invalid(f"该主体目前不在{LIST_TITLES[ListKind(action_in.list_kind)]}上", field="list_kind")
    if len(same) > 1:
        raise Invalid("该主体在此名单上有多条现行记录，请指明依据的名单记录（entry_id）", field="entry_id")
    return same[0]


# ---- responding and lifting ------------------------------------------------------------------------

def _own_task(session: Session, actor: Actor, action: JointAction, task_id: int) -> ActionTask:
    task = session.get(ActionTask, task_id)
    if task is None or task.action_id != action.id:
        raise NotFound(f"联合奖惩 #{action.id} 没有编号为 {task_id} 的实施任务")
    if (actor.department_id is None or actor.department_id != task.department_id
            or not actor.can(Permission.ACTION_RESPOND)):
        raise Forbidden("只有该实施部门可以办理本部门的任务")
    return task


def _answer_status(status: str) -> TaskStatus:
    try:
        new = TaskStatus(status)
    except ValueError as exc:
        raise Invalid("请选择“已执行”或“不适用”", field="status") from exc
    if new is TaskStatus.PENDING:
        raise Invalid("请选择“已执行”或“不适用”", field="status")
    return new


def _answer_note(new: TaskStatus, note: str) -> str | None:
    note = (note or "").strip()
    if new is TaskStatus.NOT_APPLICABLE and not note:
        raise Invalid("选择“不适用”时必须写明理由", field="note")
    return note or None


def answer(session: Session, *, actor: Actor, action: JointAction, task_id: int, status: str, note: str,
           day: dt.date | None = None) -> ActionTask:
    """The implementing department's feedback (执行反馈): executed, or not applicable with a reason."""
    day = day or today()
    task = _own_task(session, actor, action, task_id)
    new = _answer_status(status)
    if task.status is not TaskStatus.PENDING:
        raise Conflict(f"本部门已于 {task.answered_on} 反馈（{TASK_STATUS_LABELS[task.status]}），不能重复反馈；"
                       "如需修改，请使用“更正反馈”")
    if basis_end(session.get(ListEntry, action.list_entry_id), day) is not None:
        raise Conflict("联合奖惩的依据已终止（已移出名单），无需再执行")
    note = _answer_note(new, note)
    task.status, task.note, task.answered_on, task.answered_by = new, note, day, actor.user_id
    session.flush()
    events.task_answered(session, action, task, actor)
    return task


def correct(session: Session, *, actor: Actor, action: JointAction, task_id: int, status: str, note: str,
            day: dt.date | None = None) -> ActionTask:
    """更正反馈: the department replaces its answer; the replaced one is kept (R-MEA-4). Closed once the basis
    has ended — the department is then asked to lift, and what it executed must stay as it answered."""
    day = day or today()
    task = _own_task(session, actor, action, task_id)
    new = _answer_status(status)
    if task.status is TaskStatus.PENDING:
        raise Conflict("本部门尚未反馈，请先提交反馈")
    if task.lift_acknowledged_on is not None:
        raise Conflict(f"本部门已于 {task.lift_acknowledged_on} 确认解除，不能再更正反馈")
    if basis_end(session.get(ListEntry, action.list_entry_id), day) is not None:
        raise Conflict("联合奖惩的依据已终止（已移出名单），不能再更正反馈")
    note = _answer_note(new, note)
    if new is task.status and note == task.note:
        raise Invalid("更正后的反馈与当前反馈相同（状态和说明均未改变），无需更正", field="note")
    before = AnswerRevision(task_id=task.id, status=task.status, note=task.note, answered_on=task.answered_on,
                            answered_by=task.answered_by, replaced_on=day, replaced_by=actor.user_id)
    session.add(before)
    task.status, task.note, task.answered_on, task.answered_by = new, note, day, actor.user_id
    session.flush()
    events.task_corrected(session, action, task, before, actor)
    return task


def acknowledge_lift(session: Session, *, actor: Actor, action: JointAction, task_id: int, note: str = "",
                     day: dt.date | None = None) -> ActionTask:
    """确认解除 (R-MEA-6; 003 §18): a department that executed confirms it lifted its measures."""
    day = day or today()
    task = _own_task(session, actor, action, task_id)
    if task.lift_acknowledged_on is not None:
        raise Conflict(f"本部门已于 {task.lift_acknowledged_on} 确认解除")
    if task.status is not TaskStatus.EXECUTED:
        raise Conflict("本部门未执行该联合奖惩措施，无需解除")
    if basis_end(session.get(ListEntry, action.list_entry_id), day) is None:
        raise Conflict("联合奖惩的依据仍然有效，尚不能解除")
    task.lift_acknowledged_on, task.lift_acknowledged_by = day, actor.user_id
    task.lift_note = (note or "").strip() or None
    session.flush()
    events.lift_acknowledged(session, action, task, actor)
    return task



# ---- urging ----------------------------------------------------------------------------------------

def can_urge(actor: Actor, action: JointAction) -> bool:
    """催办 is the initiator's (its department's officers and reviewers) and the credit office's (R-MEA-4)."""
    if actor.role is Role.ADMIN:
        return True
    return (actor.can(Permission.ACTION_INITIATE) and actor.department_id is not None
            and actor.department_id == action.initiator_department_id)


def urge(session: Session, *, actor: Actor, action: JointAction, task_id: int, note: str = "",
         day: dt.date | None = None) -> TaskUrge:
    """催办 a department that has not answered by the deadline, or has not acknowledged a lift."""
    day = day or today()
    if not can_urge(actor, action):
        raise Forbidden("只有发起部门或信用办可以催办")
    task = session.get(ActionTask, task_id)
    if task is None or task.action_id != action.id:
        raise NotFound(f"联合奖惩 #{action.id} 没有编号为 {task_id} 的实施任务")
    reason = urge_reason(task, action.due_by, basis_end(session.get(ListEntry, action.list_entry_id), day), day)
    note = (note or "").strip()
    if len(note) > URGE_NOTE_MAX:
        raise Invalid(f"催办说明不能超过 {URGE_NOTE_MAX} 字", field="note")
    row = TaskUrge(task_id=task.id, reason=reason, note=note or None, urged_by=actor.user_id,
                   urger_department_id=actor.department_id, urged_on=day)
    session.add(row)
    session.flush()
    count = session.scalar(select(func.count()).select_from(TaskUrge).where(TaskUrge.task_id == task.id))
    events.task_urged(session, action, task, row, count, actor)
    return row
