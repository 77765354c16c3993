"""Grading wired to the database: instant regrading, full runs that swap in whole, failure, reproduction,
the scheduled cycle and expiries, the CLI (SPEC §6, §18; R-GRD-4, R-GRD-5, R-GRD-7)."""

import dataclasses
import datetime as dt
import json

import pytest
from sqlalchemy import func, select, update

from xinyong.accounts.permissions import SYSTEM
from xinyong.audit.verify import verify
from xinyong.grading import jobs, service
from xinyong.grading.models import GradeResult, GradingRun, RunKind, RunStatus
from xinyong.kit.clock import CHINA, today
from xinyong.kit.errors import Invalid
from xinyong.records import service as records
from xinyong.records.periods import add_months

from ..records.conftest import penalty_in

SERIOUS = {"penalty_categories": "吊销许可证件", "penalty_content": "吊销食品经营许可证"}


def _penalty(company, number: str, *, serious: bool = False, valid_to: str = "2029-03-05", decided=None):
    """A penalty decided 20 days ago: counting today whatever day the suite runs."""
    decided = decided or today() - dt.timedelta(days=20)
    base = penalty_in(company)
    content = base.content | {"valid_to": valid_to} | (SERIOUS if serious else {})
    return penalty_in(company, document_number=number, decision_date=decided, content=content)


def _accept(uow, zone, record_in):
    with uow(actor=zone["officer"]) as s:
        rid = records.create(s, actor=zone["officer"], record_in=record_in).id
    with uow(actor=zone["admin"]) as s:
        records.accept(s, actor=zone["admin"], records=[records.get(s, actor=zone["admin"], record_id=rid)])
    return rid


def _standing(uow, entity_id):
    with uow(write=False) as s:
        return service.standing(s, entity_id)


def _runs(uow, kind=None):
    with uow(write=False) as s:
        stmt = select(func.count()).select_from(GradingRun)
        if kind:
            stmt = stmt.where(GradingRun.kind == kind)
        return s.scalar(stmt)


def test_a_new_entity_is_graded_at_once_with_the_base_score(uow, zone):  # R-GRD-4, SPEC §15: no records → 700 B
    st = _standing(uow, zone["company"].id)
    assert (st.score, st.grade, st.lists, st.reasons()) == (700, "B", [], [])
    assert st.run.kind is RunKind.PARTIAL


def test_an_accepted_penalty_regrades_the_entity_in_the_same_commit(uow, zone):  # R-GRD-4, R-GRD-5
    before = _runs(uow)
    with uow(actor=zone["officer"]) as s:  # a submitted record changes nothing that counts
        r = records.create(s, actor=zone["officer"], record_in=_penalty(zone["company"], "京开市监罚〔2026〕201号",
                                                                         serious=True))
        rid = r.id
    assert _runs(uow) == before
    with uow(actor=zone["admin"]) as s:
        records.accept(s, actor=zone["admin"], records=[records.get(s, actor=zone["admin"], record_id=rid)])
    st = _standing(uow, zone["company"].id)
    assert (st.score, st.grade) == (580, "C")
    [reason] = st.reason_items()
    assert reason["record_ids"] == [rid] and reason["points"] == -120
    assert reason["reason"].startswith("行政处罚（严重违法）1条，扣120分")
    assert {"code": "bad", "points": -120} .items() <= next(i for i in st.indicators() if i["code"] == "bad").items()


def test_a_revocation_regrades_back(uow, zone):  # R-GRD-4: a revocation changes the score at once
    rid = _accept(uow, zone, _penalty(zone["company"], "京开市监罚〔2026〕202号"))
    assert _standing(uow, zone["company"].id).score == 660
    with uow(actor=zone["officer"]) as s:
        records.revoke(s, actor=zone["officer"], record=records.get(s, actor=zone["officer"], record_id=rid),
                       reason="撤销处罚决定")
    assert _standing(uow, zone["company"].id).score == 700


