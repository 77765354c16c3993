"""Checks every free-text field goes through: a clear error naming the field, never a 500."""

from __future__ import annotations

import re
import unicodedata

from .errors import Invalid

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u200b-\u200f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")


def clean_text(value: object, *, field: str, label: str, max_len: int, required: bool = True,
               multiline: bool = False) -> str | None:
    """Trim and check one field. HTML or SQL in text is kept as inert text: templates escape it and
    every query binds parameters, so refusing it would only refuse company names with '&' in them."""
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise Invalid(f"{label}不能为空", field=field)
        return None
    if not isinstance(value, str):
        raise Invalid(f"{label}应为文本", field=field)
    text = unicodedata.normalize("NFC", value).strip()
    if _CONTROL.search(text) or (not multiline and ("\n" in text or "\r" in text)):
        raise Invalid(f"{label}含有不可见的控制字符", field=field)
    if len(text) > max_len:
        raise Invalid(f"{label}过长：最多 {max_len} 个字符，实际 {len(text)} 个", field=field)
    return text


def halfwidth(value: str) -> str:
    """Full-width letters, digits and punctuation to their ASCII forms (ＡＢ１２（） → AB12())."""
    return unicodedata.normalize("NFKC", value)


_LIST_SEPARATORS = re.compile(r"[;；、,，\s]+")


def split_list(value: str) -> list[str]:
    """A cell holding several values, as clerks separate them: ；;、, or spaces (SPEC §17)."""
    return [part for part in _LIST_SEPARATORS.split(halfwidth(value)) if part]
