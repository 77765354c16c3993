"""The match queue (R-ENT-6): a row without a code that no single entity's name answers waits for a
person of its department, who picks the entity or dismisses it; every decision is on the audit chain."""

import datetime as dt

import pytest
from sqlalchemy import func, select

from tests.ingest.builders import PERSON_ID
from tests.ingest.conftest import SAME_NAME, name_only
from xinyong.audit.models import AuditEvent
from xinyong.audit.verify import verify
from xinyong.ingest import queue
from xinyong.ingest.models import HeldRow, HeldStatus
from xinyong.kit.errors import Conflict, Forbidden, Invalid, NotFound
from xinyong.records import service as records
from xinyong.records.models import Channel, Record, Status


def held_count(uow) -> int:
    with uow(write=False) as s:
        return s.scalar(select(func.count()).select_from(HeldRow))


def test_holding_the_same_row_again_adds_nothing(uow, qzone, held):  # R-ENT-6, R-COL-5
    first = held()
    row = name_only()
    reordered = dict(reversed(list(row.items()))) | {"多出来的空列": ""}  # another export of the same file
    assert held(reordered, number=7) == first
    assert held_count(uow) == 1
    with uow(actor=qzone["officer"]) as s:
        again = queue.hold(s, actor=qzone["officer"], department_id=qzone["dept"].id, run_id=None, fmt="penalty",
                           row_number=2, raw=row, name=SAME_NAME, name_key=SAME_NAME, reason="…", candidate_ids=[])
        assert again.id == first and not again.just_held
    held(name_only(行政处罚决定书文号="京经开市监罚〔2026〕99号"))  # another decision: a row of its own
    assert held_count(uow) == 2


def test_a_held_row_keeps_id_numbers_encrypted_and_masked(uow, platform, qzone, held):  # R-SEC-2
    held_id = held()
    with uow(write=False) as s:
        h = s.get(HeldRow, held_id)
        assert h.raw["法定代表人证件号码"] == "110105********" + PERSON_ID[-4:]
        assert PERSON_ID.encode() not in h.sealed and PERSON_ID not in h.row_key
        assert queue.full_row(s, h)["法定代表人证件号码"] == PERSON_ID
        assert h.raw["处罚决定日期"] == "2026-03-05" and h.status is HeldStatus.WAITING


def test_dates_from_excel_are_kept_as_iso_text(uow, qzone, held):
    held_id = held(name_only(处罚决定日期=dt.date(2026, 3, 5), 处罚有效期=dt.datetime(2027, 3, 4, 0, 0)))
    with uow(write=False) as s:
        h = s.get(HeldRow, held_id)
        assert h.raw["处罚决定日期"] == "2026-03-05" and h.raw["处罚有效期"].startswith("2027-03-04")


def test_candidates_are_the_same_name_entities(uow, qzone, held, make):  # R-ENT-6
    held_id = held()
    make.entity("北京亦庄老张家常菜馆", uscc=make.uscc("92"))  # registered after the row was held
    with uow(write=False) as s:
        found = queue.candidates(s, s.get(HeldRow, held_id), actor=qzone["officer"])
    assert len(found) == 3 and all(c.name.strip() == SAME_NAME and c.same_name for c in found)
    assert found[0].id == qzone["first"].id and found[0].address == "北京经济技术开发区荣华中路8号"


def test_matching_creates_the_record_in_the_chosen_file_and_closes_the_row(uow, platform, qzone, held):  # R-ENT-6
    held_id = held()
    with uow(actor=qzone["officer"]) as s:
        record = queue.match(s, actor=qzone["officer"], held_id=held_id, entity_id=qzone["second"].id)
        record_id = record.id
    with uow(write=False) as s:
        record, h = s.get(Record, record_id), s.get(HeldRow, held_id)
        assert record.entity_id == qzone["second"].id and record.channel is Channel.FILE
        assert record.status is Status.SUBMITTED and record.department_id == qzone["dept"].id
        assert record.document_number == "京经开市监罚〔2026〕12号" and record.created_by == qzone["officer"].user_id
        assert (h.status, h.record_id, h.decided_by) == (HeldStatus.MATCHED, record_id, qzone["officer"].user_id)
        event = s.scalars(select(AuditEvent).where(AuditEvent.action == "import.row_matched")).one()
        assert event.subject_id == str(held_id) and event.detail["entity_id"] == qzone["second"].id
        assert verify(s, platform.keyring).ok
    with uow(actor=qzone["officer"]) as s, pytest.raises(Conflict, match="已处理"):
        queue.match(s, actor=qzone["officer"], held_id=held_id, entity_id=qzone["first"].id)


