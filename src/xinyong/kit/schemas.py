from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Any, Generic, TypeVar

from pydantic import AfterValidator, BaseModel, BeforeValidator
from pydantic_core import PydanticCustomError

T = TypeVar("T")

_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


# Every date the platform is given lies here: a day it can still compute with (its Beijing midnight as an
# instant, a publicity period added), where 0001-01-01 or 9999-12-31 overflow. 2099-12-31 is the national
# formats' "long-term".
FIRST_DAY, LAST_DAY = dt.date(1900, 1, 1), dt.date(2999, 12, 31)


def _iso_date_only(value: Any) -> Any:
    """A date is written YYYY-MM-DD. Pydantic alone also reads a number as a unix timestamp (``date_to=0`` is
    1970-01-01) and a datetime's text as its day: a clerk's typo would silently become another date."""
    if isinstance(value, dt.date):  # from Python code, not from a request: pydantic's own rules
        return value
    if isinstance(value, str) and _ISO_DATE.fullmatch(value.strip()):
        return value.strip()
    raise PydanticCustomError("date_parsing", "Input should be a date written YYYY-MM-DD")


def _in_range(day: dt.date) -> dt.date:
    if not FIRST_DAY <= day <= LAST_DAY:
        raise PydanticCustomError("date_out_of_range", "Date should be between {first} and {last}",
                                  {"first": FIRST_DAY.isoformat(), "last": LAST_DAY.isoformat()})
    return day


# The one date type of the API's queries and bodies (issue 17): ISO dates only, within the platform's range,
# documented as format "date".
IsoDate = Annotated[dt.date, BeforeValidator(_iso_date_only), AfterValidator(_in_range)]


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
    "date_out_of_range": f"应为 {FIRST_DAY.year} 年至 {LAST_DAY.year} 年之间的日期（如 2026-03-05）",
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
