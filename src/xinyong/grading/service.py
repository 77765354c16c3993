"""Grading use cases: the stored models, full runs (build, then swap), instant regrading, standings,
reproduction and what-if (SPEC §6; R-GRD-1…7).

A full run reads the counting records through connectorx, keeps them as its input snapshot (Parquet,
named by the run, its SHA-256 on the run), grades with the engine and writes every result in one
transaction that also turns the run ``succeeded`` — so the run becomes current all at once or not at
all, and a failure leaves the last good run in force with the reason on the failed one.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Any

import polars as pl
from sqlalchemy import ColumnElement, Select, bindparam, func, insert, select, update
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import BindParameter

from xinyong.accounts.permissions import SYSTEM, Actor, Permission
from xinyong.entities.models import Entity
from xinyong.kit import cycles
from xinyong.kit.clock import now, today
from xinyong.kit.db import IDS, for_ids, is_sqlite, tune_for_bulk
from xinyong.kit.errors import Forbidden, Invalid, NotFound
from xinyong.kit.platform import Platform, settings_of

from . import engine as embedded
from . import events, source
from .model import DEFAULT_PRESET, PRESETS, GradingModel, load, preset_path
from .models import GradeResult, GradingModelVersion, GradingRun, Publication, RunKind, RunStatus

ENGINES = ("embedded", "spark")
SNAPSHOT_ROW_GROUP = 65_536
RESULT_COLUMNS = ["entity_id", "industry_score", "final_score", "grade", "lists", "explanation"]
Progress = Callable[[str], None]


# Who follows results as they are written, in the same transaction (the lists, R-LST-1…3): each gets the
# session, the run, the rows written (entity_id, scores, grade, lists, explanation) and whether the run is full.
ResultListener = Callable[[Session, "GradingRun", pl.DataFrame, bool], None]
_ON_RESULTS: list[ResultListener] = []


def on_results(fn: ResultListener) -> ResultListener:
    _ON_RESULTS.append(fn)
    return fn


def _announce(session: Session, run: GradingRun, rows: pl.DataFrame, full: bool) -> None:
    for fn in _ON_RESULTS:
        fn(session, run, rows, full)


def _require(actor: Actor, permission: Permission) -> None:
    if not actor.can(permission):
        raise Forbidden("没有进行此项评价操作的权限")


# ---- models as data -----------------------------------------------------------------------------

@lru_cache(maxsize=32)
def _parse(text: str, source_name: str) -> GradingModel:
    return load(text, source=source_name)


def parsed(version: GradingModelVersion) -> GradingModel:
    """The stored model, read once per process (its text never changes: a change is a new version)."""
    return _parse(version.text, f"{version.code}（第 {version.version} 版）")


def load_presets(session: Session, *, actor: Actor = SYSTEM) -> int:
    """Store the shipped models that are not stored yet; the reference model becomes the active one
    when none is. Safe to run again."""
    have = {(c, v) for c, v in session.execute(select(GradingModelVersion.code, GradingModelVersion.version))}
    added = 0
    for code in PRESETS:
        text = preset_path(code).read_text(encoding="utf-8")
        model = load(text, source=f"{code}.toml")
        if (model.code, model.version) not in have:
            session.add(GradingModelVersion(code=model.code, version=model.version, name=model.name, digest=model.digest,
                                            text=text, active=False))
            added += 1
    session.flush()
    if active_version(session) is None:
        default = session.scalars(select(GradingModelVersion).where(GradingModelVersion.code == DEFAULT_PRESET)
                                  .order_by(GradingModelVersion.version.desc())).first()
        if default is not None:
            default.active = True
            session.flush()
            events.model_adopted(session, default, actor)
    return added


def active_version(session: Session) -> GradingModelVersion | None:
    return session.scalars(select(GradingModelVersion).where(GradingModelVersion.active.is_(True))).first()


def versions(session: Session) -> list[GradingModelVersion]:
    return list(session.scalars(select(GradingModelVersion).order_by(GradingModelVersion.code, GradingModelVersion.version)))


def add_version(session: Session, *, actor: Actor, text: str, activate: bool = False,
                source: str = "上传的模型文件") -> GradingModelVersion:
    """Store a new model version from its TOML text (refused with file, line and reason when it does not
    make sense); with ``activate``, it grades from the next run on."""
    _require(actor, Permission.GRADING_MANAGE)
    model = load(text, source=source)
    exists = session.scalars(select(GradingModelVersion).where(GradingModelVersion.code == model.code,
                                                               GradingModelVersion.version == model.version)).first()
    if exists is not None:
        if exists.digest != model.digest:
            raise Invalid(f"模型 {model.code} 第 {model.version} 版已存在且内容不同：修改模型请提高 version")
        version = exists
    else:
        version = GradingModelVersion(code=model.code, version=model.version, name=model.name, digest=model.digest,
                                      text=text, created_by=actor.user_id)
        session.add(version)
        session.flush()
    if activate:
        adopt(session, actor=actor, version=version)
    return version


def adopt(session: Session, *, actor: Actor, version: GradingModelVersion) -> None:
    _require(actor, Permission.GRADING_MANAGE)
    session.execute(update(GradingModelVersion).where(GradingModelVersion.id != version.id).values(active=False)
                    .execution_options(synchronize_session="fetch"))
    version.active = True
    session.flush()
    events.model_adopted(session, version, actor)


def _active_model(session: Session) -> tuple[GradingModelVersion, GradingModel]:
    version = active_version(session)
    if version is None:
        raise Invalid("没有启用的评价模型：请先运行 xinyong init")
    return version, parsed(version)


def set_publication(session: Session, *, actor: Actor, version: GradingModelVersion, publication: Publication,
                    audience: list[str] | None = None) -> None:
    """How widely this model's results are published (R-PUB-7, 000 §19(一)); ``audience``: the USCCs of the
    specified subjects results are disclosed to."""
    _require(actor, Permission.GRADING_MANAGE)
    version.publication = Publication(publication)
    version.audience = sorted(set(audience)) if audience and version.publication is Publication.SPECIFIED else None
    session.flush()
    events.publication_set(session, version, actor)


def visible_standing(session: Session, actor: Actor, entity_id: int) -> Standing | None:
    """The entity's standing if ``actor`` may see it (``may_see``), else None."""
    s = standing(session, entity_id)
    return s if s is not None and may_see(session, actor, entity_id, s.version) else None


