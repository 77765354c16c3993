"""The grading engine on Spark: the same model and the same results as ``engine.grade``, for record
tables larger than one machine (SPEC §6, §15; issue 5).

``grade(model, records, entities, on=date)`` takes what ``engine.grade`` takes — the record columns and
their meaning, the entities, the external dimensions, ``explain`` — and returns the same
``GradingResult``: Polars frames with the same columns, dtypes, row order and values. ``records`` may
also be the path of a Parquet file or directory, which is how the platform hands a large table to a
cluster: it writes Parquet and Spark reads it. "The order the records were given" (the order of
``record_ids``) is then the order Polars reads that path in: by file path, then by row in the file.

Everything per record or per entity runs as Spark DataFrame operations: which records count on the
date (``counting``, the rules of ``engine.counting``), which rule scores each, the sums per leaf and
per node clipped up the tree, totals and clamp, the weighted mean with the external dimensions,
grades and lists, the top reasons and their record ids. Records are shuffled once, by entity; every
later step groups by entity. The driver holds the model's small tables (``engine._Plan``), turns the
results into Polars (ids, indicator codes and names looked up by number, rows sorted), and writes
one reason text per distinct (leaf, counts per rule, used up) with ``engine._text``, joined to the
reasons there as ``engine._reasons`` joins them. No Python runs on the executors (no UDF), so a
cluster needs Spark and nothing of this package.

``session()`` gives a local SparkSession (``local[2]``), one per process, for tests and for a single
machine; pass ``spark=`` to grade on a cluster.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Mapping, Sequence
from pathlib import Path

import polars as pl
import polars.selectors as cs
from pyspark.errors import AnalysisException
from pyspark.sql import Column, DataFrame, SparkSession, Window
from pyspark.sql import functions as F
from pyspark.sql.pandas.types import to_arrow_schema

from xinyong.kit.errors import Invalid

from . import engine
from .engine import _DIRECT, MAX_REASONS, GradingResult, _lookup, _Plan, _text
from .model import GradingModel

_OPTIONAL = ("status", "is_current", "decision_date", "validity_end", "fulfilment", "repaired_on")
_session: SparkSession | None = None
_session_lock = threading.Lock()


def session(master: str = "local[2]", memory: str = "2g", conf: Mapping[str, str] | None = None) -> SparkSession:
    """The process's local SparkSession, made on first use (starting a JVM takes seconds) and kept.

    ``conf``: more settings for the first call, e.g. ``{"spark.driver.extraJavaOptions":
    "-XX:TieredStopAtLevel=1"}``, which halves the CPU of short runs such as tests (no optimising JIT)
    at the cost of long ones. Later calls return the same session whatever they ask.
    """
    global _session
    with _session_lock:
        if _session is None or _session.sparkContext._jsc is None:  # never made, or stopped since
            builder = (SparkSession.builder.master(master).appName("xinyong-grading")
                       .config("spark.ui.enabled", "false")
                       .config("spark.ui.showConsoleProgress", "false")
                       .config("spark.log.level", "ERROR")
                       .config("spark.driver.memory", memory)
                       .config("spark.sql.shuffle.partitions", "4")
                       .config("spark.sql.execution.arrow.pyspark.enabled", "true")
                       .config("spark.sql.session.timeZone", "UTC")
                       # no Python call site captured per Column call: py4j round trips that cost more
                       # than the grading itself on small tables
                       .config("spark.python.sql.dataFrameDebugging.enabled", "false"))
            for key, value in (conf or {}).items():
                builder = builder.config(key, value)
            _session = builder.getOrCreate()
            _session.sparkContext.setLogLevel("ERROR")
        return _session


def counting(columns: Sequence[str], on: dt.date) -> Column:
    """``engine.counting`` as a Spark condition: the same optional columns, the same three-valued logic
    (a null in a condition drops the row in both), so the same rows count."""
    cond = F.lit(True)
    if "status" in columns:
        cond &= F.col("status") == "accepted"
    if "is_current" in columns:
        cond &= F.col("is_current")
    if "decision_date" in columns:
        cond &= F.col("decision_date") <= F.lit(on)
    if "repaired_on" in columns:
        cond &= F.col("repaired_on").isNull() | (F.col("repaired_on") > F.lit(on))
    if "validity_end" in columns:
        valid = F.col("validity_end").isNull() | (F.col("validity_end") >= F.lit(on))
        if "fulfilment" in columns:
            valid |= F.col("fulfilment") == "unfulfilled"
        cond &= valid
    return cond


def _rule(plan: _Plan) -> Column:
    """``_Plan.rule`` in Spark: the record's rule number from the plan's (type, by, key) matches."""
    expr = None
    for info_type, by, key, rule in plan.matches:
        cond = F.col("info_type") == info_type
        if by:
            cond &= F.col(by).cast("string") == key
        expr = F.when(cond, F.lit(rule)) if expr is None else expr.when(cond, F.lit(rule))
    return expr


def _at(values: list[int], col: str, kind: str = "int") -> Column:
    """``values[col]``: a small table of integers indexed by a small integer column (``engine._lookup``),
    written as SQL: one call to the JVM instead of one per value."""
    return F.expr(f"get(array({', '.join(f'CAST({int(v)} AS {kind})' for v in values)}), `{col}`)")


def _to_spark(spark: SparkSession, frame: pl.DataFrame) -> DataFrame:
    """A Polars frame as a Spark one through Arrow (enums and categoricals as strings, unsigned integers,
    which Spark has not, as signed 64-bit)."""
    frame = frame.with_columns(cs.categorical().cast(pl.String), cs.enum().cast(pl.String),
                               cs.unsigned_integer().cast(pl.Int64))
    return spark.createDataFrame(frame.to_arrow(compat_level=pl.CompatLevel.oldest()))


def _to_polars(frame: DataFrame) -> pl.DataFrame:
    return pl.from_arrow(frame.toArrow())


def _read(spark: SparkSession, model: GradingModel, records) -> tuple[DataFrame, pl.Schema, list[str]]:
    """The records as a Spark frame with the columns grading reads, their Polars schema, and the columns
    that give the order the records were given in."""
    needed = ["record_id", "entity_id", "info_type", *model.attributes]
    if isinstance(records, str | Path):
        try:
            frame = spark.read.parquet(str(records))
        except AnalysisException as e:  # no such path, or no Parquet in it
            raise Invalid(f"无法读取记录文件 {records}：{e.getCondition() or e}") from None
        columns = frame.columns
        order = ["_file", "_row"]  # Polars reads a directory by file path, then row
        extra = [F.col("_metadata.file_path").alias("_file"), F.col("_metadata.row_index").alias("_row")]
    else:
        frame = None
        columns = records.lazy().collect_schema().names()
        order = ["_row"]
        extra = []
    missing = [c for c in needed if c not in columns]
    if missing:
        raise Invalid(f"记录表缺少评价模型需要的列：{'、'.join(missing)}")
    wanted = needed + [c for c in _OPTIONAL if c in columns]
    if frame is None:
        local = records.lazy().select(wanted).with_row_index("_row").collect()
        frame = _to_spark(spark, local.with_columns(pl.col("_row").cast(pl.Int64)))
        schema = local.schema
    else:
        frame = frame.select(*wanted, *extra)
        schema = pl.from_arrow(to_arrow_schema(frame.select(*needed).schema).empty_table()).schema
    return frame, schema, order


def grade(model: GradingModel, records: pl.DataFrame | pl.LazyFrame | str | Path, entities, *, on: dt.date,
          dimensions: pl.DataFrame | pl.LazyFrame | None = None, explain: bool = True, spark: SparkSession | None = None
          ) -> GradingResult:
    """Grade ``entities`` on ``on`` exactly as ``engine.grade`` does, with Spark doing the work.

    ``records``: a Polars frame, or the path of a Parquet file or directory with the same columns.
    ``spark``: the session to use; a local one from ``session()`` when not given.
    """
    spark = spark or session()
    plan = _Plan(model)
    recs, schema, order = _read(spark, model, records)
    id_type, record_type = schema["entity_id"], schema["record_id"]

    # the entities, numbered as engine.grade numbers them: eid orders points and reasons
    ents = engine._entities(entities, id_type)
    direct = id_type.is_integer() and (ents.height == 0 or (ents["entity_id"].min() >= 0
                                                            and ents["entity_id"].max() < _DIRECT))
    ents = ents.with_row_index("pos").select("entity_id", eid=pl.col("entity_id" if direct else "pos").cast(pl.Int64),
                                             pos=pl.col("pos").cast(pl.Int64))
    spark_ents = _to_spark(spark, ents)

    # per (entity, leaf): count and points; for the reasons also the count under each of the leaf's rules
    # (c0, c1 …) and the records of leaves that can lose points, with their place in the input (only
    # those: the file paths of a Parquet input are not carried for the others). One shuffle, by entity:
    # every later step (up the tree, totals, ranking the reasons) groups by entity and needs no other.
    losing_leaves = {plan.rule_leaf[r] for r, p in enumerate(plan.rule_points) if p < 0}
    losing = [r for r, leaf in enumerate(plan.rule_leaf) if leaf in losing_leaves]
    rule = _rule(plan).alias("rule")
    kept = [F.when(rule.isin(losing), F.struct(*order, "record_id")).alias("o")] if explain else []
    hits = (recs.filter(counting(recs.columns, on)).select("entity_id", rule, *kept).filter(F.col("rule").isNotNull())
            .join(spark_ents.select("entity_id", "eid"), "entity_id"))
    extra = []
    if explain:
        pos = _at(plan.rule_pos, "rule")
        extra = [F.sum(F.when(pos == j, 1).otherwise(0)).cast("long").alias(f"c{j}") for j in range(plan.keys)]
        extra.append(F.collect_list("o").alias("ids"))
    by_leaf = hits.repartition("eid").groupBy("eid", _at(plan.rule_leaf, "rule").alias("node")).agg(
        F.count(F.lit(1)).alias("n"), F.sum(_at(plan.rule_points, "rule", "bigint")).alias("raw"), *extra)
    if not explain:
        return _results(spark, plan, by_leaf, ents, spark_ents, dimensions, explain, direct, id_type, record_type)
    by_leaf = by_leaf.persist()  # read by the points, the scores and the reasons
    try:
        return _results(spark, plan, by_leaf, ents, spark_ents, dimensions, explain, direct, id_type, record_type)
    finally:
        by_leaf.unpersist()


def _levels(plan: _Plan, by_leaf: DataFrame) -> dict[int, DataFrame]:
    """Up the tree: each level's nodes sum their children (or their records), then clip to their range.
    Level → rows eid, node, n, raw, points, as in ``engine.grade``."""
    leaf_levels = {plan.level[i] for i in plan.leaves}
    levels: dict[int, DataFrame] = {}
    for level in range(max(plan.level), 0, -1):
        parts = []
        if level in leaf_levels:
            leaves = by_leaf.select("eid", "node", "n", "raw")
            parts.append(leaves if len(leaf_levels) == 1 else leaves.filter(_at(plan.level, "node") == level))
        if level + 1 in levels:
            parts.append(levels[level + 1].groupBy("eid", _at(plan.parent, "node").alias("node"))
                         .agg(F.sum("n").alias("n"), F.sum("points").alias("raw")))
        frame = parts[0] if len(parts) == 1 else parts[0].unionByName(parts[1])
        levels[level] = frame.withColumn("points", F.least(F.greatest("raw", _at(plan.low, "node", "bigint")),
                                                           _at(plan.high, "node", "bigint")))
    return levels


def _results(spark: SparkSession, plan: _Plan, by_leaf: DataFrame, ents: pl.DataFrame, spark_ents: DataFrame, dimensions,
             explain: bool, direct: bool, id_type: pl.DataType, record_type: pl.DataType) -> GradingResult:
    """From the sums per leaf to the three frames of ``engine.GradingResult``. ``ents``: entity_id, eid
    (the engine's number: the id itself when ``direct``, else the position), pos (the position)."""
    model = plan.model
    levels = _levels(plan, by_leaf)
    # the entity of an eid, as engine.grade writes it
    entity_id = (pl.col("eid").cast(id_type) if direct else pl.lit(ents["entity_id"]).gather(pl.col("eid"))).alias("entity_id")
    if explain:
        # first, as it reads the leaves and makes them: Spark plans the scores and the reasons on leaves
        # it then knows to be partitioned by entity, with no further shuffle
        every = None
        for level in sorted(levels):
            frame = levels[level].select("eid", "node", "n", "raw", "points", F.lit(level).alias("level"))
            every = frame if every is None else every.unionByName(frame)
        points = _to_polars(every).sort("level", "eid", "node").select(
            entity_id, indicator=pl.lit(plan.codes).gather(pl.col("node")), level=_lookup("node", plan.level, pl.Int8),
            count=pl.col("n").cast(pl.Int64), raw=pl.col("raw").cast(pl.Int64), points=pl.col("points").cast(pl.Int64))

    totals = levels[1].groupBy("eid").agg(F.sum("points").alias("total"))
    industry = F.least(F.greatest(F.lit(model.base) + F.coalesce("total", F.lit(0)), F.lit(model.floor)),
                       F.lit(model.ceiling)).cast("bigint")
    scores = spark_ents.select("eid", "pos").join(totals, "eid", "left").select("eid", "pos", industry.alias("industry_score"))
    scores = _final(spark, model, scores, spark_ents, dimensions, id_type)
    scores = scores.withColumn("grade", _grade_of(model)).select("pos", "industry_score", "final_score", "grade",
                                                                 *_lists(model))
    scores = _to_polars(scores).sort("pos").select(
        pl.lit(ents["entity_id"]).gather(pl.col("pos")).alias("entity_id"),
        pl.col("industry_score", "final_score").cast(pl.Int64), pl.col("grade").cast(pl.String),
        *(pl.col(rule.code).cast(pl.Boolean) for rule in model.lists))
    if not explain:
        return GradingResult(scores, pl.DataFrame(), pl.DataFrame())

    reasons = _reasons(plan, by_leaf, levels[1]).select(
        entity_id, rank=pl.col("rank").cast(pl.Int8), indicator=pl.lit(plan.codes).gather(pl.col("node")),
        name=_lookup("node", [n.name for n in plan.nodes], pl.String), points=pl.col("raw").cast(pl.Int64),
        count=pl.col("n").cast(pl.Int64), reason=pl.col("reason").cast(pl.String),
        record_ids=pl.col("record_ids").cast(pl.List(record_type)))
    return GradingResult(scores, points, reasons)


def _final(spark: SparkSession, model: GradingModel, scores: DataFrame, spark_ents: DataFrame, dimensions,
           id_type) -> DataFrame:
    """The weighted mean with the external dimensions, as ``engine._final`` computes it: the same checks
    (run by ``engine._final`` itself on no entities), the same floating-point steps in the same order."""
    if dimensions is None:
        return scores.withColumn("final_score", F.col("industry_score"))
    ext = dimensions.lazy().select(pl.col("entity_id").cast(id_type), pl.col("dimension").cast(pl.String),
                                   pl.col("score").cast(pl.Float64)).collect()
    engine._final(model, pl.DataFrame(schema={"entity_id": id_type, "industry_score": pl.Int64}), ext, id_type)
    own = float(model.weights[model.dimension])
    weights = {d: float(w) for d, w in model.weights.items() if d != model.dimension}
    w = F.lit(None).cast("double")  # a model with no other dimension: engine._final has refused any row
    for dimension, weight in weights.items():
        w = F.when(F.col("dimension") == dimension, F.lit(weight)).otherwise(w)
    # sums in the order the rows were given, as Polars adds them, so that the floats agree to the last bit
    rows = (_to_spark(spark, ext.with_row_index("_row").with_columns(pl.col("_row").cast(pl.Int64)))
            .join(spark_ents.select("entity_id", "eid"), "entity_id")
            .select("eid", F.struct("_row", (w * F.col("score")).alias("ws"), w.alias("w")).alias("x")))
    zero = F.lit(0.0).cast("double")
    sums = rows.groupBy("eid").agg(F.array_sort(F.collect_list("x")).alias("xs")).select(
        "eid", F.aggregate("xs", zero, lambda acc, x: acc + x["ws"]).alias("wsum"),
        F.aggregate("xs", zero, lambda acc, x: acc + x["w"]).alias("wt"))
    mean = ((F.lit(own) * F.col("industry_score") + F.coalesce("wsum", zero)) / (F.lit(own) + F.coalesce("wt", zero)))
    # engine: ((mean * 1e6).round(0) / 1e6 + 0.5).floor() — Polars rounds half to even, as rint does
    final = F.floor(F.rint(mean * F.lit(1e6)) / F.lit(1e6) + F.lit(0.5)).cast("long")
    final = F.least(F.greatest(final, F.lit(model.floor)), F.lit(model.ceiling))
    return scores.join(sums, "eid", "left").withColumn("final_score", final)


def _grade_of(model: GradingModel) -> Column:
    """``engine._grade``: bands (above, up_to], highest first; the floor, in no band, takes the lowest."""
    bands = model.bands
    expr = F.when(F.col("final_score") > bands[0].above, F.lit(bands[0].grade))
    for band in bands[1:-1]:
        expr = expr.when(F.col("final_score") > band.above, F.lit(band.grade))
    return expr.otherwise(F.lit(bands[-1].grade))


def _lists(model: GradingModel) -> list[Column]:
    """``engine._lists``: one boolean column per list."""
    out = []
    for rule in model.lists:
        cond = F.lit(True)
        if rule.grades:
            cond &= F.col("grade").isin(list(rule.grades))
        if rule.above is not None:
            cond &= F.col("final_score") > rule.above
        if rule.at_or_below is not None:
            cond &= F.col("final_score") <= rule.at_or_below
        out.append(cond.alias(rule.code))
    return out


def _reasons(plan: _Plan, by_leaf: DataFrame, roots: DataFrame) -> pl.DataFrame:
    """``engine._reasons``: per entity the up-to-four leaves that lost the most points (ties: model order),
    whether their level-1 indicator is used up, and every record of the leaf in the order given, from
    Spark; then, on the driver, the text of each distinct signature (``engine._text``, written once).
    Rows eid, rank, node, raw, n, c0 …, used_up, record_ids, reason, sorted by entity and rank."""
    counts = [f"c{j}" for j in range(plan.keys)]
    # a leaf's level-1 indicator is used up when that indicator's sum is below its range: the leaves
    # and the level-1 rows side by side, a window per (entity, level-1 indicator), so no join moves rows
    leaves = by_leaf.filter(F.col("raw") < 0).select("eid", "node", _at(plan.root, "node").alias("root"), "raw", "n",
                                                     *counts, "ids")
    roots = roots.select("eid", F.lit(-1).alias("node"), F.col("node").alias("root"),
                         (F.col("raw") < _at(plan.low, "node", "bigint")).alias("saturated"))
    side_by_side = leaves.unionByName(roots, allowMissingColumns=True)
    used_up = F.coalesce(F.max("saturated").over(Window.partitionBy("eid", "root")), F.lit(False))
    rank = F.row_number().over(Window.partitionBy("eid").orderBy("raw", "node"))
    top = (side_by_side.withColumn("used_up", used_up).filter(F.col("node") >= 0).withColumn("rank", rank)
           .filter(F.col("rank") <= MAX_REASONS)
           .select("eid", "rank", "node", "used_up", *counts, "raw", "n",
                   F.transform(F.array_sort("ids"), lambda o: o["record_id"]).alias("record_ids")))
    top = _to_polars(top).sort("eid", "rank")
    signature = ["node", "used_up", *counts]
    texts = pl.DataFrame([_text(plan, r) for r in top.select(signature).unique().iter_rows(named=True)],
                         schema={**top.select(signature).schema, "reason": pl.String}, orient="row")
    return top.join(texts, on=signature, how="left", maintain_order="left")
