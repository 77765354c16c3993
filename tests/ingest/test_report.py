"""The row report of an import (R-COL-5; SPEC §18 `xinyong import --json`): accepted, rejected {row, reason},
duplicates, warnings; and the Excel file of rejected rows a clerk fixes and uploads again."""

from __future__ import annotations

import datetime as dt
import json

from openpyxl import load_workbook

from tests.ingest.builders import PENALTY_HEADERS, TODAY, penalty, write_csv
from xinyong.ingest.reader import open_table
from xinyong.ingest.report import ERROR_HEADER, RejectedRow, RowReport, write_xlsx
from xinyong.ingest.rows import ParsedRow, RowError, parse_row


def run_import(path):
    """What the storing side does, without the storing: every row parsed, bad ones kept with their values."""
    table = open_table(path)
    report = RowReport(warnings=list(table.warnings))
    rejected, seen = [], set()
    for number, row in table.rows():
        result = parse_row(table.format, number, row, today=TODAY)
        if isinstance(result, ParsedRow) and result.dedup_key in seen:
            report.duplicate()
            continue
        report.add(result)
        if isinstance(result, RowError):
            rejected.append(RejectedRow(number, row, result.reason))
        else:
            seen.add(result.dedup_key)
    return table, report, rejected


def test_report_counts_rows_and_lists_rejected_with_row_and_reason(tmp_path):  # R-COL-5, SPEC §18
    rows = [penalty(), penalty(违法事实=""), penalty(),
            penalty(行政相对人类别="公司", 行政处罚决定书文号="京经开市监罚〔2026〕13号"),
            penalty(行政处罚决定书文号="京经开市监罚〔2026〕14号")]
    _, report, _ = run_import(write_csv(tmp_path / "p.csv", PENALTY_HEADERS + ["序号"], rows))
    assert report.as_dict() == {
        "accepted": 2,
        "rejected": [{"row": 3, "reason": "缺少必填项：违法事实"},
                     {"row": 5, "reason": "行政相对人类别应为“法人及非法人组织”“自然人”“个体工商户”之一，收到“公司”"}],
        "duplicates": 1,
        "held": 0,
        "warnings": ["以下列不属于行政处罚双公示格式，已忽略：序号"],
    }
    assert report.total == 5
    assert report.summary() == "导入 2 行，拒收 2 行，重复跳过 1 行；提示 1 条"
    json.dumps(report.as_dict(), ensure_ascii=False)


def test_warnings_are_kept_once():
    report = RowReport()
    report.warn("以下列不属于行政处罚双公示格式，已忽略：序号")
    report.warn("以下列不属于行政处罚双公示格式，已忽略：序号")
    assert report.warnings == ["以下列不属于行政处罚双公示格式，已忽略：序号"]
    assert report.summary() == "导入 0 行，拒收 0 行，重复跳过 0 行；提示 1 条"


def test_held_rows_count_in_the_total_and_the_summary():  # R-ENT-6
    report = RowReport(accepted=3, held=2)
    assert report.total == 5 and report.as_dict()["held"] == 2
    assert report.summary() == "导入 3 行，拒收 0 行，重复跳过 0 行，待人工匹配 2 行"


def test_rejected_rows_xlsx_has_original_columns_and_a_bold_frozen_error_column(tmp_path):  # R-COL-5
    headers = ["序号", *reversed(PENALTY_HEADERS)]
    rows = [penalty() | {"序号": "1"}, penalty(处罚决定日期="2026-05-01") | {"序号": "2"},
            penalty(**{"罚款金额（万元）": "-1"}) | {"序号": "3"}]
    table, report, rejected = run_import(write_csv(tmp_path / "p.csv", headers, rows, encoding="gbk"))
    out = write_xlsx(tmp_path / "错误行.xlsx", table.headers, rejected)

    ws = load_workbook(out).active
    assert [c.value for c in ws[1]] == [*headers, ERROR_HEADER]
    assert all(c.font.b for c in ws[1])
    assert ws.freeze_panes == "A2"
    assert ws.max_row == 3
    second = {h: c.value for h, c in zip([*headers, ERROR_HEADER], ws[2], strict=True)}
    assert second["序号"] == "2" and second["处罚决定日期"] == "2026-05-01"
    assert second["行政相对人代码_1（统一社会信用代码）"] == rows[1]["行政相对人代码_1（统一社会信用代码）"]
    assert second[ERROR_HEADER] == "第3行：处罚决定日期2026-05-01晚于今天（2026-04-20）：不能导入尚未作出的决定"
    third = {h: c.value for h, c in zip([*headers, ERROR_HEADER], ws[3], strict=True)}
    assert third["罚款金额（万元）"] == "-1"  # kept as the clerk wrote it, as text
    assert third[ERROR_HEADER].startswith("第4行：罚款金额（万元）不能为负数")


