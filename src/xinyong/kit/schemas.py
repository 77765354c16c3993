from __future__ import annotations

from typing import Generic, TypeVar

from pydantic import BaseModel

T = TypeVar("T")


class Page(BaseModel, Generic[T]):
    items: list[T]
    total: int
    offset: int
    limit: int


M = TypeVar("M", bound=BaseModel)

# Pydantic's error types in the words a clerk reads
_MESSAGES = {
    "missing": "必填", "string_type": "应为文本", "int_type": "应为整数", "int_parsing": "应为整数",
    "int_from_float": "应为整数", "float_parsing": "应为数字", "bool_type": "应为是或否", "bool_parsing": "应为是或否",
    "date_type": "应为日期（如 2026-03-05）", "date_parsing": "应为日期（如 2026-03-05）",
    "date_from_datetime_parsing": "应为日期（如 2026-03-05）", "datetime_parsing": "应为日期时间",
    "list_type": "应为列表", "dict_type": "应为对象", "model_type": "应为对象", "model_attributes_type": "应为对象",
    "extra_forbidden": "不是可接受的字段", "json_invalid": "不是有效的 JSON", "greater_than_equal": "数值过小",
    "less_than_equal": "数值过大", "greater_than": "数值过小", "less_than": "数值过大",
    "string_too_long": "过长", "string_too_short": "过短",
}


def describe_error(err: dict) -> tuple[str, str]:
    """(where, message) for one Pydantic error, in Chinese."""
    where = ".".join(str(p) for p in err.get("loc", ()) if p not in ("body", "query", "path"))
    kind = err.get("type", "")
    if kind == "enum":
        expected = (err.get("ctx") or {}).get("expected", "")
        message = f"应为以下之一：{expected}"
    else:
        message = _MESSAGES.get(kind, "格式错误")
    return where, (f"字段“{where}”{message}" if where else f"请求{message}")


def parse_payload(model: type[M], payload: object) -> M:
    """Pydantic errors become the platform's Invalid, naming the first bad field."""
    from pydantic import ValidationError

    from .errors import Invalid

    try:
        return model.model_validate(payload)
    except ValidationError as exc:
        where, message = describe_error(exc.errors()[0])
        raise Invalid(message, field=where or None) from None
