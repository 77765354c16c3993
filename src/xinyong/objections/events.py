"""Named audit events for objections: the whole life of one, from filing to the last court outcome."""

from __future__ import annotations

from sqlalchemy.orm import Session

from xinyong.audit.trail import describe, record_event

describe("objection.filed", "提出异议", subject=("objection", "异议申请"))
describe("objection.evidence_added", "提交异议材料")
describe("objection.verified", "部门核查异议")
describe("objection.decided", "作出异议处理决定")
describe("objection.appealed", "提出申诉")
describe("objection.appeal_decided", "记录申诉决定")
describe("objection.review_started", "记录行政复议或诉讼")
describe("objection.review_closed", "记录复议或诉讼结果")
describe("objection.withdrawn", "撤回异议")
describe("objection.deadlines_settled", "补算异议处理期限")


def _iso(d) -> str | None:
    return d.isoformat() if d else None


def _detail(o) -> dict:
    return {"target": o.target.value, "entity_id": o.entity_id, "record_id": o.record_id, "lineage": o.lineage,
            "list_entry_id": o.list_entry_id, "status": o.status.value, "received_on": _iso(o.received_on),
            "decide_by": _iso(o.decide_by), "verify_by": _iso(o.verify_by)}


def _event(session: Session, action: str, o, actor, **extra) -> None:
    record_event(session, action, subject_type="objection", subject_id=o.id, actor=actor, detail=_detail(o) | extra)


def filed(session: Session, o, actor) -> None:
    _event(session, "objection.filed", o, actor, ground=o.ground.value,
           applicant_department_id=o.applicant_department_id)


def evidence_added(session: Session, o, evidence, actor) -> None:
    _event(session, "objection.evidence_added", o, actor, evidence_id=evidence.id, stage=evidence.stage.value,
           filename=evidence.filename, sha256=evidence.sha256, size=evidence.size)


def verified(session: Session, o, actor, *, late_workdays: int | None) -> None:
    _event(session, "objection.verified", o, actor, finding=o.finding.value, late_workdays=late_workdays)


def decided(session: Session, o, actor) -> None:
    _event(session, "objection.decided", o, actor, outcome=o.outcome.value, notice_number=o.notice_number,
           correct_by=_iso(o.correct_by), appeal_by=_iso(o.appeal_by))


def appealed(session: Session, o, actor) -> None:
    _event(session, "objection.appealed", o, actor, appealed_on=_iso(o.appealed_on))


def appeal_decided(session: Session, o, actor) -> None:
    _event(session, "objection.appeal_decided", o, actor, appeal_outcome=o.appeal_outcome.value)


def review_started(session: Session, o, actor) -> None:
    _event(session, "objection.review_started", o, actor, review_kind=o.review_kind.value,
           review_filed_on=_iso(o.review_filed_on))


def review_closed(session: Session, o, actor) -> None:
    _event(session, "objection.review_closed", o, actor, review_closed_on=_iso(o.review_closed_on))


def withdrawn(session: Session, o, actor) -> None:
    _event(session, "objection.withdrawn", o, actor)


def deadlines_settled(session: Session, o) -> None:
    record_event(session, "objection.deadlines_settled", subject_type="objection", subject_id=o.id, detail=_detail(o))
