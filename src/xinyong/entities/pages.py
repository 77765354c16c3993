"""Entity search and the entity page (basic information, related persons, the credit file and its grade)."""

from __future__ import annotations

from fastapi import Form, Request
from fastapi.responses import RedirectResponse

from xinyong.accounts.permissions import Permission, Role
from xinyong.kit.errors import Invalid, XinyongError
from xinyong.web.deps import DB, CurrentActor, PageNo, RowId, allowed, page_router, reads_only
from xinyong.web.templating import render

from . import service
from .identifiers import is_valid_id_number, mask_ids_in, normalize_code
from .industries import SECTIONS
from .models import KIND_LABELS, RELATED_ROLE_LABELS, EntityKind

router = page_router()
PAGE_SIZE = 20
Creator = allowed(Permission.ENTITY_CREATE)
Searcher = allowed(Permission.ENTITY_SEARCH)


def _results(request: Request, session, actor, q: str, page: int, *, by_post: bool):
    results, error = None, None
    if q.strip():
        try:
            results = service.search(session, actor=actor, q=q, offset=(page - 1) * PAGE_SIZE, limit=PAGE_SIZE,
                                     allow_id_number=by_post)
        except XinyongError as exc:
            error = exc
    # an ID number typed in the box is searched but never shown back in full (R-SEC-2)
    shown = mask_ids_in(q)
    ctx = {"q": "" if is_valid_id_number(normalize_code(q)) else q, "shown_q": shown, "results": results,
           "error": error, "page": page, "pages": 0 if results is None else max(1, -(-results.total // PAGE_SIZE))}
    if request.headers.get("hx-request") and request.headers.get("hx-target") == "results":
        return render(request, "entities/_results.html", ctx)
    return render(request, "entities/search.html", ctx, status=error.status if error else 200)


@router.get("/entities")
def search_page(request: Request, session: DB, actor: Searcher, q: str = "", page: PageNo = 1):
    return _results(request, session, actor, q, page, by_post=False)


@router.post("/entities")
@reads_only
def search_by_post(request: Request, session: DB, actor: Searcher, q: str = Form("")):
    """The search box posts, so what is typed (possibly an ID number) stays out of URLs and logs."""
    return _results(request, session, actor, q, 1, by_post=True)


def _form_ctx(form: dict, error: XinyongError | None = None) -> dict:
    kinds = [(k.value, label) for k, label in KIND_LABELS.items()]
    return {"form": form, "error": error, "kinds": kinds, "sections": SECTIONS, "roles": RELATED_ROLE_LABELS}


@router.get("/entities/new")
def new_form(request: Request, actor: Creator):
    return render(request, "entities/new.html", _form_ctx({}))


@router.post("/entities/new")
def create(request: Request, session: DB, actor: Creator, kind: str = Form(""), name: str = Form(""),
           uscc: str = Form(""), id_number: str = Form(""), legal_representative: str = Form(""),
           industry: str = Form(""), address: str = Form(""), rp_role: str = Form(""), rp_name: str = Form(""),
           rp_id_number: str = Form("")):
    form = {"kind": kind, "name": name, "uscc": uscc, "legal_representative": legal_representative,
            "industry": industry, "address": address, "rp_name": rp_name}
    payload = {k: v for k, v in form.items() if v and k != "rp_name"}
    if kind == EntityKind.NATURAL_PERSON:
        payload.pop("uscc", None)
        payload["id_number"] = id_number
    if rp_name:
        payload["related_persons"] = [{"role": rp_role or "legal_representative", "name": rp_name,
                                       "id_number": rp_id_number or None}]
    try:
        entity = service.create_entity(session, actor=actor, entity_in=service.parse_entity_payload(payload))
    except XinyongError as exc:
        session.rollback()
        form["uscc"] = "" if is_valid_id_number(normalize_code(uscc)) else uscc  # never echo an ID number
        return render(request, "entities/new.html", _form_ctx(form, exc), status=exc.status)
    return RedirectResponse(f"/entities/{entity.id}", status_code=303)


@router.get("/entities/{entity_id}")
def entity_page(request: Request, session: DB, actor: CurrentActor, entity_id: RowId, duty: str = "",
                consent: str = "", matter: str = ""):
    """The file as this reader may see it (access.scope). A department sees the public part and its own
    records; choosing a duty (应查必查) or a consent the entity gave it shows the rest — a GET, since it
    is a read, and each one is on the query log (R-PUB-2, R-PUB-3). The file is read before the entity:
    an entity user's try at another's page is refused by it, and so logged."""
    from xinyong.access import service as access
    from xinyong.access.duties import DUTY_LABELS

    if consent.strip() and not consent.strip().isdigit():
        raise Invalid("授权编号应为数字", field="consent")
    view = access.read_file(session, actor=actor, entity_id=entity_id, duty=duty or None,
                            consent_id=int(consent) if consent.strip() else None, matter=matter.strip() or None,
                            via=request.url.path)
    from xinyong.grading import pages as grading

    entity = service.get_entity(session, actor=actor, entity_id=entity_id)
    department = actor.role in (Role.OFFICER, Role.REVIEWER) and actor.department_id is not None
    return render(request, "entities/entity.html", {
        "e": service.to_read(entity, actor), "records": view.records, "file": view, "department_view": department,
        "duties": DUTY_LABELS, "asked": {"duty": duty, "consent": consent, "matter": matter},
        "consents": access.usable_consents(session, actor=actor, entity_id=entity.id) if department else [],
        # score, grade, reasons and history, for the readers who see grades (R-GRD-5, R-GRD-6)
        "grading": grading.entity_card(session, actor, entity.id, view.records, department_view=department)})


@router.post("/entities/{entity_id}/reveal-id")
def reveal_id(request: Request, session: DB, actor: CurrentActor, entity_id: RowId):
    entity = service.get_entity(session, actor=actor, entity_id=entity_id)
    number = service.reveal_id_number(session, actor=actor, entity=entity)
    return render(request, "entities/entity.html", {"e": service.to_read(entity, actor), "revealed": number})
