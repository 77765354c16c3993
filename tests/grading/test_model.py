"""Grading models are data: the presets load, and a model that does not make sense is refused with the
file, the line and the reason (R-GRD-1, R-GRD-2, R-GRD-3, R-GRD-7)."""

import pytest

from xinyong.grading.model import PRESETS, ModelError, load, load_preset, preset_path

NO_DATABASE = True  # pure rules: no database opened (tests/conftest.py)

REFERENCE = preset_path("etdz_reference").read_text(encoding="utf-8")


def line_of(text: str, fragment: str, after: str | None = None) -> int:
    """1-based line of the first line containing ``fragment`` (after the first containing ``after``)."""
    lines = text.splitlines()
    start = next(i for i, s in enumerate(lines) if after in s) if after else 0
    return next(i for i in range(start, len(lines)) if fragment in lines[i]) + 1


def edit(old: str, new: str, text: str = REFERENCE) -> str:
    assert text.count(old) == 1, old
    return text.replace(old, new)


def refused(text: str) -> ModelError:
    with pytest.raises(ModelError) as caught:
        load(text, source="test.toml")
    return caught.value


@pytest.mark.parametrize("code", PRESETS)
def test_each_preset_loads_and_validates(code):  # R-GRD-1
    model = load_preset(code)
    assert model.code == code
    assert (model.floor, model.ceiling) == (350, 950)
    assert model.bands[0].up_to == 950 and model.bands[-1].above == 350
    assert len(model.digest) == 64


def test_reference_model_has_spec_15_numbers():  # SPEC §15, R-GRD-1
    m = load_preset()
    assert m.code == "etdz_reference" and m.base == 700
    assert [(b.grade, b.above, b.up_to) for b in m.bands] == [("A", 800, 950), ("B", 650, 800), ("C", 550, 650),
                                                              ("D", 350, 550)]
    assert dict(m.weights) == {"industry": 0.5, "public": 0.3, "third_party": 0.2}
    ranges = {n.code: (n.low, n.high) for n in m.indicators}
    assert ranges == {"basic": (0, 60), "good": (0, 180), "bad": (-400, 0), "supervision": (-100, 20)}
    assert dict(m.indicator("commendation").points) == {"区级": 20, "市级": 40, "国家级": 60}
    assert dict(m.indicator("penalty").points) == {"general": -40, "serious": -120}  # a minor penalty scores nothing
    assert dict(m.indicator("commitment_breach").points) == {"minor": -10, "general": -40, "serious": -80}
    assert m.indicator("liability_accident").points[""] == -100
    assert m.indicator("ignored_reminder").points[""] == -50
    assert m.attributes == ("level", "outcome", "severity")


def test_other_presets_carry_their_documents_bands():  # R-GRD-1
    wenlv = load_preset("wenlv_five_grades")
    assert [(b.grade, b.above, b.up_to) for b in wenlv.bands] == [
        ("AAA", 700, 950), ("AA", 650, 700), ("A", 600, 650), ("B", 550, 600), ("C", 350, 550)]
    assert set(wenlv.weights) == {"basic", "government", "third_party", "industry"}  # 001 文旅 §7
    risk = load_preset("shijingshan_risk_classes")
    assert [(b.grade, b.label) for b in risk.bands] == [("A", "守信"), ("B", "警示"), ("C", "失信"), ("D", "严重失信")]
    nine = load_preset("regional_nine_levels")
    assert [b.grade for b in nine.bands] == ["A", "A-", "B+", "B", "B-", "C+", "C", "C-", "D"]


def test_grade_bands_are_lower_exclusive_upper_inclusive():  # 000 表1
    m = load_preset()
    assert [m.grade_of(s) for s in (950, 801, 800, 651, 650, 551, 550, 351)] == ["A", "A", "B", "B", "C", "C", "D", "D"]
    assert m.grade_of(350) == "D"  # the floor is in no band ("below D"): the lowest grade, and the black list
    assert m.lists_of("D", 350) == ["black"]
    assert m.lists_of("A", 900) == [] and m.lists_of("A", 901) == ["red"]


def test_model_loads_from_a_file_and_names_it(tmp_path):
    path = tmp_path / "my_model.toml"
    path.write_text(edit("range = [-400, 0]", "range = [0, -400]"), encoding="utf-8")
    with pytest.raises(ModelError) as caught:
        load(path)
    assert caught.value.source == "my_model.toml"
    assert caught.value.message.startswith("my_model.toml 第 ")
    (tmp_path / "good.toml").write_text(REFERENCE, encoding="utf-8")
    assert load(str(tmp_path / "good.toml")).code == "etdz_reference"


