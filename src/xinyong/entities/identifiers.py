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


_ID_LIKE = re.compile(r"(?<![0-9A-Za-z])(\d{6})\d{8}(\d{3}[\dXx])(?![0-9A-Za-z])")


def mask_ids_in(text: str) -> str:
    """Mask anything in free text that has the shape of an ID number (logs, messages, echoes)."""
    return _ID_LIKE.sub(lambda m: m.group(1) + "********" + m.group(2), text)
