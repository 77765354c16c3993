"""Checking each row of a 双公示 file (R-COL-5, SPEC §17): every bad-row kind is refused with its row number
and a reason a clerk understands, the good rows around it still go through, and what is accepted is
normalised (codes, dates, amounts, categories, severity, long-term validity, dedup key)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from tests.helpers import id_number
from tests.ingest.builders import (
    COMPANY_USCC,
    LICENCE_HEADERS,
    MARKET_BUREAU_USCC,
    PENALTY_HEADERS,
    PERSON_ID,
    TODAY,
    licence,
    penalty,
    uscc,
    write_csv,
    write_xlsx,
)
from xinyong.entities.names import normalize_name
from xinyong.ingest.reader import open_table
from xinyong.ingest.rows import ParsedRow, RowError, parse_row
from xinyong.ingest.values import severity_of, split_penalty_categories
from xinyong.kit.errors import Invalid

CODE_1 = "行政相对人代码_1（统一社会信用代码）"
SAMPLES = Path(__file__).resolve().parents[2] / "src" / "xinyong" / "ingest" / "samples"


def import_rows(tmp_path: Path, rows: list[dict], *, fmt: str = "penalty", kind: str = "csv",
                encoding: str = "utf-8") -> dict[int, ParsedRow | RowError]:
    """Write a real file, open it as an import would, and parse every row: {row_number: result}."""
    headers = PENALTY_HEADERS if fmt == "penalty" else LICENCE_HEADERS
    path = tmp_path / f"{fmt}.{kind}"
    if kind == "csv":
        write_csv(path, headers, rows, encoding=encoding)
    else:
        write_xlsx(path, headers, rows)
    table = open_table(path)
    assert table.format == fmt
    return {n: parse_row(table.format, n, r, today=TODAY) for n, r in table.rows()}


def only_bad(tmp_path: Path, bad: dict, *, fmt: str = "penalty", kind: str = "csv") -> RowError:
    """The bad row between two good ones: it alone is refused, at row 3, and the good ones are not held back."""
    good = penalty if fmt == "penalty" else licence
    results = import_rows(tmp_path, [good(), bad, good(行政相对人名称="北京亦庄通达精密机械有限公司")], fmt=fmt, kind=kind)
    assert isinstance(results[2], ParsedRow), results[2]
    assert isinstance(results[4], ParsedRow), results[4]
    assert isinstance(results[3], RowError), results[3]
    assert results[3].row == 3
    return results[3]


def accepted(tmp_path: Path, row: dict, *, fmt: str = "penalty", kind: str = "csv") -> ParsedRow:
    (result,) = import_rows(tmp_path, [row], fmt=fmt, kind=kind).values()
    assert isinstance(result, ParsedRow), result
    return result


# --- a good row ---------------------------------------------------------------------------------------------

def test_good_penalty_row_is_normalised(tmp_path):  # R-COL-5, SPEC §17
    r = accepted(tmp_path, penalty(处罚决定日期="2026/3/5", 公示截止期="2026-06-04", 备注="已缴纳罚款",
                                   **{CODE_1: COMPANY_USCC.lower()}))
    assert (r.format, r.row_number, r.party_kind) == ("penalty", 2, "organisation")
    assert r.party_uscc == COMPANY_USCC  # lower-case code upper-cased
    assert r.party_name == "北京亦庄星河智能科技有限公司" and r.name_key == normalize_name(r.party_name)
    assert r.document_number == "京经开市监罚〔2026〕12号"
    assert r.decision_date == dt.date(2026, 3, 5)
    assert (r.end_date, r.long_term, r.publicity_end) == (dt.date(2027, 3, 4), False, dt.date(2026, 6, 4))
    assert (r.severity, r.categories) == ("general", ("警告", "罚款"))
    assert (r.authority, r.authority_uscc) == ("北京经济技术开发区市场监督管理局", MARKET_BUREAU_USCC)
    assert (r.source_unit, r.source_unit_uscc) == ("北京经济技术开发区市场监督管理局", MARKET_BUREAU_USCC)
    assert r.content == {"legal_representative": "王立新", "violation_type": "食品安全违法行为",
                         "violation_facts": "当事人经营超过保质期的预包装食品。",
                         "penalty_basis": "《中华人民共和国食品安全法》第一百二十四条第一款",
                         "penalty_content": "警告，罚款人民币贰万元整", "fine_amount": "2", "remarks": "已缴纳罚款"}
    json.dumps(r.content)


def test_good_licence_row_is_normalised(tmp_path):  # R-COL-5, SPEC §17
    r = accepted(tmp_path, licence(), fmt="licence")
    assert (r.format, r.severity, r.categories) == ("licence", None, ("普通",))
    assert r.document_number == "京经开环许〔2026〕8号"
    assert (r.decision_date, r.end_date, r.long_term) == (dt.date(2026, 2, 10), dt.date(2031, 2, 9), False)
    assert r.content["valid_from"] == "2026-02-10" and r.content["document_title"] == "排污许可证核发决定书"
    assert r.content["licence_number"] == "91110302MA01XY7K3-001V" and r.content["current_status"] == "有效"
    json.dumps(r.content)


@pytest.mark.parametrize("written", [dt.date(2026, 3, 5), dt.datetime(2026, 3, 5, 0, 0), "2026/3/5", "2026-03-05",
                                     "2026年3月5日", "２０２６年３月５日", "20260305", "2026.3.5", "2026-03-05 00:00:00",
                                     " 2026-3-5 "])
def test_decision_date_in_every_usual_spelling(tmp_path, written):  # SPEC §17
    r = accepted(tmp_path, penalty(处罚决定日期=written), kind="xlsx")
    assert r.decision_date == dt.date(2026, 3, 5)


def test_2099_12_31_means_long_term(tmp_path):  # SPEC §17
    r = accepted(tmp_path, penalty(处罚有效期=dt.date(2099, 12, 31)), kind="xlsx")
    assert (r.end_date, r.long_term) == (None, True)
    lic = accepted(tmp_path, licence(有效期至="2099-12-31"), fmt="licence")
    assert (lic.end_date, lic.long_term) == (None, True)
    lic = accepted(tmp_path, licence(有效期至="长期"), fmt="licence")
    assert (lic.end_date, lic.long_term) == (None, True)
    lic = accepted(tmp_path, licence(有效期至=""), fmt="licence")
    assert (lic.end_date, lic.long_term) == (None, False)


@pytest.mark.parametrize("cell, expected", [
    ("警告", ("minor", ("警告",))),
    ("通报批评", ("general", ("通报批评",))),
    ("警告；罚款", ("general", ("警告", "罚款"))),
    ("罚款;没收违法所得", ("general", ("罚款", "没收违法所得"))),
    ("罚款、没收违法所得、没收非法财物", ("general", ("罚款", "没收违法所得", "没收非法财物"))),
    ("罚款,吊销许可证件", ("serious", ("罚款", "吊销许可证件"))),
    ("罚款 责令停产停业", ("serious", ("罚款", "责令停产停业"))),
    ("警告，限制从业", ("serious", ("警告", "限制从业"))),
    ("罚款；罚款", ("general", ("罚款",))),
    ("吊销营业执照", ("serious", ("吊销许可证件",))),
])
def test_penalty_categories_split_and_heaviest_decides_severity(tmp_path, cell, expected):  # SPEC §17 severity
    extra = {"没收违法所得、没收非法财物的金额（万元）": "0.3", "暂扣或吊销证照名称及编号": "食品经营许可证 JY11103020012345"}
    r = accepted(tmp_path, penalty(处罚类别=cell, **extra))
    assert (r.severity, r.categories) == expected


def test_severity_of_each_category_follows_spec_17():
    assert severity_of(["警告"]) == "minor"
    for c in ("通报批评", "罚款", "没收违法所得", "没收非法财物", "暂扣许可证件"):
        assert severity_of(["警告", c]) == "general"
    for c in ("降低资质等级", "吊销许可证件", "限制开展生产经营活动", "责令停产停业", "责令关闭", "限制从业", "行政拘留"):
        assert severity_of([c, "警告", "罚款"]) == "serious"
    assert split_penalty_categories("罚款；；罚金") == (["罚款"], ["罚金"])


@pytest.mark.parametrize("written, expected", [("2", "2"), ("0.5", "0.5"), ("１.５", "1.5"), ("2万元", "2"),
                                               ("1,200.00", "1200.00"), (0.25, "0.25")])
def test_fine_amount_is_a_decimal_in_wan_yuan(tmp_path, written, expected):  # SPEC §17 罚款金额（万元）
    r = accepted(tmp_path, penalty(**{"罚款金额（万元）": written}), kind="xlsx")
    assert r.content["fine_amount"] == expected


@pytest.mark.parametrize("written", ["其他—备案", "其他-年检", "其他", "其它—登记备案", "特许", "认可", "核准", "登记"])
def test_licence_category_accepts_the_national_codes_and_other_with_any_suffix(tmp_path, written):  # SPEC §17
    r = accepted(tmp_path, licence(许可类别=written), fmt="licence")
    assert r.categories[0].startswith(written[:2].replace("其它", "其他"))


def test_licence_without_document_number_is_known_by_its_licence_number(tmp_path):  # SPEC §17
    r = accepted(tmp_path, licence(行政许可决定文书号=""), fmt="licence")
    assert r.document_number == "91110302MA01XY7K3-001V"


def test_natural_person_keeps_the_id_number_out_of_content_and_key(tmp_path):  # R-ENT-1, R-SEC-2
    r = accepted(tmp_path, penalty(行政相对人名称="张建国", 行政相对人类别="自然人", 证件类型="身份证",
                                   证件号码=PERSON_ID.lower(), 法定代表人="", **{CODE_1: ""}))
    assert (r.party_kind, r.party_id_type, r.party_id_number, r.party_uscc) == ("natural_person", "身份证", PERSON_ID, None)
    assert PERSON_ID not in json.dumps(r.content, ensure_ascii=False)
    other = accepted(tmp_path, penalty(行政相对人名称="张建国", 行政相对人类别="自然人", 证件类型="身份证",
                                       证件号码=id_number("19850312", "125"), **{CODE_1: ""}))
    assert other.dedup_key != r.dedup_key


def test_passport_holder_is_kept_as_typed(tmp_path):  # SPEC §17 证件类型
    r = accepted(tmp_path, penalty(行政相对人名称="JOHN SMITH", 行政相对人类别="自然人", 证件类型="护照号",
                                   证件号码="e12345678", **{CODE_1: ""}))
    assert (r.party_id_type, r.party_id_number) == ("护照号", "E12345678")


def test_individual_business_without_uscc_yet_uses_the_registration_number(tmp_path):  # SPEC §17 代码_2
    r = accepted(tmp_path, penalty(行政相对人名称="北京经济技术开发区老王小吃店", 行政相对人类别="个体工商户",
                                   **{CODE_1: "00000000000000000X", "行政相对人代码_2（工商注册号）": "110302600123456"}))
    assert (r.party_kind, r.party_uscc) == ("individual_business", None)
    assert r.content["party_registration_number"] == "110302600123456"


def test_legal_representative_id_number_is_checked_and_kept_out_of_content(tmp_path):  # R-ENT-4, R-SEC-2
    r = accepted(tmp_path, penalty(法定代表人证件类型="身份证", 法定代表人证件号码=PERSON_ID))
    assert r.legal_representative_id_number == PERSON_ID
    assert r.content["legal_representative_id_type"] == "身份证"
    assert PERSON_ID not in json.dumps(r.content)


def test_same_row_has_the_same_dedup_key_in_every_file_kind(tmp_path):  # R-COL-5: re-import creates no duplicates
    a = import_rows(tmp_path, [penalty()], encoding="gbk")[2]
    b = import_rows(tmp_path, [penalty(处罚决定日期=dt.date(2026, 3, 5))], kind="xlsx")[2]
    c = accepted(tmp_path, penalty(行政处罚决定书文号="京经开市监罚[2026]12号 ", **{CODE_1: COMPANY_USCC.lower()}))
    assert a.dedup_key == b.dedup_key == c.dedup_key
    assert len(a.dedup_key) == 64
    assert accepted(tmp_path, penalty(行政处罚决定书文号="京经开市监罚〔2026〕13号")).dedup_key != a.dedup_key
    assert accepted(tmp_path, penalty(**{CODE_1: uscc("91110302MA01XY7K4")})).dedup_key != a.dedup_key
    licence_key = accepted(tmp_path, licence(行政许可决定文书号="京经开市监罚〔2026〕12号"), fmt="licence").dedup_key
    assert licence_key != a.dedup_key


def test_row_keys_may_be_field_names_as_well_as_headers():  # for the API channel (R-COL-1)
    raw = {f: v for f, v in zip(
        ["party_name", "party_kind", "party_uscc", "document_number", "violation_type", "violation_facts", "penalty_basis",
         "penalty_categories", "penalty_content", "decision_date", "valid_to", "authority", "authority_uscc",
         "source_unit", "source_unit_uscc"],
        ["北京亦庄星河智能科技有限公司", "法人及非法人组织", COMPANY_USCC, "京经开应急罚〔2026〕3号", "安全生产",
         "未按规定对从业人员进行安全生产教育和培训", "《中华人民共和国安全生产法》第九十七条", "警告", "警告",
         dt.date(2026, 1, 8), "2026-07-07", "北京经济技术开发区应急管理局", MARKET_BUREAU_USCC,
         "北京经济技术开发区应急管理局", MARKET_BUREAU_USCC], strict=True)}
    r = parse_row("penalty", 7, raw, today=TODAY)
    assert isinstance(r, ParsedRow) and (r.row_number, r.severity) == (7, "minor")


# --- every kind of bad row: its row number and its reason (R-COL-5) -------------------------------------

@pytest.mark.parametrize("bad, reason", [
    # missing required fields, named by their Chinese label
    (penalty(违法事实=""), "缺少必填项：违法事实"),
    (penalty(处罚机关="  "), "缺少必填项：处罚机关"),
    (penalty(处罚机关统一社会信用代码=""), "缺少必填项：处罚机关统一社会信用代码"),
    (penalty(处罚有效期=""), "缺少必填项：处罚有效期"),
    (penalty(行政处罚决定书文号=""), "缺少必填项：行政处罚决定书文号"),
    # 行政相对人类别
    (penalty(行政相对人类别="企业法人"), "行政相对人类别应为“法人及非法人组织”“自然人”“个体工商户”之一，收到“企业法人”"),
    # USCC checksum and length
    (penalty(**{CODE_1: COMPANY_USCC[:-1] + ("1" if COMPANY_USCC[-1] != "1" else "2")}), "统一社会信用代码校验位错误"),
    (penalty(**{CODE_1: COMPANY_USCC[:-1]}), "统一社会信用代码应为18位，收到 17 位"),
    (penalty(处罚机关统一社会信用代码="11110302MB1C4782"), "处罚机关统一社会信用代码有误：统一社会信用代码应为18位"),
    (penalty(数据来源单位统一社会信用代码=MARKET_BUREAU_USCC[:-1] + "0"), "数据来源单位统一社会信用代码有误"),
    # dates
    (penalty(处罚决定日期="2026-04-21"), "处罚决定日期2026-04-21晚于今天（2026-04-20）：不能导入尚未作出的决定"),
    (penalty(处罚决定日期="2026-02-30"), "处罚决定日期无法识别：“2026-02-30”"),
    (penalty(处罚决定日期="去年三月"), "处罚决定日期无法识别：“去年三月”（应如 2026-03-05、2026/3/5、2026年3月5日 或 20260305）"),
    (penalty(处罚决定日期="1900-01-00"), "处罚决定日期无法识别"),
    (penalty(处罚有效期="2026-03-04"), "处罚有效期（2026-03-04）早于处罚决定日期（2026-03-05）"),
    (penalty(公示截止期="2026-01-01"), "公示截止期（2026-01-01）早于处罚决定日期（2026-03-05）"),
    # amounts in 万元
    (penalty(**{"罚款金额（万元）": "-2"}), "罚款金额（万元）不能为负数：收到“-2”"),
    (penalty(**{"罚款金额（万元）": "贰万元"}), "罚款金额（万元）应为数字（单位：万元）：收到“贰万元”"),
    (penalty(**{"罚款金额（万元）": "20000元"}), "罚款金额（万元）的单位应为万元：收到“20000元”"),
    (penalty(**{"罚款金额（万元）": "NaN"}), "罚款金额（万元）应为数字"),
    (penalty(**{"罚款金额（万元）": ""}), "处罚类别含罚款的，应填写罚款金额（万元）"),
    (penalty(**{"罚款金额（万元）": "0"}), "罚款金额（万元）应大于0"),
    (penalty(处罚类别="没收违法所得"), "应填写没收违法所得、没收非法财物的金额（万元）"),
    (penalty(处罚类别="吊销许可证件"), "应填写暂扣或吊销证照名称及编号"),
    # 处罚类别 against 行政处罚法 §9
    (penalty(处罚类别="罚款；罚金"), "处罚类别“罚金”不是行政处罚法第九条规定的种类"),
    (penalty(处罚类别="责令改正"), "处罚类别“责令改正”不是行政处罚法第九条规定的种类（警告、通报批评、罚款"),
    (penalty(处罚类别="；、"), "缺少必填项：处罚类别"),
    # control characters and over-long text, with clean_text's limits
    (penalty(行政相对人名称="北京亦庄\x07科技有限公司"), "行政相对人名称含有不可见的控制字符"),
    (penalty(处罚机关="北京经济技术开发区\u202e市场监督管理局"), "处罚机关含有不可见的控制字符"),
    (penalty(行政相对人名称="北京亦庄" + "科" * 197 + "公司"), "行政相对人名称过长：最多 200 个字符，实际 203 个"),
    (penalty(行政处罚决定书文号="京经开市监罚" + "1" * 95), "行政处罚决定书文号过长：最多 100 个字符，实际 101 个"),
    (penalty(违法事实="违" * 2001), "违法事实过长：最多 2000 个字符，实际 2001 个"),
])
def test_bad_penalty_row_is_refused_with_row_number_and_reason(tmp_path, bad, reason):  # R-COL-5
    error = only_bad(tmp_path, bad)
    assert reason in error.reason
    assert error.as_dict() == {"row": 3, "reason": error.reason}


def test_long_text_may_have_line_breaks_but_names_may_not(tmp_path):
    assert accepted(tmp_path, penalty(违法事实="第一，……\n第二，……")).content["violation_facts"] == "第一，……\n第二，……"
    assert "含有不可见的控制字符" in only_bad(tmp_path, penalty(行政相对人名称="北京亦庄\n科技有限公司")).reason


@pytest.mark.parametrize("bad, reason", [
    (dict(证件号码=""), "行政相对人类别为自然人的，应填写证件类型和证件号码"),
    (dict(证件号码=PERSON_ID[:-1] + ("0" if PERSON_ID[-1] != "0" else "1")),
     "证件号码有误：公民身份号码校验位错误：110105********"),
    (dict(证件号码=PERSON_ID[:-2]), "证件号码有误：公民身份号码应为18位，收到 16 位"),
    (dict(证件号码=id_number("20100101", "123")), "自然人信用主体应年满18周岁"),
    (dict(证件类型="驾驶证"),
     "证件类型应为身份证、护照号、港澳居民来往内地通行证、台湾居民来往大陆通行证、外国人永久居留身份证或“其他-…”"),
    ({CODE_1: COMPANY_USCC}, "行政相对人类别为自然人的，行政相对人代码_1至_6应为空"),
])
def test_natural_person_without_a_valid_id_number_is_refused_and_never_echoed(tmp_path, bad, reason):  # R-ENT-1, R-SEC-2
    row = penalty(行政相对人名称="张建国", 行政相对人类别="自然人", 证件类型="身份证", 证件号码=PERSON_ID,
                  **{CODE_1: ""}) | bad
    error = only_bad(tmp_path, row)
    assert reason in error.reason
    number = str(row["证件号码"])
    if len(number) >= 10:
        assert number not in error.reason and number[:10] not in error.reason


@pytest.mark.parametrize("bad, reason", [
    (dict(证件号码=PERSON_ID), "行政相对人类别为法人及非法人组织的，不填写证件类型和证件号码"),
    (dict(法定代表人证件类型="身份证", 法定代表人证件号码="110105198503121230"),
     "法定代表人证件号码有误：公民身份号码校验位错误"),
])
def test_organisation_identity_documents_are_checked(tmp_path, bad, reason):  # R-ENT-4, SPEC §17
    error = only_bad(tmp_path, penalty(**bad))
    assert reason in error.reason
    assert "110105198503121" not in error.reason


def test_individual_business_placeholder_needs_the_registration_number(tmp_path):  # SPEC §17
    error = only_bad(tmp_path, penalty(行政相对人类别="个体工商户", **{CODE_1: "00000000000000000x"}))
    assert "个体工商户暂无统一社会信用代码（填17个0加X）的，应填写行政相对人代码_2（工商注册号）" in error.reason


@pytest.mark.parametrize("bad, reason", [
    (licence(许可类别="审批"), "许可类别应为普通、特许、认可、核准、登记或“其他—…”，收到“审批”"),
    (licence(行政许可决定文书号="", 许可编号=""), "缺少必填项：行政许可决定文书号（没有文书号的许可，填写许可编号）"),
    (licence(许可决定日期="2026-05-01"), "许可决定日期2026-05-01晚于今天（2026-04-20）"),
    (licence(有效期至="2026-01-01"), "有效期至（2026-01-01）早于许可决定日期（2026-02-10）"),
    (licence(有效期自="2026-03-01", 有效期至="2026-02-20"), "有效期至（2026-02-20）早于有效期自（2026-03-01）"),
    (licence(有效期至="下个月"), "有效期至无法识别：“下个月”"),
    (licence(许可内容=""), "缺少必填项：许可内容"),
    (licence(许可机关统一社会信用代码="11110302MB1C48391"), "许可机关统一社会信用代码有误"),
])
def test_bad_licence_row_is_refused_with_row_number_and_reason(tmp_path, bad, reason):  # R-COL-5, SPEC §17
    assert reason in only_bad(tmp_path, bad, fmt="licence").reason


def test_long_number_typed_into_an_excel_number_cell_is_refused_not_silently_changed(tmp_path):  # SPEC §17
    error = only_bad(tmp_path, licence(许可编号=110302202508150101), fmt="licence", kind="xlsx")
    assert "许可编号被 Excel 存成了数字，15位以后的数字已丢失" in error.reason
    assert accepted(tmp_path, licence(许可编号=251112340567), fmt="licence", kind="xlsx").content["licence_number"] == \
        "251112340567"


def test_every_problem_of_a_row_is_reported_at_once_in_column_order(tmp_path):  # R-COL-5
    error = only_bad(tmp_path, penalty(行政相对人类别="公司", 处罚类别="罚金", 处罚决定日期="2026-13-01", 处罚机关=""))
    assert error.reason.split("；")[0].startswith("行政相对人类别应为")
    assert [p[:4] for p in error.reason.split("；")] == ["行政相对", "处罚类别", "处罚决定", "缺少必填"]
    assert error.field == "party_kind"


def test_bad_rows_in_xlsx_get_the_excel_row_number(tmp_path):  # R-COL-5
    rows = [penalty(), penalty(处罚决定日期=dt.date(2026, 5, 1)), penalty(), penalty(行政相对人类别="")]
    results = import_rows(tmp_path, rows, kind="xlsx")
    errors = {n: r.reason for n, r in results.items() if isinstance(r, RowError)}
    assert errors == {3: "处罚决定日期2026-05-01晚于今天（2026-04-20）：不能导入尚未作出的决定",
                      5: "缺少必填项：行政相对人类别"}


def test_forbidden_personal_field_in_a_row_refuses_the_submission(tmp_path):  # R-ENT-5
    with pytest.raises(Invalid, match="禁止归集"):
        parse_row("penalty", 2, penalty() | {"血型": "O"}, today=TODAY)


def test_unknown_format_is_refused():
    with pytest.raises(Invalid, match="未知的数据格式"):
        parse_row("award", 2, {}, today=TODAY)


# --- the shipped demo samples -----------------------------------------------------------------------------

def test_sample_penalties_csv_is_gbk_with_three_bad_rows_of_different_kinds():  # R-COL-5, SPEC §17
    table = open_table(SAMPLES / "penalties.csv")
    assert (table.kind, table.encoding, table.format, table.warnings) == ("csv", "gb18030", "penalty", [])
    results = [parse_row(table.format, n, r, today=dt.date(2026, 4, 20)) for n, r in table.rows()]
    bad = [r for r in results if isinstance(r, RowError)]
    good = [r for r in results if isinstance(r, ParsedRow)]
    assert len(results) == 30 and len(bad) == 3
    assert len({b.field for b in bad}) == 3
    assert {g.severity for g in good} == {"minor", "general", "serious"}
    assert len({g.dedup_key for g in good}) == len(good)
    authorities = {g.authority for g in good}
    assert {"北京经济技术开发区市场监督管理局", "北京经济技术开发区生态环境局", "北京经济技术开发区应急管理局"} <= authorities


def test_sample_licences_xlsx_all_import():  # R-COL-5, SPEC §17
    table = open_table(SAMPLES / "licences.xlsx")
    assert (table.kind, table.format, table.warnings) == ("xlsx", "licence", [])
    results = [parse_row(table.format, n, r, today=dt.date(2026, 4, 20)) for n, r in table.rows()]
    assert len(results) == 20 and all(isinstance(r, ParsedRow) for r in results), [
        r for r in results if isinstance(r, RowError)]
    assert any(r.long_term for r in results)


def test_an_organisation_row_with_only_a_name_is_parsed_for_matching(tmp_path):  # SPEC §17: 代码_1 is not ★
    row = accepted(tmp_path, penalty(**{CODE_1: ""}))
    assert row.party_uscc is None and row.party_code is None and row.name_key
