import pytest

from xinyong.entities.names import core_name, normalize_name


@pytest.mark.parametrize("written", [
    "北京星河科技有限公司",
    "北京星河科技有限责任公司",
    "北京星河科技 有限公司",
    " 北京 星河 科技\u3000有限公司 ",
    "北京星河科技有限\n公司",
])
def test_the_ways_people_write_one_name_share_one_key(written):  # R-ENT-6
    assert normalize_name(written) == normalize_name("北京星河科技有限公司")


def test_full_width_and_half_width_letters_and_digits_match():  # R-ENT-6
    assert normalize_name("ＡＢＣ１２３科技有限公司") == normalize_name("abc123科技有限公司")
    assert normalize_name("ＡＢＣ１２３科技有限公司") == "abc123科技有限公司"


@pytest.mark.parametrize("written", [
    "星河科技（北京）有限公司",
    "星河科技(北京)有限公司",
    "星河科技【北京】有限公司",
    "星河科技〔北京〕有限公司",
    "星河科技[北京]有限公司",
    "星河科技 ( 北京 ) 有限责任公司",
])
def test_bracket_styles_match(written):  # R-ENT-6
    assert normalize_name(written) == "星河科技(北京)有限公司"


def test_the_module_docstring_example():  # R-ENT-6
    assert normalize_name("Ａ公司（北京） 有限责任公司") == normalize_name("A公司(北京)有限公司")


def test_different_names_stay_different():  # R-ENT-6: an ambiguous match must not be invented
    assert normalize_name("北京星河科技有限公司") != normalize_name("北京星海科技有限公司")
    assert normalize_name("星河科技(北京)有限公司") != normalize_name("星河科技(天津)有限公司")
    # 股份有限公司 is a different legal form from 有限公司
    assert normalize_name("星河科技股份有限公司") != normalize_name("星河科技有限公司")


def test_empty_name_gives_empty_key():  # R-ENT-6
    assert normalize_name("") == ""
    assert normalize_name(None) == ""


@pytest.mark.parametrize("written, core", [
    ("北京星河科技有限公司", "北京星河科技"),
    ("北京星河科技有限责任公司", "北京星河科技"),
    ("北京星河科技股份有限公司", "北京星河科技"),
    ("星河科技（北京）有限公司", "星河科技"),
    ("星河科技(北京)有限责任公司", "星河科技"),
    ("ＸＩＮＧＨＥ科技有限公司", "xinghe科技"),
    ("朝阳区老王小吃店", "朝阳区老王小吃"),
    ("北京星河科技有限公司朝阳分公司", "北京星河科技有限公司朝阳"),
])
def test_core_name_strips_legal_form_and_bracketed_place(written, core):  # R-ENT-6
    assert core_name(written) == core


def test_core_name_never_strips_a_name_down_to_nothing():  # R-ENT-6
    assert core_name("公司") == "公司"
    assert core_name("有限公司") != ""
    assert core_name("（北京）公司") == "公司"
