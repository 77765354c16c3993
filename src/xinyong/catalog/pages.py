from __future__ import annotations

from fastapi import Request

from xinyong.accounts.permissions import Permission
from xinyong.catalog.api import Version
from xinyong.web.deps import DB, allowed, page_router
from xinyong.web.templating import render

from . import service
from .models import CATEGORY_LABELS, PUBLICITY_LABELS

router = page_router()
Reader = allowed(Permission.CATALOG_READ)


@router.get("/catalog")
def catalog_page(request: Request, session: DB, actor: Reader):
    types = service.list_types(session)
    grouped = {label: [t for t in types if t.category == cat] for cat, label in CATEGORY_LABELS.items()}
    regimes = {r.code: r for r in service.list_regimes(session)}
    return render(request, "catalog/index.html", {"grouped": grouped, "regimes": regimes})


@router.get("/catalog/{code}")
def type_page(request: Request, session: DB, actor: Reader, code: str, version: Version = None):
    t = service.get_type(session, code, version)
    regimes = {r.code: r for r in service.list_regimes(session)}
    return render(request, "catalog/type.html", {"t": t, "history": service.history(session, code),
                                                 "regime": regimes.get(t.regime_code),
                                                 "publicity_labels": PUBLICITY_LABELS})
