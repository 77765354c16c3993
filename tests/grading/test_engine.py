"""The reference model's numbers through the engine, both ways it grades: record by record (what a few
entities take) and columnar (SPEC §15; R-GRD-1…5; R-LST-1, R-LST-2)."""

import datetime as dt
import functools
import itertools

import polars as pl
import pytest

from xinyong.grading import engine
from xinyong.grading.model import load_preset
from xinyong.kit.errors import Invalid

NO_DATABASE = True  # pure rules: no database opened (tests/conftest.py)

ON = dt.date(2026, 6, 30)
MODEL = load_preset()
_ids = itertools.count(1)
SCHEMA = {"record_id": pl.Int64, "entity_id": pl.Int64, "info_type": pl.String, "severity": pl.String,
          "level": pl.String, "outcome": pl.String}


grade = engine.grade


@pytest.fixture(autouse=True, params=[None, False], ids=["by-default", "columnar"])
def _both_ways(request, monkeypatch):
    """Every test here once as the engine chooses (record by record for these small frames, unless they
    carry the columns ``engine.counting`` filters on) and once with the columnar steps."""
    monkeypatch.setitem(globals(), "grade", functools.partial(engine.grade, rowwise=request.param))


def rec(info_type: str, entity: int = 1, **extra) -> dict:
    return {"record_id": next(_ids), "entity_id": entity, "info_type": info_type, "severity": None, "level": None,
            "outcome": None, **extra}


def many(n: int, info_type: str, **extra) -> list[dict]:
    return [rec(info_type, **extra) for _ in range(n)]


def run(records: list[dict], entities=(1,), *, schema=None, **kw):
    frame = pl.DataFrame(records, schema={**SCHEMA, **(schema or {})}) if records else pl.DataFrame(schema=SCHEMA)
    return grade(MODEL, frame, list(entities), on=ON, **kw)


def score(records: list[dict], **kw) -> dict:
    return run(records, **kw).scores.row(0, named=True)


def points(result, indicator: str, entity: int = 1) -> int:
    rows = result.points.filter((pl.col("entity_id") == entity) & (pl.col("indicator") == indicator))
    return rows["points"].item() if rows.height else 0


def test_no_records_scores_700_b():  # SPEC §15
    s = score([])
    assert (s["industry_score"], s["final_score"], s["grade"], s["red"], s["black"]) == (700, 700, "B", False, False)
    result = run([rec("penalty", entity=2, severity="serious")], entities=[1, 2])
    assert result.scores["final_score"].to_list() == [700, 580]


def test_a_level_1_range_is_used_up_and_stops():  # R-GRD-3 加减完为止
    result = run(many(6, "penalty", severity="serious"))
    assert points(result, "penalty") == -720  # level 2 is not clipped
    assert points(result, "bad") == -400  # level 1 stops at its range, not -720
    assert result.scores["industry_score"].item() == 350  # 700 - 400 = 300, clamped at 350
    good = run(many(4, "commendation", level="国家级"))  # 4 × 60 = 240 > 180
    assert (points(good, "good"), good.scores["industry_score"].item()) == (180, 880)
    supervision = run(many(5, "inspection_result", outcome="未发现问题"))  # 5 × 5 = 25 > 20
    assert (points(supervision, "supervision"), supervision.scores["industry_score"].item()) == (20, 720)


def test_each_indicator_scores_its_reference_points():  # SPEC §15 table
    cases = [
        (rec("licence"), 705), (rec("qualification"), 705), (rec("certification"), 705),
        (rec("intellectual_property"), 702),
        (rec("commendation", level="区级"), 720), (rec("commendation", level="市级"), 740),
        (rec("commendation", level="国家级"), 760), (rec("award"), 720), (rec("charity"), 710),
        (rec("red_list_other"), 730), (rec("commitment_fulfilled"), 705),
        (rec("false_materials"), 620), (rec("commitment_breach", severity="minor"), 690),
        (rec("commitment_breach", severity="general"), 660), (rec("commitment_breach", severity="serious"), 620),
        (rec("penalty", severity="minor"), 700), (rec("penalty", severity="general"), 660),
        (rec("penalty", severity="serious"), 580), (rec("compulsory_measure"), 660), (rec("liability_accident"), 600),
        (rec("inspection_result", outcome="未发现问题"), 705), (rec("inspection_result", outcome="发现问题已责令整改"), 680),
        (rec("inspection_result", outcome="发现问题移送处理"), 680), (rec("reminder"), 690), (rec("interview"), 680),
        (rec("ignored_reminder"), 650),
        (rec("registration"), 700), (rec("other_bad"), 700), (rec("commitment"), 700),  # not scored
    ]
    for record, expected in cases:
        assert score([record])["industry_score"] == expected, record


