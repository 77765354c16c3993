"""Reading 双公示 files as clerks export them (R-COL-5, SPEC §17): CSV in UTF-8 / UTF-8-BOM / GBK, XLSX,
any column order, header quirks, file-level refusals, and flat memory on a large file."""

from __future__ import annotations

import csv
import datetime as dt
import random
import time
import tracemalloc

import pytest

from tests.ingest.builders import (
    COMPANY_USCC,
    LICENCE_HEADERS,
    PENALTY_HEADERS,
    TODAY,
    licence,
    penalty,
    write_csv,
    write_xlsx,
)
from xinyong.ingest.national import detect_format, normalize_header
from xinyong.ingest.reader import InexactNumber, detect_encoding, open_table, read_all
from xinyong.ingest.rows import ParsedRow, RowError, parse_row
from xinyong.kit.errors import Invalid


@pytest.mark.parametrize("encoding, reported", [("utf-8", "utf-8"), ("utf-8-sig", "utf-8-sig"), ("gbk", "gb18030")])
def test_csv_in_each_encoding_reads_the_same_rows_and_says_which(tmp_path, encoding, reported):  # SPEC §17
    path = write_csv(tmp_path / "p.csv", PENALTY_HEADERS, [penalty(), penalty(行政相对人名称="北京亦庄（经开）科技有限公司")],
                     encoding=encoding)
    table = open_table(path)
    assert (table.kind, table.encoding, table.format) == ("csv", reported, "penalty")
    rows = list(table.rows())
    assert [n for n, _ in rows] == [2, 3]
    assert rows[1][1]["行政相对人名称"] == "北京亦庄（经开）科技有限公司"
    assert rows[0][1]["行政相对人代码_1（统一社会信用代码）"] == COMPANY_USCC


def test_gbk_detected_even_when_utf8_would_fail_only_late_in_the_prefix(tmp_path):  # SPEC §17: GBK exports
    rows = [penalty(违法事实="甲" * 50_000)]  # the sniffed prefix ends inside a long GBK field
    table = open_table(write_csv(tmp_path / "p.csv", PENALTY_HEADERS, rows, encoding="gbk"))
    assert table.encoding == "gb18030"
    assert list(table.rows())[0][1]["违法事实"] == "甲" * 50_000


def test_detect_encoding_tolerates_a_utf8_character_cut_by_the_prefix():
    data = "行政相对人名称".encode()
    assert detect_encoding(data[:-1], complete=False) == "utf-8"
    assert detect_encoding("行政相对人名称".encode("gbk"), complete=True) == "gb18030"
    assert detect_encoding(b"\xef\xbb\xbf" + data, complete=True) == "utf-8-sig"


def test_utf16_tab_separated_unicode_text_from_excel_reads_too(tmp_path):  # Excel's "Unicode 文本" export
    path = tmp_path / "p.txt"
    with open(path, "w", encoding="utf-16", newline="") as f:
        w = csv.writer(f, delimiter="\t")
        w.writerow(PENALTY_HEADERS)
        w.writerow([penalty()[h] for h in PENALTY_HEADERS])
    table = open_table(path)
    assert (table.encoding, table.delimiter) == ("utf-16", "\t")
    assert list(table.rows())[0][1]["处罚类别"] == "警告；罚款"


def test_columns_in_any_order_are_matched_by_their_chinese_names(tmp_path):  # R-COL-5: files import as they are
    headers = PENALTY_HEADERS[:]
    random.Random(5).shuffle(headers)
    table = open_table(write_csv(tmp_path / "p.csv", headers, [penalty()]))
    (number, row), = table.rows()
    result = parse_row(table.format, number, row, today=TODAY)
    assert isinstance(result, ParsedRow)
    assert (result.party_uscc, result.document_number) == (COMPANY_USCC, "京经开市监罚〔2026〕12号")


def test_headers_with_stars_spaces_full_width_and_unit_suffixes_are_recognised(tmp_path):  # SPEC §17 (★ marks)
    spelled = {"行政相对人名称": " ★行政相对人名称 ", "处罚决定日期": "*处罚决定日期", "罚款金额（万元）": "罚款金额(万元)",
               "行政相对人代码_1（统一社会信用代码）": "行政相对人代码＿１", "处罚机关": "处罚\n机关",
               "行政处罚决定书文号": "★行政处罚决定书文号（必填）"}
    headers = [spelled.get(h, h) for h in PENALTY_HEADERS]
    rows = [{spelled.get(h, h): v for h, v in penalty().items()}]
    table = open_table(write_csv(tmp_path / "p.csv", headers, rows))
    assert table.warnings == []
    assert "★行政相对人名称" in table.headers  # trimmed, otherwise as the clerk wrote it
    (number, row), = table.rows()
    result = parse_row("penalty", number, row, today=TODAY)
    assert isinstance(result, ParsedRow), result
    assert result.party_name == "北京亦庄星河智能科技有限公司"
    assert result.content["fine_amount"] == "2"


