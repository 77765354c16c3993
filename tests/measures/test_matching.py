"""Which measures apply: the pure rules on the default catalog, no database (R-MEA-1, R-MEA-2)."""

import itertools
import re
import time

import pytest

from xinyong.kit.errors import Invalid
from xinyong.measures.defaults import MEASURES
from xinyong.measures.matching import (
    LIST_LABELS,
    Catalog,
    Kind,
    Measure,
    Trigger,
    applicable,
    measure_from,
    trigger_from,
    triggers_from,
)
from xinyong.measures.matters import MATTERS, duty_for, parse_matter

NO_DATABASE = True  # pure rules: no database opened (tests/conftest.py)

ETDZ = "etdz_reference"
CATALOG = Catalog(measure_from(spec, code=spec["code"], order=i) for i, spec in enumerate(MEASURES))


def codes(**kwargs) -> list[str]:
    kwargs.setdefault("model", ETDZ)
    kwargs.setdefault("lists", [])
    return [m.code for m in CATALOG.applicable(**kwargs)]


def found(**kwargs) -> list[Measure]:
    kwargs.setdefault("model", ETDZ)
    kwargs.setdefault("lists", [])
    return CATALOG.applicable(**kwargs)


# ---- R-MEA-2: grades -------------------------------------------------------------------------------

@pytest.mark.parametrize("score", [551, 600, 650])
@pytest.mark.parametrize("matter", [None, *MATTERS])
def test_grade_c_is_neither_rewarded_nor_punished(score, matter):  # R-MEA-2, 000 §31
    assert codes(grade="C", score=score, matter=matter) == []


@pytest.mark.parametrize("grade, score, inspections", [("B", 651, "etdz_fewer_inspections_b"),
                                                       ("B", 800, "etdz_fewer_inspections_b"),
                                                       ("A", 801, "etdz_fewer_inspections_a")])
def test_b_and_above_get_the_incentives_of_article_31(grade, score, inspections):  # R-MEA-2, 000 §30–31
    got = found(grade=grade, score=score)
    assert got and all(m.kind is Kind.INCENTIVE for m in got)
    names = {m.code: m.name for m in got}
    # 行政许可: 容缺受理; 行政监管: fewer inspections (A 30%, B 50% of the base ratio); 公共服务: convenience, priority
    assert {"etdz_accept_missing", inspections, "etdz_priority_service", "etdz_funding_priority",
            "etdz_public_resource_bonus", "etdz_employment_support"} == set(names)
    assert names["etdz_accept_missing"] == "容缺受理"
    assert ("30%" if grade == "A" else "50%") in names[inspections]
    assert all("第三十一条" in m.basis or "第三十条" in m.basis for m in got)


def test_d_gets_key_review_no_accept_missing_more_inspections_and_article_35():  # R-MEA-2, 000 §33–35
    got = found(grade="D", score=500)
    assert got and all(m.kind is Kind.PUNISHMENT for m in got)
    assert {m.code for m in got} == {
        "etdz_key_review", "etdz_no_accept_missing", "etdz_more_inspections",  # §33 (and §35(一)(二))
        "etdz_reminder", "etdz_interview",  # §33(一)(二), §34
        "etdz_limit_subsidy", "etdz_limit_procurement", "etdz_limit_appointment", "etdz_limit_honours",  # §35(三)–(六)
    }
    by_code = {m.code: m for m in got}
    assert by_code["etdz_reminder"].mandatory and by_code["etdz_interview"].mandatory  # 应当 (§33)
    assert "200%" in by_code["etdz_more_inspections"].name  # §30


def test_black_list_gets_articles_35_to_37_as_well():  # R-MEA-2, 000 §36–37
    got = set(codes(grade="D", score=350, lists=["black"]))
    black = {s["code"] for s in MEASURES if s["code"].startswith("etdz_black_")}
    assert black <= got
    assert {"etdz_key_review", "etdz_more_inspections", "etdz_limit_subsidy", "etdz_limit_procurement",
            "etdz_limit_appointment", "etdz_limit_honours"} <= got  # §36: "除执行第三十五条差异化措施外"


