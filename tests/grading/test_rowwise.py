"""Grading record by record (``grading.rowwise``, what an instant regrade of a few entities takes) gives
the columnar engine's three frames exactly: values, types, order (R-GRD-3, R-GRD-4, R-GRD-5)."""

from __future__ import annotations

import random

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from xinyong.grading import engine, rowwise
from xinyong.grading.model import load, load_preset

from .test_oracle import DEEP, ON, RECORD_SCHEMA, random_dims, random_records

NO_DATABASE = True  # pure rules: no database opened (tests/conftest.py)

FILTERS = ["status", "is_current", "decision_date", "validity_end", "fulfilment", "repaired_on"]


def counting_frame(rng: random.Random, entity_ids: list[int]) -> pl.DataFrame:
    """Random records of these entities and of one not asked for, filtered to what counts on ``ON`` as
    ``grading.source`` reads them: without the filtering columns."""
    records = random_records(rng, entity_ids, len(entity_ids)) + random_records(rng, [10**9], len(entity_ids))
    frame = pl.DataFrame(records, schema={**RECORD_SCHEMA, "entity_id": pl.Int64})
    return frame.filter(engine.counting(frame.columns, ON)).drop(FILTERS)


@pytest.mark.parametrize("model_text", ["etdz_reference", DEEP], ids=["reference", "deep-tree"])
@pytest.mark.parametrize("explain", [True, False])
def test_record_by_record_equals_the_columnar_engine(model_text, explain):  # R-GRD-3, R-GRD-4, R-GRD-5
    model = load_preset(model_text) if model_text == "etdz_reference" else load(model_text)
    rng = random.Random(20261122)
    entity_ids = rng.sample(range(1, 100_000), 3000)  # in no order: scores follow it, points and reasons the ids
    frame = counting_frame(rng, entity_ids[:-100])  # the last 100 have no records
    dims = pl.DataFrame(random_dims(rng, model, entity_ids), schema={"entity_id": pl.Int64, "dimension": pl.String,
                                                                     "score": pl.Float64})

    by_row = engine.grade(model, frame, entity_ids, on=ON, dimensions=dims, explain=explain, rowwise=True)
    columnar = engine.grade(model, frame, entity_ids, on=ON, dimensions=dims, explain=explain, rowwise=False)

    assert_frame_equal(by_row.scores, columnar.scores)
    assert_frame_equal(by_row.points, columnar.points)
    assert_frame_equal(by_row.reasons, columnar.reasons)
    # the data exercised what it should
    assert frame.height > rowwise.LIMIT  # both ways were asked for explicitly, not chosen by size
    assert by_row.scores["grade"].n_unique() == len(model.bands)
    assert (by_row.scores["final_score"] != by_row.scores["industry_score"]).any()
    if explain:
        assert (by_row.points["raw"] != by_row.points["points"]).any(), "some range was used up"
        assert by_row.reasons["reason"].str.contains("已扣满").any()
        assert by_row.reasons["rank"].max() == engine.MAX_REASONS


def test_a_few_entities_are_graded_record_by_record(monkeypatch):  # R-GRD-4
    model = load_preset()
    rng = random.Random(7)
    frame = counting_frame(rng, [1, 2, 3])
    taken = []
    real = rowwise.grade

    def counted(*args, **kwargs):
        taken.append(args)
        return real(*args, **kwargs)

    monkeypatch.setattr(rowwise, "grade", counted)
    engine.grade(model, frame, [1, 2, 3], on=ON)
    assert len(taken) == 1
    # a frame that still carries what decides whether a record counts, and string ids, go the columnar way
    unfiltered = pl.DataFrame(random_records(rng, [1, 2], 2), schema={**RECORD_SCHEMA, "entity_id": pl.Int64})
    engine.grade(model, unfiltered, [1, 2], on=ON)
    engine.grade(model, frame.with_columns(pl.col("entity_id").cast(pl.String)), ["1", "2", "3"], on=ON)
    # so do many entities, even with few records (a run over a small district), and an entity asked for as null
    engine.grade(model, frame, range(1, rowwise.LIMIT + 2), on=ON)
    engine.grade(model, frame, [1, None], on=ON)
    assert len(taken) == 1
    with pytest.raises(ValueError):
        engine.grade(model, unfiltered, [1, 2], on=ON, rowwise=True)
