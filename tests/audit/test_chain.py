

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
