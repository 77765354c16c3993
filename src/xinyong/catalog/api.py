from __future__ import annotations

from typing import Annotated, Any

from fastapi import Body, Query

from xinyong.accounts.permissions import Permission
from xinyong.kit.schemas import parse_payload
from xinyong.web.deps import DB, allowed, api_router

from . import service
from .schemas import InfoTypeRead, InfoTypeUpdate, RegimeRead

router = api_router(tags=["catalog 信用信息目录"])
Version = Annotated[int | None, Query(ge=1, le=100_000)]
Reader = allowed(Permission.CATALOG_READ)
Manager = allowed(Permission.CATALOG_MANAGE)


@router.get("/catalog/types")
def list_types(session: DB, actor: Reader) -> list[InfoTypeRead]:
    return service.list_types(session)


@router.get("/catalog/types/{code}")
def get_type(code: str, session: DB, actor: Reader, version: Version = None) -> InfoTypeRead:
    return service.get_type(session, code, version)


@router.patch("/catalog/types/{code}")
def update_type(code: str, session: DB, actor: Manager, payload: dict[str, Any] = Body(...)) -> InfoTypeRead:
    """Creates a new version (R-CAT-5); records keep the version they were made under."""
    return service.update_type(session, actor=actor, code=code, changes=parse_payload(InfoTypeUpdate, payload))


@router.get("/catalog/regimes")
def list_regimes(session: DB, actor: Reader) -> list[RegimeRead]:
    return [RegimeRead.model_validate(r) for r in service.list_regimes(session)]
