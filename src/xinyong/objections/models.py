"""异议与申诉 (SPEC §10, R-OBJ-1…6; 000 §23–26): an entity, or a department, objects in writing to a
record, a list entry or a grading result; the recording department verifies, the credit office decides,
and the applicant may appeal (申诉) and then go to reconsideration or court.

The deadlines (``decide_by``, ``verify_by``) are stored as computed at filing from the working-day
calendar, empty while a year they need is not loaded (``jobs.settle_deadlines`` fills them once it is);
what follows from them (overdue, suspended from public query) is evaluated as of the day it is read.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from sqlalchemy import Date, Enum, ForeignKey, Index, Integer, LargeBinary, String, Text, or_
from sqlalchemy.ext.hybrid import hybrid_property
from sqlalchemy.orm import Mapped, mapped_column, relationship

from xinyong.audit.trail import Audited
from xinyong.kit.clock import now
from xinyong.kit.db import Base, UTCDateTime


def _enum(cls, name: str) -> Enum:
    return Enum(cls, name=name, native_enum=False, length=30, values_callable=lambda e: [m.value for m in e])


class Target(StrEnum):
    RECORD = "record"  # 信用记录
    LIST_ENTRY = "list_entry"  # 名单（列入或未移出）
    GRADE = "grade"  # 信用评价结果（000 §19(二)）


TARGET_LABELS = {Target.RECORD: "信用记录", Target.LIST_ENTRY: "名单", Target.GRADE: "信用评价结果"}


class Ground(StrEnum):
    """000 §23, 003 §18, 001 管理办法 §22."""

    INACCURATE = "inaccurate"  # 信息与事实不符，记载存在错误或者遗漏
    OVERDUE_PUBLICITY = "overdue_publicity"  # 超过规定期限仍在披露；失信信息超过查询期限仍未删除
    WRONG_LISTING = "wrong_listing"  # 不符合条件被列入严重失信名单，或者未被移除
    PRIVACY = "privacy"  # 涉及侵犯隐私或商业秘密
    NOT_PUBLIC_BY_LAW = "not_public_by_law"  # 依法不应当公开


GROUND_LABELS = {
    Ground.INACCURATE: "信息与事实不符，记载存在错误或者遗漏",
    Ground.OVERDUE_PUBLICITY: "超过规定期限仍在披露（失信信息超过查询期限仍未删除）",
    Ground.WRONG_LISTING: "不符合条件被列入名单，或者应移出而未移出",
    Ground.PRIVACY: "涉及侵犯隐私或商业秘密",
    Ground.NOT_PUBLIC_BY_LAW: "依法不应当公开",
}

# which grounds fit which target: a grade rests on records, so only their accuracy is in question
GROUNDS_FOR = {
    Target.RECORD: tuple(Ground),
    Target.LIST_ENTRY: (Ground.WRONG_LISTING, Ground.INACCURATE, Ground.OVERDUE_PUBLICITY),
    Target.GRADE: (Ground.INACCURATE,),
}


class Status(StrEnum):
    RECEIVED = "received"  # 已受理，待部门核查（无核查部门时待信用办处理）
    VERIFIED = "verified"  # 部门已核查，待信用办决定
    DECIDED = "decided"  # 已作出处理决定
    APPEALED = "appealed"  # 申诉中（管委会）
    APPEAL_DECIDED = "appeal_decided"  # 申诉已决定
    IN_REVIEW = "in_review"  # 行政复议或行政诉讼中
    CLOSED = "closed"  # 复议或诉讼已有结果，终结
    WITHDRAWN = "withdrawn"  # 申请人撤回


STATUS_LABELS = {
    Status.RECEIVED: "已受理，待核查", Status.VERIFIED: "部门已核查，待决定", Status.DECIDED: "已作出处理决定",
    Status.APPEALED: "申诉处理中", Status.APPEAL_DECIDED: "申诉已决定", Status.IN_REVIEW: "行政复议或诉讼中",
    Status.CLOSED: "已终结", Status.WITHDRAWN: "已撤回",
}

# while one of these holds, the information is marked 异议处理中 everywhere (R-OBJ-3; 000 §25: 异议申诉处理过程中)
OPEN = (Status.RECEIVED, Status.VERIFIED, Status.APPEALED, Status.IN_REVIEW)


class Finding(StrEnum):
    """The recording department's verification (000 §24 第二款)."""

    CORRECT = "correct"  # 核查无误
    WRONG = "wrong"  # 确有错误（予以更正）
    UNCONFIRMED = "unconfirmed"  # 无法确认


