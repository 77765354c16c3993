"""联合奖惩 in the browser: my department's tasks and lifts, actions initiated (all for the credit office),
initiating one from an entity's lists, and an action's feedback — answering, correcting, urging and lifting
(R-MEA-4, R-MEA-6)."""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import RedirectResponse

from xinyong.accounts.permissions import Permission
from xinyong.kit.errors import Invalid, XinyongError
from xinyong.lists.models import LIST_TITLES
from xinyong.web.deps import DB, PostedForm, RowId, allowed, page_router
from xinyong.web.templating import render

from . import service
from .schemas import ActionCreate

router = page_router()
Staff = allowed(Permission.ACTION_RESPOND)  # the service checks more (initiating, one's own tasks)


@router.get("/actions")
def index(request: Request, session: DB, actor: Staff):
    ov = service.overview(session, actor=actor)
    return render(request, "actions/index.html", {"ov": ov, "is_office": actor.role.value == "admin"})


def _new(request, session, actor, code: str, form: dict, error, status: int = 200):
    opts = None
    if code:
        try:
            opts = service.options(session, actor=actor, entity_code=code)
        except XinyongError as exc:
            error, status = error or exc, exc.status if error is None else status
    return render(request, "actions/new.html", {"code": code, "opts": opts, "form": form, "error": error,
                                                "titles": LIST_TITLES}, status=status)


@router.get("/actions/new")
def new_page(request: Request, session: DB, actor: Staff, entity: str = ""):
    return _new(request, session, actor, entity.strip(), {}, None)


@router.post("/actions/new")
def new_submit(request: Request, session: DB, actor: Staff, form: PostedForm):
    code = str(form.get("entity_code", "")).strip()
    data = {"entry_id": str(form.get("entry_id", "")), "measure_codes": form.getlist("measure_codes"),
            "department_ids": form.getlist("department_ids"), "reason": str(form.get("reason", ""))}
    try:
        if not data["entry_id"].isdigit():
            raise Invalid("请选择依据的名单记录", field="entry_id")
        if not data["measure_codes"]:
            raise Invalid("请至少选择一项措施", field="measure_codes")
        action = service.initiate(session, actor=actor, action_in=ActionCreate(
            entity_code=code, entry_id=int(data["entry_id"]), measure_codes=data["measure_codes"],
            department_ids=[int(d) for d in data["department_ids"] if str(d).isdigit()], reason=data["reason"]))
    except XinyongError as exc:
        session.rollback()
        return _new(request, session, actor, code, data, exc, exc.status)
    return RedirectResponse(f"/actions/{action.id}", status_code=303)


def _detail(request, session, actor, action_id: int, error=None, status: int = 200):
    action = service.get(session, actor=actor, action_id=action_id)
    return render(request, "actions/action.html", {"a": service.to_read(session, action), "error": error,
                                                   "my_dept": actor.department_id,
                                                   "can_urge": service.can_urge(actor, action)}, status=status)


@router.get("/actions/{action_id}")
def detail(request: Request, session: DB, actor: Staff, action_id: RowId):
    return _detail(request, session, actor, action_id)


def _task_step(request, session, actor, action_id: int, step):
    """A task's form posted: do it, then back to the action (303), or the page again with the error."""
    action = service.get(session, actor=actor, action_id=action_id)
    try:
        step(action)
    except XinyongError as exc:
        session.rollback()
        return _detail(request, session, actor, action_id, exc, exc.status)
    return RedirectResponse(f"/actions/{action_id}", status_code=303)


@router.post("/actions/{action_id}/tasks/{task_id}/answer")
def answer_submit(request: Request, session: DB, actor: Staff, action_id: RowId, task_id: RowId, form: PostedForm):
    return _task_step(request, session, actor, action_id, lambda action: service.answer(
        session, actor=actor, action=action, task_id=task_id, status=str(form.get("status", "")),
        note=str(form.get("note", ""))))


@router.post("/actions/{action_id}/tasks/{task_id}/correct")
def correct_submit(request: Request, session: DB, actor: Staff, action_id: RowId, task_id: RowId, form: PostedForm):
    return _task_step(request, session, actor, action_id, lambda action: service.correct(
        session, actor=actor, action=action, task_id=task_id, status=str(form.get("status", "")),
        note=str(form.get("note", ""))))


@router.post("/actions/{action_id}/tasks/{task_id}/urge")
def urge_submit(request: Request, session: DB, actor: Staff, action_id: RowId, task_id: RowId, form: PostedForm):
    return _task_step(request, session, actor, action_id, lambda action: service.urge(
        session, actor=actor, action=action, task_id=task_id, note=str(form.get("note", ""))))


@router.post("/actions/{action_id}/tasks/{task_id}/lift")
def lift_submit(request: Request, session: DB, actor: Staff, action_id: RowId, task_id: RowId, form: PostedForm):
    return _task_step(request, session, actor, action_id, lambda action: service.acknowledge_lift(
        session, actor=actor, action=action, task_id=task_id, note=str(form.get("note", ""))))
