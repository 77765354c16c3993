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


def test_bulk_list_entries_read_back_as_written_dates_included(uow, make):  # R-LST-1, R-REV-4
    """A grading run's list entries go through insert_many: dates, enums by value, None and an aware time
    read back as written on either database, and the digests bound to them still match."""
    from xinyong.kit.db import next_free_id
    from xinyong.lists.models import Basis, ListEntry, ListKind

    table = ListEntry.__table__
    entity = make.entity()
    at = dt.datetime(2026, 11, 22, 9, 30, tzinfo=CHINA)
    shared = {"basis": Basis.GRADING.value, "basis_text": "信用评价结果达到该名单的列入标准", "department_id": None,
              "document_number": None, "run_id": None, "started_on": dt.date(2026, 11, 22), "planned_end": None,
              "ended_on": None, "end_reason": None, "end_note": None, "created_by": None, "created_at": at}
    with uow() as s:
        first = next_free_id(s, table)
        rows = [{"id": first + i, "entity_id": entity.id, "kind": kind} | shared
                for i, kind in enumerate([ListKind.RED, "black", ListKind.KEY_ATTENTION])]
        rows[1] |= {"planned_end": dt.date(2027, 5, 21)}
        insert_many(s, table, rows)
    with uow(write=False) as s:
        back = [dict(r._mapping) for r in s.execute(select(table).where(table.c.id >= first).order_by(table.c.id))]
    assert [r["kind"] for r in back] == [ListKind.RED, ListKind.BLACK, ListKind.KEY_ATTENTION]
    assert [r["planned_end"] for r in back] == [None, dt.date(2027, 5, 21), None]
    assert {r["started_on"] for r in back} == {dt.date(2026, 11, 22)} and back[0]["created_at"] == at
    digest = mapping_digester(table)
    assert [digest(r) for r in back] == [digest(r) for r in rows]


def test_a_row_missing_a_column_is_refused_not_defaulted(uow, make):
    """insert_many applies no Python-side defaults on any database: every row gives every column."""
    import pytest

    from xinyong.lists.models import ListEntry

    entity = make.entity()
    with uow() as s, pytest.raises(KeyError):
        insert_many(s, ListEntry.__table__, [{"id": 1, "entity_id": entity.id, "kind": "red"}, {"id": 2, "kind": "red"}])


def test_values_every_row_shares_are_given_once_and_stored_alike(uow, make):  # R-LST-1, R-REV-4
    """``shared`` (a run's basis, its date, its time) is converted once and written into every row: the rows
    read back as if each had carried those values, their digests too, and a column given both ways is refused."""
    import pytest

    from xinyong.audit.trail import attest_rows
    from xinyong.kit.db import next_free_id
    from xinyong.lists.models import Basis, ListEntry, ListKind

    table = ListEntry.__table__
    entities = [make.entity(), make.entity()]
    at = dt.datetime(2026, 11, 22, 9, 30, tzinfo=CHINA)
    shared = {"basis": Basis.GRADING, "basis_text": "信用评价结果达到该名单的列入标准", "department_id": None,
              "document_number": None, "run_id": None, "started_on": dt.date(2026, 11, 22), "planned_end": None,
              "ended_on": None, "end_reason": None, "end_note": None, "created_by": None, "created_at": at}
    with uow() as s:
        first = next_free_id(s, table)
        rows = [{"id": first + i, "entity_id": entities[i % 2].id, "kind": kind}
                for i, kind in enumerate([ListKind.RED, "black", ListKind.KEY_ATTENTION])]
        with pytest.raises(ValueError, match="kind"):
            insert_many(s, table, rows, {"kind": "red"} | shared)
        with pytest.raises(ValueError, match="kind"):
            attest_rows(s, table, rows, shared={"kind": "red"})
        rows[2]["basis_text"] = "一行自带的依据"  # a later row's own value of a shared column is ignored, stored and digested
        insert_many(s, table, rows, shared)
    with uow(write=False) as s:
        back = [dict(r._mapping) for r in s.execute(select(table).where(table.c.id >= first).order_by(table.c.id))]
    assert [r["kind"] for r in back] == [ListKind.RED, ListKind.BLACK, ListKind.KEY_ATTENTION]
    assert [r["entity_id"] for r in back] == [entities[0].id, entities[1].id, entities[0].id]
    assert {(r["basis"], r["basis_text"], r["started_on"], r["created_at"], r["ended_on"]) for r in back} == {
        (Basis.GRADING, shared["basis_text"], dt.date(2026, 11, 22), at, None)}
    whole, split = mapping_digester(table), mapping_digester(table, shared)
    assert [whole(r) for r in back] == [split(r) for r in rows] == [whole(r | shared) for r in rows]
    assert split(rows[0]) != split(rows[1])  # what varies still counts