def test_inverted_range_is_refused_at_its_line():  # R-GRD-3
    text = edit("range = [-400, 0]", "range = [0, -400]")
    e = refused(text)
    assert e.line == line_of(text, "range = [0, -400]")
    assert "颠倒" in e.reason and e.message == f"test.toml 第 {e.line} 行：{e.reason}"


def test_overlapping_bands_are_refused_at_the_overlap():  # R-GRD-1
    text = edit('grade = "B"\nlabel = "良好"\nabove = 650', 'grade = "B"\nlabel = "良好"\nabove = 640')
    e = refused(text)
    assert e.line == line_of(text, "above = 640")
    assert "重叠" in e.reason and "“B”" in e.reason and "“C”" in e.reason


def test_a_gap_between_bands_is_refused_at_the_gap():  # R-GRD-1
    text = edit("above = 550\nup_to = 650", "above = 550\nup_to = 640")
    e = refused(text)
    assert e.line == line_of(text, "up_to = 640")
    assert "空档" in e.reason and "640＜X≤650" in e.reason


def test_bands_must_cover_the_clamp():  # R-GRD-1
    top = edit("above = 800\nup_to = 950", "above = 800\nup_to = 900")
    e = refused(top)
    assert e.line == line_of(top, "up_to = 900") and "上限" in e.reason
    bottom = edit("above = 350\nup_to = 550", "above = 400\nup_to = 550")
    e = refused(bottom)
    assert e.line == line_of(bottom, "above = 400") and "下限" in e.reason
    clamp = edit("clamp = [350, 950]", "clamp = [300, 950]")
    e = refused(clamp)
    assert e.line == line_of(clamp, "above = 350") and "分值范围自 300 起" in e.reason


def test_an_unknown_information_type_is_refused_at_its_line():  # R-CAT-1
    text = edit('types = ["compulsory_measure"]', 'types = ["compulsory_measures"]')
    e = refused(text)
    assert e.line == line_of(text, 'types = ["compulsory_measures"]')
    assert "未知的信息类型“compulsory_measures”" in e.reason


def test_known_types_can_be_given_as_plain_codes():
    with pytest.raises(ModelError) as caught:
        load(REFERENCE, {"penalty", "licence"})
    assert "qualification" in caught.value.reason
    codes = {"licence", "qualification", "certification", "intellectual_property", "commendation", "award", "charity",
             "red_list_other", "commitment_fulfilled", "false_materials", "commitment_breach", "penalty",
             "compulsory_measure", "liability_accident", "inspection_result", "reminder", "interview", "ignored_reminder"}
    assert load(REFERENCE, codes).code == "etdz_reference"  # with codes only, content fields are not checked


@pytest.mark.parametrize("weight", ["0", "-0.3"])
def test_weights_must_be_positive(weight):  # R-GRD-2
    text = edit("public = 0.3 ", f"public = {weight} ")
    e = refused(text)
    assert e.line == line_of(text, f"public = {weight}")
    assert "权重应为正数" in e.reason


def test_the_models_own_dimension_needs_a_weight():  # R-GRD-2
    text = edit("industry = 0.5 ", "industrial = 0.5 ")
    e = refused(text)
    assert e.line == line_of(text, "[dimensions]") and "“industry”" in e.reason


def test_an_unknown_value_of_a_content_field_is_refused():  # the catalog's options for 表彰级别
    text = edit('points = { "区级" = 20, "市级" = 40, "国家级" = 60 }', 'points = { "区级" = 20, "省级" = 40 }')
    e = refused(text)
    assert e.line == line_of(text, '"省级" = 40')
    assert "没有取值“省级”" in e.reason


def test_a_severity_must_be_one_of_the_three():
    text = edit("points = { general = -40, serious = -120 }", "points = { general = -40, grave = -120 }")
    e = refused(text)
    assert e.line == line_of(text, "grave = -120") and "严重程度" in e.reason


def test_a_field_the_type_does_not_have_is_refused():
    text = edit('types = ["commendation"]\nby = "level"', 'types = ["commendation"]\nby = "grade"')
    e = refused(text)
    assert e.line == line_of(text, 'by = "grade"') and "没有信息项“grade”" in e.reason


