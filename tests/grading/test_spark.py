"""The Spark engine gives the embedded engine's results, frame for frame (SPEC §6, §15; issue 5 item 7).

One local SparkSession for the module (``spark.session()``, ``local[2]``). Every grading test compares
``spark.grade`` with ``engine.grade`` on the same input with ``assert_frame_equal``: columns, dtypes,
row order and values. pyspark is a dependency: without it this module fails to import, it does not skip.
"""

from __future__ import annotations

import datetime as dt
import itertools
import random

import polars as pl
import pytest
from polars.testing import assert_frame_equal
from pyspark.sql import functions as F

from xinyong.grading import engine
from xinyong.grading import spark as distributed
from xinyong.grading.model import load, load_preset
from xinyong.kit.errors import Invalid

from .synthetic import ON, dimensions, lifecycle, records

NO_DATABASE = True  # pure rules: no database opened (tests/conftest.py)

N_ENTITIES = 3000
RECORDS = lifecycle(records(N_ENTITIES, 45_000, seed=7), seed=7)
# ids 1…3000 have records; 0 and 3001…3040 have none; asked for in no particular order
ENTITIES = random.Random(5).sample(range(N_ENTITIES + 41), N_ENTITIES + 41)


@pytest.fixture(scope="module")
def spark():
    # one per process, left running for other modules; no optimising JIT: these runs are short
    return distributed.session(conf={"spark.driver.extraJavaOptions": "-XX:TieredStopAtLevel=1"})


def assert_same(expected: engine.GradingResult, got: engine.GradingResult) -> None:
    assert_frame_equal(got.scores, expected.scores)
    assert_frame_equal(got.points, expected.points)
    assert_frame_equal(got.reasons, expected.reasons)


def both(model, records, entities, *, spark, **kw) -> tuple[engine.GradingResult, engine.GradingResult]:
    expected = engine.grade(model, records, entities, on=ON, **kw)
    return expected, distributed.grade(model, records, entities, on=ON, spark=spark, **kw)


def external(model, seed: int = 3) -> pl.DataFrame:
    """Scores for the model's other dimensions, for about half the entities asked for and one not asked for."""
    return dimensions(ENTITIES + [99_999], [d for d in model.weights if d != model.dimension], seed=seed)


@pytest.mark.parametrize(("code", "with_dimensions"), [
    ("etdz_reference", False), ("wenlv_five_grades", True), ("shijingshan_risk_classes", False),
    ("regional_nine_levels", True)])
def test_every_preset_grades_as_the_embedded_engine(spark, code, with_dimensions):  # SPEC §15, R-GRD-1…5
    model = load_preset(code)
    dims = external(model) if with_dimensions else None
    expected, got = both(model, RECORDS, ENTITIES, spark=spark, dimensions=dims)
    assert_same(expected, got)

    scores = expected.scores
    assert scores["entity_id"].to_list() == ENTITIES
    assert scores.filter(pl.col("entity_id").is_in([0, N_ENTITIES + 1]))["industry_score"].to_list() == [model.base] * 2
    assert scores["grade"].n_unique() >= 3
    if with_dimensions:
        assert (scores["final_score"] != scores["industry_score"]).mean() > 0.5
    # the synthetic records reach every indicator of the model, and every case of the reasons
    assert set(expected.points["indicator"].cast(pl.String)) == {n.code for n in model.walk()}
    assert (expected.points["raw"] != expected.points["points"]).any()
    texts = expected.reasons["reason"]
    assert texts.str.contains("已扣满").any() and texts.str.contains("、").any()
    assert (expected.reasons["rank"] == engine.MAX_REASONS).any()


@pytest.mark.parametrize(("code", "with_dimensions"), [("etdz_reference", False), ("regional_nine_levels", True)])
def test_scores_only_when_no_explanation_is_asked(spark, code, with_dimensions):  # R-GRD-4
    model = load_preset(code)
    dims = external(model, seed=4) if with_dimensions else None
    expected, got = both(model, RECORDS, ENTITIES, spark=spark, dimensions=dims, explain=False)
    assert_same(expected, got)
    assert got.points.height == 0 and got.reasons.height == 0


def test_a_parquet_directory_is_read_in_the_order_polars_reads_it(spark, tmp_path):  # R-GRD-5 record order
    model = load_preset()
    shuffled = RECORDS.sample(fraction=1.0, shuffle=True, seed=11)
    for name, part in zip(["b", "a", "c"], [shuffled[:15_000], shuffled[15_000:30_000], shuffled[30_000:]], strict=True):
        part.write_parquet(tmp_path / f"part-{name}.parquet", row_group_size=4000)
    entities = pl.Series("entity_id", ENTITIES)
    expected = engine.grade(model, pl.read_parquet(tmp_path), entities, on=ON)
    got = distributed.grade(model, tmp_path, entities, on=ON, spark=spark)
    assert_same(expected, got)
    ids = expected.reasons["record_ids"]
    assert (ids != ids.list.sort()).any(), "some reason's records are not in id order: the order was tested"


