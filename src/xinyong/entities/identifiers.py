"""USCC (GB 32100) and resident ID numbers (GB 11643): normalise, verify, mask. Pure functions (R-ENT-1, R-SEC-2)."""

from __future__ import annotations

import datetime as dt
import re
from functools import lru_cache

from stdnum.cn import ric, uscc

from xinyong.kit import clock
from xinyong.kit.errors import Invalid
from xinyong.kit.text import halfwidth

_SPACES = re.compile(r"[\s\-_]+")


def normalize_code(raw: str) -> str:
    """What clerks type: full-width digits, lower case, spaces and hyphens."""
    return _SPACES.sub("", halfwidth(raw or "")).upper()


@lru_cache(maxsize=1 << 16)  # an import meets the same authority and source unit on every row
def _uscc_fault(code: str) -> str | None:
    """What is wrong with an 18-character code (GB 32100, checked by python-stdnum): "format",
    "checksum" or nothing."""
    try:
        uscc.validate(code)
    except uscc.InvalidChecksum:
        return "checksum"
    except uscc.ValidationError:
        return "format"
    return None


def validate_uscc(raw: str, *, field: str = "uscc") -> str:
    code = normalize_code(raw)
    if len(code) != 18:
        raise Invalid(f"统一社会信用代码应为18位，收到 {len(code)} 位：{mask_ids_in(code)}", field=field)
    fault = _uscc_fault(code)
    if fault == "checksum":
        raise Invalid(f"统一社会信用代码校验位错误：{mask_ids_in(code)}", field=field)
    if fault:
        raise Invalid(f"统一社会信用代码格式错误：{mask_ids_in(code)}", field=field)
    return code


# GB 2260 province-level codes: the first two digits of every resident ID number
PROVINCES = frozenset({11, 12, 13, 14, 15, 21, 22, 23, 31, 32, 33, 34, 35, 36, 37, 41, 42, 43, 44, 45, 46, 50, 51,
                       52, 53, 54, 61, 62, 63, 64, 65, 71, 81, 82, 83})


def _birth_date(number: str) -> dt.date | None:
    try:
        return dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        return None


def validate_id_number(raw: str, *, field: str = "id_number", adult_on: dt.date | None = None) -> str:
    """An 18-digit resident ID number (GB 11643): a province code, a real birth date, the check digit.

    Not the county code against the birth year, as stdnum's validate does: a number keeps the code
    of the county that issued it, and counties were renamed since (大兴县 110224 is 大兴区 110115
    from 2001), so that check refuses real residents. With ``adult_on``, the holder must be 18 or
    older that day (R-ENT-1)."""
    number = normalize_code(raw)
    if len(number) != 18:
        raise Invalid(f"公民身份号码应为18位，收到 {len(number)} 位", field=field)
    if not number[:17].isdigit() or not (number[17].isdigit() or number[17] == "X"):
        raise Invalid(f"公民身份号码只能由数字和末位 X 组成：{mask_id_number(number)}", field=field)
    born = _birth_date(number)
    if int(number[:2]) not in PROVINCES or born is None or born.year < 1900 or born > clock.today():
        raise Invalid(f"公民身份号码格式错误（地区码或出生日期无效）：{mask_id_number(number)}", field=field)
    if id_check_digit(number[:17]) != number[17]:
        raise Invalid(f"公民身份号码校验位错误：{mask_id_number(number)}", field=field)
    if adult_on is not None and _age(born, adult_on) < 18:
        raise Invalid("自然人信用主体应年满18周岁", field=field)
    return number


def validate_code(raw: str, *, field: str = "code") -> str:
    """A code that stands for an entity: a valid USCC or a valid ID number, normalised. Otherwise the
    fault of what it was meant to be, said as such: a code shaped like an ID number (digits, a
    province and a birth year where a person's number has them) is judged as one and shown masked;
    anything else — letters, digits no person's number has — as a USCC, shown in full (a USCC is not
    personal data). An all-digit USCC (机关 11…, 事业单位 12…) has its region there, not a year."""
    code = normalize_code(raw)
    if is_valid_uscc(code) or is_valid_id_number(code):
        return code
    if len(code) == 18 and code[:17].isdigit() and code[17] in "0123456789X" and int(code[:2]) in PROVINCES \
            and 1800 <= int(code[6:10]) <= 2099:
        return validate_id_number(code, field=field)  # raises: says which part of the number is wrong
    if code.isdigit() and len(code) != 18:
        raise Invalid(f"统一社会信用代码或公民身份号码应为18位，收到 {len(code)} 位：{mask_ids_in(code)}", field=field)
    return validate_uscc(code, field=field)  # raises: length, check digit or format


def _age(born: dt.date, on: dt.date) -> int:
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


def mask_id_number(number: str) -> str:
    """110105********0017: region code and last four, as the credit platforms show it."""
    if len(number) < 10:
        return "*" * len(number)
    return number[:6] + "*" * (len(number) - 10) + number[-4:]


def is_valid_uscc(code: str) -> bool:
    return len(code) == 18 and _uscc_fault(code) is None


def is_valid_id_number(code: str) -> bool:
    try:
        validate_id_number(code)
        return True
    except Invalid:
        return False


def uscc_check_digit(first17: str) -> str:
    return uscc.calc_check_digit(first17)