FINDING_LABELS = {Finding.CORRECT: "信息无误", Finding.WRONG: "信息有误，予以更正", Finding.UNCONFIRMED: "无法确认"}


class Outcome(StrEnum):
    UPHELD = "upheld"  # 异议成立：更正
    NOT_UPHELD = "not_upheld"  # 异议不成立：去除标识，维持原信息
    UNCONFIRMED = "unconfirmed"  # 无法确认：异议与核查意见一并记载


OUTCOME_LABELS = {Outcome.UPHELD: "异议成立，予以更正", Outcome.NOT_UPHELD: "异议不成立，维持原信息",
                  Outcome.UNCONFIRMED: "无法确认，异议与核查意见一并记载"}


class AppealOutcome(StrEnum):
    UPHELD = "upheld"  # 申诉成立，撤销原处理决定
    DISMISSED = "dismissed"  # 申诉不成立，维持原处理决定


APPEAL_OUTCOME_LABELS = {AppealOutcome.UPHELD: "申诉成立，撤销原处理决定", AppealOutcome.DISMISSED: "申诉不成立，维持原处理决定"}


class ReviewKind(StrEnum):
    RECONSIDERATION = "reconsideration"  # 行政复议
    LITIGATION = "litigation"  # 行政诉讼


REVIEW_KIND_LABELS = {ReviewKind.RECONSIDERATION: "行政复议", ReviewKind.LITIGATION: "行政诉讼"}


class Stage(StrEnum):
    """Where a document belongs in an objection's life."""

    FILING = "filing"  # 异议证明材料
    VERIFICATION = "verification"  # 部门核查材料
    APPEAL = "appeal"  # 申诉材料
    REVIEW = "review"  # 复议或诉讼文书


STAGE_LABELS = {Stage.FILING: "证明材料", Stage.VERIFICATION: "核查材料", Stage.APPEAL: "申诉材料",
                Stage.REVIEW: "复议或诉讼文书"}


