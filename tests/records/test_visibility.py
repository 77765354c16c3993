"""Public today? Counting today? As of a date, with nobody acting (R-PUB-4…6); SQL and Python agree."""

import datetime as dt

import pytest
from sqlalchemy import select

from tests.records.conftest import penalty_in
from xinyong.records import service, visibility
from xinyong.records.models import Fulfilment, Record, Status
from xinyong.records.periods import Severity

D = dt.date


def _accepted(uow, zone, submit, **overrides) -> int:
    rid = submit(zone["officer"], penalty_in(zone["company"], **overrides))
    with uow(actor=zone["admin"]) as s:
        service.accept(s, actor=zone["admin"], records=[s.get(Record, rid)])
    return rid


def _both(uow, rid: int, day: dt.date) -> tuple[bool, bool]:
    """(public, counting) on ``day``, asserting the SQL and the Python rules agree."""
    with uow(write=False) as s:
        record = s.get(Record, rid)
        in_sql = {name: s.scalar(select(Record.id).where(Record.id == rid, clause(day))) is not None
                  for name, clause in (("public", visibility.public), ("counting", visibility.counting))}
        in_python = {"public": visibility.is_public(record, day), "counting": visibility.is_counting(record, day)}
    assert in_sql == in_python, (day, in_sql, in_python)
    return in_python["public"], in_python["counting"]


def _set(uow, rid: int, **values) -> None:
    with uow() as s:
        record = s.get(Record, rid)
        for name, value in values.items():
            setattr(record, name, value)


def test_a_general_penalty_is_public_from_its_decision_to_its_end_inclusive(uow, zone, submit):  # R-PUB-4, R-PUB-6
    rid = _accepted(uow, zone, submit)  # decided 2026-03-05: general → one year
    assert [_both(uow, rid, d) for d in (D(2026, 3, 4), D(2026, 3, 5), D(2027, 3, 5), D(2027, 3, 6))] == [
        (False, True), (True, True), (True, True), (False, False)]


def test_a_penalty_marked_unfulfilled_stays_public_and_counts_past_its_end(uow, zone, submit):  # 优化营商环境条例 §63
    rid = _accepted(uow, zone, submit)
    _set(uow, rid, fulfilment=Fulfilment.UNFULFILLED)
    assert _both(uow, rid, D(2028, 1, 1)) == (True, True)
    _set(uow, rid, fulfilment=Fulfilment.FULFILLED, fulfilled_on=D(2027, 12, 1))
    assert _both(uow, rid, D(2028, 1, 1)) == (False, False)


def test_minor_is_never_public_and_revoked_leaves_at_once(uow, zone, submit):  # R-PUB-4a, R-PUB-5
    minor = _accepted(uow, zone, submit, document_number="轻〔2026〕1号", severity=Severity.MINOR)
    assert _both(uow, minor, D(2026, 3, 6)) == (False, True)
    _set(uow, minor, public=True)  # even if something set it public
    assert _both(uow, minor, D(2026, 3, 6))[0] is False
    rid = _accepted(uow, zone, submit)
    with uow(actor=zone["officer"]) as s:
        revoked = service.revoke(s, actor=zone["officer"], record=s.get(Record, rid), reason="复议撤销").id
    for version in (rid, revoked):
        assert _both(uow, version, D(2026, 3, 6)) == (False, False)


@pytest.mark.parametrize("status", [Status.SUBMITTED, Status.RETURNED])
def test_nothing_before_acceptance_is_public_or_counts(uow, zone, submit, status):  # R-REV-2
    rid = submit(zone["officer"], penalty_in(zone["company"]))
    _set(uow, rid, status=status)
    assert _both(uow, rid, D(2026, 3, 6)) == (False, False)


def test_with_no_fixed_end_a_record_is_public_while_valid(uow, zone, submit):
    rid = _accepted(uow, zone, submit)
    _set(uow, rid, publicity_end=None, validity_end=D(2026, 12, 31))
    assert [_both(uow, rid, d)[0] for d in (D(2026, 12, 31), D(2027, 1, 1))] == [True, False]
    _set(uow, rid, validity_end=None)
    assert _both(uow, rid, D(2040, 1, 1)) == (True, True)