def may_see(session: Session, actor: Actor, entity_id: int, version: GradingModelVersion) -> bool:
    """Whether ``actor`` may see an entity's grading result (R-PUB-7, 000 §19(一)): the entity itself and
    the credit office always (R-GRD-5); government departments always — even "internal use" includes
    sharing with the relevant government departments, and results are shared with them for joint
    punishment (§19(四)); the public when results are public; another entity when results are public, or
    disclosed to specified subjects and it is one of them (``audience``: their USCCs)."""
    from xinyong.accounts.permissions import Role
    from xinyong.entities.models import Entity

    if actor.role in (Role.ADMIN, Role.OFFICER, Role.REVIEWER):
        return True
    if actor.role is Role.ENTITY and actor.entity_id == entity_id:
        return True
    if version.publication is Publication.PUBLIC:
        return True
    if version.publication is Publication.SPECIFIED and actor.role is Role.ENTITY and actor.entity_id and version.audience:
        uscc = session.scalar(select(Entity.uscc).where(Entity.id == actor.entity_id))
        return uscc in version.audience
    return False


# ---- results as rows ------------------------------------------------------------------------------

FEW = 200  # results of at most this many entities are turned into rows in Python (_few_result_rows)


def result_rows(model: GradingModel, result: embedded.GradingResult) -> pl.DataFrame:
    """One row per entity: scores, grade, the lists by score, and the explanation as JSON text."""
    return (_few_result_rows if result.scores.height <= FEW else _frame_result_rows)(model, result)


def _frame_result_rows(model: GradingModel, result: embedded.GradingResult) -> pl.DataFrame:
    scores = result.scores
    lists = [rule.code for rule in model.lists]
    listed = (pl.concat_str([pl.when(pl.col(c)).then(pl.lit(c)) for c in lists], separator=" ", ignore_nulls=True)
              if lists else pl.lit(""))
    out = scores.select("entity_id", pl.col("industry_score").cast(pl.Int64), pl.col("final_score").cast(pl.Int64),
                        "grade", lists=listed.fill_null(""))
    if result.points.height == 0:
        return out.with_columns(explanation=pl.lit(None, pl.String)).select(RESULT_COLUMNS)
    points = (result.points.select("entity_id", j=pl.concat_str(pl.lit('["'), pl.col("indicator").cast(pl.String), pl.lit('",'),
                                                                 pl.concat_str("level", "count", "raw", "points", separator=","),
                                                                 pl.lit("]")))
              .group_by("entity_id", maintain_order=True).agg(points=pl.col("j").str.join(",")))
    reasons = (result.reasons.select("entity_id", j=pl.struct(
        pl.col("rank").cast(pl.Int64), pl.col("indicator").cast(pl.String), pl.col("points").cast(pl.Int64),
        pl.col("count").cast(pl.Int64), "reason", pl.col("record_ids").cast(pl.List(pl.Int64))).struct.json_encode())
               .group_by("entity_id", maintain_order=True).agg(reasons=pl.col("j").str.join(",")))
    explained = points.join(reasons, on="entity_id", how="left").select(
        "entity_id", explanation=pl.concat_str(pl.lit('{"points":['), "points", pl.lit('],"reasons":['),
                                               pl.col("reasons").fill_null(""), pl.lit("]}")))
    return out.join(explained, on="entity_id", how="left", maintain_order="left").select(RESULT_COLUMNS)