class Objection(Audited, Base):
    __tablename__ = "objections"
    __table_args__ = (
        Index("ix_objections_lineage_status", "lineage", "status"),
        Index("ix_objections_status_received", "status", "received_on"),
        {"comment": "异议申请（含申诉、复议和诉讼）"},
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    target: Mapped[Target] = mapped_column(_enum(Target, "objection_target"), comment="异议对象类型")
    entity_id: Mapped[int] = mapped_column(ForeignKey("entities.id"), index=True, comment="所涉信用主体")
    record_id: Mapped[int | None] = mapped_column(ForeignKey("records.id"), comment="所涉信用记录（提出时的版本）")
    lineage: Mapped[str | None] = mapped_column(String(32), comment="所涉记录编号（各版本共用）")
    list_entry_id: Mapped[int | None] = mapped_column(ForeignKey("list_entries.id"), index=True, comment="所涉名单记录")
    run_id: Mapped[int | None] = mapped_column(Integer, comment="所涉评价运行（评价结果异议）")
    score: Mapped[int | None] = mapped_column(Integer, comment="提出时的综合得分")
    grade: Mapped[str | None] = mapped_column(String(8), comment="提出时的等级")
    department_id: Mapped[int | None] = mapped_column(ForeignKey("departments.id"), index=True,
                                                      comment="核查部门（记录部门或认定部门；空为信用办自行核查）")
    applicant_department_id: Mapped[int | None] = mapped_column(ForeignKey("departments.id"),
                                                                comment="提出异议的部门（部门提出时）")
    ground: Mapped[Ground] = mapped_column(_enum(Ground, "objection_ground"), comment="异议理由类型")
    statement: Mapped[str] = mapped_column(Text, comment="异议陈述")
    status: Mapped[Status] = mapped_column(_enum(Status, "objection_status"), comment="状态")
    received_on: Mapped[dt.date] = mapped_column(Date, comment="收到日期（不计入期限）")
    decide_by: Mapped[dt.date | None] = mapped_column(Date, comment="信用办处理期限（7个工作日；日历未载入时为空）")
    verify_by: Mapped[dt.date | None] = mapped_column(Date, comment="部门核查期限（10个工作日；日历未载入时为空）")
    finding: Mapped[Finding | None] = mapped_column(_enum(Finding, "objection_finding"), comment="部门核查结论")
    finding_reason: Mapped[str | None] = mapped_column(Text, comment="核查意见")
    verified_on: Mapped[dt.date | None] = mapped_column(Date, comment="核查日期")
    verified_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"), comment="核查人")
    outcome: Mapped[Outcome | None] = mapped_column(_enum(Outcome, "objection_outcome"), comment="处理结果")
    decision_reason: Mapped[str | None] = mapped_column(Text, comment="处理意见")
    decided_on: Mapped[dt.date | None] = mapped_column(Date, comment="决定日期")
    decided_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"), comment="决定人")
    notice_number: Mapped[str | None] = mapped_column(String(40), unique=True, comment="异议处理结果告知书编号")
    correct_by: Mapped[dt.date | None] = mapped_column(Date, comment="更正发布期限（5个工作日，000 §25）")
    appeal_by: Mapped[dt.date | None] = mapped_column(Date, comment="申诉期限")
    appealed_on: Mapped[dt.date | None] = mapped_column(Date, comment="申诉日期")
    appeal_statement: Mapped[str | None] = mapped_column(Text, comment="申诉理由")
    appeal_outcome: Mapped[AppealOutcome | None] = mapped_column(_enum(AppealOutcome, "appeal_outcome"),
                                                                comment="申诉结果（管委会）")
    appeal_reason: Mapped[str | None] = mapped_column(Text, comment="申诉决定意见")
    appeal_decided_on: Mapped[dt.date | None] = mapped_column(Date, comment="申诉决定日期")
    review_kind: Mapped[ReviewKind | None] = mapped_column(_enum(ReviewKind, "objection_review_kind"),
                                                           comment="行政复议或行政诉讼")
    review_filed_on: Mapped[dt.date | None] = mapped_column(Date, comment="复议申请或起诉日期")
    review_result: Mapped[str | None] = mapped_column(Text, comment="复议决定或判决结果")
    review_closed_on: Mapped[dt.date | None] = mapped_column(Date, comment="复议或诉讼结果日期")
    withdrawn_on: Mapped[dt.date | None] = mapped_column(Date, comment="撤回日期")
    applied_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"), comment="申请人账号")
    applied_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=now, comment="提出时间")

    entity = relationship("Entity", lazy="joined")

    @hybrid_property
    def upheld(self) -> bool:
        """The objection stands: the credit office upheld it, or the committee did on appeal. ``outcome`` stays
        the credit office's own decision, as its notice said."""
        return self.outcome is Outcome.UPHELD or self.appeal_outcome is AppealOutcome.UPHELD

    @upheld.inplace.expression
    @classmethod
    def _upheld(cls):
        return or_(cls.outcome == Outcome.UPHELD, cls.appeal_outcome == AppealOutcome.UPHELD)


class Evidence(Audited, Base):
    """A document of an objection, kept with its SHA-256 digest (PDF or image; size-limited)."""

    __tablename__ = "objection_evidence"
    __table_args__ = {"comment": "异议证明材料和文书"}

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    objection_id: Mapped[int] = mapped_column(ForeignKey("objections.id"), index=True, comment="所属异议")
    stage: Mapped[Stage] = mapped_column(_enum(Stage, "evidence_stage"), comment="环节")
    filename: Mapped[str] = mapped_column(String(200), comment="文件名")
    media_type: Mapped[str] = mapped_column(String(40), comment="文件类型")
    size: Mapped[int] = mapped_column(Integer, comment="字节数")
    sha256: Mapped[str] = mapped_column(String(64), comment="SHA-256 摘要")
    # read only when the file itself is asked for: listings read every objection's evidence rows
    content: Mapped[bytes] = mapped_column(LargeBinary, deferred=True, comment="文件内容")
    uploaded_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"), comment="上传人")
    uploaded_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=now, comment="上传时间")
