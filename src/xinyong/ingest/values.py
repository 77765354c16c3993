"""Single cells of a 双公示 file as clerks fill them in (SPEC §17): dates, amounts in 万元, 处罚类别 and
the severity they imply, 许可类别. Each parser raises ``Invalid`` with a Chinese reason."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal, InvalidOperation

from xinyong.entities.identifiers import mask_ids_in
from xinyong.kit.errors import Invalid
from xinyong.kit.text import halfwidth, split_list
from xinyong.kit.workdays import parse_date
from xinyong.records.periods import PENALTY_CATEGORIES, severity_of_penalty

from .national import FORMATS, PENALTY

LONG_TERM = dt.date(2099, 12, 31)  # SPEC §17: 2099-12-31 means long-term
LONG_TERM_WORDS = frozenset({"长期", "长期有效", "永久", "永久有效", "无固定期限", "无期限"})
# 个体工商户 without a USCC yet: the national standard lets 17 zeros and X stand in, with 工商注册号 given
NO_USCC_YET = "00000000000000000X"

# SPEC §17 "Severity of an imported penalty": the one table, in records.periods (pure)
PENALTY_SEVERITY: dict[str, str] = {category: severity.value for category, severity in PENALTY_CATEGORIES.items()}
assert tuple(PENALTY_SEVERITY) == FORMATS[PENALTY].field("penalty_categories").options, \
    "catalog.defaults lists other 处罚类别 than SPEC §17"
# What clerks write for a §9 category in older exports
PENALTY_ALIASES = {
    "吊销营业执照": "吊销许可证件", "吊销执照": "吊销许可证件", "吊销许可证": "吊销许可证件",
    "暂扣营业执照": "暂扣许可证件", "暂扣执照": "暂扣许可证件", "暂扣许可证": "暂扣许可证件",
    "责令停产": "责令停产停业", "责令停业": "责令停产停业",
}
LICENCE_CATEGORIES = ("普通", "特许", "认可", "核准", "登记")  # and 其他—… with any suffix


def as_text(v: object) -> str:
    if isinstance(v, str):
        return v
    if isinstance(v, dt.datetime):
        return v.isoformat(sep=" ")
    if isinstance(v, dt.date):
        return v.isoformat()
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v)


def echo(v: object, limit: int = 40) -> str:
    """A value quoted back in a message: shortened, ID-shaped numbers masked."""
    text = mask_ids_in(as_text(v).strip())  # masked whole, then cut: a number cut in two would escape the mask
    return text if len(text) <= limit else text[:limit] + "…"


_COMPACT = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
_TIME_TAIL = re.compile(r"[ T]\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?$")


def parse_loose_date(value: object, *, field: str, label: str) -> dt.date:
    """Excel date cells, 2026-03-05, 2026/3/5, 2026.3.5, 2026年3月5日, full-width digits, 20260305, and the
    '2026-03-05 00:00:00' database exports write."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = _TIME_TAIL.sub("", halfwidth(as_text(value)).strip())
    m = _COMPACT.match(text)
    if m:
        text = "-".join(m.groups())
    try:
        d = parse_date(text, field=field)
    except Invalid:
        raise Invalid(f"{label}无法识别：“{echo(value)}”（应如 2026-03-05、2026/3/5、2026年3月5日 或 20260305）",
                      field=field) from None
    if d.year < 1950:
        raise Invalid(f"{label}不合理：{d.isoformat()}", field=field)
    return d


def is_long_term_word(value: object) -> bool:
    return isinstance(value, str) and halfwidth(value).strip() in LONG_TERM_WORDS


def parse_amount(value: object, *, field: str, label: str) -> Decimal:
    """An amount in 万元: '1.5', '１.５', '2 万元', '1,200.00'; not negative, not '5000元' (the wrong unit)."""
    text = halfwidth(as_text(value)).strip().replace(",", "").replace(" ", "")
    if text.endswith("万元"):
        text = text[:-2]
    elif text.endswith("万"):
        text = text[:-1]
    elif text.endswith("元"):
        raise Invalid(f"{label}的单位应为万元：收到“{echo(value)}”", field=field)
    try:
        amount = Decimal(text)
    except InvalidOperation:
        amount = None
    if amount is None or not amount.is_finite():
        raise Invalid(f"{label}应为数字（单位：万元）：收到“{echo(value)}”", field=field)
    if amount < 0:
        raise Invalid(f"{label}不能为负数：收到“{echo(value)}”", field=field)
    return amount


def split_penalty_categories(value: str) -> tuple[list[str], list[str]]:
    """(§9 categories in file order without repeats, the parts that are not §9 categories)."""
    good: list[str] = []
    bad: list[str] = []
    for part in split_list(value):
        cat = PENALTY_ALIASES.get(part, part)
        if cat in PENALTY_SEVERITY:
            if cat not in good:
                good.append(cat)
        else:
            bad.append(part)
    return good, bad


def severity_of(categories: list[str] | tuple[str, ...]) -> str:
    """SPEC §17: the heaviest category decides; only 警告 alone is minor."""
    return severity_of_penalty(list(categories)).value


def parse_licence_category(value: str, *, field: str = "licence_category", label: str = "许可类别") -> str:
    """普通 / 特许 / 认可 / 核准 / 登记, or 其他 with whatever follows (其他—备案); 其它 is read as 其他."""
    cat = halfwidth(value).replace(" ", "")
    if cat.startswith("其它"):
        cat = "其他" + cat[2:]
    if cat in LICENCE_CATEGORIES or cat.startswith("其他"):
        return cat
    raise Invalid(f"{label}应为{'、'.join(LICENCE_CATEGORIES)}或“其他—…”，收到“{echo(value)}”", field=field)
