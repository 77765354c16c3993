import datetime as dt
import random

import pytest

from tests.factories import uscc
from tests.helpers import gb11643
from xinyong.entities.identifiers import (
    id_check_digit,
    is_valid_id_number,
    is_valid_uscc,
    mask_id_number,
    normalize_code,
    uscc_check_digit,
    validate_id_number,
    validate_uscc,
)
from xinyong.kit import clock
from xinyong.kit.errors import Invalid

NO_DATABASE = True  # pure functions: no database opened (tests/conftest.py)
RNG = random.Random(11)
USCC = uscc(RNG)  # 91110302…, checksum valid


def id_number(born: str, serial: str = "001", region: str = "110105") -> str:
    body = region + born + serial
    return body + gb11643(body)


ID = id_number("19850312", "123")


def _fullwidth(text: str) -> str:
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in text)


def _bad_check_digit(code: str, alphabet: str) -> str:
    return code[:-1] + next(c for c in alphabet if c != code[-1])


# ---- USCC (GB 32100) -------------------------------------------------------------------------

@pytest.mark.parametrize("typed", [
    _fullwidth(USCC),
    USCC.lower(),
    f" {USCC[:6]} {USCC[6:12]} {USCC[12:]} ",
    f"{USCC[:9]}-{USCC[9:]}",
    _fullwidth(USCC.lower()[:9]) + "\u3000" + _fullwidth(USCC.lower()[9:]),
])
def test_uscc_as_clerks_type_it_is_normalised(typed):  # R-ENT-1
    assert validate_uscc(typed) == USCC


def test_uscc_bad_checksum_is_invalid_and_names_the_field():  # R-ENT-1
    bad = _bad_check_digit(USCC, "0123456789ABCDEFGHJKLMNPQRTUWXY")
    with pytest.raises(Invalid) as exc:
        validate_uscc(bad)
    assert exc.value.field == "uscc"
    assert "校验" in exc.value.message


@pytest.mark.parametrize("raw", [USCC[:17], USCC + "1", "", "91110302"])
def test_uscc_bad_length_is_invalid_and_names_the_field(raw):  # R-ENT-1
    with pytest.raises(Invalid) as exc:
        validate_uscc(raw)
    assert exc.value.field == "uscc"
    assert "18" in exc.value.message


def test_uscc_error_names_the_callers_field():  # R-ENT-1
    with pytest.raises(Invalid) as exc:
        validate_uscc(USCC[:17], field="authority_uscc")
    assert exc.value.field == "authority_uscc"


def test_uscc_with_letters_outside_the_gb32100_alphabet_is_invalid():  # R-ENT-1
    # I, O, S, V, Z are never used in a USCC body
    with pytest.raises(Invalid) as exc:
        validate_uscc(USCC[:10] + "I" + USCC[11:])
    assert exc.value.field == "uscc"


# ---- resident ID number (GB 11643) -----------------------------------------------------------

def test_id_number_as_typed_is_normalised():  # R-ENT-1
    assert validate_id_number(_fullwidth(ID)) == ID
    assert validate_id_number(f"{ID[:6]} {ID[6:14]} {ID[14:]}") == ID


def test_id_number_lower_case_check_x_is_accepted():  # R-ENT-1
    assert validate_id_number("11010519491231002x") == "11010519491231002X"


def test_id_number_bad_checksum_is_invalid_names_field_and_does_not_echo_the_number():  # R-ENT-1, R-SEC-2
    bad = _bad_check_digit(ID, "0123456789X")
    with pytest.raises(Invalid) as exc:
        validate_id_number(bad, field="related_persons[0].id_number")
    assert exc.value.field == "related_persons[0].id_number"
    assert "校验" in exc.value.message
    assert bad not in exc.value.message


