"""What the grading API and pages take and answer (Pydantic; the ORM classes are in ``models``)."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, ConfigDict, Field

from xinyong.kit.schemas import IsoDate

from .models import Publication, RunKind, RunStatus


class ModelRef(BaseModel):
    code: str
    version: int
    name: str


class ModelVersionRead(ModelRef):
    id: int
    digest: str
    active: bool
    created_at: dt.datetime
    publication: Publication  # how widely its results are published (R-PUB-7)
    publication_label: str
    audience: list[str]  # the departments named for "specified" (USCCs); empty: every department


class PublicationSet(BaseModel):
    model_config = ConfigDict(extra="forbid")
    publication: str = Field(max_length=20)
    audience: list[str] = Field(default_factory=list, max_length=200)


class GradingRunRead(BaseModel):
    id: int
    kind: RunKind
    kind_label: str
    status: RunStatus
    status_label: str
    as_of: dt.date
    engine: str
    trigger: str
    model: ModelRef
    entities: int
    records: int
    input_digest: str | None
    results_digest: str | None
    error: str | None
    started_at: dt.datetime
    finished_at: dt.datetime | None
    seconds: float | None
    current: bool = False  # the full run whose results are in force
    grades: dict[str, int] | None = None  # entities per grade, when asked for one run


class RunStart(BaseModel):
    """``POST /grading/runs``: the evaluation date (today in China when not given)."""

    model_config = ConfigDict(extra="forbid")
    as_of: IsoDate | None = None


class RunStarted(BaseModel):
    run_id: int | None  # None: the run had not registered itself yet when the answer left; see /grading/runs
    status: RunStatus = RunStatus.RUNNING
    message: str


class RowProblem(BaseModel):
    row: int  # as the clerk sees it in the spreadsheet: the header is row 1
    reason: str


class ScoreImportReport(BaseModel):
    """The outcome of one external-scores file (R-GRD-2, R-XCH-1)."""

    filename: str
    encoding: str
    total: int = 0  # data rows read
    imported: int = 0  # new entity + dimension pairs
    updated: int = 0  # a stored score replaced by a later one
    unchanged: int = 0  # the same score as stored (a file imported again changes nothing)
    older: int = 0  # earlier than the stored evaluation: kept out, the later one stays
    rejected: list[RowProblem] = Field(default_factory=list)
    unknown_codes: list[str] = Field(default_factory=list)  # codes of no entity on the platform
    entities: int = 0  # entities whose scores changed, and so were graded again


class MigrationCell(BaseModel):
    before: str
    after: str
    entities: int


class WhatIfRead(BaseModel):
    current: ModelRef
    draft: ModelRef
    as_of: dt.date
    entities: int
    moved: int  # entities whose grade would change
    grades_before: list[str]  # the current model's grades, best first
    grades_after: list[str]  # the draft's
    before: dict[str, int]
    after: dict[str, int]
    matrix: list[MigrationCell]