def test_bad_points_stop_at_the_level_one_range_and_the_clamp(uow, zone):  # R-GRD-3 加减完为止, SPEC §15 clamp, black ≤ 350
    for i in range(4):
        _accept(uow, zone, _penalty(zone["company"], f"京开市监罚〔2026〕3{i}号", serious=True))
    st = _standing(uow, zone["company"].id)
    # −480 clipped to the bad indicator's −400: 700 − 400 = 300, clamped to 350, grade D, black list
    assert (st.industry_score, st.score, st.grade, st.lists) == (350, 350, "D", ["black"])
    assert "不良信息最多扣400分，已扣满" in st.reasons()[0]


def test_full_run_grades_everyone_and_becomes_current_only_when_done(platform, uow, zone, make):
    other = make.entity("北京亦庄晨光食品有限公司")
    _accept(uow, zone, _penalty(zone["company"], "京开市监罚〔2026〕401号"))
    r = service.run(platform, as_of=dt.date(2026, 11, 20))
    assert r.status is RunStatus.SUCCEEDED and r.entities >= 2 and r.records == 1
    with uow(write=False) as s:
        assert service.current_full_run(s).id == r.id
        assert service.distribution(s, r.id)["B"] == r.entities
        assert service.standing(s, other.id).run.id == r.id
        assert service.standing(s, zone["company"].id).score == 660
    # a record after the run regrades that entity only; the others keep the run's result
    _accept(uow, zone, _penalty(zone["company"], "京开市监罚〔2026〕402号"))
    with uow(write=False) as s:
        assert service.standing(s, zone["company"].id).score == 620
        assert service.standing(s, other.id).run.id == r.id


def test_a_failed_run_leaves_the_last_good_one_in_force_and_says_why(platform, uow, zone, tmp_path):  # R-GRD-4
    good = service.run(platform)
    blocked = tmp_path / "not-a-directory"
    blocked.write_text("")
    broken = dataclasses.replace(platform, settings=platform.settings.model_copy(update={"data_dir": blocked}))
    with pytest.raises(Invalid, match="失败，上一次成功的评价结果继续有效"):
        service.run(broken)
    with uow(write=False) as s:
        failed = service.runs(s)[0]
        assert failed.status is RunStatus.FAILED and failed.error
        assert service.current_full_run(s).id == good.id
        assert s.scalar(select(func.count()).select_from(GradeResult).where(GradeResult.run_id == failed.id)) == 0
        assert verify(s, platform.keyring).ok


def test_a_run_writes_with_the_cycle_collector_paused_and_resumes_it(platform, zone, monkeypatch):  # R-GRD-4
    """kit.cycles: a full run's write makes millions of short-lived rows at a million entities; the collector is
    off while the run writes (not while it reads and grades: the pause holds for the server's other threads
    too) and on again after, whether the write succeeds or fails."""
    import gc

    seen = []
    grade, write = service._grade, service._write_results
    monkeypatch.setattr(service, "_grade", lambda *a, **k: seen.append(("grade", gc.isenabled())) or grade(*a, **k))
    monkeypatch.setattr(service, "_write_results",
                        lambda *a, **k: seen.append(("write", gc.isenabled())) or write(*a, **k))
    assert gc.isenabled()
    service.run(platform)
    assert seen == [("grade", True), ("write", False)] and gc.isenabled()
    monkeypatch.setattr(service, "_write_results", lambda *a, **k: seen.append(("write", gc.isenabled())) or 1 / 0)
    with pytest.raises(Invalid):
        service.run(platform)
    assert seen[2:] == [("grade", True), ("write", False)] and gc.isenabled()


