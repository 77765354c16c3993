

def test_the_bulk_digester_gives_row_digest():  # R-REV-4: bulk-attested rows verify like ORM rows
    import datetime as dt
    from decimal import Decimal

    from sqlalchemy import JSON, Column, Date, DateTime, Integer, MetaData, Numeric, String, Table

    from xinyong.audit.chain import mapping_digester, row_digest
    from xinyong.records.periods import Severity

    t = Table("t", MetaData(), Column("id", Integer, primary_key=True), Column("s", String), Column("d", Date),
              Column("at", DateTime), Column("n", Numeric), Column("j", JSON), Column("e", String))
    row = {"id": 3, "s": "京", "d": dt.date(2026, 1, 2), "at": dt.datetime(2026, 1, 2, 3, 4, tzinfo=dt.UTC),
           "n": Decimal("1.50"), "j": {"b": [1, "x"], "a": None}, "e": Severity.SERIOUS}
    assert mapping_digester(t)(row) == row_digest(t, lambda col: row.get(col.name))
    assert mapping_digester(t)({"id": 3}) == row_digest(t, lambda col: {"id": 3}.get(col.name))


def test_the_bulk_digester_matches_row_digest_on_many_mixed_rows():  # R-REV-4
    """The bulk digester writes the JSON itself and reuses the text of values rows share: on rows drawn from
    awkward values (escapes, line separators, NUL, nested JSON, enums, floats, aware and naive times, bools
    beside the ints they equal), the same values in the same digester twice, it still gives row_digest's."""
    import datetime as dt
    import hashlib
    import json
    import random
    from decimal import Decimal
    from enum import StrEnum

    from xinyong.audit.chain import canon, mapping_digester, row_digest
    from xinyong.kit.clock import CHINA
    from xinyong.lists.models import ListEntry

    class Kind(StrEnum):
        BLACK = "黑名单"

    values = [None, 0, 1, -5, 2**40, True, False, "", '中文"引号\\\n\t', "a\u2028b", "\x00", 1.5, 1e-7, Decimal("1.50"),
              dt.date(2026, 1, 2), dt.datetime(2026, 1, 2, 3, 4, 5, 6, tzinfo=CHINA), dt.datetime(2026, 1, 2, 3, 4),
              Kind.BLACK, {"b": 1, "a": [1, "二", None]}, [3, {"z": 1, "y": 2}], b"\x01\xff"]
    def as_stored_digests_were_made(row):  # the format of every digest already on a chain
        body = {col.name: canon(row.get(col.name)) for col in table.columns}
        return hashlib.sha256(json.dumps(body, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()).hexdigest()

    table, rng = ListEntry.__table__, random.Random(20261122)
    digest = mapping_digester(table)
    for _ in range(3000):
        row = {col.name: rng.choice(values) for col in table.columns if rng.random() > 0.1}
        expected = as_stored_digests_were_made(row)
        assert digest(row) == expected == row_digest(table, lambda col, row=row: row.get(col.name)), row


def test_the_bulk_digester_reuses_a_previous_rows_text_only_for_immutable_values():  # R-REV-4
    """Rows built from one shared dict carry the same objects, and the digester reuses the previous row's
    text for them; a mutable value (JSON) changed in place between two rows is read afresh."""
    import datetime as dt

    from sqlalchemy import JSON, Column, Date, Integer, MetaData, String, Table

    from xinyong.audit.chain import mapping_digester, row_digest

    t = Table("t", MetaData(), Column("id", Integer, primary_key=True), Column("s", String), Column("d", Date),
              Column("j", JSON))
    detail = {"a": 1}
    shared = {"s": "信用评价结果", "d": dt.date(2026, 1, 2), "j": detail}
    digest = mapping_digester(t)
    first = digest({"id": 1} | shared)
    detail["a"] = 2
    second = {"id": 1} | shared
    assert digest(second) == row_digest(t, lambda col: second.get(col.name)) != first
    other = {"id": 1, "s": "信用评价结果（另）", "d": dt.date(2026, 1, 3), "j": {"a": 2}}
    assert digest(other) == row_digest(t, lambda col: other.get(col.name))


def test_the_bulk_digester_with_shared_columns_gives_row_digest():  # R-REV-4
    """Columns written once as shared, wherever they fall among the sorted keys (first, between, last, all
    of them, none), digest a row exactly as the whole row would."""
    import datetime as dt
    import random

    from xinyong.audit.chain import mapping_digester, row_digest
    from xinyong.lists.models import ListEntry, ListKind

    table, rng = ListEntry.__table__, random.Random(20261123)
    names = [col.name for col in table.columns]
    values = [None, 7, True, 0, "红名单", ListKind.BLACK, 'a"\\\n', dt.date(2026, 1, 2),
              dt.datetime(2026, 1, 2, 3, 4, tzinfo=dt.UTC), {"k": [1]}]
    for size in [0, 1, 2, len(names) - 1, len(names)] + [rng.randrange(len(names)) for _ in range(20)]:
        fixed = set(rng.sample(names, size))
        shared = {n: rng.choice(values) for n in fixed}
        digest = mapping_digester(table, shared)
        for _ in range(20):
            # a varying column left out is digested as None; a shared one repeated in the row is the shared value
            row = {n: rng.choice(values) for n in names if rng.random() > 0.1 and (n not in fixed or rng.random() < 0.1)}
            whole = row | shared
            assert digest(row) == row_digest(table, lambda col, whole=whole: whole.get(col.name)), (shared, row)