def id_check_digit(first17: str) -> str:
    # stdnum's calc_check_digit takes a whole number and ignores its last character
    return ric.calc_check_digit(first17 + "0")


# --- personal identifiers in free text (R-SEC-2) ----------------------------------------------------
#
# Facts, reasons and messages quote numbers the way people write them: 412723 1969 1026 8726,
# 412723-19691026-8726, full-width digits, a first-generation 15-digit number, a mobile number with
# +86. A run of digits and the separators between them is cut into its digit groups; every window of
# whole groups that spells an identifier (18 or 15 digits shaped like an ID number, 11 digits of a
# mobile number) has its middle starred in place, separators and the rest of the text untouched.
# Every window, not the first that fits: a date or a count before a number must not shift it out of
# view. A USCC (18 characters with letters) is one token and is left alone, and so are dates,
# document numbers and amounts, which never reach 11 digits in whole groups.

_DIGITS = "0-9\uff10-\uff19"
_SEPARATORS = "\\s\u3000\\-\u2010-\u2015\u2212\ufe58\ufe63\uff0d.\uff0e\u00b7\u30fb\uff65_\uff3f"
_CHECK_X = "Xx\uff38\uff58"
_ALNUM = "0-9A-Za-z\uff10-\uff19\uff21-\uff3a\uff41-\uff5a"
_RUN = re.compile(f"[{_DIGITS}](?:[{_SEPARATORS}]*[{_DIGITS}])*(?:[{_SEPARATORS}]*[{_CHECK_X}](?![{_ALNUM}]))?")
_GROUP = re.compile(f"[{_DIGITS}]+|[{_CHECK_X}]")
_LETTER = re.compile("[A-Za-z\uff21-\uff3a\uff41-\uff5a]")
_ALNUM_CHAR = re.compile(f"[{_ALNUM}]")
_MOBILE = re.compile(r"(?:0086|86)?1[3-9][0-9]{9}")
_HALF = str.maketrans("０１２３４５６７８９ｘＸx", "0123456789XXX")


def _plausible_birth(year: int, month: str, day: str) -> bool:
    return 1800 <= year <= 2099 and 1 <= int(month) <= 12 and 1 <= int(day) <= 31


def _identifier_span(digits: str) -> tuple[int, int] | None:
    """(head, tail) kept visible when ``digits`` spells a personal identifier, else None. Shape only,
    no check digit: a number quoted with a typo is still somebody's number."""
    n = len(digits)
    if n == 18 and digits[:17].isdigit() and int(digits[:2]) in PROVINCES \
            and _plausible_birth(int(digits[6:10]), digits[10:12], digits[12:14]):
        # even when it passes as an all-digit USCC: one mistyped number in 31 does, and it is still
        # somebody's; a government body's code rarely has a birth date where a person's number has it
        return 6, 4
    if n == 15 and digits.isdigit() and int(digits[:2]) in PROVINCES \
            and _plausible_birth(1900 + int(digits[6:8]), digits[8:10], digits[10:12]):
        return 6, 3  # GB 11643-1989: region, YYMMDD, serial; the birth date is hidden whole
    if n in (11, 13, 15) and _MOBILE.fullmatch(digits):
        return n - 8, 4  # 138****8000, the +86 / 0086 prefix kept
    return None


def _inside_code(text: str, start: int, end: int) -> bool:
    """Whether the run is part of a letter-bearing code of 18 characters (a USCC), not free text."""
    before = text[start - 1] if start else ""
    after = text[end] if end < len(text) else ""
    if not (_LETTER.match(before) or _LETTER.match(after)):
        return False
    while start and _ALNUM_CHAR.match(text[start - 1]):
        start -= 1
    while end < len(text) and _ALNUM_CHAR.match(text[end]):
        end += 1
    return end - start == 18


def _mask_run(text: str, start: int, end: int) -> str | None:
    groups = [(m.start(), m.group().translate(_HALF)) for m in _GROUP.finditer(text, start, end)]
    hidden: set[int] = set()
    for i in range(len(groups)):
        digits = ""
        for j in range(i, len(groups)):
            digits += groups[j][1]
            if len(digits) > 18:
                break
            if len(digits) in (11, 13, 15, 18) and (keep := _identifier_span(digits)) is not None:
                positions = [p + k for p, group in groups[i:j + 1] for k in range(len(group))]
                hidden.update(positions[keep[0]:len(positions) - keep[1]])
    if not hidden:
        return None
    return "".join("*" if p in hidden else text[p] for p in range(start, end))


def mask_ids_in(text: str) -> str:
    """Every personal identifier in free text masked (R-SEC-2): resident ID numbers of 18 or 15 digits
    and mobile numbers, however written (separators, full-width digits, groupings). The one masking
    function for what a non-owner sees: public pages and API, files, reports, logs and messages."""
    if not text:
        return text
    out: list[str] = []
    last = 0
    for m in _RUN.finditer(text):
        start, end = m.span()
        if end - start < 11 or _inside_code(text, start, end):
            continue  # fewer than 11 characters hold no identifier: the common case costs one scan
        masked = _mask_run(text, start, end)
        if masked is not None:
            out.append(text[last:start])
            out.append(masked)
            last = end
    if not out:
        return text
    out.append(text[last:])
    return "".join(out)