def test_clamped_at_950_and_at_350():  # SPEC §15
    best = many(12, "licence") + many(3, "commendation", level="国家级") + many(4, "inspection_result", outcome="未发现问题")
    result = run(best)  # 700 + 60 + 180 + 20 = 960
    assert sum(points(result, c) for c in ("basic", "good", "supervision")) == 260
    assert result.scores.row(0, named=True) | {"lists": None} == {
        "entity_id": 1, "industry_score": 950, "final_score": 950, "grade": "A", "red": True, "key_attention": False,
        "black": False, "lists": None}
    worst = many(4, "liability_accident") + many(5, "ignored_reminder")  # 700 - 400 - 100 = 200
    s = score(worst)
    # at the floor: black, and not also key-attention, whose rule is D above 350 (R-LST-2, R-LST-3)
    assert (s["industry_score"], s["grade"], s["black"], s["key_attention"]) == (350, "D", True, False)
    s = score(many(2, "liability_accident"))  # 700 - 200 = 500: D, dishonest but not black
    assert (s["grade"], s["black"], s["key_attention"]) == ("D", False, True)


def test_red_list_needs_grade_a_and_more_than_900():  # R-LST-1, 000 §32
    at_900 = many(3, "commendation", level="国家级") + many(4, "inspection_result", outcome="未发现问题")  # 700+180+20
    s = score(at_900)
    assert (s["final_score"], s["grade"], s["red"]) == (900, "A", False)
    s = score(at_900 + [rec("intellectual_property")])
    assert (s["final_score"], s["grade"], s["red"]) == (902, "A", True)


def test_black_list_at_or_below_350():  # R-LST-2, 000 §36
    floor = many(4, "liability_accident") + many(5, "ignored_reminder") + many(2, "commendation", level="国家级") \
        + many(3, "charity")  # 700 - 400 - 100 + 150 = 350
    s = score(floor)
    assert (s["final_score"], s["grade"], s["black"]) == (350, "D", True)
    s = score(floor + [rec("intellectual_property")])
    assert (s["final_score"], s["grade"], s["black"]) == (352, "D", False)


def test_grade_boundaries_through_the_engine():  # R-GRD-1, 000 表1: lower bound exclusive, upper inclusive
    at_800 = many(8, "licence") + [rec("commendation", level="市级"), rec("award")]  # 700 + 40 + 40 + 20
    at_650 = [rec("ignored_reminder")]
    at_550 = many(3, "commitment_breach", severity="general") + many(3, "reminder")  # 700 - 120 - 30
    for records, expected in [(at_800, (800, "B")), (at_800 + [rec("intellectual_property")], (802, "A")),
                              (at_650, (650, "C")), (at_650 + [rec("intellectual_property")], (652, "B")),
                              (at_550, (550, "D")), (at_550 + [rec("intellectual_property")], (552, "C"))]:
        s = score(records)
        assert (s["final_score"], s["grade"]) == expected


def test_dimensions_are_weighted_over_those_present():  # R-GRD-2, SPEC §15: 0.5 / 0.3 / 0.2 renormalised
    dims = pl.DataFrame({"entity_id": [2, 3, 3, 4], "dimension": ["public", "public", "third_party", "third_party"],
                         "score": [800.0, 800.0, 900.0, 900.0]})
    result = run([], entities=[1, 2, 3, 4], dimensions=dims)
    got = {r["entity_id"]: (r["industry_score"], r["final_score"]) for r in result.scores.iter_rows(named=True)}
    assert got == {
        1: (700, 700),  # none imported: the industry score
        2: (700, 738),  # (0.5·700 + 0.3·800) / 0.8 = 737.5, rounded half up
        3: (700, 770),  # 0.5·700 + 0.3·800 + 0.2·900
        4: (700, 757),  # (0.5·700 + 0.2·900) / 0.7 = 757.14
    }
    assert result.scores.filter(pl.col("entity_id") == 3)["grade"].item() == "B"


def test_external_dimension_scores_are_checked():  # R-GRD-2
    def dims(dimension="public", score=800.0, entity=(1,)):
        return pl.DataFrame({"entity_id": list(entity), "dimension": [dimension] * len(entity),
                             "score": [score] * len(entity)})
    with pytest.raises(Invalid, match="模型没有的维度"):
        run([], dimensions=dims("credit_bureau"))
    with pytest.raises(Invalid, match="模型没有的维度"):
        run([], dimensions=dims("industry"))  # the model computes that one itself
    with pytest.raises(Invalid, match="350–950"):
        run([], dimensions=dims(score=85.0))  # a 0–100 score not converted
    with pytest.raises(Invalid, match="出现多次"):
        run([], dimensions=dims(entity=(1, 1)))


