"""The error half of the API contract, declared in one place (R-SEC-1, SPEC §18; issue 17).

FastAPI describes what a route answers when it succeeds, and 422 for a malformed request; the errors the
platform answers (``web.errors``: ``{"error", "message", "field"}`` with the status of the ``XinyongError``) it
cannot see. They follow from how every route is built, so they are derived here from the routes themselves
rather than written on each of them, and a new route is described as soon as it exists:

- 401 on every route: each resolves the actor (``deps.enforce_csrf``), and a bad, expired or revoked token
  is refused wherever it is sent; outside the public query, so is a caller without a login.
- 403 where the route requires a permission that some logged-in role lacks (``deps.require``), and on every
  write (a browser session's write without its CSRF token).
- 404 where the route names something: a path parameter, or a body (an entity's code, a record's id …).
- 400 where the route takes content a clerk must fix: a body, or a parameter other than the page's
  ``offset``/``limit``; 422 (FastAPI's own rule) where it takes any parameter or body, in the same shape.
- 409 on every write (not on a POST marked ``reads_only``, a search): a duplicate, a race lost to another
  clerk (``IntegrityError``), a calendar year not loaded yet.
- 429 on the public query (``deps.is_public_query``), counted against the public budgets, with Retry-After.

A route that answers another status says so with FastAPI's ``responses=`` (``CONFLICT``: a job or a grading
run already running; ``FORBIDDEN``: a credit file, which the scope decision refuses to a role that reads
none); it gets the same error schema.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from fastapi import FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute

from xinyong.accounts.permissions import ROLE_PERMISSIONS, Permission, Role

ERROR = "Error"
ERROR_SCHEMA = {
    "title": ERROR,
    "type": "object",
    "description": "平台的错误答复：error 为机器可读的代码，message 为给办事人员看的中文说明，field 指出出错的字段。",
    "required": ["error", "message"],
    "properties": {
        "error": {"type": "string", "description": "错误代码，如 invalid、not_authenticated、forbidden、not_found、conflict"},
        "message": {"type": "string", "description": "中文说明"},
        "field": {"type": "string", "description": "出错的字段（如有）"},
        "retry_after": {"type": "integer", "description": "429：多少秒后可以再试"},
    },
}
DESCRIPTIONS = {
    400: "内容有误，须修改后重试：message 说明原因，field 指出字段",
    401: "未登录，或接口令牌无效、已过期、已吊销",
    403: "当前角色无权进行此操作，或表单已失效（CSRF 校验失败）",
    404: "所指的对象不存在，或不在您可以查看的范围内",
    405: "此地址不支持该请求方法：Allow 列出支持的方法",
    409: "与已有数据冲突（如重复登记、刚被他人修改、任务正在运行），或所需年份的工作日历尚未载入",
    422: "请求格式错误：参数或请求体不符合接口定义，field 指出字段",
    423: "账户已锁定，请稍后再试",
    429: "查询过于频繁：按 Retry-After 给出的秒数后再试",
}
HEADERS = {
    401: {"WWW-Authenticate": {"description": "Bearer", "required": True, "schema": {"type": "string"}}},
    429: {"Retry-After": {"description": "多少秒后可以再试", "required": True, "schema": {"type": "integer"}}},
}
# for ``responses=`` on a route whose own code answers a status the rules above do not give it
CONFLICT: dict[int | str, dict[str, Any]] = {409: {"description": DESCRIPTIONS[409]}}
FORBIDDEN: dict[int | str, dict[str, Any]] = {403: {"description": DESCRIPTIONS[403]}}
PAGING = {"offset", "limit"}
STAFF_ROLES = [role for role in Role if role is not Role.PUBLIC]


def install(app: FastAPI) -> None:
    """``app.openapi()`` — the description served at /openapi.json — with every error status declared."""
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            declare_errors(app, generate())
        return app.openapi_schema

    app.openapi = openapi


def declare_errors(app: FastAPI, schema: dict[str, Any]) -> None:
    schema.setdefault("components", {}).setdefault("schemas", {})[ERROR] = ERROR_SCHEMA
    for route in flat_routes(app):
        if not isinstance(getattr(route, "original_route", route), APIRoute) or not route.include_in_schema:
            continue
        for method in route.methods:
            operation = schema["paths"][route.path_format][method.lower()]
            responses = operation.setdefault("responses", {})
            for status in sorted(error_statuses(route, method, operation) | _declared_errors(responses)):
                _describe(responses.setdefault(str(status), {}), status)
    _drop_unused(schema, ("HTTPValidationError", "ValidationError"))  # FastAPI's 422 body, which is not ours


def flat_routes(app: FastAPI) -> list[Any]:
    """Every route of the app, as served: FastAPI 0.16x keeps an included router as one entry of ``app.routes``
    and hands out each of its routes with the router's prefix and dependencies applied (``iter_route_contexts``);
    before that, ``app.routes`` was already flat."""
    try:
        from fastapi.routing import iter_route_contexts
    except ImportError:  # FastAPI before 0.16x
        return list(app.routes)
    return list(iter_route_contexts(app.routes))


def error_statuses(route: APIRoute, method: str, operation: dict[str, Any]) -> set[int]:
    """The error statuses this route answers, from how it is built (see the module's docstring)."""
    from .deps import SAFE_METHODS, is_public_query

    parameters = operation.get("parameters", [])
    body = "requestBody" in operation
    names = any(p["in"] == "path" for p in parameters) or body
    content = body or any(p["name"] not in PAGING for p in parameters)
    write = method not in SAFE_METHODS
    statuses = {401}
    if write or _some_role_lacks(route):
        statuses.add(403)
    if names:
        statuses.add(404)
    if content:
        statuses.add(400)
    if parameters or body:
        statuses.add(422)
    if write and not getattr(route.endpoint, "reads_only", False):
        statuses.add(409)
    if is_public_query(route.path_format):
        statuses.add(429)
    return statuses


def _some_role_lacks(route: APIRoute) -> bool:
    """Whether a logged-in role would be refused by one of the route's permission dependencies."""
    for required in _permissions(route.dependant):
        if any(not any(p in ROLE_PERMISSIONS[role] for p in required) for role in STAFF_ROLES):
            return True
    return False


def _permissions(dependant: Dependant) -> Iterator[tuple[Permission, ...]]:
    """The permission sets of the ``deps.require`` dependencies under this route: any one of a set will do."""
    for sub in dependant.dependencies:
        required = getattr(sub.call, "permissions", None)
        if required:
            yield required
        yield from _permissions(sub)


def _declared_errors(responses: dict[str, Any]) -> set[int]:
    return {int(code) for code in responses if code.isdigit() and int(code) >= 400}


def _describe(response: dict[str, Any], status: int) -> None:
    response["description"] = DESCRIPTIONS.get(status) or response.get("description") or "错误"
    response["content"] = {"application/json": {"schema": {"$ref": f"#/components/schemas/{ERROR}"}}}
    if status in HEADERS:
        response["headers"] = HEADERS[status]


def _drop_unused(schema: dict[str, Any], names: tuple[str, ...]) -> None:
    components = schema["components"]["schemas"]
    for name in names:
        kept = {k: v for k, v in schema.items() if k != "components"} | {
            "components": {"schemas": {k: v for k, v in components.items() if k != name}}}
        if f'"#/components/schemas/{name}"' not in json.dumps(kept):
            components.pop(name, None)
