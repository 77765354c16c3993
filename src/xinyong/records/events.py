"""Named audit events for records: every step of the lifecycle is on the chain (R-REV-3)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from xinyong.audit.trail import describe, record_event

describe("record.created", "新建信用记录", subject=("record", "信用记录"))
describe("record.submitted", "报送信用记录")
describe("record.approved", "部门审批通过")
describe("record.accepted", "信用办审核入库")
describe("record.returned", "信用办退回")
describe("record.corrected", "更正信用记录（新版本）")
describe("record.revoked", "撤销信用记录（新版本）")
describe("record.pre_warning_lifted", "预警信息由正式记录解除")


def _detail(record) -> dict:
    return {"lineage": record.lineage, "version": record.version, "status": record.status.value,
            "document_number": record.document_number, "entity_id": record.entity_id}


def record_created(session: Session, record, actor) -> None:
    record_event(session, "record.created", subject_type="record", subject_id=record.id, actor=actor,
                 detail=_detail(record) | {"channel": record.channel.value})


def record_submitted(session: Session, record, actor) -> None:
    record_event(session, "record.submitted", subject_type="record", subject_id=record.id, actor=actor,
                 detail=_detail(record))


def record_approved(session: Session, record, actor) -> None:
    record_event(session, "record.approved", subject_type="record", subject_id=record.id, actor=actor,
                 detail=_detail(record))


def records_accepted(session: Session, records, actor) -> None:
    for record in records:
        record_event(session, "record.accepted", subject_type="record", subject_id=record.id, actor=actor,
                     detail=_detail(record))


def record_returned(session: Session, record, actor) -> None:
    record_event(session, "record.returned", subject_type="record", subject_id=record.id, actor=actor,
                 detail=_detail(record) | {"reason": record.reason})


def record_corrected(session: Session, record, actor) -> None:
    record_event(session, "record.corrected", subject_type="record", subject_id=record.id, actor=actor,
                 detail=_detail(record) | {"reason": record.reason})


def record_revoked(session: Session, record, actor) -> None:
    record_event(session, "record.revoked", subject_type="record", subject_id=record.id, actor=actor,
                 detail=_detail(record) | {"reason": record.reason})


def pre_warning_lifted(session: Session, warning, final_id: int, actor) -> None:
    record_event(session, "record.pre_warning_lifted", subject_type="record", subject_id=warning.id, actor=actor,
                 detail=_detail(warning) | {"final_record_id": final_id})