def test_a_deeper_tree_string_ids_and_repeated_entities_grade_as_the_embedded_engine(spark):  # R-GRD-3
    from .test_oracle import DEEP, RECORD_SCHEMA, random_dims, random_records

    model = load(DEEP)  # three levels, ranges at every level, a level-1 leaf
    rng = random.Random(20261122)
    ids = [f"9111{i:014d}" for i in range(600)]
    rows = random_records(rng, ids[:550], 600) + random_records(rng, ["someone-else"], 600)
    frame = pl.DataFrame(rows, schema={**RECORD_SCHEMA, "entity_id": pl.String})
    dims = pl.DataFrame(random_dims(rng, model, ids), schema={"entity_id": pl.String, "dimension": pl.String,
                                                                 "score": pl.Float64})
    entities = pl.DataFrame({"entity_id": ids[300:] + ids[:300] + ids[:10], "other": 0})
    expected, got = both(model, frame, entities, spark=spark, dimensions=dims)
    assert_same(expected, got)
    assert expected.scores.height == 600 and set(expected.points["level"]) == {1, 2, 3}


def test_a_used_up_level_1_range_reads_the_same_in_both(spark, tmp_path):  # R-GRD-3, R-GRD-5
    ids = itertools.count(1)

    def penalty(entity: int, severity: str) -> dict:
        return {"record_id": next(ids), "entity_id": entity, "info_type": "penalty", "severity": severity,
                "level": None, "outcome": None}

    rows = [penalty(1, "general"), *(penalty(1, "serious") for _ in range(6)), penalty(1, "general"),
            penalty(2, "general"), penalty(2, "general")]
    pl.DataFrame(rows, schema_overrides={"level": pl.String, "outcome": pl.String}).write_parquet(tmp_path / "r.parquet")
    model = load_preset()
    expected = engine.grade(model, pl.read_parquet(tmp_path / "r.parquet"), [1, 2], on=ON)
    got = distributed.grade(model, str(tmp_path / "r.parquet"), [1, 2], on=ON, spark=spark)
    assert_same(expected, got)
    first, second = got.reasons.to_dicts()
    assert first["reason"].startswith("行政处罚8条（一般违法2条、严重违法6条），扣800分（不良信息最多扣400分，已扣满）：")
    assert first["record_ids"] == [1, 2, 3, 4, 5, 6, 7, 8]
    assert second["reason"].startswith("行政处罚（一般违法）2条，扣80分：")
    assert got.scores["industry_score"].to_list() == [350, 620]


def test_no_records_and_no_entities(spark):
    model = load_preset("shijingshan_risk_classes")
    assert_same(*both(model, RECORDS.head(0), [3, 1, 2], spark=spark))
    assert_same(*both(model, RECORDS, [], spark=spark, explain=False))


def test_the_same_records_count_on_the_date(spark):  # engine.counting, R-PUB-6, R-OBJ-3, R-REP-4
    day = dt.timedelta(days=1)
    values = {"status": ["accepted", "revoked", None], "is_current": [True, False, None],
              "decision_date": [ON, ON + day, None], "validity_end": [ON, ON - day, None],
              "fulfilment": ["unfulfilled", "unknown", None], "repaired_on": [ON, ON + day, None]}
    grid = pl.DataFrame(list(itertools.product(*values.values())), schema={
        "status": pl.String, "is_current": pl.Boolean, "decision_date": pl.Date, "validity_end": pl.Date,
        "fulfilment": pl.String, "repaired_on": pl.Date}, orient="row").with_row_index("row")
    subsets = [c for k in range(len(values) + 1) for c in itertools.combinations(values, k)]
    conditions = {f"s{i}": columns for i, columns in enumerate(subsets)}
    expected = grid.select("row", **{k: engine.counting(c, ON).fill_null(False) for k, c in conditions.items()})
    got = pl.from_arrow(distributed._to_spark(spark, grid).select(
        "row", *(F.coalesce(distributed.counting(c, ON), F.lit(False)).alias(k) for k, c in conditions.items()))
        .toArrow()).sort("row")
    assert_frame_equal(got, expected, check_dtypes=False)
    assert 0 < expected["s63"].sum() < grid.height


def test_refusals_are_the_embedded_engines(spark, tmp_path):
    model = load_preset()
    frame = pl.DataFrame({"record_id": [1], "entity_id": [1], "info_type": ["penalty"], "severity": ["general"]})
    with pytest.raises(Invalid, match="记录表缺少评价模型需要的列：level、outcome"):
        distributed.grade(model, frame, [1], on=ON, spark=spark)
    with pytest.raises(Invalid, match="无法读取记录文件"):
        distributed.grade(model, tmp_path / "nothing-here", [1], on=ON, spark=spark)
    bad = pl.DataFrame({"entity_id": [1], "dimension": ["credit_bureau"], "score": [800.0]})
    with pytest.raises(Invalid, match="模型没有的维度"):
        distributed.grade(model, RECORDS.head(10), [1], on=ON, spark=spark, dimensions=bad, explain=False)


def test_one_local_session_per_process(spark):
    assert distributed.session() is spark
    assert spark.conf.get("spark.sql.execution.arrow.pyspark.enabled") == "true"

