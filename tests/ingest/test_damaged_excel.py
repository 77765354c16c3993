"""A damaged workbook is called a damaged workbook (issue 17, defect 7c; R-COL-5): a file whose name or
signature says Excel and that cannot be opened as one is never read as a CSV "of unknown encoding", and
the message names no library. The same words from `xinyong import`, the upload page and the API."""

import io
import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from tests.conftest import TEST_SECRET
from tests.ingest.builders import MARKET_BUREAU_USCC, PENALTY_HEADERS, penalty, write_csv, write_xlsx
from tests.ingest.test_pages import login_as, upload, wait_finished
from xinyong.ingest.reader import DAMAGED_EXCEL, open_table
from xinyong.kit.errors import Invalid

SAYS = "Excel 文件已损坏或不是有效的 .xlsx 文件"


@pytest.fixture(scope="module")
def workbook(tmp_path_factory) -> bytes:
    path = write_xlsx(tmp_path_factory.mktemp("xlsx") / "good.xlsx", PENALTY_HEADERS, [penalty() for _ in range(40)])
    return path.read_bytes()


def _not_a_workbook() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        z.writestr("说明.txt", "这是一个压缩包，不是工作簿")
    return buffer.getvalue()


def _bad_sheet(data: bytes) -> bytes:
    """The worksheet's compressed bytes scrambled: the archive's directory is intact, the rows are not."""
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        info = next(i for i in z.infolist() if i.filename.startswith("xl/worksheets/"))
    raw = bytearray(data)
    start = info.header_offset + 30 + len(info.filename.encode()) + 40
    for i in range(start, start + 200):
        raw[i] ^= 0x5A
    return bytes(raw)


CASES = {
    "its second half only (a cut download)": lambda d: d[len(d) // 2:],
    "its first half only": lambda d: d[: len(d) // 2],
    "random bytes": lambda d: bytes((i * 7919 + 13) % 251 for i in range(6000)),
    "a ZIP that is no workbook": lambda d: _not_a_workbook(),
    "a scrambled worksheet": _bad_sheet,
}


@pytest.mark.parametrize("stream", [False, True], ids=["calamine", "openpyxl"])
@pytest.mark.parametrize("damage", list(CASES), ids=list(CASES))
def test_a_damaged_xlsx_is_called_a_damaged_excel_file(workbook, tmp_path, damage, stream):  # issue 17, 7c
    path = tmp_path / "处罚.xlsx"
    path.write_bytes(CASES[damage](workbook))
    with pytest.raises(Invalid) as caught:
        table = open_table(path, stream_xlsx_over=0 if stream else 1 << 40)
        list(table.rows())
    message = caught.value.message
    assert message.startswith(SAYS) and "CSV" not in message.split("：")[0] and "编码" not in message
    assert "Error" not in message and "calamine" not in message.lower()  # no library's name for the clerk


def test_an_xls_named_file_of_undecodable_bytes_is_a_damaged_excel_file(tmp_path):  # issue 17, 7c
    path = tmp_path / "处罚.xls"
    path.write_bytes(bytes((i * 7919 + 13) % 251 for i in range(6000)))
    with pytest.raises(Invalid, match=SAYS):
        open_table(path)
    ole = tmp_path / "加密.xls"  # an OLE container that holds no workbook (as a password-protected .xlsx is)
    ole.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(4000))
    with pytest.raises(Invalid, match=SAYS):
        open_table(ole)


def test_files_that_are_not_excel_keep_their_own_messages(tmp_path):
    text_export = write_csv(tmp_path / "系统导出.xls", PENALTY_HEADERS, [penalty()])  # a CSV a system named .xls
    assert open_table(text_export).kind == "csv"
    garbage = tmp_path / "处罚.csv"
    garbage.write_bytes(bytes((i * 7919 + 13) % 251 for i in range(6000)))
    with pytest.raises(Invalid, match="无法识别文件编码"):
        open_table(garbage)
    assert DAMAGED_EXCEL.startswith(SAYS)


@pytest.fixture
def bureau(uow, make):
    from xinyong.accounts import service as accounts
    from xinyong.accounts.permissions import SYSTEM

    with uow(actor=SYSTEM) as s:
        dept = accounts.create_department(s, actor=SYSTEM, uscc=MARKET_BUREAU_USCC, name="北京经济技术开发区市场监督管理局")
    make.user("officer", "scjg_jbr", department=dept)
    return dept


def test_the_cli_says_damaged_excel(settings, bureau, workbook, tmp_path):  # issue 17, 7c; SPEC §18
    path = tmp_path / "处罚.xlsx"
    path.write_bytes(workbook[len(workbook) // 2:])
    env = os.environ | {"XINYONG_DATABASE_URL": settings.database_url, "XINYONG_SECRET_KEY": TEST_SECRET}
    r = subprocess.run([sys.executable, "-m", "xinyong.cli", "import", str(path), "--department", MARKET_BUREAU_USCC],
                       env=env, capture_output=True, text=True, timeout=120)
    assert r.returncode != 0 and SAYS in r.stderr + r.stdout and "编码" not in r.stderr + r.stdout


def test_the_upload_page_and_the_api_say_damaged_excel(client, bureau, workbook, tmp_path):  # issue 17, 7c
    path = tmp_path / "处罚.xlsx"
    path.write_bytes(workbook[len(workbook) // 2:])
    login_as(client, "scjg_jbr")
    run_url = upload(client, Path(path)).headers["location"]
    done = wait_finished(client, run_url)
    assert "导入失败" in done and SAYS in done
    api = client.get("/api/v1/records/import/runs/" + run_url.rsplit("/", 1)[1]).json()
    assert api["status"] == "failed" and api["error"].startswith(SAYS)
    assert json.dumps(api, ensure_ascii=False).count("编码") == 0
