"""What a grading run reads from the operational database: the records that count on a date, with
the columns the model's rules read, as a Polars frame.

One SQL statement serves both ways of reading it. A full run reads millions of rows through
connectorx (Rust, straight into Arrow: several times faster than fetching rows through the driver),
on its own connection, so it sees committed data only. Regrading a few entities inside a transaction
reads through the session, so it sees that transaction's own changes.

Which records count is ``records.visibility.counting`` — the one definition the public pages and the
punishment rules use too (a record under objection counts, R-OBJ-3).
"""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path

import polars as pl
from sqlalchemy import Date, Integer, Select, String, bindparam, case, cast, func, literal, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import BindParameter

from xinyong.catalog.models import InfoType, InfoTypeVersion
from xinyong.entities.models import Entity
from xinyong.kit.arrowread import partition_kwargs, read_in_child
from xinyong.kit.db import IDS, for_ids, is_sqlite
from xinyong.records.models import Record
from xinyong.records.visibility import counting

from .model import SEVERITY, GradingModel, per_model
from .models import ExternalScore

RECORD_SCHEMA = {"record_id": pl.Int64, "entity_id": pl.Int64, "type_version": pl.Int64}


def type_versions(session_or_conn) -> dict[int, str]:
    """Information type version id → type code: a few dozen rows, so records are read without a join."""
    return dict(session_or_conn.execute(select(InfoTypeVersion.id, InfoType.code)
                                        .join(InfoType, InfoType.id == InfoTypeVersion.info_type_id)).all())


def records_statement(model: GradingModel, on: dt.date | BindParameter, versions: dict[int, str]) -> Select:
    """The records that count on ``on`` and that some rule of ``model`` selects by their type (``versions``:
    ``type_versions``; the type is read as its version id and named afterwards, which spares the database
    two index lookups a row)."""
    leaves = model.leaves()
    of_types = lambda codes: sorted(v for v, code in versions.items() if code in codes)  # noqa: E731
    columns = [Record.id.label("record_id"), Record.entity_id.label("entity_id"),
               Record.info_type_version_id.label("type_version")]
    for attr in model.attributes:
        if attr == SEVERITY:
            columns.append(func.coalesce(cast(Record.severity, String), literal("")).label(attr))
        else:
            # '' for "absent": connectorx cannot type a SQLite column from a NULL in its first row. The JSON
            # is parsed only for the types whose rules read the field: most rows need none.
            readers = of_types({t for leaf in leaves if leaf.by == attr for t in leaf.types})
            columns.append(case((Record.info_type_version_id.in_(readers or [0]),
                                 func.coalesce(Record.content[attr].as_string(), literal(""))),
                                else_=literal("")).label(attr))
    scored = of_types({t for leaf in leaves for t in leaf.types})
    return select(*columns).where(counting(on), Record.decision_date <= on, Record.info_type_version_id.in_(scored or [0]))


@per_model
def _entity_records(model: GradingModel, versions: tuple[tuple[int, str], ...]) -> Select:
    """``records_statement`` for the entities ``:ids`` on ``:on``, made once per model and catalog: building it
    took a regrade 2.4 ms."""
    return records_statement(model, bindparam("on", type_=Date), dict(versions)).where(Record.entity_id.in_(IDS))


def _typed(frame: pl.DataFrame, model: GradingModel, versions: dict[int, str]) -> pl.DataFrame:
    attrs = [pl.col(a).cast(pl.String).replace("", None).alias(a) for a in model.attributes]
    info_type = pl.col("type_version").cast(pl.Int64).replace_strict(versions, default=None, return_dtype=pl.String)
    return frame.select(pl.col("record_id").cast(pl.Int64), pl.col("entity_id").cast(pl.Int64),
                        info_type.alias("info_type"), *attrs)


def _sql(engine: Engine, stmt: Select) -> str:
    return str(stmt.compile(engine, compile_kwargs={"literal_binds": True}))


def connectorx_url(engine: Engine) -> str | None:
    """The engine's database for connectorx; None for an in-memory SQLite database (no second connection
    can see it)."""
    url = engine.url
    if is_sqlite(engine):
        if not url.database or url.database == ":memory:":
            return None
        return f"sqlite://{Path(url.database).resolve()}"
    return url.set(drivername="postgresql").render_as_string(hide_password=False)


