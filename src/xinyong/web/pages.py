"""Home per role."""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import RedirectResponse

from xinyong.accounts.permissions import Permission, Role
from xinyong.kit.errors import NotFound

from .deps import DB, CurrentActor, page_router
from .templating import render

router = page_router()


@router.get("/")
def home(request: Request, session: DB, actor: CurrentActor):
    from xinyong.accounts import service as accounts
    from xinyong.audit import service as audit
    from xinyong.entities import service as entities

    ctx: dict = {}
    if actor.role is Role.ADMIN:
        ctx = {"by_kind": entities.counts_by_kind(session), "departments": accounts.list_departments(session),
               "users": len(accounts.list_users(session)), "events": audit.count_events(session)}
    elif actor.role is Role.ENTITY and actor.entity_id:
        ctx = {"entity": entities.get_entity(session, actor=actor, entity_id=actor.entity_id)}
    elif actor.role is Role.AUDITOR:
        ctx = {"events": audit.list_events(session, actor=actor, limit=10)}
    page = "officer" if actor.role is Role.REVIEWER else actor.role.value  # one department home for both
    return render(request, f"home/{page}.html", ctx)


@router.get("/my")
def my_file(actor: CurrentActor):
    if not actor.can(Permission.OWN_FILE_READ) or not actor.entity_id:
        raise NotFound("当前账户不代表信用主体")
    return RedirectResponse(f"/entities/{actor.entity_id}", status_code=303)