def test_a_black_list_determination_outranks_a_good_grade():  # R-LST-2, R-MEA-2
    got = found(grade="B", score=700, lists=["black"])
    assert got and all(m.kind is Kind.PUNISHMENT for m in got)  # no 容缺受理 for a black-listed entity
    assert "etdz_black_strict_licensing" in {m.code for m in got} and "etdz_limit_procurement" in {m.code for m in got}
    assert "etdz_reminder" not in {m.code for m in got}  # §33 is about the D grade, not the list


def test_an_ungraded_entity_is_answered_from_its_lists_only():  # R-MEA-2
    assert codes(grade=None, score=None) == []
    got = set(codes(grade=None, score=None, lists=["black"]))
    assert "etdz_black_disclosure" in got and "etdz_no_accept_missing" not in got


def test_red_list_adds_the_measures_of_article_32():  # R-LST-1, 000 §32
    plain = set(codes(grade="A", score=910))
    red = set(codes(grade="A", score=910, lists=["red"]))
    assert red - plain == {"etdz_red_green_channel", "etdz_red_policy_priority", "etdz_red_credit_bonus",
                           "etdz_red_association_support", "etdz_red_promotion"}


def test_key_attention_list_gets_the_measures_for_its_degree():  # R-LST-3, 001 三年行动计划 二(三)11
    assert codes(grade="D", score=500, lists=["key_attention"], matter="supervision")[-1] == "key_attention_supervision"
    assert codes(grade="B", score=700, lists=["key_attention"]) == ["key_attention_supervision"]  # no incentive either


# ---- related persons, matters, order --------------------------------------------------------------

def test_black_list_measures_reach_the_related_persons():  # R-MEA-2, 000 §37(二), 002 二(四)3
    got = found(grade="D", score=350, lists=["black"], related=True)
    assert got and all(m.extends_to_related for m in got)
    got_codes = {m.code for m in got}
    assert {"etdz_black_person_ban", "etdz_black_revoke_honours", "etdz_limit_appointment"} <= got_codes
    assert "etdz_black_disclosure" not in got_codes  # an entity's disclosure, not a person's
    black = {s["code"] for s in MEASURES if s["code"].startswith("etdz_black_") and s["code"] != "etdz_black_disclosure"}
    assert black <= got_codes  # every black-list measure of §36–37 reaches them (SPEC R-MEA-2)


def test_a_good_grade_brings_nothing_to_related_persons():  # R-MEA-2
    assert codes(grade="A", score=920, lists=["red"], related=True) == []


@pytest.mark.parametrize("matter", ["procurement", "licensing", "honours", "appointment", "supervision"])
def test_with_a_matter_only_the_measures_for_that_matter(matter):  # R-MEA-3
    everything = found(grade="D", score=350, lists=["black"])
    got = found(grade="D", score=350, lists=["black"], matter=matter)
    assert got and all(matter in m.matters for m in got)
    assert got == [m for m in everything if matter in m.matters]


def test_mandatory_first_then_punishments_then_incentives():  # R-MEA-3
    rank = [(not m.mandatory, m.kind is Kind.INCENTIVE) for m in found(grade="D", score=350, lists=["black"])]
    assert rank == sorted(rank) and rank[0] == (False, False) and rank[-1][0]
    mixed = [Measure("i_mand", 1, "强制激励", Kind.INCENTIVE, True, "依据", (Trigger(grades=frozenset({"B"})),),
                     frozenset({"licensing"}), ("all",), order=1),
             Measure("p_rec", 1, "推荐惩戒", Kind.PUNISHMENT, False, "依据", (Trigger(lists=frozenset({"black"})),),
                     frozenset({"licensing"}), ("all",), order=2),
             Measure("i_rec", 1, "推荐激励", Kind.INCENTIVE, False, "依据", (Trigger(grades=frozenset({"B"})),),
                     frozenset({"licensing"}), ("all",), order=0),
             Measure("p_mand", 1, "强制惩戒", Kind.PUNISHMENT, True, "依据", (Trigger(lists=frozenset({"black"})),),
                     frozenset({"licensing"}), ("all",), order=3)]
    got = applicable(mixed, grade="B", score=700, lists=["black"], model=None)
    assert [m.code for m in got] == ["p_mand", "i_mand", "p_rec", "i_rec"]