_JSON = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode  # as Polars writes it


def _few_result_rows(model: GradingModel, result: embedded.GradingResult) -> pl.DataFrame:
    """``result_rows`` for a few entities — an instant regrade, one entity's explanation, a run over a handful:
    the same frame, built in Python (the nine Polars steps of ``_frame_result_rows`` cost 3 ms for one entity,
    this 0.3). ``tests/grading/test_result_rows.py`` holds the two equal."""
    scores, points, reasons = result.scores, result.points, result.reasons
    ids = scores["entity_id"].to_list()
    flags = [(rule.code, scores[rule.code].to_list()) for rule in model.lists]
    lists = [" ".join(code for code, on in flags if on[i]) for i in range(len(ids))]
    explanation: list[str | None] = [None] * len(ids)
    if points.height:
        explained: dict[Any, tuple[list, list]] = {}
        for eid, *point in zip(points["entity_id"].to_list(), points["indicator"].cast(pl.String).to_list(),
                               *(points[c].to_list() for c in ("level", "count", "raw", "points")), strict=True):
            explained.setdefault(eid, ([], []))[0].append(point)
        keys = ("rank", "indicator", "points", "count", "reason", "record_ids")
        typed = {"indicator": pl.String, "record_ids": pl.List(pl.Int64)}
        for eid, *reason in zip(*(reasons[c].cast(typed.get(c, reasons[c].dtype)).to_list() for c in ("entity_id", *keys)),
                                strict=True):
            if eid in explained:  # as the join above: reasons hang on an entity's points
                explained[eid][1].append(dict(zip(keys, reason, strict=True)))
        explanation = [_JSON({"points": e[0], "reasons": e[1]}) if (e := explained.get(eid)) else None for eid in ids]
    return pl.DataFrame([scores["entity_id"], scores["industry_score"].cast(pl.Int64), scores["final_score"].cast(pl.Int64),
                         scores["grade"], pl.Series("lists", lists, pl.String), pl.Series("explanation", explanation, pl.String)])


def results_digest(rows: pl.DataFrame) -> str:
    """SHA-256 over the scores, grades and lists (not the explanation, which the input determines),
    sorted by entity: a stored run can be checked against its rows and against its reproduction."""
    canon = rows.select("entity_id", "industry_score", "final_score", "grade", "lists").sort("entity_id")
    return hashlib.sha256(canon.write_csv(include_header=False).encode()).hexdigest()


def _write_results(session: Session, run_id: int, rows: pl.DataFrame) -> None:
    table = GradeResult.__table__
    columns = ["run_id", *RESULT_COLUMNS]
    frame = rows.select(pl.lit(run_id, pl.Int64).alias("run_id"), *RESULT_COLUMNS)
    conn = session.connection()
    if is_sqlite(conn.engine):
        # a million entries into the (entity, run) index land all over it: with SQLite's 2 MB page cache each
        # was a read from the OS, and the write grew with every run kept (5 s at one run, 20 s at nine)
        tune_for_bulk(session)
        sql = f"INSERT INTO {table.name} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})"
        for start in range(0, frame.height, 100_000):
            conn.exec_driver_sql(sql, frame.slice(start, 100_000).rows())
        return
    buffer = io.BytesIO()
    frame.write_csv(buffer, include_header=False, null_value="")
    raw = conn.connection.driver_connection
    with raw.cursor() as cur, cur.copy(f"COPY {table.name} ({', '.join(columns)}) FROM STDIN (FORMAT csv)") as copy:
        copy.write(buffer.getvalue())


# ---- full runs ------------------------------------------------------------------------------------

def snapshot_path(settings, run_id: int) -> Path:
    return Path(settings.data_dir) / "grading" / f"run-{run_id}-input.parquet"


def _part(path: Path, part: str) -> Path:
    return path.with_name(path.name.replace("input", part))