def test_a_record_is_scored_by_one_indicator_only():  # no double counting
    text = edit('code = "reminder"\nname = "信用提醒"\ntypes = ["reminder"]',
                'code = "reminder"\nname = "信用提醒"\ntypes = ["reminder", "interview"]')
    e = refused(text)
    assert e.line == line_of(text, 'types = ["interview"]')  # the second indicator to claim it
    first = line_of(text, 'types = ["reminder", "interview"]')
    assert "不能重复计分" in e.reason and f"第 {first} 行" in e.reason
    same_value = edit('points = { "未发现问题" = 5 }', 'points = { "未发现问题" = 5, "发现问题移送处理" = -5 }')
    e = refused(same_value)
    assert e.line == line_of(same_value, 'types = ["inspection_result"]', after='code = "inspection_problems"')
    first = line_of(same_value, 'types = ["inspection_result"]', after='code = "inspection_passed"')
    assert "取值“发现问题移送处理”" in e.reason and f"第 {first} 行" in e.reason


def test_a_misspelt_key_is_refused_at_its_line():
    text = edit("advice = \"按信用提醒的要求及时整改\"", "advise = \"按信用提醒的要求及时整改\"")
    e = refused(text)
    assert e.line == line_of(text, "advise =") and "未知的键“advise”" in e.reason


def test_a_missing_key_is_refused_at_its_table():
    text = edit('grade = "C"\nlabel = "中等"\nabove = 550\nup_to = 650\n', 'grade = "C"\nlabel = "中等"\nabove = 550\n')
    e = refused(text)
    assert e.line == line_of(text, 'grade = "C"') - 1  # the [[bands]] header
    assert "缺少“up_to”" in e.reason


def test_a_syntax_error_names_its_line():
    text = edit("base = 700", "base = = 700")
    e = refused(text)
    assert e.line == line_of(text, "base = = 700") and "TOML 语法错误" in e.reason


def test_base_outside_the_clamp_and_a_list_on_an_unknown_grade_are_refused():
    e = refused(edit("base = 700", "base = 1000"))
    assert "基础分 1000" in e.reason
    text = edit('grades = ["A"]', 'grades = ["S"]')
    e = refused(text)
    assert e.line == line_of(text, 'grades = ["S"]') and "不存在的等级“S”" in e.reason


def test_a_deeper_tree_is_accepted():  # R-GRD-3: level 1, 2, 3 …
    from tests.grading.test_oracle import DEEP

    model = load(DEEP)
    assert [(n.code, n.level, n.parent) for n in model.walk()][:4] == [
        ("conduct", 1, None), ("sanctions", 2, "conduct"), ("pen", 3, "sanctions"), ("force", 3, "sanctions")]


def test_errors_deep_in_the_tree_name_their_line():  # arrays of tables are counted as tomllib counts them
    from tests.grading.test_oracle import DEEP

    text = edit("range = [-200, 0]", "range = [0, -200]", DEEP)
    e = refused(text)
    assert e.line == line_of(text, "range = [0, -200]") and "颠倒" in e.reason
    text = edit('types = ["compulsory_measure"]', 'types = ["forced"]', DEEP)
    e = refused(text)
    assert e.line == line_of(text, 'types = ["forced"]') and "“forced”" in e.reason
    text = edit('labels = { "发现问题移送处理" = "移送" }', 'labels = { "移送处理" = "移送" }', DEEP)
    e = refused(text)
    assert e.line == line_of(text, 'labels = { "移送处理"') and "“移送处理”在“points”中没有" in e.reason


def test_what_is_derived_from_a_model_is_kept_per_model_object_and_arguments():  # R-GRD-4: a regrade reuses it
    from xinyong.grading.model import per_model

    made = []

    @per_model
    def derived(model, catalog):
        made.append((model.code, catalog))
        return object()

    first, same_text = load_preset(), load_preset()
    a = derived(first, ("v1",))
    assert derived(first, ("v1",)) is a and len(made) == 1
    assert derived(first, ("v2",)) is not a  # another catalog: made again
    assert derived(same_text, ("v1",)) is not a  # another model object, even of the same text
    assert len(made) == 3
    for i in range(16):  # the last 16 are kept: the first falls out
        derived(first, (f"other {i}",))
    derived(first, ("v1",))
    assert len(made) == 20
