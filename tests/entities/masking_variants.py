"""Personal identifiers written the ways people write them, for the masking tests (R-SEC-2, issue 17).

``variants(rng, n)`` → n ``Variant``s: a resident ID number (18 digits, some with the X check digit,
or a first-generation 15-digit one) or a mobile number (with or without +86), spelt with spaces,
hyphens, dots, full-width digits and separators in any grouping, inside a sentence of a penalty's
facts. ``leaks(text, variants)`` → the numbers whose digits survive in ``text`` once separators are
stripped. Seeded ``random.Random``: the same variants on every run."""

from __future__ import annotations

import random
import re
import unicodedata
from dataclasses import dataclass

from tests.helpers import gb11643

REGIONS = ("110105", "110224", "310115", "412723", "440305", "510107", "650102", "130102", "370202", "820000")
SEPARATORS = (" ", "-", ".", "\u3000", "\uff0d", "\uff0e", "\u00b7", "\u2014", " - ", "  ", "\u2013", "_", "\u30fb")
PHONE_PREFIXES = ("", "", "+86 ", "+86-", "86", "0086 ", "\uff0b\uff18\uff16", "(+86)", "+86\u3000")
CONTEXTS = (
    "经查，当事人（身份证号{v}）于2026年3月5日销售超过保质期的食品",
    "联系人电话：{v}；",
    "经营者{v}未按规定公示",
    "（公民身份号码：{v}）",
    "受托人 {v} 签收",
    "身份证{v}，住址北京市大兴区",
    "当事人王某，证件号{v}。",
    "电话{v}、",
    "【{v}】",
    "号码为“{v}”的",
)
# what the stripped text is compared on: NFKC (full-width to ASCII), then no separator at all
_STRIP = re.compile(r"[\s\-.\u00b7\u2010-\u2015\u30fb\uff65_()+]")


@dataclass(frozen=True)
class Variant:
    number: str  # the identifier, plain: 18 or 15 digits, or 11 for a mobile number
    kind: str  # id18, id15, mobile
    written: str  # as it appears in the text
    sentence: str  # the sentence around it


def _id18(rng: random.Random, x_check: bool) -> str:
    while True:
        born = f"{rng.randint(1940, 2005)}{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}"
        body = rng.choice(REGIONS) + born + f"{rng.randint(0, 999):03d}"
        check = gb11643(body)
        if (check == "X") == x_check:
            return body + check


def _id15(rng: random.Random) -> str:
    return rng.choice(REGIONS) + f"{rng.randint(40, 99)}{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}" \
        + f"{rng.randint(0, 999):03d}"


def _mobile(rng: random.Random) -> str:
    return f"1{rng.choice('3456789')}{rng.randint(0, 999_999_999):09d}"


def _groups(rng: random.Random, number: str, kind: str) -> list[str]:
    style = rng.randrange(5)
    if style == 0:
        return [number]
    if style == 1:  # the usual groupings
        cuts = {"id18": [(6, 8, 4), (6, 4, 4, 4), (3, 3, 4, 4, 4)], "id15": [(6, 6, 3), (6, 3, 3, 3)],
                "mobile": [(3, 4, 4), (3, 8), (7, 4)]}[kind]
        sizes = rng.choice(cuts)
    elif style == 2:  # digit by digit
        sizes = (1,) * len(number)
    else:  # any grouping
        sizes, left = [], len(number)
        while left:
            sizes.append(min(left, rng.randint(1, 6)))
            left -= sizes[-1]
    groups, at = [], 0
    for size in sizes:
        groups.append(number[at:at + size])
        at += size
    return groups


def _fullwidth(text: str, rng: random.Random, everywhere: bool) -> str:
    return "".join(chr(ord(c) + 0xFEE0) if c.isascii() and c.isalnum() and (everywhere or rng.random() < 0.5) else c
                   for c in text)


def _write(rng: random.Random, number: str, kind: str) -> str:
    groups = _groups(rng, number, kind)
    if rng.random() < 0.5:
        sep = rng.choice(SEPARATORS)
        written = sep.join(groups)
    else:
        written = groups[0] + "".join(rng.choice(SEPARATORS) + g for g in groups[1:])
    if written.endswith("X") and rng.random() < 0.4:
        written = written[:-1] + rng.choice("x\uff38\uff58")
    width = rng.randrange(4)
    if width == 1:
        written = _fullwidth(written, rng, everywhere=True)
    elif width == 2:
        written = _fullwidth(written, rng, everywhere=False)
    if kind == "mobile":
        written = rng.choice(PHONE_PREFIXES) + written
    return written


def variants(rng: random.Random, n: int) -> list[Variant]:
    out = []
    for i in range(n):
        kind = ("id18", "id18x", "id15", "mobile")[i % 4]
        number = {"id18": lambda: _id18(rng, False), "id18x": lambda: _id18(rng, True), "id15": lambda: _id15(rng),
                  "mobile": lambda: _mobile(rng)}[kind]()
        kind = "id18" if kind == "id18x" else kind
        written = _write(rng, number, kind)
        out.append(Variant(number, kind, written, rng.choice(CONTEXTS).format(v=written)))
    return out


def stripped(text: str) -> str:
    return _STRIP.sub("", unicodedata.normalize("NFKC", text)).upper()


def leaks(text: str, found: list[Variant]) -> list[Variant]:
    """The variants of which more than the visible head and tail is still readable in ``text``: the
    number with its last four (three for a 15-digit number) cut off, a run that masking interrupts."""
    flat = stripped(text)
    return [v for v in found if v.number[:-3 if v.kind == "id15" else -4] in flat]
