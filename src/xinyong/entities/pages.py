"""Entity search and the entity page (basic information and related persons so far)."""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import RedirectResponse

from xinyong.accounts.permissions import Permission
from xinyong.kit.errors import XinyongError
from xinyong.web.deps import DB, CurrentActor, allowed, page_router
from xinyong.web.templating import render

from . import service
from .industries import SECTIONS
from .models import KIND_LABELS, RELATED_ROLE_LABELS, EntityKind

router = page_router()
PAGE_SIZE = 20
Creator = allowed(Permission.ENTITY_CREATE)
Searcher = allowed(Permission.ENTITY_SEARCH)


@router.get("/entities")
def search_page(request: Request, session: DB, actor: Searcher, q: str = "", page: int = 1):
    page = max(1, page)
    results = service.search(session, actor=actor, q=q, offset=(page - 1) * PAGE_SIZE, limit=PAGE_SIZE) if q.strip() else None
    ctx = {"q": q, "results": results, "page": page, "pages": _pages(results)}
    if request.headers.get("hx-request") and request.headers.get("hx-target") == "results":
        return render(request, "entities/_results.html", ctx)
    return render(request, "entities/search.html", ctx)


def _pages(results) -> int:
    return 0 if results is None else max(1, -(-results.total // PAGE_SIZE))


@router.get("/entities/new")
def new_form(request: Request, actor: Creator):
    return render(request, "entities/new.html", _form_ctx({}))


def _form_ctx(form: dict, error: XinyongError | None = None) -> dict:
    kinds = [(k.value, label) for k, label in KIND_LABELS.items()]
    return {"form": form, "error": error, "kinds": kinds, "sections": SECTIONS, "roles": RELATED_ROLE_LABELS}


@router.post("/entities/new")
async def create(request: Request, session: DB, actor: Creator):
    form = dict(await request.form())
    form.pop("csrf_token", None)
    payload = {k: v for k, v in form.items() if v and not k.startswith("rp_")}
    if form.get("rp_name"):
        payload["related_persons"] = [{"role": form.get("rp_role") or "legal_representative",
                                       "name": form["rp_name"], "id_number": form.get("rp_id_number") or None}]
    if payload.get("kind") == EntityKind.NATURAL_PERSON:
        payload.pop("uscc", None)
    else:
        payload.pop("id_number", None)
    try:
        entity = service.create_entity(session, actor=actor, entity_in=service.parse_entity_payload(payload))
    except XinyongError as exc:
        session.rollback()
        return render(request, "entities/new.html", _form_ctx(form, exc), status=exc.status)
    return RedirectResponse(f"/entities/{entity.id}", status_code=303)


@router.get("/entities/{entity_id}")
def entity_page(request: Request, session: DB, actor: CurrentActor, entity_id: int):
    entity = service.get_entity(session, actor=actor, entity_id=entity_id)
    return render(request, "entities/entity.html", {"e": service.to_read(entity)})


@router.post("/entities/{entity_id}/reveal-id")
def reveal_id(request: Request, session: DB, actor: CurrentActor, entity_id: int):
    entity = service.get_entity(session, actor=actor, entity_id=entity_id)
    number = service.reveal_id_number(session, actor=actor, entity=entity)
    return render(request, "entities/entity.html", {"e": service.to_read(entity), "revealed": number})