def test_normalize_header_strips_marks_and_trailing_brackets():
    assert normalize_header("★ 罚款金额（万元）") == "罚款金额"
    assert normalize_header("没收违法所得、没收非法财物的金额（万元）") == "没收违法所得、没收非法财物的金额"
    assert normalize_header("行政相对人代码_1(统一社会信用代码)") == "行政相对人代码_1"


def test_unknown_columns_are_one_warning_not_an_error(tmp_path):  # R-COL-5
    headers = PENALTY_HEADERS + ["序号", "地方编码"]
    rows = [penalty() | {"序号": "1", "地方编码": "110302"}, penalty() | {"序号": "2", "地方编码": "110302"}]
    table = open_table(write_csv(tmp_path / "p.csv", headers, rows))
    assert len(table.warnings) == 1
    assert "序号" in table.warnings[0] and "地方编码" in table.warnings[0]
    assert all(isinstance(parse_row("penalty", n, r, today=TODAY), ParsedRow) for n, r in table.rows())


def test_missing_required_column_is_one_file_level_error_naming_it(tmp_path):  # R-COL-5, SPEC §17 ★
    headers = [h for h in PENALTY_HEADERS if h != "处罚类别"]
    with pytest.raises(Invalid) as exc:
        open_table(write_csv(tmp_path / "p.csv", headers, [penalty()]))
    assert "缺少必填列" in exc.value.message and "处罚类别" in exc.value.message


def test_missing_required_columns_are_all_named_at_once(tmp_path):
    headers = [h for h in LICENCE_HEADERS if h not in ("许可类别", "许可机关统一社会信用代码")]
    with pytest.raises(Invalid) as exc:
        open_table(write_csv(tmp_path / "l.csv", headers, [licence()]))
    assert "行政许可文件缺少必填列：许可类别、许可机关统一社会信用代码" == exc.value.message


def test_a_column_given_twice_is_refused(tmp_path):
    headers = PENALTY_HEADERS + ["★处罚机关"]
    with pytest.raises(Invalid, match="只能出现一次"):
        open_table(write_csv(tmp_path / "p.csv", headers, [penalty()]))


@pytest.mark.parametrize("header, kind", [("宗教信仰", "宗教信仰"), ("血型", "血型"), ("★指纹信息", "指纹"),
                                          ("既往病史", "病史"), ("religion", "宗教信仰")])
def test_forbidden_personal_column_refuses_the_whole_file_before_any_row(tmp_path, header, kind):  # R-ENT-5
    path = write_csv(tmp_path / "p.csv", PENALTY_HEADERS + [header], [penalty() | {header: "x"}])
    with pytest.raises(Invalid) as exc:
        open_table(path)
    assert kind in exc.value.message and "整份文件未导入" in exc.value.message


def test_forbidden_column_is_refused_even_when_the_file_is_not_a_national_format(tmp_path):  # R-ENT-5 first
    with pytest.raises(Invalid, match="血型"):
        open_table(write_csv(tmp_path / "x.csv", ["姓名", "血型"], [{"姓名": "张三", "血型": "A"}]))


def test_detect_format_tells_penalty_from_licence_and_refuses_neither():  # SPEC §17
    assert detect_format(PENALTY_HEADERS) == "penalty"
    assert detect_format(LICENCE_HEADERS) == "licence"
    with pytest.raises(Invalid, match="无法识别文件格式"):
        detect_format(["序号", "企业名称", "金额"])
    with pytest.raises(Invalid, match="同时含有"):
        detect_format(["处罚类别", "许可类别"])


def test_a_file_with_no_header_row_is_refused(tmp_path):
    path = tmp_path / "empty.csv"
    path.write_text("\n\n", encoding="utf-8")
    with pytest.raises(Invalid, match="空的|第1行没有表头"):
        open_table(path)
    (tmp_path / "zero.csv").write_bytes(b"")
    with pytest.raises(Invalid, match="空的"):
        open_table(tmp_path / "zero.csv")


