"""Synthetic records for the grading engine, made column-wise so that 20 million rows take seconds.

Pseudo-random from ``hash(row, seed)``: the same arguments give the same table. Shapes follow the
default catalog: severity on penalties and commitment breaches, ``level`` on commendations,
``outcome`` on inspection results; a tenth of the rows have expired, a few are revoked or superseded.
"""

from __future__ import annotations

import datetime as dt

import polars as pl

# information type → weight in a thousand; types the reference model does not score are included
TYPE_WEIGHTS = {
    "registration": 50, "licence": 150, "qualification": 50, "certification": 40, "intellectual_property": 40,
    "voluntary": 10, "commendation": 30, "award": 20, "charity": 20, "red_list_other": 10,
    "commitment_fulfilled": 60, "false_materials": 10, "commitment_breach": 30, "penalty": 160,
    "compulsory_measure": 30, "liability_accident": 10, "other_bad": 10, "inspection_result": 140,
    "reminder": 40, "interview": 20, "ignored_reminder": 10, "commitment": 60,
}
SEVERITIES = ["minor", "general", "general", "serious"]
LEVELS = ["区级", "区级", "市级", "国家级"]
OUTCOMES = ["未发现问题", "未发现问题", "未发现问题", "发现问题已责令整改", "发现问题移送处理"]
ON = dt.date(2026, 6, 30)


def _pick(u: pl.Expr, values: list[str]) -> pl.Expr:
    return (u % len(values)).replace_strict(dict(enumerate(values)), return_dtype=pl.String)


def records(n_entities: int, n_records: int, seed: int = 1) -> pl.DataFrame:
    assert sum(TYPE_WEIGHTS.values()) == 1000
    table = [t for t, w in TYPE_WEIGHTS.items() for _ in range(w)]
    row = pl.int_range(0, n_records, dtype=pl.Int64)

    def u(k: int) -> pl.Expr:
        return row.hash(seed * 7919 + k)

    return pl.select(
        record_id=row + 1,
        entity_id=(u(1) % n_entities).cast(pl.Int64) + 1,
        info_type=_pick(u(2) % 1000, table),
        severity=_pick(u(3), SEVERITIES),
        level=_pick(u(4), LEVELS),
        outcome=_pick(u(5), OUTCOMES),
        validity_end=pl.lit(ON) + pl.duration(days=(u(6) % 1000).cast(pl.Int64) - 100),
        status=pl.when(u(7) % 50 == 0).then(pl.lit("revoked")).otherwise(pl.lit("accepted")),
        is_current=u(8) % 40 != 0,
    ).with_columns(
        # only the types that carry them have these values
        severity=pl.when(pl.col("info_type").is_in(["penalty", "commitment_breach", "false_materials",
                                                     "liability_accident"])).then("severity"),
        level=pl.when(pl.col("info_type") == "commendation").then("level"),
        outcome=pl.when(pl.col("info_type") == "inspection_result").then("outcome"),
    )


def lifecycle(frame: pl.DataFrame, seed: int = 1) -> pl.DataFrame:
    """``records`` with the other optional columns the engine applies: a decision date (a few after ``ON``),
    fulfilment (a third of the rows unfulfilled, counting past their validity) and repairs (some on or
    before ``ON``, some after)."""
    row = pl.int_range(0, frame.height, dtype=pl.Int64)

    def u(k: int) -> pl.Expr:
        return row.hash(seed * 7919 + 100 + k)

    return frame.with_columns(
        decision_date=pl.lit(ON) + pl.duration(days=(u(1) % 400).cast(pl.Int64) - 390),
        fulfilment=_pick(u(2), ["unfulfilled", "fulfilled", "unknown"]),
        repaired_on=pl.when(u(3) % 20 == 0).then(pl.lit(ON) + pl.duration(days=(u(4) % 11).cast(pl.Int64) - 5)),
    )


def dimensions(entity_ids: list, names: list[str], seed: int = 1) -> pl.DataFrame:
    """External dimension scores (R-GRD-2): each entity has each dimension of ``names`` with a chance of
    one in two, whole points or fractions on 350–950; rows in no particular order."""
    grid = pl.DataFrame({"entity_id": entity_ids}).join(pl.DataFrame({"dimension": names}), how="cross")
    row = pl.int_range(0, grid.height, dtype=pl.Int64)

    def u(k: int) -> pl.Expr:
        return row.hash(seed * 7919 + 200 + k)

    fraction = (u(3) % 1_000_000).cast(pl.Float64) / 1_000_000
    score = (350 + u(2) % 601).cast(pl.Float64) + pl.when(u(4) % 2 == 0).then(fraction).otherwise(0.0)
    return (grid.with_columns(score=pl.min_horizontal(score, 950.0), keep=u(1) % 2 == 0, order=u(5))
            .filter("keep").sort("order").drop("keep", "order"))
