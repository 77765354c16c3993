"""Bulk inserts (kit.db.insert_many): on PostgreSQL by COPY, bypassing SQLAlchemy's conversions, so the
values it converts itself must read back exactly as the ORM would have stored them — or the audit
digests bound to the rows would no longer match them (R-REV-4)."""

import datetime as dt

from sqlalchemy import select

from xinyong.access.models import Outcome, QueryLog, Target
from xinyong.audit.chain import mapping_digester
from xinyong.kit.clock import CHINA
from xinyong.kit.db import insert_many


def test_bulk_rows_read_back_as_written_aware_times_and_enums_included(uow):
    table = QueryLog.__table__
    at = dt.datetime(2026, 11, 22, 9, 30, 15, 123456, tzinfo=CHINA)  # stored as 01:30:15 UTC
    rows = [{"seq": 900_000 + i, "at": at + dt.timedelta(seconds=i), "actor_id": None, "actor": "批量",
             "actor_role": "officer", "department_id": None, "department": None, "entity_id": i, "entity": None,
             "target": Target.CHECK if i % 2 else "file", "record_id": None, "duty": None, "matter": "扶持资金",
             "consent_id": None, "outcome": Outcome.ALLOWED, "reason": None, "path": f"/x/{i}",
             "prev_hash": "0" * 64, "hash": f"{i:064x}"} for i in range(3)]
    with uow() as s:
        insert_many(s, table, rows)
    with uow(write=False) as s:
        back = [dict(r._mapping) for r in s.execute(select(table).where(table.c.seq >= 900_000).order_by(table.c.seq))]
    assert [r["at"] for r in back] == [r["at"] for r in rows]
    assert back[0]["at"].tzinfo is not None and back[0]["at"].hour == 1
    assert [r["target"] for r in back] == [Target.FILE, Target.CHECK, Target.FILE]
    assert {r["outcome"] for r in back} == {Outcome.ALLOWED} and back[2]["matter"] == "扶持资金"
    digest = mapping_digester(table)
    assert [digest(r) for r in back] == [digest(r) for r in rows]


def test_a_column_type_copy_cannot_convert_is_refused():
    """COPY (PostgreSQL) bypasses SQLAlchemy's conversions: a JSON column, another type decorator or an enum
    stored by name would be written unlike the ORM writes it, so insert_many refuses them up front."""
    import enum

    import pytest
    from sqlalchemy import JSON, Enum

    from xinyong.kit.db import _stored

    class Kind(enum.Enum):
        RED = "red"

    with pytest.raises(TypeError, match="JSON"):
        _stored(JSON())
    with pytest.raises(TypeError, match="by name"):
        _stored(Enum(Kind))
    assert _stored(Enum(Kind, values_callable=lambda e: [m.value for m in e]))(Kind.RED) == "red"