def test_blank_rows_are_skipped_but_row_numbers_stay_those_excel_shows(tmp_path):  # R-COL-5: row by row
    path = tmp_path / "p.csv"
    with open(path, "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(PENALTY_HEADERS)
        w.writerow([penalty()[h] for h in PENALTY_HEADERS])
        w.writerow([])
        w.writerow([""] * len(PENALTY_HEADERS))
        # a quoted cell with a line break is still one spreadsheet row
        w.writerow([penalty(违法事实="第一行\n第二行")[h] for h in PENALTY_HEADERS])
    assert [n for n, _ in open_table(path).rows()] == [2, 5]


def test_columns_without_a_header_are_skipped_and_the_others_still_line_up(tmp_path):
    headers = PENALTY_HEADERS[:5] + [""] + PENALTY_HEADERS[5:] + [""]
    path = tmp_path / "p.csv"
    with open(path, "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(headers)
        row = penalty()
        w.writerow([row[h] for h in PENALTY_HEADERS[:5]] + ["stray"] + [row[h] for h in PENALTY_HEADERS[5:]] + ["x"])
    table = open_table(path)
    assert table.headers == PENALTY_HEADERS and table.warnings == []
    (number, values), = table.rows()
    assert values == {h: row[h] for h in PENALTY_HEADERS}


def test_short_rows_read_missing_cells_as_empty(tmp_path):
    path = tmp_path / "p.csv"
    path.write_text(",".join(PENALTY_HEADERS) + "\n北京亦庄某某科技有限公司,法人及非法人组织\n", encoding="utf-8")
    (number, row), = open_table(path).rows()
    assert number == 2 and row["处罚类别"] is None
    result = parse_row("penalty", number, row, today=TODAY)
    assert isinstance(result, RowError) and "缺少必填项：处罚类别" in result.reason


def test_row_in_another_encoding_is_refused_alone_with_its_row_number(tmp_path):  # R-COL-5: good rows go in
    path = write_csv(tmp_path / "p.csv", PENALTY_HEADERS, [penalty()] * 3000, encoding="utf-8")
    with open(path, "ab") as f:
        f.write(",".join(penalty(行政相对人名称="北京亦庄坏编码有限公司").values()).encode("gbk") + b"\n")
    path.write_bytes(path.read_bytes() + ",".join(penalty().values()).encode() + b"\n")
    table = open_table(path)
    assert table.encoding == "utf-8"
    results = [parse_row(table.format, n, r, today=TODAY) for n, r in table.rows()]
    errors = [r for r in results if isinstance(r, RowError)]
    assert len(results) == 3002 and [e.row for e in errors] == [3002]
    assert errors[0].reason.startswith("行政相对人名称含有无法识别的字符")
    assert "另一种编码" in errors[0].reason


# --- XLSX ---------------------------------------------------------------------------------------------------

def test_xlsx_keeps_date_cells_as_dates_and_codes_as_text(tmp_path):  # SPEC §17, R-COL-5
    rows = [
        penalty(处罚决定日期=dt.date(2026, 3, 5), 处罚有效期=dt.datetime(2027, 3, 4, 0, 0),
                **{"行政相对人代码_1（统一社会信用代码）": "91110000600037341L"}),
        penalty(**{"行政相对人代码_2（工商注册号）": 110302012345678, "罚款金额（万元）": 0.5}),
    ]
    table = open_table(write_xlsx(tmp_path / "p.xlsx", PENALTY_HEADERS, rows))
    assert (table.kind, table.encoding, table.engine) == ("xlsx", None, "calamine")
    (n1, r1), (n2, r2) = table.rows()
    assert (n1, n2) == (2, 3)
    assert r1["处罚决定日期"] == dt.date(2026, 3, 5) and r1["处罚有效期"] == dt.date(2027, 3, 4)
    assert r1["行政相对人代码_1（统一社会信用代码）"] == "91110000600037341L"
    # a 15-digit registration number typed as a number is still its digits, not 1.10302012345678E+14
    assert r2["行政相对人代码_2（工商注册号）"] == "110302012345678"
    assert r2["罚款金额（万元）"] == "0.5"
    assert r2["处罚决定日期"] == "2026-03-05"  # a text cell stays text
    ok = parse_row("penalty", n1, r1, today=TODAY)
    assert isinstance(ok, ParsedRow) and ok.decision_date == dt.date(2026, 3, 5)


def test_xlsx_large_whole_number_is_never_scientific_notation(tmp_path):  # 1.0E+17 must not appear
    rows = [penalty(备注=100000000000000000.0, **{"罚款金额（万元）": 12.0})]
    (_, row), = open_table(write_xlsx(tmp_path / "p.xlsx", PENALTY_HEADERS, rows)).rows()
    assert row["备注"] == "100000000000000000" and isinstance(row["备注"], InexactNumber)
    assert row["罚款金额（万元）"] == "12"


def test_xlsx_id_number_stored_as_number_is_explained_not_echoed(tmp_path):  # R-SEC-2, SPEC §17
    rows = [penalty(行政相对人名称="张三", 行政相对人类别="自然人", 证件类型="身份证", 证件号码=110105198503121234,
                    **{"行政相对人代码_1（统一社会信用代码）": None})]
    (number, row), = open_table(write_xlsx(tmp_path / "p.xlsx", PENALTY_HEADERS, rows)).rows()
    result = parse_row("penalty", number, row, today=TODAY)
    assert isinstance(result, RowError) and result.row == 2
    assert "Excel 存成了数字" in result.reason and "文本" in result.reason
    assert "110105198503121" not in result.reason


def test_xlsx_in_any_column_order_with_unknown_column(tmp_path):  # R-COL-5
    headers = ["序号", *reversed(LICENCE_HEADERS)]
    rows = [licence() | {"序号": 1}, licence(行政相对人名称="北京亦庄智汇医疗器械有限公司") | {"序号": 2}]
    table = open_table(write_xlsx(tmp_path / "l.xlsx", headers, rows))
    assert table.format == "licence" and len(table.warnings) == 1 and "序号" in table.warnings[0]
    results = [parse_row(table.format, n, r, today=TODAY) for n, r in table.rows()]
    assert [r.row_number for r in results] == [2, 3]
    assert results[1].party_name == "北京亦庄智汇医疗器械有限公司"


def test_xlsx_header_in_row_1_with_data_further_down_keeps_excel_row_numbers(tmp_path):
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(PENALTY_HEADERS)
    ws.append([])
    ws.append([])
    ws.append([penalty()[h] for h in PENALTY_HEADERS])
    wb.save(tmp_path / "p.xlsx")
    assert [n for n, _ in open_table(tmp_path / "p.xlsx").rows()] == [4]


def test_large_xlsx_is_streamed_with_the_same_values(tmp_path):  # memory stays flat for a big workbook
    rows = [penalty(处罚决定日期=dt.date(2026, 3, 5), **{"行政相对人代码_2（工商注册号）": 110302012345678,
                                                      "罚款金额（万元）": 0.5})] * 3
    path = write_xlsx(tmp_path / "p.xlsx", ["序号", *PENALTY_HEADERS], rows)
    small, streamed = open_table(path), open_table(path, stream_xlsx_over=0)
    assert (small.engine, streamed.engine) == ("calamine", "openpyxl")
    assert streamed.headers == small.headers and streamed.warnings == small.warnings
    assert list(streamed.rows()) == list(small.rows())


def test_xls_that_is_really_a_web_page_is_refused_clearly(tmp_path):
    path = tmp_path / "export.xls"
    path.write_text("<html><body><table><tr><td>行政相对人名称</td></tr></table></body></html>", encoding="utf-8")
    with pytest.raises(Invalid, match="网页"):
        open_table(path)


def test_corrupt_xlsx_is_refused_clearly(tmp_path):
    path = tmp_path / "broken.xlsx"
    path.write_bytes(b"PK\x03\x04" + b"\x00" * 100)
    with pytest.raises(Invalid, match="Excel"):
        open_table(path)


def test_read_all_for_small_files(tmp_path):
    path = write_csv(tmp_path / "p.csv", PENALTY_HEADERS, [penalty()])
    assert [n for n, _ in read_all(path)] == [2]


# --- a large file ----------------------------------------------------------------------------------------------

def test_streaming_200k_row_csv_keeps_memory_flat(tmp_path):  # R-COL-5 at exchange-file scale
    path = tmp_path / "big.csv"
    row = penalty(行政处罚决定书文号="京经开市监罚〔2026〕{}号")
    line = ",".join(row[h] for h in PENALTY_HEADERS) + "\r\n"  # no value needs quoting
    with open(path, "w", encoding="gbk", newline="") as f:
        f.write(",".join(PENALTY_HEADERS) + "\r\n")
        for start in range(0, 200_000, 1000):
            f.write("".join(line.format(i) for i in range(start, start + 1000)))
    assert path.stat().st_size > 80 * 1024 * 1024 // 2  # tens of MB: holding it would show

    started = time.perf_counter()
    tracemalloc.start()
    try:
        table = open_table(path)
        count = last = 0
        for number, row in table.rows():
            count += 1
            last = number
            if number % 50_000 == 0:  # a real parse now and then, inside the measurement
                assert isinstance(parse_row(table.format, number, row, today=TODAY), ParsedRow)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert (count, last) == (200_000, 200_001)
    assert peak < 4 * 1024 * 1024, f"peak {peak / 1e6:.1f} MB"
    assert time.perf_counter() - started < 30
