import pytest

from xinyong.kit.errors import Invalid
from xinyong.kit.text import clean_text, halfwidth


def clean(value, **kw):
    return clean_text(value, **({"field": "name", "label": "名称", "max_len": 10} | kw))


def test_trims_surrounding_whitespace():  # R-ENT-6
    assert clean("  星河科技 \t") == "星河科技"


def test_composes_unicode_to_nfc():  # R-ENT-6
    assert clean("Cafe\u0301") == "Caf\u00e9"


@pytest.mark.parametrize("empty", [None, "", "   ", "\u3000"])
def test_required_field_left_empty_is_invalid_and_names_the_field(empty):  # R-COL-5: refused with the reason
    with pytest.raises(Invalid) as exc:
        clean(empty, field="legal_representative", label="法定代表人")
    assert exc.value.field == "legal_representative"
    assert "法定代表人" in exc.value.message


@pytest.mark.parametrize("empty", [None, "", "  "])
def test_optional_field_left_empty_is_none(empty):  # R-ENT-2
    assert clean(empty, required=False) is None


@pytest.mark.parametrize("value", [123, ["星河"], {"a": 1}, b"bytes"])
def test_non_text_is_invalid(value):  # R-COL-5
    with pytest.raises(Invalid) as exc:
        clean(value)
    assert exc.value.field == "name"


@pytest.mark.parametrize("value", [
    "星河\x00科技", "星河\x1b[31m", "星河\x7f", "星河\u200b科技", "\u202e司公河星", "星河\u2066科技",
])
def test_control_and_invisible_characters_are_refused(value):  # R-SEC-3: no look-alike names
    with pytest.raises(Invalid) as exc:
        clean(value)
    assert exc.value.field == "name"
    assert "控制字符" in exc.value.message


@pytest.mark.parametrize("value", ["星河\n科技", "星河\r科技", "星河\r\n科技"])
def test_line_breaks_are_refused_in_single_line_fields(value):  # R-SEC-3
    with pytest.raises(Invalid):
        clean(value)


def test_multiline_fields_keep_line_breaks_and_tabs():  # R-ENT-2
    assert clean("第一行\n第二行\t完", multiline=True, max_len=100) == "第一行\n第二行\t完"


def test_length_is_counted_in_characters_not_bytes():  # R-COL-5
    assert clean("一二三四五六七八九十") == "一二三四五六七八九十"
    with pytest.raises(Invalid) as exc:
        clean("一二三四五六七八九十一")
    assert exc.value.field == "name"
    assert "10" in exc.value.message and "11" in exc.value.message


def test_html_and_sql_are_kept_as_inert_text():  # R-SEC-3
    text = "<b>A&B</b>'; DROP TABLE entities;--"
    assert clean(text, max_len=100) == text


def test_halfwidth():  # R-ENT-6
    assert halfwidth("ＡＢ１２（）　：") == "AB12() :"
    assert halfwidth("北京") == "北京"
