"""信用查询 pages: the search box, results, an entity's public page and the ID-number lookup.
Zh-CN and phone-first; no login, the visitor is the PUBLIC actor. Every route that queries is
rate-limited per client (``throttle``): past its budget, a friendly page with status 429."""

from __future__ import annotations

from fastapi import Form, Request
from fastapi.responses import RedirectResponse

from xinyong.entities.identifiers import is_valid_uscc, mask_ids_in, normalize_code
from xinyong.kit.errors import XinyongError
from xinyong.web.deps import DB, CurrentActor, PageNo, page_router, reads_only
from xinyong.web.templating import render

from . import service, throttle

router = page_router()


@router.get("/public")
def home(request: Request, actor: CurrentActor):
    return render(request, "public/index.html", {"q": ""})


def _results(request: Request, session, q: str, page: int):
    results, error = None, None
    try:  # an empty box asks nothing: the page says what to type, as the API answers an empty page
        results = service.search(session, q=q, offset=(page - 1) * service.PAGE_SIZE) if q else None
    except XinyongError as exc:
        error = exc
    # never echo an ID number (R-SEC-2), nor one mistyped in its check digit: its first 17 are the number
    shown = "" if service.is_id_number(q) else mask_ids_in(q)
    pages = 0 if results is None else max(1, -(-results.total // service.PAGE_SIZE))
    return render(request, "public/results.html", {"q": shown, "results": results, "error": error, "page": page,
                                                   "pages": pages}, status=error.status if error else 200)


@router.get("/public/search")
def search_page(request: Request, session: DB, actor: CurrentActor, q: str = "", page: PageNo = 1):
    if (refused := throttle.refusal(request, actor, throttle.SEARCH)) is not None:
        return refused
    return _results(request, session, q.strip(), page)


@router.post("/public/search")
@reads_only
def search_by_post(request: Request, session: DB, actor: CurrentActor, q: str = Form("")):
    """The box posts, so that an ID number typed into it stays out of the URL: it is looked up
    exactly. A USCC that is on file opens its page."""
    q = q.strip()[:200]
    person = service.is_id_number(q)
    if (refused := throttle.refusal(request, actor, throttle.LOOKUP if person else throttle.SEARCH)) is not None:
        return refused
    if person:
        return _person(request, session, q)
    code = normalize_code(q)
    if is_valid_uscc(code):
        found = service.search(session, q=code, limit=1)
        if found.items and found.items[0].code == code:
            return RedirectResponse(f"/public/entities/{code}", status_code=303)
    return _results(request, session, q, 1)


def _person(request: Request, session, id_number: str):
    try:
        view = service.lookup_person(session, id_number=id_number)
    except XinyongError as exc:
        return render(request, "public/lookup.html", {"error": exc}, status=exc.status)
    return render(request, "public/entity.html", {"e": view})


@router.get("/public/lookup")
def lookup_form(request: Request, actor: CurrentActor):
    return render(request, "public/lookup.html", {})


@router.post("/public/lookup")
@reads_only
def lookup(request: Request, session: DB, actor: CurrentActor, id_number: str = Form("")):
    if (refused := throttle.refusal(request, actor, throttle.LOOKUP)) is not None:
        return refused
    return _person(request, session, id_number[:40])


@router.get("/public/entities/{code}")
def entity_page(request: Request, session: DB, actor: CurrentActor, code: str):
    if (refused := throttle.refusal(request, actor, throttle.SEARCH)) is not None:
        return refused
    return render(request, "public/entity.html", {"e": service.public_view(session, code)})