def _by_entity_and_record(records: pl.DataFrame) -> pl.DataFrame:
    """The records sorted by entity, then record: by one 64-bit key (entity << 32 | record) where the ids
    fit, as they do below four billion records — half the time of a two-column sort, which competes for
    the cores with the grading (17 M records: 3.7 s -> 2.0 s alone)."""
    ids = records.select(pl.col("entity_id").min().alias("e0"), pl.col("entity_id").max().alias("e1"),
                         pl.col("record_id").min().alias("r0"), pl.col("record_id").max().alias("r1")).row(0)
    if records.height == 0 or min(ids[0], ids[2]) < 0 or ids[1] >= 1 << 31 or ids[3] >= 1 << 32:
        return records.sort("entity_id", "record_id")
    return records.sort(pl.col("entity_id").cast(pl.Int64) * (1 << 32) + pl.col("record_id").cast(pl.Int64))


def _write_snapshot(path: Path, records: pl.DataFrame, dimensions: pl.DataFrame, entities: pl.Series) -> str:
    """The run's input, kept so that the run can be reproduced exactly (R-GRD-7): the counting records,
    the external scores and the entities graded, in one Parquet file per part; returns their SHA-256.
    Records are sorted by entity and record (the read comes in no particular order) in row groups with
    statistics, so one entity's explanation is read back from a few row groups (``explanation_of``)."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    digest = hashlib.sha256()
    for part, frame in (("records", _by_entity_and_record(records)), ("dimensions", dimensions),
                        ("entities", entities.to_frame())):
        target = _part(path, part)
        frame.write_parquet(target, compression="zstd", statistics=True, row_group_size=SNAPSHOT_ROW_GROUP)
        digest.update(target.read_bytes())
    return digest.hexdigest()


def _read_snapshot(path: Path) -> tuple[pl.DataFrame, pl.DataFrame, pl.Series, str]:
    digest = hashlib.sha256()
    frames = []
    for part in ("records", "dimensions", "entities"):
        target = _part(path, part)
        if not target.exists():
            raise NotFound(f"评价运行的输入快照不存在：{target}")
        digest.update(target.read_bytes())
        frames.append(pl.read_parquet(target))
    return frames[0], frames[1], frames[2]["entity_id"], digest.hexdigest()


def _grade(model: GradingModel, records: pl.DataFrame | Path, entities: pl.Series, on: dt.date, dimensions: pl.DataFrame,
           engine: str, *, explain: bool = True) -> embedded.GradingResult:
    """``records``: a frame, or (Spark) the Parquet file of the run's snapshot, which is how a cluster is fed."""
    dims = dimensions if dimensions.height else None
    if engine == "spark":
        from . import spark

        return spark.grade(model, records, entities, on=on, dimensions=dims, explain=explain)
    return embedded.grade(model, records, entities, on=on, dimensions=dims, explain=explain)