def test_only_the_holding_department_decides(uow, qzone, held):  # R-REV-3, SPEC §0
    held_id = held()
    with uow(actor=qzone["outsider"]) as s, pytest.raises(NotFound):
        queue.match(s, actor=qzone["outsider"], held_id=held_id, entity_id=qzone["first"].id)
    with uow(actor=qzone["outsider"]) as s, pytest.raises(NotFound):
        queue.dismiss(s, actor=qzone["outsider"], held_id=held_id, reason="不是我们的")
    with uow(actor=qzone["admin"]) as s, pytest.raises(Forbidden):  # the credit office sees it, but does not decide
        queue.match(s, actor=qzone["admin"], held_id=held_id, entity_id=qzone["first"].id)
    with uow(write=False) as s:
        assert [h.id for h in queue.listing(s, actor=qzone["admin"]).items] == [held_id]
        assert queue.listing(s, actor=qzone["outsider"]).total == 0
        assert queue.waiting_count(s, qzone["officer"]) == 1 and queue.waiting_count(s, qzone["outsider"]) == 0
        assert s.get(HeldRow, held_id).status is HeldStatus.WAITING


def test_a_duplicate_match_is_a_clear_error_and_changes_nothing(uow, qzone, held):  # R-COL-5
    held_id = held()
    other = held(name_only(行政处罚决定书文号="京经开市监罚〔2026〕12号", 违法事实="同一决定，另一份导出。"))
    with uow(actor=qzone["officer"]) as s:
        queue.match(s, actor=qzone["officer"], held_id=held_id, entity_id=qzone["first"].id)
    with uow(actor=qzone["officer"]) as s, pytest.raises(Conflict, match="重复.*不予导入"):
        queue.match(s, actor=qzone["officer"], held_id=other, entity_id=qzone["first"].id)
    with uow(write=False) as s:
        assert s.get(HeldRow, other).status is HeldStatus.WAITING
        assert s.scalar(select(func.count()).select_from(Record)) == 1


def test_the_chosen_entity_must_be_of_the_rows_kind(uow, qzone, held, make):
    company = make.entity("北京亦庄老张餐饮管理有限公司")
    held_id = held()
    with uow(actor=qzone["officer"]) as s, pytest.raises(Invalid, match="个体工商户"):
        queue.match(s, actor=qzone["officer"], held_id=held_id, entity_id=company.id)


def test_a_row_no_longer_valid_cannot_be_matched(uow, qzone, held):
    held_id = held(name_only(处罚决定日期="2099-01-01"))  # in the future: parse_row refuses it now
    with uow(actor=qzone["officer"]) as s, pytest.raises(Invalid, match="第2行已不能导入"):
        queue.match(s, actor=qzone["officer"], held_id=held_id, entity_id=qzone["first"].id)


def test_dismissing_keeps_the_row_with_its_reason(uow, platform, qzone, held):  # R-REV-3
    held_id = held()
    with uow(actor=qzone["officer"]) as s, pytest.raises(Invalid, match="理由不能为空"):
        queue.dismiss(s, actor=qzone["officer"], held_id=held_id, reason="  ")
    with uow(actor=qzone["officer"]) as s:
        queue.dismiss(s, actor=qzone["officer"], held_id=held_id, reason="当事人名称有误，已通知原系统更正")
    with uow(write=False) as s:
        h = s.get(HeldRow, held_id)
        assert (h.status, h.decision_reason) == (HeldStatus.DISMISSED, "当事人名称有误，已通知原系统更正")
        detail = s.scalar(select(AuditEvent.detail).where(AuditEvent.action == "import.row_dismissed"))
        assert detail["reason"] == h.decision_reason
        assert queue.listing(s, actor=qzone["officer"]).total == 0
        assert queue.listing(s, actor=qzone["officer"], status=HeldStatus.DISMISSED).total == 1
        assert verify(s, platform.keyring).ok
    assert held() == held_id  # importing the row again does not queue it again


def test_records_service_sees_a_matched_record_like_any_other(uow, qzone, held):
    held_id = held()
    with uow(actor=qzone["officer"]) as s:
        record_id = queue.match(s, actor=qzone["officer"], held_id=held_id, entity_id=qzone["first"].id).id
    with uow(write=False) as s:
        assert records.get(s, actor=qzone["officer"], record_id=record_id).entity.name == SAME_NAME
