"""Objections through the service (SPEC §10, R-OBJ-1…6, §19): who may object to what, evidence in writing,
the 异议处理中 mark at each stage, and the whole life of one on the audit chain."""

import datetime as dt
import hashlib

import pytest
from sqlalchemy import select

from xinyong.audit.models import AuditEvent
from xinyong.audit.verify import verify as audit_verify
from xinyong.kit.errors import Conflict, Forbidden, Invalid, NotFound
from xinyong.kit.schemas import parse_payload
from xinyong.kit.settings import Settings
from xinyong.objections import marks, reading, service
from xinyong.objections.models import Evidence, Objection
from xinyong.objections.schemas import ObjectionCreate
from xinyong.records.models import Record

from .conftest import JPEG, PDF, PNG

D = dt.date


def _evidence(uow, actor, oid, content, filename="证明材料.pdf", *, stage=None, settings=None):
    with uow(actor=actor) as s:
        if settings is not None:  # this session only: the platform's settings are never mutated
            s.info["settings"] = settings
        return service.add_evidence(s, actor=actor, objection_id=oid, filename=filename, content=content, stage=stage)


def test_an_entity_objects_only_within_its_own_file(objection_flow, world, uow):  # R-OBJ-1
    rec = world["records"]
    oid = objection_flow.file("entity", rec["scjg_internal"], ground="privacy", day=D(2026, 11, 16))
    o = objection_flow.read(oid, who="entity")
    # an internal record of its own file is its to object to; the recording department verifies it
    assert (o.status, o.record_id, o.department_id, o.applicant, o.ground) == (
        "received", rec["scjg_internal"], world["scjg"].id, world["company"].name, "privacy")
    with pytest.raises(NotFound) as other:  # another company's record: as if it did not exist
        objection_flow.file("entity", rec["other_public"])
    with pytest.raises(NotFound) as missing:
        objection_flow.file("entity", 10**6)
    assert (other.value.message, other.value.field) == (missing.value.message, missing.value.field)
    with pytest.raises(NotFound):  # nor may another entity read this objection
        objection_flow.read(oid, who="other_entity")
    with pytest.raises(Conflict, match=f"#{oid}"):  # R-OBJ-3: one open objection per record, naming it
        objection_flow.file("entity", rec["scjg_internal"], ground="inaccurate")
    with pytest.raises(Forbidden):  # the auditor oversees; it does not object
        objection_flow.file("auditor", rec["scjg_public"])
    with uow(write=False) as s:
        assert s.get(Objection, oid).lineage == s.get(Record, rec["scjg_internal"]).lineage


def test_grounds_must_fit_what_is_objected_to(objection_flow, world):  # R-OBJ-1: 000 §23, 003 §18
    with pytest.raises(Invalid, match="理由") as exc:  # a grade rests on records: only their accuracy is in question
        objection_flow.file("entity", target="grade", ground="privacy")
    assert exc.value.field == "ground"
    with pytest.raises(Invalid, match="不能为空"):
        objection_flow.file("entity", world["records"]["scjg_public"], statement="   ")
    with pytest.raises(Invalid, match="部门只能对信用记录"):
        objection_flow.file("outsider", target="list_entry", list_entry_id=1, ground="wrong_listing")
    with pytest.raises(Invalid) as exc:
        parse_payload(ObjectionCreate, {"record_id": 1, "ground": "dislike", "statement": "x"})
    assert exc.value.field == "ground"


def test_a_department_objects_to_another_departments_public_record(objection_flow, world, uow):  # R-OBJ-1, 003 §18
    rec = world["records"]
    # 002 二(四)4: applying a measure, 生态环境局 finds 市场监管局's public penalty wrong and sends it back
    oid = objection_flow.file("outsider", rec["scjg_public"], day=D(2026, 11, 16))
    o = objection_flow.read(oid, who="outsider")
    assert (o.applicant_department_id, o.department_id, o.applicant) == (
        world["sthj"].id, world["scjg"].id, world["sthj"].name)
    assert objection_flow.read(oid, who="officer").verify_by == D(2026, 11, 30)  # the recording department's task
    with pytest.raises(Invalid, match="直接更正"):  # its own record it corrects itself (R-REV-5)
        objection_flow.file("outsider", rec["sthj_public"])
    with pytest.raises(NotFound):  # another department's internal record is not in its sight
        objection_flow.file("outsider", rec["scjg_internal"])
    with pytest.raises(NotFound):  # the entity's objections are the ones it made itself
        _evidence(uow, world["actors"]["entity"], oid, PDF)
    with pytest.raises(Conflict, match="相关部门提出的异议") as refused:  # under objection, whoever made it
        objection_flow.file("entity", rec["scjg_public"])
    assert f"#{oid}" not in refused.value.message  # an objection the entity may not open is not named to it