def test_a_record_counts_while_valid_on_the_date():  # SPEC §15, 000 §21, R-PUB-6, R-OBJ-3
    day = dt.timedelta(days=1)
    schema = {"validity_end": pl.Date, "status": pl.String, "is_current": pl.Boolean, "fulfilment": pl.String,
              "decision_date": pl.Date, "repaired_on": pl.Date, "under_objection": pl.Boolean}
    base = {"severity": "general", "validity_end": ON, "status": "accepted", "is_current": True,
            "fulfilment": "unknown", "decision_date": ON - 100 * day, "repaired_on": None, "under_objection": False}
    cases = [
        ({}, True),  # valid to the end of its last day
        ({"validity_end": ON - day}, False),  # expired
        ({"validity_end": None}, True),  # long-term
        ({"validity_end": ON - day, "fulfilment": "unfulfilled"}, True),  # unfulfilled penalty keeps counting
        ({"status": "revoked"}, False), ({"status": "submitted"}, False), ({"is_current": False}, False),
        ({"decision_date": ON + day}, False),  # not yet decided on that date
        ({"repaired_on": ON}, False), ({"repaired_on": ON + day}, True),  # repair stops it from that day
        ({"under_objection": True}, True),  # R-OBJ-3: still used while under objection
    ]
    for change, counted in cases:
        s = score([rec("penalty", **{**base, **change})], schema=schema)
        assert s["industry_score"] == (660 if counted else 700), change


def test_reasons_name_the_records_that_lowered_the_score_most():  # R-GRD-5
    penalties = [rec("penalty", severity="general") for _ in range(2)]
    serious = rec("penalty", severity="serious")
    reminder, interview, accident = rec("reminder"), rec("interview"), rec("liability_accident")
    passed = rec("inspection_result", outcome="未发现问题")
    breach = rec("commitment_breach", severity="general")
    result = run(penalties + [serious, reminder, interview, accident, passed, breach, rec("licence")])
    rows = result.reasons.to_dicts()
    assert [(r["rank"], r["indicator"], r["points"], r["count"]) for r in rows] == [  # four at most
        (1, "penalty", -200, 3), (2, "liability_accident", -100, 1), (3, "commitment_breach", -40, 1),
        (4, "interview", -20, 1)]
    assert rows[0]["record_ids"] == [r["record_id"] for r in penalties + [serious]]
    assert rows[1]["record_ids"] == [accident["record_id"]]
    assert rows[0]["reason"] == ("行政处罚3条（一般违法2条、严重违法1条），扣200分：履行处罚决定、消除不良影响后，"
                                 "可向作出处罚的部门申请信用修复或缩短公示期；公示期满后不再计分")
    assert rows[2]["reason"] == "违反书面承诺（一般违诺）1条，扣40分：履行所承诺的事项并整改到位后，可申请信用修复"
    assert rows[3]["reason"] == "诚信约谈1条，扣20分：落实约谈要求并报告整改情况"


def test_reasons_with_equal_losses_follow_the_model_order():  # R-GRD-5
    rows = run([rec("reminder"), rec("commitment_breach", severity="minor")]).reasons.to_dicts()
    assert [(r["indicator"], r["points"], r["reason"]) for r in rows] == [
        ("commitment_breach", -10, "违反书面承诺（轻微违诺）1条，扣10分：履行所承诺的事项并整改到位后，可申请信用修复"),
        ("reminder", -10, "信用提醒1条，扣10分：按信用提醒的要求及时整改")]


def test_a_reason_says_when_its_level_1_indicator_is_used_up():  # R-GRD-3, R-GRD-5
    result = run(many(2, "penalty", severity="general") + many(6, "penalty", severity="serious"))
    (row,) = result.reasons.to_dicts()
    assert row["reason"].startswith("行政处罚8条（一般违法2条、严重违法6条），扣800分（不良信息最多扣400分，已扣满）：")
    single = run(many(2, "penalty", severity="general")).reasons.to_dicts()[0]
    assert single["reason"].startswith("行政处罚（一般违法）2条，扣80分：")


def test_entities_without_losses_have_no_reasons_and_others_records_are_ignored():
    result = run([rec("licence"), rec("penalty", entity=99, severity="serious")], entities=[1, 2])
    assert result.reasons.height == 0
    assert set(result.points["entity_id"]) == {1}
    assert result.scores["final_score"].to_list() == [705, 700]


def test_a_record_table_missing_a_column_the_model_reads_is_refused():
    frame = pl.DataFrame({"record_id": [1], "entity_id": [1], "info_type": ["penalty"], "severity": ["general"]})
    with pytest.raises(Invalid, match="level、outcome"):
        grade(MODEL, frame, [1], on=ON)


def test_scores_only_when_no_explanation_is_asked():
    result = run(many(2, "penalty", severity="general"), explain=False)
    assert result.scores["final_score"].to_list() == [620]
    assert result.points.height == 0 and result.reasons.height == 0


def test_what_if_shows_how_a_model_change_moves_grades():  # R-GRD-7
    from xinyong.grading.engine import what_if

    records = pl.DataFrame([rec("licence", entity=1), rec("penalty", entity=2, severity="general"),
                            rec("penalty", entity=3, severity="serious")], schema=SCHEMA)
    before = grade(MODEL, records, [1, 2, 3, 4], on=ON, explain=False).scores
    after = grade(load_preset("shijingshan_risk_classes"), records, [1, 2, 3, 4], on=ON, explain=False).scores
    assert what_if(before, after).rows() == [("B", "A", 2), ("B", "C", 1), ("C", "C", 1)]
