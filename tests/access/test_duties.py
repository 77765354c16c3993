"""应查必查: one list of the matters that must check credit, with their sources (R-PUB-3; 003 §12;
001 管理办法 §24). Pure: no database."""

import pytest

from xinyong.access.duties import DUTIES, DUTY_LABELS, Duty, parse_duty
from xinyong.kit.errors import Invalid


def test_the_list_covers_the_matters_the_sources_name():
    labels = "、".join(DUTY_LABELS.values())
    for matter in ("行政许可", "政府采购", "招标投标", "国有土地出让", "财政资金补贴", "表彰奖励", "日常监管", "重点领域监管",
                   "政府购买服务", "科研", "人员招录", "职称评定"):
        assert matter in labels, matter
    assert set(DUTIES) == set(Duty) and all(info.basis for info in DUTIES.values())
    assert "食品药品" in DUTIES[Duty.FIELD_SUPERVISION].note and DUTIES[Duty.FIELD_SUPERVISION].basis == "003 §12(一)"


@pytest.mark.parametrize(("value", "duty"), [("licensing", Duty.LICENSING), ("政府采购", Duty.PROCUREMENT),
                                             (" land ", Duty.LAND), ("", None), (None, None)])
def test_a_duty_is_read_by_code_or_label(value, duty):
    assert parse_duty(value) is duty


def test_anything_else_is_refused_with_the_list():
    with pytest.raises(Invalid) as exc:
        parse_duty("了解一下")
    assert exc.value.field == "duty" and "政府采购" in exc.value.message
