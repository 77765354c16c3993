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
import multiprocessing
import tempfile
from collections.abc import Iterable
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import polars as pl
from sqlalchemy import Integer, Select, String, cast, func, literal, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from xinyong.catalog.models import InfoType, InfoTypeVersion
from xinyong.entities.models import Entity
from xinyong.kit.db import batched, is_sqlite
from xinyong.records.models import Record
from xinyong.records.visibility import counting

from .model import SEVERITY, GradingModel
from .models import ExternalScore

RECORD_SCHEMA = {"record_id": pl.Int64, "entity_id": pl.Int64, "info_type": pl.String}


def records_statement(model: GradingModel, on: dt.date, entity_ids: Iterable[int] | None = None) -> Select:
    """The records that count on ``on`` and that some rule of ``model`` selects by their type."""
    columns = [Record.id.label("record_id"), Record.entity_id.label("entity_id"), InfoType.code.label("info_type")]
    for attr in model.attributes:
        if attr == SEVERITY:
            columns.append(func.coalesce(cast(Record.severity, String), literal("")).label(attr))
        else:
            # '' for "absent": connectorx cannot type a SQLite column from a NULL in its first row
            columns.append(func.coalesce(Record.content[attr].as_string(), literal("")).label(attr))
    types = sorted({t for leaf in model.leaves() for t in leaf.types})
    stmt = (select(*columns)
            .join(InfoTypeVersion, InfoTypeVersion.id == Record.info_type_version_id)
            .join(InfoType, InfoType.id == InfoTypeVersion.info_type_id)
            .where(counting(on), Record.decision_date <= on, InfoType.code.in_(types)))
    if entity_ids is not None:
        stmt = stmt.where(Record.entity_id.in_(list(entity_ids)))
    return stmt


def _typed(frame: pl.DataFrame, model: GradingModel) -> pl.DataFrame:
    attrs = [pl.col(a).cast(pl.String).replace("", None).alias(a) for a in model.attributes]
    return frame.with_columns(pl.col("record_id").cast(pl.Int64), pl.col("entity_id").cast(pl.Int64),
                              pl.col("info_type").cast(pl.String), *attrs)


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


def read_frame(engine: Engine, stmt: Select, schema: dict[str, pl.DataType] | None = None) -> pl.DataFrame:
    """A committed-data query into Polars: connectorx where it can reach the database, else the driver."""
    target = connectorx_url(engine)
    if target is None:
        with engine.connect() as conn:
            return _rows(conn.execute(stmt), schema)
    sql = _sql(engine, stmt)
    if not is_sqlite(engine):
        import connectorx as cx

        return cx.read_sql(target, sql, return_type="polars")
    # connectorx carries its own copy of SQLite. Two copies in one process break SQLite's POSIX locks
    # (closing one copy's file handle drops the other's locks: "disk I/O error", or worse), so it reads
    # in a process of its own and hands the columns back as an Arrow IPC file.
    with tempfile.TemporaryDirectory(prefix="xinyong-read-") as tmp:
        out = Path(tmp) / "frame.arrow"
        with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("forkserver")) as pool:
            pool.submit(_read_to_ipc, target, sql, str(out)).result()
        return pl.read_ipc(out)


def _read_to_ipc(target: str, sql: str, out: str) -> None:
    import connectorx as cx

    cx.read_sql(target, sql, return_type="polars").write_ipc(out)


def _rows(result, schema) -> pl.DataFrame:
    names = list(result.keys())
    rows = result.all()
    return pl.DataFrame(rows, schema=schema or names, orient="row") if rows else pl.DataFrame(
        schema=schema or {n: pl.String for n in names})


def _attr_schema(model: GradingModel) -> dict[str, pl.DataType]:
    return RECORD_SCHEMA | {a: pl.String for a in model.attributes}


def read_records(engine: Engine, model: GradingModel, on: dt.date) -> pl.DataFrame:
    """Every counting record, for a full run."""
    return _typed(read_frame(engine, records_statement(model, on), _attr_schema(model)), model)


def session_records(session: Session, model: GradingModel, on: dt.date, entity_ids: list[int]) -> pl.DataFrame:
    """The counting records of a few entities, as this transaction sees them."""
    parts = [_rows(session.execute(records_statement(model, on, chunk)), _attr_schema(model)) for chunk in batched(entity_ids)]
    frame = pl.concat(parts) if parts else pl.DataFrame(schema=_attr_schema(model))
    return _typed(frame, model)


def entities_statement() -> Select:
    return select(cast(Entity.id, Integer).label("entity_id")).order_by(Entity.id)


def read_entity_ids(engine: Engine) -> pl.Series:
    return read_frame(engine, entities_statement(), {"entity_id": pl.Int64})["entity_id"].cast(pl.Int64)


def dimensions_statement(model: GradingModel, entity_ids: Iterable[int] | None = None) -> Select:
    """External dimension scores (R-GRD-2) of the dimensions the model weighs but does not compute."""
    external = [d for d in model.weights if d != model.dimension]
    stmt = select(ExternalScore.entity_id.label("entity_id"), ExternalScore.dimension.label("dimension"),
                  ExternalScore.score.label("score")).where(ExternalScore.dimension.in_(external or [""]))
    if entity_ids is not None:
        stmt = stmt.where(ExternalScore.entity_id.in_(list(entity_ids)))
    return stmt


DIMENSION_SCHEMA = {"entity_id": pl.Int64, "dimension": pl.String, "score": pl.Float64}


def read_dimensions(engine: Engine, model: GradingModel) -> pl.DataFrame:
    frame = read_frame(engine, dimensions_statement(model), DIMENSION_SCHEMA)
    return frame.cast(DIMENSION_SCHEMA) if frame.height else pl.DataFrame(schema=DIMENSION_SCHEMA)


def session_dimensions(session: Session, model: GradingModel, entity_ids: list[int]) -> pl.DataFrame:
    parts = [_rows(session.execute(dimensions_statement(model, chunk)), DIMENSION_SCHEMA) for chunk in batched(entity_ids)]
    return pl.concat(parts).cast(DIMENSION_SCHEMA) if parts else pl.DataFrame(schema=DIMENSION_SCHEMA)
