"""名单 in the browser: each list in force, an entry's basis and period, a department's determination,
ending an entry; and the public red and black lists."""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import RedirectResponse

from xinyong.accounts.permissions import Permission
from xinyong.kit.errors import Forbidden, Invalid, NotFound, XinyongError
from xinyong.kit.workdays import optional_date
from xinyong.web.deps import DB, CurrentActor, PageNo, PostedForm, RowId, allowed, page_router
from xinyong.web.templating import render

from . import service
from .models import BASIS_LABELS, END_LABELS, EXCHANGE_CODES, LIST_TITLES, Basis, EndReason, ListKind

router = page_router()
PAGE_SIZE = 30
Reader = allowed(Permission.ENTITY_READ)
Determiner = allowed(Permission.LIST_DETERMINE)
STAFF_ROLES = {"admin", "officer", "reviewer"}


def _kind(value: str) -> ListKind:
    try:
        return ListKind(value)
    except ValueError as exc:
        raise NotFound("没有这个名单（可选：红名单、重点关注名单、黑名单）") from exc


def _listing(request: Request, session, actor, kind: str, page: int, template: str, public: bool):
    k = _kind(kind)
    result = service.listing(session, kind=k, offset=(page - 1) * PAGE_SIZE, limit=PAGE_SIZE, public_only=public)
    rows = service.to_reads(session, result.items)
    kinds = service.PUBLIC_LISTS if public else service.ORDER
    return render(request, template, {
        "kind": k, "kinds": kinds, "titles": LIST_TITLES, "rows": rows, "total": result.total, "page": page,
        "pages": max(1, -(-result.total // PAGE_SIZE)), "codes": EXCHANGE_CODES,
        "can_determine": actor.can(Permission.LIST_DETERMINE)})


@router.get("/lists")
def lists_home(request: Request, session: DB, actor: Reader):
    if actor.role.value not in STAFF_ROLES:
        return RedirectResponse("/public/lists/black", status_code=303)
    return RedirectResponse("/lists/black", status_code=303)


@router.get("/lists/new")
def new_page(request: Request, actor: Determiner, entity: str = ""):
    return render(request, "lists/new.html", {"form": {"entity_code": entity, "list": "black"}, "titles": LIST_TITLES,
                                              "error": None})


@router.post("/lists/new")
def new_submit(request: Request, session: DB, actor: Determiner, form: PostedForm):
    data = {k: str(form.get(k, "")).strip() for k in ("entity_code", "list", "basis_text", "document_number", "decided_on",
                                                      "planned_end")}
    try:
        decided = optional_date(data["decided_on"], field="decided_on")
        if decided is None:
            raise Invalid("请填写认定日期", field="decided_on")
        entry = service.determine(session, actor=actor, entity_code=data["entity_code"], kind=_kind(data["list"]),
                                  basis_text=data["basis_text"], document_number=data["document_number"], decided_on=decided,
                                  planned_end=optional_date(data["planned_end"], field="planned_end"))
    except XinyongError as exc:
        session.rollback()
        return render(request, "lists/new.html", {"form": data, "titles": LIST_TITLES, "error": exc}, status=exc.status)
    return RedirectResponse(f"/lists/entries/{entry.id}", status_code=303)


@router.get("/lists/entries/{entry_id}")
def entry_page(request: Request, session: DB, actor: Reader, entry_id: RowId):
    if actor.role.value not in STAFF_ROLES:
        raise Forbidden("名单记录详情仅供部门和信用办查看")
    entry = service.get(session, entry_id)
    return _entry(request, session, actor, entry, None)


def _entry(request, session, actor, entry, error, status: int = 200):
    own = entry.department_id is not None and entry.department_id == actor.department_id
    can_end = entry.ended_on is None and entry.basis is Basis.DETERMINATION and (
        actor.role.value == "admin" or (own and actor.can(Permission.LIST_DETERMINE)))
    return render(request, "lists/entry.html", {
        "e": service.to_read(session, entry), "basis_labels": BASIS_LABELS, "end_labels": END_LABELS, "can_end": can_end,
        "reasons": [r for r in EndReason if r is not EndReason.REGRADED], "error": error}, status=status)


@router.post("/lists/entries/{entry_id}/end")
def end_submit(request: Request, session: DB, actor: Determiner, entry_id: RowId, form: PostedForm):
    entry = service.get(session, entry_id)
    try:
        reason = EndReason(str(form.get("reason", "")))
        service.end(session, actor=actor, entry=entry, reason=reason, note=str(form.get("note", "")))
    except ValueError:
        return _entry(request, session, actor, entry, Invalid("请选择移出原因", field="reason"), 400)
    except XinyongError as exc:
        session.rollback()
        return _entry(request, session, actor, service.get(session, entry_id), exc, exc.status)
    return RedirectResponse(f"/lists/entries/{entry_id}", status_code=303)


@router.get("/lists/{kind}")
def list_page(request: Request, session: DB, actor: Reader, kind: str, page: PageNo = 1):
    if actor.role.value not in STAFF_ROLES:
        return RedirectResponse(f"/public/lists/{kind}", status_code=303)
    return _listing(request, session, actor, kind, page, "lists/index.html", public=False)


@router.get("/public/lists/{kind}")
def public_page(request: Request, session: DB, actor: CurrentActor, kind: str, page: PageNo = 1):
    return _listing(request, session, actor, kind, page, "lists/public.html", public=True)