# ---- triggers --------------------------------------------------------------------------------------

def test_grades_are_read_on_their_own_models_scale():  # R-GRD-1, R-MEA-1
    # 文旅 B (一般) is punished (001 文旅 §13), not rewarded as an ETDZ B would be (000 §31)
    wenlv_b = found(grade="B", score=560, model="wenlv_five_grades")
    assert wenlv_b and all(m.kind is Kind.PUNISHMENT and m.code.startswith("wenlv_") for m in wenlv_b)
    # 石景山 C (失信) is limited (003 §11(三)); an ETDZ C is neither rewarded nor punished
    sjs_c = set(codes(grade="C", score=600, model="shijingshan_risk_classes"))
    assert {"sjs_c_limit_licensing", "sjs_c_limit_public_resource", "sjs_c_limit_honours"} <= sjs_c
    # 石景山 D gets C's measures and more (003 §11(四): 在C级监管惩戒的基础上)
    assert sjs_c < set(codes(grade="D", score=400, model="shijingshan_risk_classes"))
    assert codes(grade="AAA", score=900, model="wenlv_five_grades", matter="licensing") == ["wenlv_accept_missing"]
    # a grade whose model is unknown meets only the triggers that name no model
    assert codes(grade="B", score=700, model=None) == []


def test_score_thresholds_are_strictly_above_and_at_or_below():  # R-MEA-1 (incentives by score, 000 §31)
    m = Measure("x", 1, "高分激励", Kind.INCENTIVE, False, "依据", (Trigger(grades=frozenset({"B"}), above=750),),
                frozenset({"licensing"}), ("all",))
    low = Measure("y", 1, "低分惩戒", Kind.PUNISHMENT, False, "依据", (Trigger(at_or_below=550),), frozenset({"licensing"}),
                  ("all",))
    assert [x.code for x in applicable([m, low], grade="B", score=760, model=None)] == ["x"]
    assert applicable([m, low], grade="B", score=750, model=None) == []
    assert [x.code for x in applicable([m, low], grade="D", score=550, model=None)] == ["y"]
    assert applicable([m, low], grade=None, score=None, model=None) == []


def test_the_index_by_matter_answers_as_the_plain_scan():
    grades = [None, "A", "B", "C", "D", "AA", "AAA"]
    lists = [(), ("red",), ("black",), ("key_attention",), ("black", "key_attention")]
    models = [ETDZ, "wenlv_five_grades", "shijingshan_risk_classes", None]
    for grade, on, model, matter, related in itertools.product(grades, lists, models, [None, *MATTERS], [False, True]):
        kwargs = {"grade": grade, "score": 700, "lists": on, "model": model, "matter": matter, "related": related}
        assert CATALOG.applicable(**kwargs) == applicable(CATALOG.measures, **kwargs)


def test_a_check_takes_microseconds():  # issue 6: the credit check serves 500 requests/s
    start = time.perf_counter()
    for _ in range(2000):
        CATALOG.applicable(grade="D", score=350, lists=["black"], model=ETDZ, matter="procurement")
    assert time.perf_counter() - start < 1.0  # about 10 µs each; a generous bound on a busy machine


