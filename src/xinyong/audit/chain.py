"""Canonical forms and hashes: the same row gives the same digest whether it was just written by
the ORM or read back from SQLite or PostgreSQL."""

from __future__ import annotations

import datetime as dt
import enum
import hashlib
import json
from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any

from sqlalchemy import Table

GENESIS = "0" * 64


def canon(value: Any) -> Any:
    kind = type(value)  # the common exact types first: a record's content is canonicalised value by value
    if kind is str or kind is int or kind is bool or value is None:
        return value
    if kind is dict:
        return {str(k): canon(v) for k, v in value.items()}
    if kind is list:
        return [canon(v) for v in value]
    if isinstance(value, (bool, int, str)):
        return value.value if isinstance(value, enum.Enum) else value
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, dt.datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=dt.UTC)
        return value.astimezone(dt.UTC).isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, (bytes, bytearray, memoryview)):
        return bytes(value).hex()
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, (list, tuple)):
        return [canon(v) for v in value]
    if isinstance(value, Mapping):
        return {str(k): canon(v) for k, v in value.items()}
    raise TypeError(f"no canonical form for {type(value).__name__}")


def dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def pk_text(values) -> str:
    """How a row's primary key is written in an event: the chain and the verifier must agree."""
    return "/".join(str(v) for v in values)


def row_digest(table: Table, get: Callable[[Any], Any]) -> str:
    """``get(column)`` returns the column's value; every column of the table is covered, keyed by
    name, so the digest does not depend on the order a migration left the columns in."""
    body = {col.name: canon(get(col)) for col in table.columns}
    return hashlib.sha256(dumps(body).encode()).hexdigest()


_PLAIN = frozenset({str, int, bool, type(None)})


def mapping_digester(table: Table) -> Callable[[Mapping[str, Any]], str]:
    """``row_digest`` for rows given as {column name: value}, many at a time (bulk writes): the
    column names are read once and plain values skip ``canon``; the digests are the same."""
    names = [col.name for col in table.columns]
    plain, sha256 = _PLAIN, hashlib.sha256

    def digest(row: Mapping[str, Any]) -> str:
        get = row.get
        body = {}
        for name in names:
            value = get(name)
            body[name] = value if type(value) in plain else canon(value)
        return sha256(dumps(body).encode()).hexdigest()

    return digest


def event_hash(prev_hash: str, fields: dict[str, Any]) -> str:
    return hashlib.sha256((prev_hash + "\n" + dumps(canon(fields))).encode()).hexdigest()


def event_fields(seq: int, at: dt.datetime, actor_id: int | None, actor: str, action: str,
                 subject_type: str | None, subject_id: str | None, detail: Any, changes: Any) -> dict[str, Any]:
    return {
        "seq": seq, "at": at, "actor_id": actor_id, "actor": actor, "action": action,
        "subject_type": subject_type, "subject_id": subject_id, "detail": detail, "changes": changes,
    }
