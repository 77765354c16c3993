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
        return {str(k): v if type(v) is str else canon(v) for k, v in value.items()}
    if kind is list:  # an event's changes: tens of thousands of lists of strings, spared a call a string
        return [v if type(v) is str else canon(v) for v in value]
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


_ENCODER = json.JSONEncoder(ensure_ascii=False, sort_keys=True, separators=(",", ":"))
encode_string = json.encoder.encode_basestring  # a string as ``dumps`` writes it (ensure_ascii=False)


def dumps(value: Any) -> str:
    return _ENCODER.encode(value)


def pk_text(values) -> str:
    """How a row's primary key is written in an event: the chain and the verifier must agree."""
    return "/".join(map(str, values))


def row_digest(table: Table, get: Callable[[Any], Any]) -> str:
    """``get(column)`` returns the column's value; every column of the table is covered, keyed by
    name, so the digest does not depend on the order a migration left the columns in."""
    body = {col.name: canon(get(col)) for col in table.columns}
    return hashlib.sha256(dumps(body).encode()).hexdigest()


# immutable values whose JSON text a bulk digester keeps, to write it again for the rows that share them
_KEPT = frozenset({str, bool, type(None), dt.date, dt.datetime})


def mapping_digester(table: Table, shared: Mapping[str, Any] | None = None) -> Callable[[Mapping[str, Any]], str]:
    """``row_digest`` for rows given as {column name: value}, many at a time (bulk writes: a grading run
    attests hundreds of thousands of list entries). The text ``dumps`` would make is assembled from the
    sorted keys, written once, and each value's own JSON; a value repeated across rows (a run's basis
    text, a kind, a date) is encoded once, and a column holding the same object as in the previous row
    reuses its text. ``shared``: columns whose value is the same in every row, written into the text once,
    as they are when the digester is made (a row is digested as ``row | shared``: its own value of a shared
    column is ignored, as ``kit.db.insert_many`` ignores it). The digests are the same."""
    names = sorted(col.name for col in table.columns)  # dumps sorts the keys
    sha256 = hashlib.sha256
    encoded: dict[Any, str] = {}  # (type, value) -> its JSON text, for the values rows share

    def value_text(value: Any) -> str:
        kind = type(value)
        if kind is int:
            return int.__repr__(value)  # as json writes an int
        if kind in _KEPT:
            key = (kind, value)
            text = encoded.get(key)
            if text is None:
                text = encode_string(value) if kind is str else dumps(canon(value))
                if len(encoded) < 100_000:
                    encoded[key] = text
            return text
        return dumps(canon(value))

    # the text is fixed pieces between the values of the columns the rows give: the braces, the keys, the
    # commas, and the shared columns' "key":value whole
    fixed = shared or {}
    varying: list[str] = []
    pieces = ["{"]
    for i, name in enumerate(names):
        text = ("," if i else "") + encode_string(name) + ":"
        if name in fixed:
            pieces[-1] += text + value_text(fixed[name])
        else:
            pieces[-1] += text
            varying.append(name)
            pieces.append("")
    pieces[-1] += "}"
    first, after = pieces[0], pieces[1:]
    # per column, the last value seen (the very object) and its text: rows built from one shared dict of
    # values carry the same objects, so most columns of most rows are found here without a call
    columns = range(len(varying))
    last: list[Any] = [object()] * len(varying)
    last_text = [""] * len(varying)

    def digest(row: Mapping[str, Any]) -> str:
        get = row.get
        parts = [first]
        for i in columns:
            value = get(varying[i])
            if value is last[i]:
                text = last_text[i]
            else:
                text = value_text(value)
                if type(value) in _KEPT or type(value) is int:
                    last[i], last_text[i] = value, text  # immutable: the same object always reads the same
            parts.append(text)
            parts.append(after[i])
        return sha256("".join(parts).encode()).hexdigest()

    return digest


def event_hash(prev_hash: str, fields: dict[str, Any]) -> str:
    return hashlib.sha256((prev_hash + "\n" + dumps(canon(fields))).encode()).hexdigest()


def event_fields(seq: int, at: dt.datetime, actor_id: int | None, actor: str, action: str,
                 subject_type: str | None, subject_id: str | None, detail: Any, changes: Any) -> dict[str, Any]:
    return {
        "seq": seq, "at": at, "actor_id": actor_id, "actor": actor, "action": action,
        "subject_type": subject_type, "subject_id": subject_id, "detail": detail, "changes": changes,
    }
