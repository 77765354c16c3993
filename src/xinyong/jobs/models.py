"""The lease that keeps two processes from running one job, and the record of every run.

Operational rows, not bound to the audit chain: a run changes nothing by itself, and what a job
changes is audited by the services it calls."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Enum, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from xinyong.kit.db import Base, UTCDateTime


def _enum(cls, name: str) -> Enum:
    return Enum(cls, name=name, native_enum=False, length=20, values_callable=lambda e: [m.value for m in e])


class RunStatus(StrEnum):
    RUNNING = "running"  # 运行中
    SUCCEEDED = "succeeded"  # 成功
    FAILED = "failed"  # 失败


class Trigger(StrEnum):
    SCHEDULE = "schedule"  # 定时
    MANUAL = "manual"  # 手动（页面、接口或命令行）


STATUS_LABELS = {RunStatus.RUNNING: "运行中", RunStatus.SUCCEEDED: "成功", RunStatus.FAILED: "失败"}
TRIGGER_LABELS = {Trigger.SCHEDULE: "定时", Trigger.MANUAL: "手动"}


class JobLease(Base):
    """Who may run a job right now. Taken by one atomic UPDATE (or the INSERT of the first row,
    whose primary key settles a race); a holder that dies simply lets it expire."""

    __tablename__ = "job_leases"
    __table_args__ = {"comment": "定时任务租约：同一任务同一时间只由一个进程运行"}

    name: Mapped[str] = mapped_column(String(80), primary_key=True, comment="任务名")
    holder: Mapped[str] = mapped_column(String(120), comment="持有者（主机:进程号:随机串）")
    acquired_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, comment="取得时间")
    expires_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, comment="到期时间；运行中定期续期")


class JobRun(Base):
    """One run of one job: when, who or what started it, how it ended and what it did."""

    __tablename__ = "job_runs"
    __table_args__ = (
        Index("ix_job_runs_job_started_at", "job", "started_at"),
        {"comment": "定时任务运行记录"},
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    job: Mapped[str] = mapped_column(String(80), comment="任务名")
    trigger: Mapped[Trigger] = mapped_column(_enum(Trigger, "job_trigger"), comment="触发方式：定时或手动")
    status: Mapped[RunStatus] = mapped_column(_enum(RunStatus, "job_run_status"), comment="状态")
    started_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, comment="开始时间")
    finished_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, comment="结束时间")
    summary: Mapped[Any] = mapped_column(JSON, nullable=True, comment="运行结果摘要")
    error: Mapped[str | None] = mapped_column(Text, comment="失败原因")
    holder: Mapped[str] = mapped_column(String(120), comment="运行进程（租约持有者）")
    triggered_by: Mapped[str | None] = mapped_column(String(200), comment="手动运行的操作人")

    @property
    def duration(self) -> dt.timedelta | None:
        return self.finished_at - self.started_at if self.finished_at else None