def test_evidence_is_a_pdf_or_image_within_the_limit_kept_with_its_digest(objection_flow, world, uow, settings):  # R-OBJ-1
    a = world["actors"]
    oid = objection_flow.file("entity", world["records"]["scjg_public"], day=D(2026, 11, 16))
    for content, name in ((PDF, "复议决定书.pdf"), (PNG, "现场照片.png"), (JPEG, "收据.jpg")):
        _evidence(uow, a["entity"], oid, content, name)
    small = settings.model_copy(update={"evidence_max_mb": 1})
    assert isinstance(small, Settings) and settings.evidence_max_mb == 10
    with pytest.raises(Invalid, match="1 MB") as exc:
        _evidence(uow, a["entity"], oid, PDF + b"\x00" * (1024 * 1024), "大文件.pdf", settings=small)
    assert exc.value.field == "file"
    _evidence(uow, a["entity"], oid, PDF + b"\x00" * (1024 * 1024 - len(PDF)), "恰好1MB.pdf", settings=small)
    with pytest.raises(Invalid, match="不是 PDF 或图片"):  # known by its bytes, not by its name
        _evidence(uow, a["entity"], oid, b"PK\x03\x04 word document", "伪装.pdf")
    with pytest.raises(Invalid, match="空"):
        _evidence(uow, a["entity"], oid, b"", "空.pdf")
    _evidence(uow, a["officer"], oid, PDF, "核查记录.pdf")  # the recording department's papers
    with pytest.raises(Forbidden):  # the department's papers are not the applicant's evidence
        _evidence(uow, a["reviewer"], oid, PDF, stage="filing")
    with pytest.raises(NotFound):
        _evidence(uow, a["outsider"], oid, PDF, stage="verification")
    o = objection_flow.read(oid, who="entity")
    assert [(e.filename, e.media_type, e.stage) for e in o.evidence] == [
        ("复议决定书.pdf", "application/pdf", "filing"), ("现场照片.png", "image/png", "filing"),
        ("收据.jpg", "image/jpeg", "filing"), ("恰好1MB.pdf", "application/pdf", "filing"),
        ("核查记录.pdf", "application/pdf", "verification")]
    assert o.evidence[0].sha256 == hashlib.sha256(PDF).hexdigest() and o.evidence[3].size == 1024 * 1024
    with uow(write=False) as s:
        assert s.get(Evidence, o.evidence[0].id).content == PDF


def _marked(uow, oid, day):
    """(the objection reads open, its record carries the 异议处理中 mark, the credit check lists it)."""
    with uow(write=False) as s:
        o = s.get(Objection, oid)
        read = reading.to_reads(s, [o], day)[0]
        mark = marks.marks(s, [o.lineage], day).get(o.lineage)
        check = [x for x in marks.open_of_entity(s, o.entity_id) if x["id"] == oid]
    assert read.open is (mark is not None) is bool(check)
    return read.open


def _chain_ok(uow, platform):
    with uow(write=False) as s:
        report = audit_verify(s, platform.keyring)
    assert report.ok, report.problems[:3]


