"""Grading models as stored data, runs, results, external dimension scores and review requests.

A run is a grading of a set of entities with one model version on one date (R-GRD-4, R-GRD-7):

- a *full* run grades every entity; it writes its results while ``running`` and becomes the current
  one only when its status turns ``succeeded`` in its last transaction (DESIGN habit 5: build, then
  swap). A failed run leaves the last good one in force and keeps its error.
- a *partial* run regrades the entities whose records just changed (R-GRD-4: a new record, a
  correction, a revocation, an expiry), in the same transaction as the change.

An entity's standing is its result in the latest succeeded run at or after the current full run.
Result rows are many (one per entity per run), so they are not ``Audited`` one by one: the run, which
is, carries the SHA-256 of its results and of its input, which ``xinyong grade --verify`` checks.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Boolean, Date, Enum, Float, ForeignKey, Index, Integer, String, Text, UniqueConstraint, sql
from sqlalchemy.orm import Mapped, mapped_column

from xinyong.audit.trail import Audited
from xinyong.kit.clock import now
from xinyong.kit.db import Base, UTCDateTime


def _enum(cls, name: str) -> Enum:
    return Enum(cls, name=name, native_enum=False, length=20, values_callable=lambda e: [m.value for m in e])


class Publication(StrEnum):
    """How widely the results are published (R-PUB-7, 000 §19(一)): the entity itself and the credit
    office always see them."""

    PUBLIC = "public"  # 完全公开：向社会公开
    SPECIFIED = "specified"  # 向特定主体公开：仅向所列主体披露
    INTERNAL = "internal"  # 内部使用：本部门内部使用或与相关政府部门共享


PUBLICATION_LABELS = {Publication.PUBLIC: "完全公开（向社会公开）", Publication.SPECIFIED: "向特定主体公开",
                      Publication.INTERNAL: "内部使用（含与相关政府部门共享）"}


class GradingModelVersion(Audited, Base):
    """One version of a grading model, its TOML text as adopted (R-GRD-7: models are data, versioned)."""

    __tablename__ = "grading_models"
    __table_args__ = (UniqueConstraint("code", "version"), {"comment": "信用评价模型（各版本的模型文件）"})

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(60), comment="模型代码")
    version: Mapped[int] = mapped_column(Integer, comment="版本号")
    name: Mapped[str] = mapped_column(String(200), comment="模型名称")
    digest: Mapped[str] = mapped_column(String(64), comment="模型文件的 SHA-256")
    text: Mapped[str] = mapped_column(Text, comment="模型文件（TOML）")
    active: Mapped[bool] = mapped_column(Boolean, default=False, server_default=sql.false(), comment="是否现行模型")
    publication: Mapped[Publication] = mapped_column(_enum(Publication, "grading_publication"), default=Publication.INTERNAL,
                                                     server_default=Publication.INTERNAL.value, comment="评价结果公开范围")
    audience: Mapped[Any] = mapped_column(JSON, nullable=True, comment="特定公开对象（主体统一社会信用代码）")
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"), comment="载入人")
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=now, comment="载入时间")


class RunKind(StrEnum):
    FULL = "full"  # 全量评价（每半年一次，或手动）
    PARTIAL = "partial"  # 记录变化后即时重评


class RunStatus(StrEnum):
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"


KIND_LABELS = {RunKind.FULL: "全量评价", RunKind.PARTIAL: "即时重评"}
STATUS_LABELS = {RunStatus.RUNNING: "运行中", RunStatus.SUCCEEDED: "成功", RunStatus.FAILED: "失败"}


class GradingRun(Audited, Base):
    __tablename__ = "grading_runs"
    __table_args__ = (Index("ix_grading_runs_kind_status", "kind", "status"), {"comment": "信用评价运行"})

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    model_id: Mapped[int] = mapped_column(ForeignKey("grading_models.id"), comment="所用模型版本")
    kind: Mapped[RunKind] = mapped_column(_enum(RunKind, "grading_run_kind"), comment="类型")
    status: Mapped[RunStatus] = mapped_column(_enum(RunStatus, "grading_run_status"), comment="状态")
    as_of: Mapped[dt.date] = mapped_column(Date, comment="评价基准日")
    engine: Mapped[str] = mapped_column(String(20), default="embedded", comment="计算引擎（embedded 或 spark）")
    trigger: Mapped[str] = mapped_column(String(200), comment="触发原因")
    entities: Mapped[int] = mapped_column(Integer, default=0, comment="评价的主体数")
    records: Mapped[int] = mapped_column(Integer, default=0, comment="计入的记录数")
    input_digest: Mapped[str | None] = mapped_column(String(64), comment="输入快照的 SHA-256（可复现）")
    results_digest: Mapped[str | None] = mapped_column(String(64), comment="评价结果的 SHA-256")
    error: Mapped[str | None] = mapped_column(Text, comment="失败原因")
    started_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"), comment="发起人")
    started_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=now, comment="开始时间")
    finished_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, comment="结束时间")
    seconds: Mapped[float | None] = mapped_column(Float, comment="用时（秒）")


class GradeResult(Base):
    """One entity's result in one run. ``explanation`` (JSON): ``points`` — [indicator, level, count, raw,
    points] per indicator with counting records; ``reasons`` — {rank, indicator, points, count, reason,
    record_ids} for the up to four indicators that lowered the score most (R-GRD-5). Null when the entity
    had no counting record."""

    __tablename__ = "grade_results"
    __table_args__ = (Index("ix_grade_results_entity_run", "entity_id", "run_id"), {"comment": "信用评价结果"})

    # neither is a declared foreign key: a run writes a million rows at once, and PostgreSQL would check each
    # row (migration 0013); a run is created before its results and never deleted
    run_id: Mapped[int] = mapped_column(Integer, primary_key=True, comment="评价运行")
    entity_id: Mapped[int] = mapped_column(Integer, primary_key=True, comment="信用主体")
    industry_score: Mapped[int] = mapped_column(Integer, comment="行业评价得分（本模型指标）")
    final_score: Mapped[int] = mapped_column(Integer, comment="综合得分")
    grade: Mapped[str] = mapped_column(String(8), comment="等级")
    lists: Mapped[str] = mapped_column(String(100), default="", comment="按分数列入的名单代码（空格分隔）")
    explanation: Mapped[Any] = mapped_column(JSON, nullable=True, comment="各指标得分与扣分原因")


class ExternalScore(Audited, Base):
    """A dimension score from outside (R-GRD-2, R-XCH-1): the city's public credit evaluation or a
    third-party evaluation, on the model's scale. The latest import per entity and dimension counts."""

    __tablename__ = "external_scores"
    __table_args__ = (UniqueConstraint("entity_id", "dimension"), {"comment": "外部维度评分（公共信用评价、第三方评价）"})

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    entity_id: Mapped[int] = mapped_column(ForeignKey("entities.id"), comment="信用主体")
    dimension: Mapped[str] = mapped_column(String(40), comment="维度（public、third_party 等）")
    score: Mapped[float] = mapped_column(Float, comment="分值（已换算到模型的分值范围）")
    source: Mapped[str] = mapped_column(String(200), comment="来源（评价机构、文件）")
    evaluated_on: Mapped[dt.date | None] = mapped_column(Date, comment="评价日期")
    imported_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"), comment="导入人")
    imported_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=now, comment="导入时间")