def test_a_past_run_reproduces_identically_and_tampering_is_named(platform, uow, zone):  # R-GRD-7
    _accept(uow, zone, _penalty(zone["company"], "京开市监罚〔2026〕501号", serious=True))
    r = service.run(platform)
    _accept(uow, zone, _penalty(zone["company"], "京开市监罚〔2026〕502号"))  # later data do not change the past run
    assert service.verify_run(platform, r.id).ok
    with uow() as s:
        s.execute(update(GradeResult).where(GradeResult.run_id == r.id, GradeResult.entity_id == zone["company"].id)
                  .values(final_score=900, grade="A"))
    check = service.verify_run(platform, r.id)
    assert not check.ok and "结果被改动过" in check.problems[0]


def test_expired_record_stops_counting_by_the_daily_job(platform, uow, zone):  # R-GRD-4: an expiry changes the score
    # this fine is public, and counts, for 12 months (R-PUB-4): it ends three days from today
    end = today() + dt.timedelta(days=3)
    fine = penalty_in(zone["company"], document_number="京开市监罚〔2025〕601号", decision_date=add_months(end, -12),
                      content=penalty_in(zone["company"]).content | {"penalty_categories": "罚款"})
    rid = _accept(uow, zone, fine)
    with uow(write=False) as s:
        assert records.get(s, actor=zone["admin"], record_id=rid).validity_end == end
    assert _standing(uow, zone["company"].id).score == 660
    day_after = dt.datetime.combine(end + dt.timedelta(days=1), dt.time(1, 0), tzinfo=CHINA)
    assert jobs.expiries(platform, now=day_after - dt.timedelta(days=1))["changed"] == 0  # still counting on its last day
    out = jobs.expiries(platform, now=day_after)
    assert out["changed"] == 1
    st = _standing(uow, zone["company"].id)
    assert st.score == 700 and st.run.as_of == end + dt.timedelta(days=1)
    assert jobs.expiries(platform, now=day_after + dt.timedelta(days=1))["changed"] == 0


def test_the_cycle_runs_once_per_half_year(platform, uow, zone):  # R-GRD-4: 1 January and 1 July
    assert jobs.cycle_start(dt.date(2026, 6, 30)) == dt.date(2026, 1, 1)
    assert jobs.cycle_start(dt.date(2026, 7, 1)) == dt.date(2026, 7, 1)
    first = jobs.cycle(platform, now=dt.datetime(2026, 7, 1, 1, 0, tzinfo=dt.UTC))
    again = jobs.cycle(platform, now=dt.datetime(2026, 7, 2, 1, 0, tzinfo=dt.UTC))
    assert first["ran"] and not again["ran"]
    assert _runs(uow, RunKind.FULL) == 1


def test_regrading_one_entity_writes_one_row_and_the_trail_holds(platform, uow, zone):
    _accept(uow, zone, _penalty(zone["company"], "京开市监罚〔2026〕701号"))
    with uow(write=False) as s:
        last = s.scalars(select(GradingRun).order_by(GradingRun.id.desc())).first()
        assert last.kind is RunKind.PARTIAL and last.entities == 1
        assert verify(s, platform.keyring).ok


def test_cli_grade_and_entity_show(xinyong, uow, zone):  # SPEC §18
    _accept(uow, zone, _penalty(zone["company"], "京开市监罚〔2026〕801号", serious=True))
    out = xinyong("grade", "--json")
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    assert data["entities"] >= 1 and data["records"] == 1 and data["grades"]["C"] == 1
    shown = xinyong("entity", "show", zone["company"].uscc, "--json")
    assert shown.returncode == 0, shown.stderr
    entity = json.loads(shown.stdout)
    assert {"code", "name", "score", "grade", "lists", "records", "reasons"} <= set(entity)
    assert (entity["code"], entity["score"], entity["grade"], entity["lists"]) == (zone["company"].uscc, 580, "C", [])
    assert entity["reasons"][0].startswith("行政处罚（严重违法）1条") and len(entity["records"]) == 1
    check = xinyong("grade", "--verify", str(data["run_id"]))
    assert check.returncode == 0 and "复现一致" in check.stdout
    bad = xinyong("grade", "--as-of", "2026-13-01")
    assert bad.returncode == 1 and bad.stderr.count("\n") == 1


