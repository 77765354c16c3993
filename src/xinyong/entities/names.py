"""Names as people write them (R-ENT-6): one key for 'Ａ公司（北京） 有限责任公司' and 'A公司(北京)有限公司'."""

from __future__ import annotations

import re

from xinyong.kit.text import halfwidth

_SPACE = re.compile(r"\s+")
_BRACKETS = str.maketrans({"〔": "(", "〕": ")", "【": "(", "】": ")", "[": "(", "]": ")", "{": "(", "}": ")"})
# Longest first: the first match wins.
LEGAL_FORMS = ("股份有限公司", "有限责任公司", "有限公司", "集团公司", "合伙企业", "普通合伙", "有限合伙",
               "个人独资企业", "分公司", "公司", "厂", "店", "中心", "事务所")


def normalize_name(name: str) -> str:
    """The matching key: half-width, no spaces, one kind of bracket, 有限责任公司 → 有限公司, lower case."""
    key = _SPACE.sub("", halfwidth(name or "")).translate(_BRACKETS).lower()
    return key.replace("有限责任公司", "有限公司")


def core_name(name: str) -> str:
    """The distinctive part for fuzzy matching: legal form and bracketed place names removed."""
    key = re.sub(r"\([^)]*\)", "", normalize_name(name))
    for form in LEGAL_FORMS:
        if key.endswith(form):
            return key[: -len(form)] or key
    return key