def test_the_whole_life_is_on_the_audit_chain_and_marked_while_open(objection_flow, world, uow, platform):  # R-OBJ-1…6, §19
    a, f = world["actors"], objection_flow
    day = D(2026, 11, 16)
    oid = f.file("entity", world["records"]["scjg_public"], day=day)
    steps = [("received", True)]
    _chain_ok(uow, platform)
    _evidence(uow, a["entity"], oid, PDF, "复议决定书.pdf")
    _chain_ok(uow, platform)
    f.verify("officer", oid, "correct", day=D(2026, 11, 20), reason="经核查，原处罚决定书记载无误")
    steps.append(("verified", True))
    _chain_ok(uow, platform)
    f.decide("admin", oid, "not_upheld", day=D(2026, 11, 23), reason="经核实，原信息准确，异议不成立")
    steps.append(("decided", False))  # R-OBJ-5: found right, the mark goes
    _chain_ok(uow, platform)
    o = f.read(oid, who="entity", day=D(2026, 11, 24))
    assert (o.outcome, o.notice_number, o.appealable) == ("not_upheld", "信异告〔2026〕1号", True)
    f.appeal("entity", oid, day=D(2026, 11, 24))
    steps.append(("appealed", True))  # §19: marked again while the appeal is handled
    _chain_ok(uow, platform)
    with uow(write=False) as s:
        assert [x["appeal"] for x in marks.open_of_entity(s, world["company"].id)] == [True]
    f.decide_appeal("admin", oid, "dismissed", day=D(2026, 11, 30), reason="申诉不成立，维持原处理决定")
    steps.append(("appeal_decided", False))
    _chain_ok(uow, platform)
    f.step("admin", service.start_review, oid, kind="reconsideration", filed_on=D(2026, 12, 1))
    steps.append(("in_review", True))
    _chain_ok(uow, platform)
    f.step("admin", service.close_review, oid, result="行政复议机关决定维持", closed_on=D(2026, 12, 4))
    steps.append(("closed", False))
    _chain_ok(uow, platform)

    with uow(write=False) as s:
        statuses = [e.detail["status"] for e in s.scalars(select(AuditEvent).where(
            AuditEvent.subject_type == "objection", AuditEvent.subject_id == str(oid),
            AuditEvent.action != "objection.evidence_added").order_by(AuditEvent.seq))]
        timeline = reading.timeline(s, actor=a["entity"], objection_id=oid)
    assert statuses == [status for status, _ in steps]
    assert [t.action for t in timeline] == [
        "objection.filed", "objection.evidence_added", "objection.verified", "objection.decided", "objection.appealed",
        "objection.appeal_decided", "objection.review_started", "objection.review_closed"]
    assert [t.label for t in timeline][:4] == ["提出异议", "提交异议材料", "部门核查异议", "作出异议处理决定"]
    assert [t.actor for t in timeline][2:4] == ["核查部门", "信用办"]  # the entity sees roles, not officers' names
    o = f.read(oid, who="entity", day=D(2026, 12, 4))
    assert (o.status, o.appeal_outcome, o.review_kind, o.review_result, o.open) == (
        "closed", "dismissed", "reconsideration", "行政复议机关决定维持", False)


def test_marked_exactly_while_received_verified_appealed_or_in_review(objection_flow, world, uow):  # R-OBJ-3, §19
    f, rec, day = objection_flow, world["records"], D(2026, 11, 16)
    seen = {}
    oid = f.file("entity", rec["scjg_public"], day=day)
    seen["received"] = _marked(uow, oid, day)
    f.verify("officer", oid, "unconfirmed", day=day)
    seen["verified"] = _marked(uow, oid, day)
    f.decide("admin", oid, "unconfirmed", day=day)
    seen["decided"] = _marked(uow, oid, day)
    f.appeal("entity", oid, day=day)
    seen["appealed"] = _marked(uow, oid, day)
    f.decide_appeal("admin", oid, "dismissed", day=day)
    seen["appeal_decided"] = _marked(uow, oid, day)
    f.step("admin", service.start_review, oid, kind="litigation", filed_on=day)
    seen["in_review"] = _marked(uow, oid, day)
    f.step("admin", service.close_review, oid, result="法院判决驳回诉讼请求", closed_on=day)
    seen["closed"] = _marked(uow, oid, day)
    other = f.file("entity", rec["sthj_public"], day=day)
    f.withdraw("entity", other, day=day)
    seen["withdrawn"] = _marked(uow, other, day)
    assert seen == {"received": True, "verified": True, "decided": False, "appealed": True, "appeal_decided": False,
                    "in_review": True, "closed": False, "withdrawn": False}
    # cannot be confirmed: the objection and the finding stay on the record (000 §25)
    o = f.read(oid, day=day)
    assert (o.outcome, o.finding, o.finding_reason) == ("unconfirmed", "unconfirmed", "经核查，原记录违法事实有误")


def test_each_step_only_by_whom_and_when_it_belongs(objection_flow, world):  # R-OBJ-2, R-OBJ-6
    f, day = objection_flow, D(2026, 11, 16)
    oid = f.file("entity", world["records"]["scjg_public"], day=day)
    with pytest.raises(NotFound):  # only the recording department verifies: to another it does not exist
        f.verify("outsider", oid, day=day)
    with pytest.raises(Forbidden):  # only the credit office decides
        f.decide("officer", oid, day=day)
    with pytest.raises(Conflict):  # no appeal before a decision
        f.appeal("entity", oid, day=day)
    f.decide("admin", oid, "not_upheld", day=day)  # the credit office may decide without waiting (000 §24)
    with pytest.raises(Conflict):
        f.verify("officer", oid, day=day)
    with pytest.raises(Conflict):
        f.withdraw("entity", oid, day=day)
    o = f.read(oid, day=day)
    assert o.appeal_by == D(2026, 12, 7)  # 15 working days by default
    with pytest.raises(Invalid, match="申诉期限"):
        f.appeal("entity", oid, day=D(2026, 12, 8))
    with pytest.raises(Forbidden):  # the department reads it, but only the applicant appeals
        f.appeal("officer", oid, day=day)
    with pytest.raises(NotFound):
        f.appeal("other_entity", oid, day=day)
    f.appeal("entity", oid, day=D(2026, 12, 7))
