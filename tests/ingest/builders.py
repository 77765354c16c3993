"""Real 双公示 files for the ingest tests: rows as a clerk's export has them, written as CSV (UTF-8,
UTF-8 with BOM, GBK) or XLSX (openpyxl, with real date cells)."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

from tests.helpers import id_number
from xinyong.entities.identifiers import uscc_check_digit

TODAY = dt.date(2026, 4, 20)


def uscc(body17: str) -> str:
    return body17 + uscc_check_digit(body17)


COMPANY_USCC = uscc("91110302MA01XY7K3")
MARKET_BUREAU_USCC = uscc("11110302MB1C47820")
ENV_BUREAU_USCC = uscc("11110302MB1C48391")
PERSON_ID = id_number("19850312", "123", "110105")

PENALTY_HEADERS = [
    "行政相对人名称", "行政相对人类别", "行政相对人代码_1（统一社会信用代码）", "行政相对人代码_2（工商注册号）",
    "法定代表人", "法定代表人证件类型", "法定代表人证件号码", "证件类型", "证件号码",
    "行政处罚决定书文号", "违法行为类型", "违法事实", "处罚依据", "处罚类别", "处罚内容", "罚款金额（万元）",
    "没收违法所得、没收非法财物的金额（万元）", "暂扣或吊销证照名称及编号", "处罚决定日期", "处罚有效期", "公示截止期",
    "处罚机关", "处罚机关统一社会信用代码", "数据来源单位", "数据来源单位统一社会信用代码", "备注",
]
LICENCE_HEADERS = [
    "行政相对人名称", "行政相对人类别", "行政相对人代码_1（统一社会信用代码）", "法定代表人", "证件类型", "证件号码",
    "行政许可决定文书名称", "行政许可决定文书号", "许可类别", "许可证书名称", "许可编号", "许可内容", "许可决定日期",
    "有效期自", "有效期至", "许可机关", "许可机关统一社会信用代码", "当前状态", "数据来源单位", "数据来源单位统一社会信用代码",
    "备注",
]


def penalty(**changes) -> dict:
    """One good 食品安全 penalty row, by Chinese header; ``changes`` by header too."""
    row = {
        "行政相对人名称": "北京亦庄星河智能科技有限公司", "行政相对人类别": "法人及非法人组织",
        "行政相对人代码_1（统一社会信用代码）": COMPANY_USCC, "行政相对人代码_2（工商注册号）": "",
        "法定代表人": "王立新", "法定代表人证件类型": "", "法定代表人证件号码": "", "证件类型": "", "证件号码": "",
        "行政处罚决定书文号": "京经开市监罚〔2026〕12号", "违法行为类型": "食品安全违法行为",
        "违法事实": "当事人经营超过保质期的预包装食品。", "处罚依据": "《中华人民共和国食品安全法》第一百二十四条第一款",
        "处罚类别": "警告；罚款", "处罚内容": "警告，罚款人民币贰万元整", "罚款金额（万元）": "2",
        "没收违法所得、没收非法财物的金额（万元）": "", "暂扣或吊销证照名称及编号": "",
        "处罚决定日期": "2026-03-05", "处罚有效期": "2027-03-04", "公示截止期": "",
        "处罚机关": "北京经济技术开发区市场监督管理局", "处罚机关统一社会信用代码": MARKET_BUREAU_USCC,
        "数据来源单位": "北京经济技术开发区市场监督管理局", "数据来源单位统一社会信用代码": MARKET_BUREAU_USCC, "备注": "",
    }
    unknown = set(changes) - set(row)
    assert not unknown, unknown
    return row | changes


def licence(**changes) -> dict:
    row = {
        "行政相对人名称": "北京亦庄云帆生物科技有限公司", "行政相对人类别": "法人及非法人组织",
        "行政相对人代码_1（统一社会信用代码）": COMPANY_USCC, "法定代表人": "李静", "证件类型": "", "证件号码": "",
        "行政许可决定文书名称": "排污许可证核发决定书", "行政许可决定文书号": "京经开环许〔2026〕8号", "许可类别": "普通",
        "许可证书名称": "排污许可证", "许可编号": "91110302MA01XY7K3-001V", "许可内容": "准予核发排污许可证",
        "许可决定日期": "2026-02-10", "有效期自": "2026-02-10", "有效期至": "2031-02-09",
        "许可机关": "北京经济技术开发区生态环境局", "许可机关统一社会信用代码": ENV_BUREAU_USCC, "当前状态": "有效",
        "数据来源单位": "北京经济技术开发区生态环境局", "数据来源单位统一社会信用代码": ENV_BUREAU_USCC, "备注": "",
    }
    unknown = set(changes) - set(row)
    assert not unknown, unknown
    return row | changes


def write_csv(path: Path, headers: list[str], rows: list[dict], *, encoding: str = "utf-8") -> Path:
    with open(path, "w", encoding=encoding, newline="") as f:
        w = csv.writer(f)
        w.writerow(headers)
        for r in rows:
            w.writerow([r.get(h, "") for h in headers])
    return path


def write_xlsx(path: Path, headers: list[str], rows: list[dict]) -> Path:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(headers)
    for r in rows:
        ws.append([r.get(h) for h in headers])
    for row in ws.iter_rows(min_row=2):
        for cell in row:
            if isinstance(cell.value, dt.date):
                cell.number_format = "yyyy-mm-dd"
    wb.save(path)
    return path