def run(platform: Platform, *, actor: Actor = SYSTEM, as_of: dt.date | None = None, engine: str = "embedded",
        trigger: str = "手动运行", progress: Progress | None = None,
        on_started: Callable[[int], None] | None = None) -> GradingRun:
    """A full run over every entity. Returns the run, succeeded; on failure marks it failed (the last good
    run stays current) and raises ``Invalid`` with the reason."""
    _require(actor, Permission.GRADING_RUN)
    if engine not in ENGINES:
        raise Invalid(f"未知的计算引擎 {engine}（可选：{'、'.join(ENGINES)}）")
    as_of = as_of or today()
    say = progress or (lambda _m: None)
    started = time.perf_counter()
    with platform.uow(actor=actor) as session:
        version, model = _active_model(session)
        r = GradingRun(model_id=version.id, kind=RunKind.FULL, status=RunStatus.RUNNING, as_of=as_of, engine=engine,
                       trigger=trigger, started_by=actor.user_id)
        session.add(r)
        session.flush()
        events.run_started(session, r, actor)
        run_id = r.id
    if on_started is not None:  # the run is registered (committed): a page can follow it by its id
        on_started(run_id)
    try:
        say("读取记录")
        records, entities, dimensions = source.read_inputs(platform.engine, model, as_of)
        say(f"已读取 {records.height:,} 条计入记录、{entities.len():,} 个主体；计算（{engine}）并保存输入快照")
        # the snapshot is sorted and written while the results and the lists are written, which leave a core
        # to the database's own work (Polars works outside the GIL); the grading before has both cores. The
        # write transaction then waits for the snapshot's digest: on the SQLite bench it held the writer
        # lock 9 s instead of 6, for a run 2.5 s shorter. Spark is fed from the snapshot, so it waits for it.
        with ThreadPoolExecutor(max_workers=1) as pool:
            def keep():
                return pool.submit(_write_snapshot, snapshot_path(platform.settings, run_id), records, dimensions, entities)

            snapshot = keep() if engine == "spark" else None
            if snapshot is not None:
                snapshot.result()
            # scores, grades and lists for everyone; an entity's explanation is worked out from the snapshot when
            # asked for (explanation_of): writing a million of them would cost more than the grading itself
            given = _part(snapshot_path(platform.settings, run_id), "records") if engine == "spark" else records
            rows = result_rows(model, _grade(model, given, entities, as_of, dimensions, engine, explain=False))
            digest = results_digest(rows)
            if snapshot is None:
                snapshot = keep()
            say(f"写入 {rows.height:,} 个主体的结果")
            # the write makes millions of short-lived Python rows (results, list entries, their digests): kit.cycles
            with cycles.paused(), platform.uow(actor=actor) as session:
                _write_results(session, run_id, rows)
                r = session.get(GradingRun, run_id)
                r.entities, r.records, r.results_digest = rows.height, records.height, digest
                # entities regraded at once since the read have newer results: the lists follow those, not this run's
                newer = set(session.scalars(select(GradeResult.entity_id).join(GradingRun, GradingRun.id == GradeResult.run_id)
                                            .where(GradeResult.run_id > run_id, GradingRun.status == RunStatus.SUCCEEDED)))
                _announce(session, r, rows.filter(~pl.col("entity_id").is_in(list(newer))) if newer else rows, True)
                r.input_digest = snapshot.result()  # the run succeeds only with its input kept (R-GRD-7)
                r.status, r.finished_at = RunStatus.SUCCEEDED, now()
                r.seconds = round(time.perf_counter() - started, 3)
                session.flush()
                events.run_finished(session, r, actor)
                return r
    except Exception as exc:  # the run is marked failed and the reason kept; the last good run stays current
        reason = str(exc) or type(exc).__name__
        with platform.uow(actor=actor) as session:
            r = session.get(GradingRun, run_id)
            r.status, r.finished_at, r.error = RunStatus.FAILED, now(), reason[:2000]
            r.seconds = round(time.perf_counter() - started, 3)
            session.flush()
            events.run_failed(session, r, actor)
        raise Invalid(f"评价运行 #{run_id} 失败，上一次成功的评价结果继续有效：{reason}") from exc


def _current_full_run_id():
    """SQL: the id of the current full run — the latest that succeeded (the one definition ``current_full_run``
    and the standings share)."""
    return (select(func.max(GradingRun.id)).where(GradingRun.kind == RunKind.FULL, GradingRun.status == RunStatus.SUCCEEDED)
            .scalar_subquery())


def current_full_run(session: Session) -> GradingRun | None:
    return session.scalars(select(GradingRun).where(GradingRun.id == _current_full_run_id())).first()


def get_run(session: Session, run_id: int) -> GradingRun:
    r = session.get(GradingRun, run_id)
    if r is None:
        raise NotFound(f"没有编号为 {run_id} 的评价运行")
    return r


def runs(session: Session, *, limit: int = 50, kind: RunKind | None = RunKind.FULL) -> list[GradingRun]:
    stmt = select(GradingRun).order_by(GradingRun.id.desc()).limit(limit)
    if kind is not None:
        stmt = stmt.where(GradingRun.kind == kind)
    return list(session.scalars(stmt))


@dataclass(frozen=True)
class Check:
    run_id: int
    ok: bool
    problems: list[str]


def verify_run(platform: Platform, run_id: int) -> Check:
    """Reproduce a run (R-GRD-7): its stored model and its input snapshot give the identical result, and
    the rows in the database are the rows it wrote."""
    problems: list[str] = []
    with platform.uow(write=False) as session:
        r = get_run(session, run_id)
        if r.kind is not RunKind.FULL or r.status is not RunStatus.SUCCEEDED:
            raise Invalid(f"评价运行 #{run_id} 不是成功的全量评价，无从复现")
        model = parsed(session.get(GradingModelVersion, r.model_id))
        stored = pl.DataFrame(session.execute(select(GradeResult.entity_id, GradeResult.industry_score, GradeResult.final_score,
                                                     GradeResult.grade, GradeResult.lists)
                                              .where(GradeResult.run_id == run_id)).all(),
                              schema={"entity_id": pl.Int64, "industry_score": pl.Int64, "final_score": pl.Int64,
                                      "grade": pl.String, "lists": pl.String}, orient="row")
        as_of, input_digest, results = r.as_of, r.input_digest, r.results_digest
    if results_digest(stored) != results:
        problems.append("数据库中的评价结果与运行记录的摘要不一致（结果被改动过）")
    records, dimensions, entities, digest = _read_snapshot(snapshot_path(platform.settings, run_id))
    if digest != input_digest:
        problems.append("输入快照与运行记录的摘要不一致（快照被改动过）")
    again = result_rows(model, _grade(model, records, entities, as_of, dimensions, "embedded", explain=False))
    if results_digest(again) != results:
        problems.append("用同一模型和输入快照重新计算，结果与原运行不同")
    return Check(run_id, not problems, problems)


