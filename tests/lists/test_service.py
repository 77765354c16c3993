"""Lists: entries that follow grading, departments' determinations, ending on each basis (R-LST-1…4)."""

import datetime as dt

import pytest

from xinyong.audit.verify import verify
from xinyong.grading import service as grading
from xinyong.kit.clock import today
from xinyong.kit.errors import Conflict, Forbidden
from xinyong.lists import service
from xinyong.lists.models import Basis, EndReason, ListEntry, ListKind
from xinyong.records import service as records

from ..grading.test_service import _accept, _penalty


def _entries(uow, entity_id):
    with uow(write=False) as s:
        return service.entries_of(s, entity_id)


def _lists(uow, entity_id, day=None):
    with uow(write=False) as s:
        return service.lists_of(s, entity_id, day)


def test_grading_puts_on_and_takes_off_the_black_list(platform, uow, zone):  # R-LST-2, R-LST-4
    company = zone["company"]
    ids = [_accept(uow, zone, _penalty(company, f"京开市监罚〔2026〕9{i}号", serious=True)) for i in range(4)]
    # on the way down it passed through key attention (460, D above 350), which ended when it fell to black
    entry, passed = _entries(uow, company.id)
    assert (entry.kind, entry.basis, entry.ended_on) == (ListKind.BLACK, Basis.GRADING, None)
    assert (passed.kind, passed.end_reason) == (ListKind.KEY_ATTENTION, EndReason.REGRADED)
    assert "信用评价结果" in entry.basis_text and entry.run_id is not None
    assert _lists(uow, company.id) == ["black"]
    for rid in ids[:2]:  # two revoked: 700 − 240 = 460, D above 350: key attention, not black
        with uow(actor=zone["officer"]) as s:
            records.revoke(s, actor=zone["officer"], record=records.get(s, actor=zone["officer"], record_id=rid),
                           reason="复议撤销")
    assert _lists(uow, company.id) == ["key_attention"]
    black = next(e for e in _entries(uow, company.id) if e.kind is ListKind.BLACK)
    assert (black.end_reason, black.ended_on) == (EndReason.REGRADED, today())
    with uow(write=False) as s:
        assert verify(s, platform.keyring).ok


def test_a_full_run_keeps_entries_that_still_hold_and_adds_no_duplicate(platform, uow, zone, make):  # R-LST-4
    company = zone["company"]
    for i in range(4):
        _accept(uow, zone, _penalty(company, f"京开市监罚〔2026〕8{i}号", serious=True))
    grading.run(platform)
    grading.run(platform)
    in_force = [e.kind for e in _entries(uow, company.id) if e.ended_on is None]
    assert in_force == [ListKind.BLACK]
    with uow(write=False) as s:
        assert verify(s, platform.keyring).ok


def test_a_regrade_compares_as_sets_and_many_results_as_frames(platform, uow, zone, monkeypatch):  # R-LST-4
    company = zone["company"]

    def refuse(*_args):
        raise AssertionError("the other way was taken")

    monkeypatch.setattr(service, "_compare_frames", refuse)
    ids = [_accept(uow, zone, _penalty(company, f"京开市监罚〔2026〕7{i}号", serious=True)) for i in range(4)]
    assert _lists(uow, company.id) == ["black"]  # each regrade, a row, compared as Python sets
    monkeypatch.undo()
    monkeypatch.setattr(service, "SMALL", 0)  # from here on every result counts as many: Polars frames
    monkeypatch.setattr(service, "_compare_rows", refuse)
    for rid in ids[:2]:
        with uow(actor=zone["officer"]) as s:
            records.revoke(s, actor=zone["officer"], record=records.get(s, actor=zone["officer"], record_id=rid),
                           reason="复议撤销")
    assert _lists(uow, company.id) == ["key_attention"]
    grading.run(platform)
    assert [e.kind for e in _entries(uow, company.id) if e.ended_on is None] == [ListKind.KEY_ATTENTION]


def test_a_determination_holds_until_its_planned_end(uow, zone):  # R-LST-2: a department's formal determination
    company, officer = zone["company"], zone["officer"]
    start = today() - dt.timedelta(days=10)
    end = today() + dt.timedelta(days=5)
    with uow(actor=officer) as s:
        service.determine(s, actor=officer, entity_code=company.uscc, kind=ListKind.BLACK,
                          basis_text="《食品安全法》第一百三十五条：严重失信主体认定", document_number="京开市监认〔2026〕1号",
                          decided_on=start, planned_end=end)
    assert _lists(uow, company.id) == ["black"]
    assert _lists(uow, company.id, end) == ["black"]  # the planned end is the last day in force
    assert _lists(uow, company.id, end + dt.timedelta(days=1)) == []  # and it ends by itself
    assert _lists(uow, company.id, start - dt.timedelta(days=1)) == []


def test_only_its_department_or_the_credit_office_ends_a_determination(uow, zone):  # R-LST-4
    company = zone["company"]
    with uow(actor=zone["officer"]) as s:
        entry = service.determine(s, actor=zone["officer"], entity_code=company.uscc, kind=ListKind.KEY_ATTENTION,
                                  basis_text="多次违法经营", document_number="京开市监认〔2026〕2号", decided_on=today(),
                                  planned_end=None)
        entry_id = entry.id
    with pytest.raises(Forbidden), uow(actor=zone["outsider"]) as s:
        service.end(s, actor=zone["outsider"], entry=s.get(ListEntry, entry_id), reason=EndReason.LIFTED, note="x")
    with uow(actor=zone["officer"]) as s:
        service.end(s, actor=zone["officer"], entry=s.get(ListEntry, entry_id), reason=EndReason.CORRECTED,
                    note="认定依据经复核更正")
    assert _lists(uow, company.id) == []
    with pytest.raises(Conflict, match="随评价结果调整"), uow(actor=zone["admin"]) as s:  # its basis is the grade
        grading_entry = ListEntry(entity_id=company.id, kind=ListKind.RED, basis=Basis.GRADING, basis_text="评价",
                                  started_on=today())
        s.add(grading_entry)
        s.flush()
        service.end(s, actor=zone["admin"], entry=grading_entry, reason=EndReason.REPAIRED, note="修复")


def test_a_full_run_leaves_the_lists_of_entities_regraded_since_its_read(platform, uow, zone, monkeypatch):  # R-LST-4
    """Records accepted while a full run grades: the entity's newer instant result decides its lists."""
    from xinyong.grading import source

    read = source.read_inputs

    def read_then_change(*args, **kwargs):
        frames = read(*args, **kwargs)
        for i in range(4):  # accepted after the run read its input: instant regrade puts the company on black
            _accept(uow, zone, _penalty(zone["company"], f"京开市监罚〔2026〕2{i}号", serious=True))
        return frames

    monkeypatch.setattr(source, "read_inputs", read_then_change)
    grading.run(platform)
    with uow(write=False) as s:
        assert grading.standing(s, zone["company"].id).lists == ["black"]
    assert _lists(uow, zone["company"].id) == ["black"]