@pytest.mark.parametrize("data, message", [
    ({}, "至少应有等级、名单或分数线之一"),
    ({"model": ETDZ}, "至少应有等级、名单或分数线之一"),
    ({"lists": ["grey"]}, "不是已知的名单"),
    ({"grades": ["A B"]}, "格式不对"),
    ({"grades": "A"}, "应为文本列表"),
    ({"above": "x"}, "应为数字"),
    ({"above": 2000}, "应在 0–1000 之间"),
    ({"above": 800, "at_or_below": 700}, "分数下限应低于分数上限"),
    ({"lists": ["black"], "unless_lists": ["black"]}, "既是触发条件又是排除条件"),
    ({"grades": ["A"], "colour": "red"}, "不认识的属性"),
    ({"model": "ETDZ!", "grades": ["A"]}, "评价模型代码"),
])
def test_a_bad_trigger_is_refused_with_a_reason(data, message):  # R-MEA-1
    with pytest.raises(Invalid) as exc:
        trigger_from(data)
    assert message in exc.value.message


def test_triggers_need_at_least_one_and_no_repeats():
    with pytest.raises(Invalid, match="至少应有一个触发条件"):
        triggers_from([])
    with pytest.raises(Invalid, match="重复"):
        triggers_from([{"grades": ["A"]}, {"grades": ["A"]}])


def test_a_trigger_describes_itself_in_chinese():
    t = trigger_from({"model": ETDZ, "grades": ["B", "A"], "unless_lists": ["black"]})
    assert t.describe() == "经开区信用评价（A/B/C/D）：等级为 A、B，未列入严重失信主体（黑名单）"
    assert trigger_from({"lists": ["black"]}).describe() == "列入严重失信主体（黑名单）"
    assert trigger_from({"above": 900.0}).as_dict() == {"above": 900}


# ---- the default content ------------------------------------------------------------------------

ARTICLE = re.compile(r"第[一二三四五六七八九十]+条|二（[一二三四]）\d+")


def test_every_default_measure_is_well_formed_and_cites_its_article():  # R-MEA-1
    assert len({s["code"] for s in MEASURES}) == len(MEASURES)
    for spec in MEASURES:
        m = measure_from(spec, code=spec["code"])
        assert m.name and m.departments and m.matters <= set(MATTERS), spec["code"]
        assert ARTICLE.search(m.basis), (spec["code"], m.basis)
        assert m.duration, spec["code"]


def test_mandatory_where_the_documents_say_ying():  # R-MEA-1, 002 二(四)1
    mandatory = {s["code"] for s in MEASURES if s["mandatory"]}
    assert mandatory == {
        "etdz_reminder", "etdz_interview",  # 000 §33 "应当采取信用提醒和诚信约谈"
        # 000 §36 "还应采取"（the market ban of §36 is "可以")
        "etdz_black_disclosure", "etdz_black_key_supervision", "etdz_black_strict_licensing", "etdz_black_no_funding",
        "etdz_black_public_resource", "etdz_black_project_approval", "etdz_black_financial_institution",
        "etdz_black_internet_service", "etdz_black_concession",
        # 000 §37 "应采取"
        "etdz_black_zone_entry", "etdz_black_financing", "etdz_black_person_ban", "etdz_black_revoke_honours",
        "sjs_b_targeted_inspection",  # 003 §11(二) "应当加强针对性的监督检查"
    }


def test_every_list_code_is_a_list_of_spec_18():
    assert set(LIST_LABELS) == {"red", "black", "key_attention"}


def test_matters_extend_the_duties_and_map_back_to_one():  # R-MEA-3, R-PUB-3
    from xinyong.access.duties import Duty

    assert {d.value for d in Duty} <= set(MATTERS)
    assert all(duty_for(d.value) is d for d in Duty)
    assert duty_for("appointment") is Duty.LICENSING and duty_for("association") is None
    assert parse_matter("政府采购") == "procurement" and parse_matter("financing") == "financing" and parse_matter("") is None
    with pytest.raises(Invalid, match="不是已知的事项"):
        parse_matter("炒股")