# ---- instant regrading --------------------------------------------------------------------------

_EXISTING = select(Entity.id).where(Entity.id.in_(IDS))


def regrade(session: Session, entity_ids: list[int], *, trigger: str, on: dt.date | None = None) -> GradingRun | None:
    """Regrade these entities now, inside the caller's transaction (R-GRD-4): the change and the new
    grade commit together. Only entities whose result changed get a new row (a draft saved changes
    nothing); nothing to do before a model is active. Returns the partial run, if anything changed."""
    version = active_version(session)
    if version is None or not entity_ids:
        return None
    model = parsed(version)
    on = on or today()
    # only entities that exist: one created in a savepoint that was rolled back was still noted as touched
    ids = sorted({i for (i,) in for_ids(session, _EXISTING, sorted(set(entity_ids)))})
    if not ids:
        return None
    records = source.session_records(session, model, on, ids)
    dimensions = source.session_dimensions(session, model, ids)
    rows = result_rows(model, _grade(model, records, pl.Series("entity_id", ids, pl.Int64), on, dimensions, "embedded"))
    rows = _changed(session, rows, version.id)
    if rows.height == 0:
        return None
    r = GradingRun(model_id=version.id, kind=RunKind.PARTIAL, status=RunStatus.SUCCEEDED, as_of=on, engine="embedded",
                   trigger=trigger[:200], entities=rows.height, records=records.height, results_digest=results_digest(rows),
                   finished_at=now(), seconds=0.0)
    session.add(r)
    session.flush()
    session.execute(insert(GradeResult), [{"run_id": r.id, **row, "explanation": json.loads(row["explanation"])
                                           if row["explanation"] else None} for row in rows.iter_rows(named=True)])
    _announce(session, r, rows, False)
    events.regraded(session, r, rows["entity_id"].to_list())
    return r


def standing_results(entity_ids: BindParameter | None = None):
    """Subquery (entity_id, run_id): the result each entity stands on — its latest in a succeeded run at or
    after the current full run (``standing`` for one entity; this for many, in SQL)."""
    stmt = (select(GradeResult.entity_id, func.max(GradeResult.run_id).label("run_id"))
            .join(GradingRun, GradingRun.id == GradeResult.run_id)
            .where(GradingRun.status == RunStatus.SUCCEEDED, GradeResult.run_id >= func.coalesce(_current_full_run_id(), 0)))
    if entity_ids is not None:
        stmt = stmt.where(GradeResult.entity_id.in_(entity_ids))
    return stmt.group_by(GradeResult.entity_id).subquery()


_LATEST = standing_results(IDS)
# the standing results of the entities ``:ids``, with the model each came from: built once, a regrade asks it
_STANDINGS_OF = (select(GradeResult.entity_id, GradeResult.industry_score, GradeResult.final_score, GradeResult.grade,
                        GradeResult.lists, GradeResult.explanation, GradingRun.model_id)
                 .join(_LATEST, (_LATEST.c.entity_id == GradeResult.entity_id) & (_LATEST.c.run_id == GradeResult.run_id))
                 .join(GradingRun, GradingRun.id == GradeResult.run_id))


def _changed(session: Session, rows: pl.DataFrame, model_id: int) -> pl.DataFrame:
    """The rows that differ from the entities' standing (or whose standing came from another model)."""
    before = {}
    for eid, industry, final, grade, lists, explanation, mid in for_ids(session, _STANDINGS_OF, rows["entity_id"].to_list()):
        if isinstance(explanation, str):
            explanation = json.loads(explanation)
        before[eid] = (industry, final, grade, lists, explanation, mid)
    keep = [before.get(row["entity_id"]) != (row["industry_score"], row["final_score"], row["grade"], row["lists"],
                                             json.loads(row["explanation"]) if row["explanation"] else None, model_id)
            for row in rows.iter_rows(named=True)]
    return rows.filter(pl.Series(keep, dtype=pl.Boolean))