@pytest.mark.parametrize("raw", [ID[:17], ID + "0", ID[:15]])
def test_id_number_bad_length_is_invalid_and_names_the_field(raw):  # R-ENT-1
    with pytest.raises(Invalid) as exc:
        validate_id_number(raw)
    assert exc.value.field == "id_number"
    assert "18" in exc.value.message


def test_id_number_with_impossible_birth_date_is_invalid():  # R-ENT-1
    with pytest.raises(Invalid) as exc:
        validate_id_number(id_number("19850230"))
    assert exc.value.field == "id_number"


def test_natural_person_under_18_is_refused():  # R-ENT-1
    on = dt.date(2026, 3, 12)
    seventeen = id_number("20080313")  # turns 18 the next day
    with pytest.raises(Invalid) as exc:
        validate_id_number(seventeen, adult_on=on)
    assert exc.value.field == "id_number"
    assert "18" in exc.value.message


def test_natural_person_aged_18_on_the_birthday_is_accepted():  # R-ENT-1
    eighteen = id_number("20080312")
    assert validate_id_number(eighteen, adult_on=dt.date(2026, 3, 12)) == eighteen


def test_a_birth_on_chinas_today_is_valid_when_utc_is_still_yesterday(monkeypatch):  # R-ENT-1
    # 17:00 UTC on 30 June is 01:00 on 1 July in Beijing: a child born that night is real, one born the next
    # day is not yet (whatever the machine's own date)
    monkeypatch.setattr(clock, "now", lambda: dt.datetime(2020, 6, 30, 17, 0, tzinfo=dt.UTC))
    newborn = id_number("20200701")
    assert validate_id_number(newborn) == newborn
    with pytest.raises(Invalid):
        validate_id_number(id_number("20200702"))


def test_age_is_not_checked_without_a_date():  # minors may still appear as related persons' numbers
    child = id_number("20200101")
    assert validate_id_number(child) == child


# ---- masking (R-SEC-2) -----------------------------------------------------------------------

def test_mask_keeps_region_code_and_last_four():  # R-SEC-2
    assert mask_id_number("110105198503120017") == "110105********0017"
    assert mask_id_number("11010519491231002X") == "110105********002X"


def test_mask_of_a_short_value_hides_everything():  # R-SEC-2
    assert mask_id_number("123456789") == "*********"


def test_check_digit_helpers_agree_with_the_standards():  # R-ENT-1
    assert gb11643("11010519491231002") == "X"  # the GB 11643 example number
    assert id_check_digit("11010519491231002") == "X"
    assert id_check_digit(ID[:17]) == ID[17]
    assert uscc_check_digit(USCC[:17]) == USCC[17]


def test_normalize_code_and_id_shape():  # R-ENT-1
    assert normalize_code(" ９１ab\u3000-c ") == "91ABC"
    assert is_valid_id_number(ID)
    assert is_valid_id_number("11010519491231002X")
    assert not is_valid_id_number(USCC) and is_valid_uscc(USCC)
    # an all-digit government code (11… 机关) is a USCC even though it has an ID number's shape
    digits = "11110302000000001"
    assert is_valid_uscc(digits + uscc_check_digit(digits))


def test_ids_in_free_text_are_masked():  # R-SEC-2
    from xinyong.entities.identifiers import mask_ids_in

    assert mask_ids_in(f"查询 {ID} 未果") == f"查询 {ID[:6]}********{ID[-4:]} 未果"
    assert mask_ids_in(USCC) == USCC


def test_a_number_keeps_the_code_of_the_county_that_issued_it():  # R-ENT-1: GB 11643 checksum, not county history
    from tests.helpers import id_number

    # born 1985 in 大兴: issued as 110224 (大兴县), and 110115 (大兴区) numbers exist for later births;
    # both are valid numbers today
    assert validate_id_number(id_number("19850312", "123", "110224"))
    assert validate_id_number(id_number("19850312", "123", "110115"))
    with pytest.raises(Invalid):
        validate_id_number(id_number("19850312", "123", "990101"))  # no such province

