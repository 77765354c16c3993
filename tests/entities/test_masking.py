"""The one masking function for personal identifiers in free text, and the one reading of an entity
code (R-SEC-2, R-ENT-1; issue 17 defects 2 and 7)."""

import random
import time

import pytest

from tests.entities.masking_variants import leaks, stripped, variants
from tests.helpers import gb11643
from xinyong.entities.identifiers import mask_ids_in, uscc_check_digit, validate_code
from xinyong.kit.errors import Invalid

NO_DATABASE = True  # pure functions

ID = "412723196910268726"  # the number of the report; its check digit is right
assert gb11643(ID[:17]) == ID[17]
GOV = "11110302000000001" + uscc_check_digit("11110302000000001")  # an all-digit USCC (机关)
USCC = "91110108MA01ABCD1" + uscc_check_digit("91110108MA01ABCD1")


@pytest.mark.parametrize(("text", "shown"), [
    # the report of issue 17: separators between the digits
    ("412723 1969 1026 8726", "412723 **** **** 8726"),
    ("412723-19691026-8726", "412723-********-8726"),
    (f"查询 {ID} 未果", "查询 412723********8726 未果"),
    ("４１２７２３１９６９１０２６８７２６", "４１２７２３********８７２６"),  # full-width digits
    ("412723．1969．1026．8726", "412723．****．****．8726"),
    ("4 1 2 7 2 3 1 9 6 9 1 0 2 6 8 7 2 6", "4 1 2 7 2 3 * * * * * * * * 8 7 2 6"),
    ("号码11010519491231002X。", "号码110105********002X。"),  # the X check digit
    ("号码 1101 0519 4912 3100 2ｘ", "号码 1101 05** **** **00 2ｘ"),
    ("ID412723196910268726", "ID412723********8726"),  # glued to a label: 20 characters, no USCC
    # first-generation numbers (GB 11643-1989): region, YYMMDD, serial; the birth date hidden whole
    ("身份证 110105491231002 号", "身份证 110105******002 号"),
    ("412723-691026-872", "412723-******-872"),
    # mobile numbers, with or without +86
    ("电话 13800138000", "电话 138****8000"),
    ("电话 138-0013-8000", "电话 138-****-8000"),
    ("电话 +86 138 0013 8000", "电话 +86 138 **** 8000"),
    ("电话+8613800138000", "电话+86138****8000"),
    ("电话 0086 13800138000", "电话 0086 138****8000"),
    # a date or a count before the number does not shift it out of view
    ("2026 03 05 412723 19691026 8726", "2026 03 05 412723 ******** 8726"),
    ("第 3 人 412723 1969 1026 8726", "第 3 人 412723 **** **** 8726"),
])
def test_identifiers_in_free_text_are_masked_however_written(text, shown):  # R-SEC-2, issue 17 defect 2
    assert mask_ids_in(text) == shown


@pytest.mark.parametrize("text", [
    USCC, f"统一社会信用代码：{USCC}。", USCC.lower(), "９１１１０１０８ＭＡ０１ＡＢＣＤ１" + USCC[-1],
    GOV,  # all digits, but no birth date where a person's number has it
    "京市监罚〔2026〕123号", "京开市监罚〔2026〕118号", "2026-03-05", "2026.03.05 至 2027.03.04", "2026年3月5日",
    "罚款人民币 1,000,000.00 元", "罚款 50000 元，没收违法所得 12345.67 元", "JY11101150000001",
    "食品经营许可证 JY1110115000000 1", "第一百二十四条", "010-12345678", "(010) 6752 1234",
    "订单号 12345678901234567890", "12345678901",  # 11 digits that are no mobile number
])
def test_codes_dates_document_numbers_and_amounts_are_left_alone(text):  # R-SEC-2
    assert mask_ids_in(text) == text


def test_a_thousand_generated_variants_are_all_masked():  # R-SEC-2, issue 17 defect 2
    found = variants(random.Random(2026), 2000)
    assert {v.kind for v in found} == {"id18", "id15", "mobile"}
    assert any(v.number.endswith("X") for v in found) and any("\uff10" <= c <= "\uff19" for v in found for c in v.written)
    # one by one, and all in one text (neighbours must not hide each other)
    assert [v for v in found if leaks(mask_ids_in(v.sentence), [v])] == []
    text = "".join(v.sentence for v in found)
    out = mask_ids_in(text)
    assert leaks(out, found) == [] and len(out) == len(text)  # in place: the text around is as written
    assert leaks(text, found) == found  # the check itself sees every number in the unmasked text


def test_masking_is_cheap_on_text_without_identifiers():  # it runs on every public record
    facts = "经查，当事人于2026年3月5日销售超过保质期的食品，货值金额1234.56元，违法所得500元，" * 20
    start = time.perf_counter()
    for _ in range(1000):
        assert mask_ids_in(facts) is facts
    assert time.perf_counter() - start < 1.0  # about 50 µs a call here


def test_stripped_compares_on_plain_digits():
    assert stripped("４１２ ７２３-19.69") == "4127231969"


# --- the one reading of an entity code (R-ENT-1; issue 17 defect 7) ---

def _bad_check(code: str) -> str:
    return code[:-1] + ("1" if code[-1] != "1" else "2")


@pytest.mark.parametrize(("code", "message"), [
    (_bad_check(USCC), f"统一社会信用代码校验位错误：{_bad_check(USCC)}"),  # shown in full: no personal data
    (_bad_check(GOV), f"统一社会信用代码校验位错误：{_bad_check(GOV)}"),
    ("91110108MA01ABCD", "统一社会信用代码应为18位，收到 16 位：91110108MA01ABCD"),
    ("ABC", "统一社会信用代码应为18位，收到 3 位：ABC"),
    (_bad_check(ID), "公民身份号码校验位错误：412723********8721"),  # shaped like a person's number: masked
    ("412723196913268726", "公民身份号码格式错误（地区码或出生日期无效）：412723********8726"),
    ("41272319691026872", "统一社会信用代码或公民身份号码应为18位，收到 17 位：41272319691026872"),
    ("412723691026872", "统一社会信用代码或公民身份号码应为18位，收到 15 位：412723******872"),
])
def test_an_invalid_code_is_refused_for_what_it_is(code, message):  # R-ENT-1, issue 17 defect 7
    with pytest.raises(Invalid) as exc:
        validate_code(code, field="entity_code")
    assert (exc.value.message, exc.value.status, exc.value.field) == (message, 400, "entity_code")


def test_a_valid_code_is_read_normalised():
    assert validate_code(f" {USCC.lower()} ") == USCC and validate_code(ID) == ID and validate_code(GOV) == GOV