def test_only_the_credit_office_starts_a_run(platform, zone):
    with pytest.raises(Exception, match="权限"):
        service.run(platform, actor=zone["officer"])


def test_what_if_compares_a_draft_without_touching_results(platform, uow, zone):  # R-GRD-7
    _accept(uow, zone, _penalty(zone["company"], "京开市监罚〔2026〕901号"))
    text = service.preset_path("etdz_reference").read_text(encoding="utf-8").replace(
        "points = { general = -40, serious = -120 }", "points = { general = -200, serious = -120 }")
    before = _runs(uow)
    w = service.what_if(platform, actor=SYSTEM, draft_text=text)
    assert {"before": "B", "after": "D", "entities": 1} in w.matrix and w.moved == 1
    assert _runs(uow) == before


def test_results_are_published_at_the_chosen_level(uow, zone, make):  # R-PUB-7, 000 §19(一)
    from xinyong.accounts.permissions import PUBLIC
    from xinyong.grading.models import Publication

    company = zone["company"]
    owner = make.actor(make.user("entity", "qy", entity=company))
    other = make.entity("北京亦庄晨光电子有限公司")
    other_user = make.actor(make.user("entity", "cg", entity=other))
    with uow(actor=SYSTEM) as s:
        version = service.active_version(s)
        assert version.publication is Publication.INTERNAL  # until the credit office chooses
        seen = {name: service.visible_standing(s, a, company.id) is not None
                for name, a in (("admin", zone["admin"]), ("owner", owner), ("officer", zone["officer"]),
                                ("outsider", zone["outsider"]), ("public", PUBLIC))}
        # internal use includes sharing with the government departments (000 §19(一), §19(四))
        assert seen == {"admin": True, "owner": True, "officer": True, "outsider": True, "public": False}
        service.set_publication(s, actor=SYSTEM, version=version, publication=Publication.SPECIFIED,
                                audience=[other.uscc])
        assert service.visible_standing(s, other_user, company.id) is not None  # a specified subject
        assert service.visible_standing(s, PUBLIC, company.id) is None
        service.set_publication(s, actor=SYSTEM, version=version, publication=Publication.PUBLIC)
        assert service.visible_standing(s, PUBLIC, company.id) is not None
    with pytest.raises(Exception, match="权限"), uow(actor=zone["officer"]) as s:
        service.set_publication(s, actor=zone["officer"], version=service.active_version(s), publication=Publication.PUBLIC)


def test_a_full_runs_explanation_is_worked_out_from_its_input_snapshot(platform, uow, zone):  # R-GRD-5, R-GRD-7
    rid = _accept(uow, zone, _penalty(zone["company"], "京开市监罚〔2026〕991号", serious=True))
    instant = _standing(uow, zone["company"].id)
    service.run(platform)
    full = _standing(uow, zone["company"].id)
    assert full.run.kind is RunKind.FULL and instant.run.kind is RunKind.PARTIAL
    assert full.reason_items() == instant.reason_items() and full.reason_items()[0]["record_ids"] == [rid]
    assert full.indicators() == instant.indicators()


def test_the_snapshot_order_is_entity_then_record_with_one_key_or_two():  # R-GRD-7: the kept input, byte for byte
    import polars as pl

    from xinyong.grading.service import _by_entity_and_record

    frame = pl.DataFrame({"record_id": [5, 3, 9, 1, 8, 7], "entity_id": [2, 2, 1, 3, 1, 1], "x": list("abcdef")})
    huge = frame.with_columns(pl.when(pl.col("record_id") == 8).then(2**33).otherwise(pl.col("record_id")).alias("record_id"))
    for f in (frame, huge, frame.clear()):  # one 64-bit key; ids too large for it; nothing
        assert _by_entity_and_record(f).equals(f.sort("entity_id", "record_id"))
    assert _by_entity_and_record(frame)["record_id"].to_list() == [7, 8, 9, 3, 5, 1]
