"""USCC (GB 32100) and resident ID numbers (GB 11643): normalise, verify, mask. Pure functions (R-ENT-1, R-SEC-2)."""

from __future__ import annotations

import datetime as dt
import re

from stdnum.cn import ric, uscc

from xinyong.kit.errors import Invalid
from xinyong.kit.text import halfwidth

_SPACES = re.compile(r"[\s\-_]+")


def normalize_code(raw: str) -> str:
    """What clerks type: full-width digits, lower case, spaces and hyphens."""
    return _SPACES.sub("", halfwidth(raw or "")).upper()


def validate_uscc(raw: str, *, field: str = "uscc") -> str:
    code = normalize_code(raw)
    if len(code) != 18:
        raise Invalid(f"统一社会信用代码应为18位，收到 {len(code)} 位：{mask_ids_in(code)}", field=field)
    try:
        return uscc.validate(code)
    except uscc.InvalidChecksum:
        raise Invalid(f"统一社会信用代码校验位错误：{mask_ids_in(code)}", field=field) from None
    except uscc.ValidationError:
        raise Invalid(f"统一社会信用代码格式错误：{mask_ids_in(code)}", field=field) from None


def validate_id_number(raw: str, *, field: str = "id_number", adult_on: dt.date | None = None) -> str:
    """An 18-digit resident ID number; with ``adult_on``, its holder must be 18 or older that day (R-ENT-1)."""
    number = normalize_code(raw)
    if len(number) != 18:
        raise Invalid(f"公民身份号码应为18位，收到 {len(number)} 位", field=field)
    try:
        number = ric.validate(number)
    except ric.InvalidChecksum:
        raise Invalid(f"公民身份号码校验位错误：{mask_id_number(number)}", field=field) from None
    except (ric.ValidationError, KeyError):  # stdnum raises KeyError for some region codes it half knows
        raise Invalid(f"公民身份号码格式错误（地区码或出生日期无效）：{mask_id_number(number)}", field=field) from None
    if adult_on is not None:
        born = ric.get_birth_date(number)
        if _age(born, adult_on) < 18:
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
    return len(code) == 18 and uscc.is_valid(code)


def is_valid_id_number(code: str) -> bool:
    try:
        return len(code) == 18 and ric.is_valid(code)
    except KeyError:  # see validate_id_number
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
