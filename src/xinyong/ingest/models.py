"""What an import leaves besides records: the run a clerk watches (导入记录), and the rows without a code
that no single entity's name answers, waiting for a person to decide (待人工匹配, R-ENT-6)."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Enum, ForeignKey, Index, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from xinyong.audit.trail import Audited
from xinyong.kit.clock import now
from xinyong.kit.db import Base, UTCDateTime


def _enum(cls, name: str) -> Enum:
    return Enum(cls, name=name, native_enum=False, length=20, values_callable=lambda e: [m.value for m in e])


class RunStatus(StrEnum):
    RUNNING = "running"  # 导入中
    FINISHED = "finished"  # 已完成
    FAILED = "failed"  # 失败
    INTERRUPTED = "interrupted"  # 已中断: the process stopped mid-way (killed, server restarted); its batches are in


RUN_STATUS_LABELS = {RunStatus.RUNNING: "导入中", RunStatus.FINISHED: "完成", RunStatus.FAILED: "失败",
                     RunStatus.INTERRUPTED: "已中断"}


class ImportRun(Base):
    """One file's import as it goes. Operational progress, rewritten after every batch (in the batch's own
    transaction), so not on the audit chain row by row: the run's end is one audited event
    (import.finished / failed / interrupted) with its counts. The process running it holds a lease on it
    (``holder``, ``lease_until``): one that dies stops renewing it (``runs.interrupted``)."""

    __tablename__ = "import_runs"
    __table_args__ = (Index("ix_import_runs_department_started", "department_id", "started_at"),
                      {"comment": "文件导入批次（导入进度与结果）"})

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    department_id: Mapped[int] = mapped_column(ForeignKey("departments.id"), comment="导入部门")
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), comment="上传人（命令行导入为空）")
    filename: Mapped[str] = mapped_column(String(255), comment="文件名")
    format: Mapped[str | None] = mapped_column(String(20), comment="格式：penalty 行政处罚 / licence 行政许可")
    encoding: Mapped[str | None] = mapped_column(String(20), comment="CSV 文件编码")
    status: Mapped[RunStatus] = mapped_column(_enum(RunStatus, "import_run_status"), default=RunStatus.RUNNING,
                                              comment="状态")
    holder: Mapped[str | None] = mapped_column(String(120), comment="执行导入的进程（主机/PID 命名空间:PID:启动时刻）")
    lease_until: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=now,
                                                     comment="租约到期时间：执行进程定期续期，过期未续即视为中断")
    batches: Mapped[int] = mapped_column(Integer, default=0, comment="已提交批次数")
    total: Mapped[int] = mapped_column(Integer, default=0, comment="已处理行数")
    accepted: Mapped[int] = mapped_column(Integer, default=0, comment="导入行数")
    duplicates: Mapped[int] = mapped_column(Integer, default=0, comment="重复跳过行数")
    rejected_count: Mapped[int] = mapped_column(Integer, default=0, comment="拒收行数")
    held: Mapped[int] = mapped_column(Integer, default=0, comment="待人工匹配行数")
    rejected: Mapped[Any] = mapped_column(JSON, default=list, comment="拒收的行与原因（前若干条）")
    warnings: Mapped[Any] = mapped_column(JSON, default=list, comment="提示")
    error: Mapped[str | None] = mapped_column(Text, comment="失败原因")
    errors_token: Mapped[str | None] = mapped_column(String(64), comment="错误行 Excel 的下载标识")
    started_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=now, comment="开始时间")
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=now, comment="进度更新时间")
    finished_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, comment="结束时间")

    department = relationship("Department", lazy="joined")
    user = relationship("User", lazy="joined")

    @property
    def done(self) -> bool:
        return self.status is not RunStatus.RUNNING


class HeldStatus(StrEnum):
    WAITING = "waiting"  # 待匹配
    MATCHED = "matched"  # 已匹配入库
    DISMISSED = "dismissed"  # 不予导入


HELD_STATUS_LABELS = {HeldStatus.WAITING: "待匹配", HeldStatus.MATCHED: "已匹配", HeldStatus.DISMISSED: "不予导入"}


class HeldRow(Audited, Base):
    """A row without a party code whose name matches no entity or several (R-ENT-6): neither rejected nor
    guessed, it waits until an officer of its department picks the entity or dismisses it."""

    __tablename__ = "held_rows"
    __table_args__ = (Index("ix_held_rows_department_status", "department_id", "status"),
                      {"comment": "待人工匹配的导入行（无代码且名称无法唯一匹配）"})

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    import_run_id: Mapped[int | None] = mapped_column(ForeignKey("import_runs.id"), index=True, comment="导入批次")
    department_id: Mapped[int] = mapped_column(ForeignKey("departments.id"), comment="导入部门")
    format: Mapped[str] = mapped_column(String(20), comment="格式：penalty / licence")
    row_number: Mapped[int] = mapped_column(Integer, comment="文件中的行号")
    raw: Mapped[Any] = mapped_column(JSON, comment="原始行（表头: 值；证件号码只存掩码）")
    sealed: Mapped[bytes | None] = mapped_column(LargeBinary, comment="原始行中证件号码的密文（AES-256-GCM）")
    row_key: Mapped[str] = mapped_column(String(64), unique=True, comment="去重键（部门、格式、行内容的 HMAC）")
    party_name: Mapped[str] = mapped_column(String(200), comment="行政相对人名称")
    name_key: Mapped[str] = mapped_column(String(200), index=True, comment="名称匹配键（规范化）")
    reason: Mapped[str] = mapped_column(Text, comment="待匹配原因")
    candidate_ids: Mapped[Any] = mapped_column(JSON, default=list, comment="候选信用主体")
    status: Mapped[HeldStatus] = mapped_column(_enum(HeldStatus, "held_row_status"), default=HeldStatus.WAITING,
                                               comment="状态")
    decided_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"), comment="处理人")
    decided_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, comment="处理时间")
    decision_reason: Mapped[str | None] = mapped_column(Text, comment="不予导入的理由")
    record_id: Mapped[int | None] = mapped_column(ForeignKey("records.id"), comment="匹配后生成的信用记录")
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=now, comment="进入队列时间")

    department = relationship("Department", lazy="joined")

    # set by queue.hold on the row it has just added (not stored). The importer counts a row still
    # waiting as held (a re-import adds nothing to the queue), one already decided as a duplicate
    just_held = False
