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


def parse_payload(model: type[M], payload: object) -> M:
    """Pydantic errors become the platform's Invalid, naming the first bad field."""
    from pydantic import ValidationError

    from .errors import Invalid

    try:
        return model.model_validate(payload)
    except ValidationError as exc:
        err = exc.errors()[0]
        where = ".".join(str(p) for p in err["loc"])
        raise Invalid(f"字段“{where}”无效：{err['msg']}", field=where or None) from None