def test_fixed_rejected_file_can_be_uploaded_again(tmp_path):  # R-COL-5: fix and re-upload just those rows
    rows = [penalty(), penalty(行政处罚决定书文号="京经开市监罚〔2026〕15号", 处罚类别="罚金")]
    table, _, rejected = run_import(write_csv(tmp_path / "p.csv", PENALTY_HEADERS, rows))
    out = write_xlsx(tmp_path / "fix.xlsx", table.headers, rejected)
    wb = load_workbook(out)
    ws = wb.active
    col = [c.value for c in ws[1]].index("处罚类别") + 1
    ws.cell(2, col).value = "罚款"
    wb.save(out)

    again = open_table(out)
    assert again.warnings == [f"以下列不属于行政处罚双公示格式，已忽略：{ERROR_HEADER}"]
    (number, row), = again.rows()
    result = parse_row(again.format, number, row, today=TODAY)
    assert isinstance(result, ParsedRow) and result.document_number == "京经开市监罚〔2026〕15号"


def test_rejected_values_are_never_formulas_and_control_characters_do_not_break_the_file(tmp_path):
    headers = ["行政相对人名称", "违法事实", "处罚决定日期"]
    rejected = [RejectedRow(2, {"行政相对人名称": "=HYPERLINK(\"http://x\",\"点击\")", "违法事实": "坏\x07字符",
                                "处罚决定日期": dt.date(2026, 3, 5)}, "行政相对人名称含有不可见的控制字符"),
                (3, {"行政相对人名称": "+1+1", "违法事实": None}, "缺少必填项：违法事实")]
    ws = load_workbook(write_xlsx(tmp_path / "r.xlsx", headers, rejected)).active
    assert ws["A2"].data_type == "s" and ws["A2"].value.startswith("=HYPERLINK")
    assert ws["B2"].value == "坏\ufffd字符"
    assert ws["C2"].value == dt.datetime(2026, 3, 5) and ws["C2"].number_format == "yyyy-mm-dd"
    assert (ws["A3"].value, ws["B3"].value, ws["D3"].value) == ("+1+1", None, "第3行：缺少必填项：违法事实")


def test_id_numbers_in_the_error_column_are_masked(tmp_path):  # R-SEC-2
    from tests.helpers import id_number

    bad_id = id_number()[:-1] + ("0" if id_number()[-1] != "0" else "1")
    rows = [penalty(行政相对人名称="张建国", 行政相对人类别="自然人", 证件类型="身份证", 证件号码=bad_id,
                    **{"行政相对人代码_1（统一社会信用代码）": ""})]
    table, report, rejected = run_import(write_csv(tmp_path / "p.csv", PENALTY_HEADERS, rows))
    assert bad_id not in report.rejected[0]["reason"]
    ws = load_workbook(write_xlsx(tmp_path / "r.xlsx", table.headers, rejected)).active
    assert bad_id not in ws.cell(2, len(table.headers) + 1).value


def test_many_rejected_rows_write_quickly_in_streaming_mode(tmp_path):
    headers = PENALTY_HEADERS
    row = penalty()
    out = write_xlsx(tmp_path / "many.xlsx", headers, (RejectedRow(n, row, "缺少必填项：违法事实") for n in range(2, 2002)))
    wb = load_workbook(out, read_only=True)
    assert sum(1 for _ in wb.active.iter_rows(values_only=True)) == 2001
    wb.close()
