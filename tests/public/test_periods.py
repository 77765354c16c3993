"""Where a publicity period and a validity meet (R-PUB-4, R-PUB-6; 000 §21): nothing is public past its
validity, and a penalty shortened on application stops counting when it stops being public."""

import datetime as dt

from sqlalchemy import select

from tests.public.conftest import licence, penalty
from xinyong.public import service
from xinyong.records import publicity, visibility
from xinyong.records.models import PublicityShortening, Record

D = dt.date


def _both(uow, rid: int, day: dt.date) -> tuple[bool, bool]:
    """(public, counting) on ``day``, the SQL and the Python rules held to agreement."""
    with uow(write=False) as s:
        record = s.get(Record, rid)
        in_sql = tuple(s.scalar(select(Record.id).where(Record.id == rid, clause(day))) is not None
                       for clause in (visibility.public, visibility.counting))
        in_python = (visibility.is_public(record, day), visibility.is_counting(record, day))
    assert in_sql == in_python, (day, in_sql, in_python)
    return in_python


def test_a_record_whose_validity_ends_before_its_publicity_end_leaves_the_public_view_then(uow, zone, accepted):  # R-PUB-6
    content = licence(zone["company"]).content
    del content["valid_to"]
    rid = accepted(licence(zone["company"], content=content, valid_to=D(2026, 6, 30), publicity_end=D(2026, 12, 31)))
    with uow(write=False) as s:
        r = s.get(Record, rid)
        assert (r.publicity_end, r.validity_end) == (D(2026, 12, 31), D(2026, 6, 30))
    assert [_both(uow, rid, d) for d in (D(2026, 6, 30), D(2026, 7, 1))] == [(True, True), (False, False)]
    with uow(write=False) as s:
        assert service.public_view(s, zone["company"].uscc, D(2026, 7, 1)).records == []


def test_an_unfulfilled_penalty_stays_public_past_both_its_ends(uow, zone, accepted):  # 优化营商环境条例 §63
    from xinyong.records.models import Fulfilment

    rid = accepted(penalty(zone["company"]))  # decided 2026-03-05; publicity and validity end 2027-03-05
    with uow() as s:
        s.get(Record, rid).fulfilment = Fulfilment.UNFULFILLED
    assert _both(uow, rid, D(2028, 1, 1)) == (True, True)


def test_a_shortened_penalty_stops_counting_when_it_stops_being_public(uow, zone, accepted, make):  # R-PUB-4, 000 §21
    rid = _shortened(uow, zone, accepted, make, months=6)
    with uow(write=False) as s:
        r = s.get(Record, rid)
        assert (r.publicity_end, r.validity_end) == (D(2026, 9, 5), D(2026, 9, 5))
    assert [_both(uow, rid, d) for d in (D(2026, 9, 5), D(2026, 9, 6))] == [(True, True), (False, False)]


def _shortened(uow, zone, accepted, make, months=6) -> int:
    rid = accepted(penalty(zone["company"]))  # general, decided 2026-03-05: public and counting to 2027-03-05
    company_user = make.actor(make.user("entity", "xinghe", entity=zone["company"]))
    with uow(actor=company_user) as s:
        app = publicity.apply(s, actor=company_user, record=s.get(Record, rid), months=months,
                              fulfilled_on=D(2026, 3, 20), reason="已缴清罚款").id
    with uow(actor=zone["officer"]) as s:
        publicity.decide(s, actor=zone["officer"], application=s.get(PublicityShortening, app), approve=True,
                         reason="同意缩短")
    return rid


def _correct(uow, zone, rid: int) -> int:
    from xinyong.records import service as records
    from xinyong.records.schemas import RecordChange

    with uow(actor=zone["officer"]) as s:
        new = records.correct(s, actor=zone["officer"], record=s.get(Record, rid), change=RecordChange(
            content={"penalty_content": "警告并处罚款人民币4万元"}, reason="罚款金额笔误")).id
    with uow(actor=zone["admin"]) as s:
        records.accept(s, actor=zone["admin"], records=[s.get(Record, new)])
    return new


def test_a_recomputed_version_takes_the_approved_shortening_again(uow, zone, accepted, make):  # R-PUB-4
    rid = _shortened(uow, zone, accepted, make)
    new = _correct(uow, zone, rid)
    with uow() as s:  # what records.service should do once it has recomputed the version's periods
        record = s.get(Record, new)
        record.publicity_end = record.validity_end = D(2027, 3, 5)
        publicity.carry_shortening(s, record)
    with uow(write=False) as s:
        r = s.get(Record, new)
        assert (r.publicity_end, r.validity_end) == (D(2026, 9, 5), D(2026, 9, 5))


def test_a_correction_does_not_undo_an_approved_shortening(uow, zone, accepted, make):  # R-PUB-4, 000 §21
    new = _correct(uow, zone, _shortened(uow, zone, accepted, make))
    assert _both(uow, new, D(2026, 9, 6)) == (False, False)