def read_frames(engine: Engine, statements: dict[str, tuple[Select, dict[str, pl.DataType]]],
                partitions: dict[str, str] | None = None) -> dict[str, pl.DataFrame]:
    """Committed-data queries into Polars: connectorx where it can reach the database, else the driver.
    ``partitions``: statement name → a numeric column of its result, to read it in ranges on every core
    (then in no particular order: a caller that needs one sorts)."""
    target = connectorx_url(engine)
    if target is None:
        with engine.connect() as conn:
            return {name: _rows(conn.execute(stmt), schema) for name, (stmt, schema) in statements.items()}
    sqls = {name: _sql(engine, stmt) for name, (stmt, _schema) in statements.items()}
    if not is_sqlite(engine):
        import connectorx as cx

        return {name: cx.read_sql(target, sql, return_type="polars", **partition_kwargs((partitions or {}).get(name)))
                for name, sql in sqls.items()}
    # connectorx's own copy of SQLite must not share this process with the platform's (kit.arrowread); the
    # frames keep the chunks they were read in (a copy into one costs seconds at twenty million rows, and
    # the run's first step, the snapshot's sort, makes one anyway)
    with tempfile.TemporaryDirectory(prefix="xinyong-read-") as tmp:
        files = read_in_child(target, sqls, Path(tmp), partitions)
        return {name: pl.read_ipc(path) for name, path in files.items()}


RECORDS_PARTITION = "record_id"


def read_frame(engine: Engine, stmt: Select, schema: dict[str, pl.DataType] | None = None,
               partition: str | None = None) -> pl.DataFrame:
    return read_frames(engine, {"frame": (stmt, schema)}, {"frame": partition} if partition else None)["frame"]


def _rows(result, schema) -> pl.DataFrame:
    names = list(result.keys())
    rows = result.all()
    return pl.DataFrame(rows, schema=schema or names, orient="row") if rows else pl.DataFrame(
        schema=schema or {n: pl.String for n in names})


def _attr_schema(model: GradingModel) -> dict[str, pl.DataType]:
    return RECORD_SCHEMA | {a: pl.String for a in model.attributes}


def read_inputs(engine: Engine, model: GradingModel, on: dt.date) -> tuple[pl.DataFrame, pl.Series, pl.DataFrame]:
    """A full run's input in one read: every counting record, every entity id, the external scores."""
    with engine.connect() as conn:
        versions = type_versions(conn)
    frames = read_frames(engine, {"records": (records_statement(model, on, versions), _attr_schema(model)),
                                  "entities": (entities_statement(), {"entity_id": pl.Int64}),
                                  "dimensions": (dimensions_statement(model), DIMENSION_SCHEMA)},
                         {"records": RECORDS_PARTITION})
    dims = frames["dimensions"]
    dims = dims.cast(DIMENSION_SCHEMA) if dims.height else pl.DataFrame(schema=DIMENSION_SCHEMA)
    return _typed(frames["records"], model, versions), frames["entities"]["entity_id"].cast(pl.Int64), dims


def session_records(session: Session, model: GradingModel, on: dt.date, entity_ids: list[int]) -> pl.DataFrame:
    """The counting records of a few entities, as this transaction sees them."""
    versions = type_versions(session)
    rows = for_ids(session, _entity_records(model, tuple(sorted(versions.items()))), entity_ids, {"on": on})
    return _typed(pl.DataFrame(rows, schema=_attr_schema(model), orient="row"), model, versions)


def entities_statement() -> Select:
    return select(cast(Entity.id, Integer).label("entity_id")).order_by(Entity.id)


def dimensions_statement(model: GradingModel) -> Select:
    """External dimension scores (R-GRD-2) of the dimensions the model weighs but does not compute."""
    external = [d for d in model.weights if d != model.dimension]
    return select(ExternalScore.entity_id.label("entity_id"), ExternalScore.dimension.label("dimension"),
                  ExternalScore.score.label("score")).where(ExternalScore.dimension.in_(external or [""]))


@per_model
def _entity_dimensions(model: GradingModel) -> Select:
    return dimensions_statement(model).where(ExternalScore.entity_id.in_(IDS))


DIMENSION_SCHEMA = {"entity_id": pl.Int64, "dimension": pl.String, "score": pl.Float64}


def session_dimensions(session: Session, model: GradingModel, entity_ids: list[int]) -> pl.DataFrame:
    return pl.DataFrame(for_ids(session, _entity_dimensions(model), entity_ids), schema=DIMENSION_SCHEMA, orient="row")