# ---- standings and history ------------------------------------------------------------------------

@dataclass(frozen=True, eq=False)
class Standing:
    entity_id: int
    run: GradingRun
    version: GradingModelVersion
    model: GradingModel
    industry_score: int
    score: int
    grade: str
    lists: list[str]
    stored: dict[str, Any] | None  # the explanation written with the result (instant regrades)
    settings: Any = field(default=None, repr=False, compare=False)

    @cached_property
    def explanation(self) -> dict[str, Any] | None:
        """Points and reasons: as written with an instant regrade's result, or, for a full run's, worked out
        from its input snapshot when first asked (a credit check never asks)."""
        if self.stored is not None or self.run.kind is not RunKind.FULL or self.settings is None:
            return self.stored
        return explanation_of(self.settings, self.run.id, self.model, self.run.as_of, self.entity_id)

    @property
    def grade_label(self) -> str:
        for band in self.model.bands:
            if band.grade == self.grade:
                return band.label
        return ""

    def reasons(self) -> list[str]:
        return [r["reason"] for r in self.reason_items()]

    def reason_items(self) -> list[dict[str, Any]]:
        """rank, indicator, points (the indicator's own, before clipping), count, reason, record_ids."""
        return list((self.explanation or {}).get("reasons", []))

    def indicators(self) -> list[dict[str, Any]]:
        """Every level-1 and lower indicator of the model, with the entity's points (0 where it has none)."""
        got = {p[0]: p for p in (self.explanation or {}).get("points", [])}
        out = []
        for node in self.model.walk():
            p = got.get(node.code)
            out.append({"code": node.code, "name": node.name, "level": node.level, "low": node.low, "high": node.high,
                        "count": p[2] if p else 0, "raw": p[3] if p else 0, "points": p[4] if p else 0})
        return out

    def as_dict(self) -> dict[str, Any]:
        return {"score": self.score, "industry_score": self.industry_score, "grade": self.grade,
                "grade_label": self.grade_label, "lists": self.lists, "reasons": self.reasons(),
                "reason_details": self.reason_items(), "indicators": [i for i in self.indicators() if i["count"]],
                "as_of": self.run.as_of.isoformat(), "run_id": self.run.id,
                "model": {"code": self.model.code, "version": self.model.version, "name": self.model.name}}


def _latest(*columns, entity: ColumnElement[int] | None = None):
    """The entity's (``entity``; by default the parameter ``:entity_id``) result in the latest succeeded run
    at or after the current full run, in one statement, built once: a credit check asks it on every call,
    and building a statement costs more than running it."""
    full = _current_full_run_id()
    return (select(*columns).select_from(GradeResult).join(GradingRun, GradingRun.id == GradeResult.run_id)
            .join(GradingModelVersion, GradingModelVersion.id == GradingRun.model_id)
            .where(GradeResult.entity_id == (bindparam("entity_id") if entity is None else entity),
                   GradingRun.status == RunStatus.SUCCEEDED, GradeResult.run_id >= func.coalesce(full, 0))
            .order_by(GradeResult.run_id.desc()).limit(1))


_STANDING = _latest(GradeResult, GradingRun, GradingModelVersion)


def grade_of(entity: ColumnElement[int]) -> Select:
    """A credit check's grade of ``entity`` (an id, or an expression that finds one): plain columns, for
    ``grade_from``; the check joins it with the lists and the catalog."""
    return _latest(GradeResult.__table__.c.final_score, GradeResult.__table__.c.grade, GradingRun.__table__.c.as_of,
                   GradingRun.__table__.c.model_id, GradingModelVersion.__table__.c.digest, entity=entity)


@dataclass(frozen=True)
class Grade:
    """What a credit check needs of a standing: no run, model version or explanation objects."""

    score: int
    grade: str
    grade_label: str
    as_of: dt.date
    model: str


_MODELS: dict[str, GradingModel] = {}  # by digest


def grade_from(session: Session, row: Any) -> Grade | None:
    """A ``Grade`` from a row of ``grade_of``'s columns, or of a statement it is joined into (all None when
    the entity has no standing): the standing's score and grade from plain columns; the model is parsed
    once per process (a version's text never changes)."""
    if row is None or row.grade is None:
        return None
    model = _MODELS.get(row.digest)
    if model is None:
        model = _MODELS[row.digest] = parsed(session.get(GradingModelVersion, row.model_id))
    label = next((band.label for band in model.bands if band.grade == row.grade), "")
    return Grade(row.final_score, row.grade, label, row.as_of, model.code)


def standing(session: Session, entity_id: int) -> Standing | None:
    """The entity's result in the latest succeeded run at or after the current full run; None before
    it was ever graded."""
    row = session.execute(_STANDING, {"entity_id": entity_id}).first()
    if row is None:
        return None
    result, r, version = row
    model = parsed(version)
    explanation = result.explanation
    if isinstance(explanation, str):
        explanation = json.loads(explanation)
    return Standing(entity_id, r, version, model, result.industry_score, result.final_score, result.grade,
                    [c for c in result.lists.split() if c], explanation, settings_of(session))


_BY_DIGEST: dict[str, GradingModel] = {}


@lru_cache(maxsize=4096)
def _explained(path: str, mtime: float, digest: str, as_of: dt.date, entity_id: int) -> str | None:
    model = _BY_DIGEST[digest]
    records = pl.scan_parquet(path).filter(pl.col("entity_id") == entity_id).collect()
    dims_path = _part(Path(path).with_name(Path(path).name.replace("records", "input")), "dimensions")
    dims = pl.scan_parquet(dims_path).filter(pl.col("entity_id") == entity_id).collect()
    rows = result_rows(model, _grade(model, records, pl.Series("entity_id", [entity_id], pl.Int64), as_of, dims, "embedded"))
    return rows["explanation"][0]


def explanation_of(settings, run_id: int, model: GradingModel, as_of: dt.date, entity_id: int) -> dict[str, Any] | None:
    """One entity's points and reasons in a full run, worked out again from the run's input snapshot and
    model: the same computation on the same input, so the same as if it had been stored (R-GRD-5, R-GRD-7).
    None when the entity had no counting record, or the snapshot is gone."""
    path = _part(snapshot_path(settings, run_id), "records")
    if not path.exists():
        return None
    _BY_DIGEST[model.digest] = model
    text = _explained(str(path), path.stat().st_mtime, model.digest, as_of, entity_id)
    return json.loads(text) if text else None


def history(session: Session, entity_id: int, *, limit: int = 60) -> list[dict[str, Any]]:
    """The entity's grade over time, one point per date (the latest run of that date), oldest first."""
    rows = session.execute(select(GradingRun.as_of, GradingRun.id, GradeResult.final_score, GradeResult.grade)
                           .join(GradingRun, GradingRun.id == GradeResult.run_id)
                           .where(GradeResult.entity_id == entity_id, GradingRun.status == RunStatus.SUCCEEDED)
                           .order_by(GradeResult.run_id.desc()).limit(limit * 4)).all()
    by_day: dict[dt.date, dict[str, Any]] = {}
    for as_of, run_id, score, grade in rows:
        by_day.setdefault(as_of, {"date": as_of.isoformat(), "run_id": run_id, "score": score, "grade": grade})
    return sorted(by_day.values(), key=lambda p: p["date"])[-limit:]


def distribution(session: Session, run_id: int) -> dict[str, int]:
    return dict(session.execute(select(GradeResult.grade, func.count()).where(GradeResult.run_id == run_id)
                                .group_by(GradeResult.grade)).all())


# ---- what-if --------------------------------------------------------------------------------------

@dataclass(frozen=True)
class WhatIf:
    current: GradingModel
    draft: GradingModel
    as_of: dt.date
    entities: int
    matrix: list[dict[str, Any]]  # before, after, entities
    before: dict[str, int]
    after: dict[str, int]

    @property
    def moved(self) -> int:
        return sum(m["entities"] for m in self.matrix if m["before"] != m["after"])


def what_if(platform: Platform, *, actor: Actor, draft_text: str, as_of: dt.date | None = None) -> WhatIf:
    """Grade everyone with the active model and with a draft, side by side, writing nothing (R-GRD-7)."""
    _require(actor, Permission.GRADING_MANAGE)
    draft = load(draft_text, source="草案模型")
    as_of = as_of or today()
    with platform.uow(write=False) as session:
        _version, current = _active_model(session)
    results = {}
    for key, model in (("before", current), ("after", draft)):
        records, entities, dims = source.read_inputs(platform.engine, model, as_of)
        results[key] = embedded.grade(model, records, entities, on=as_of, dimensions=dims if dims.height else None,
                                      explain=False).scores
    matrix = embedded.what_if(results["before"], results["after"])
    counts = {k: dict(v.group_by("grade").len().iter_rows()) for k, v in results.items()}
    return WhatIf(current, draft, as_of, entities.len(), matrix.to_dicts(), counts["before"], counts["after"])
