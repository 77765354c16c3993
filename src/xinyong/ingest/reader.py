"""Stream the rows of an uploaded 双公示 file, CSV or Excel, without holding it whole (R-COL-1, R-COL-5).

``open_table`` reads only the header row: it refuses a file with a forbidden personal column (R-ENT-5),
tells the format (penalty / licence), and names a missing ★ column, all before any row. ``Table.rows()``
then yields ``(row_number, {header: value})`` one row at a time, where row_number is the row the clerk
sees in Excel (the header is row 1).

CSV: UTF-8 (with or without BOM), GBK / GB18030 as most government systems export, and UTF-16 (Excel's
"Unicode 文本"); comma or tab separated. Excel: the first sheet, through python-calamine. calamine
holds a whole sheet's cells in memory (about 3 KB per 30-column row), so a very large workbook is
streamed with openpyxl's read-only reader instead: ten times slower, but flat in memory.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import math
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from xinyong.kit.errors import Invalid

from .national import HeaderMap, resolve_headers

SNIFF_BYTES = 64 * 1024
# Above this much worksheet XML (uncompressed) calamine would hold hundreds of MB: stream instead.
XLSX_STREAM_OVER_BYTES = 200 * 1024 * 1024
# A file that says it is Excel (its name, or a ZIP / OLE signature) and cannot be opened as one: never
# read as a CSV of some unknown encoding, which would send the clerk looking for the wrong fault.
DAMAGED_EXCEL = ("Excel 文件已损坏或不是有效的 .xlsx 文件（也可能设置了打开密码）：请在 Excel 中打开，"
                 "另存为 .xlsx 或 CSV 后重新导入")
EXCEL_SUFFIXES = (".xlsx", ".xlsm", ".xls")
ZIP_SUFFIXES = (".xlsx", ".xlsm")  # Office Open XML: always a ZIP archive
csv.field_size_limit(1024 * 1024)  # one cell of a 违法事实 may pass csv's 128 KiB default; clean_text limits it later

Value = str | dt.date | dt.datetime | None


class InexactNumber(str):
    """A long number Excel stored as a float: digits past the 15th are already lost (an ID number typed
    into a number-formatted cell). Still a str, so it flows like text; parse_row explains it."""

    __slots__ = ()


@dataclass
class Table:
    path: Path
    kind: str  # csv | xlsx | xls
    encoding: str | None  # utf-8, utf-8-sig, gb18030, utf-16 for CSV; None for Excel
    headers: list[str]  # as in the file, trimmed; empty header cells left out
    format: str  # penalty | licence
    columns: tuple[str | None, ...]  # per header, the national field it carries (None: unknown column)
    warnings: list[str] = field(default_factory=list)
    engine: str = "csv"  # csv | calamine | openpyxl (streaming, for a very large workbook)
    delimiter: str = ","
    _positions: list[int] = field(default_factory=list, repr=False)  # where each header sits in a raw row
    _sheet: object = field(default=None, repr=False)  # calamine's loaded first sheet, read once for header and rows

    def estimated_rows(self) -> int | None:
        """About how many data rows there are, for a progress bar: a CSV's line count (a quoted cell may
        hold a line break, so it can be a little high), a workbook's sheet dimension when it has one."""
        if self.engine == "csv":
            lines, last = 0, b"\n"
            with open(self.path, "rb") as f:
                while chunk := f.read(1 << 20):
                    lines += chunk.count(b"\n")
                    last = chunk[-1:]
            return max(0, lines + (last != b"\n") - 1)
        if self.engine == "calamine":
            return max(0, self._sheet.height - 1)
        return None

    def rows(self) -> Iterator[tuple[int, dict[str, Value]]]:
        """Every non-blank data row, as ``(row_number, {header: value})``; row 2 is the first under the header."""
        raw = {"csv": self._csv_rows, "calamine": self._calamine_rows, "openpyxl": self._openpyxl_rows}[self.engine]()
        headers, positions = self.headers, self._positions
        width = len(headers)
        dense = positions == list(range(width))  # the usual case: no empty header cells in between
        text_only = self.engine == "csv"
        for number, cells in raw:
            if text_only and not "".join(cells).strip():
                continue  # a blank line, or a row of empty cells
            if dense:
                if len(cells) < width:
                    cells = [*cells, *([None] * (width - len(cells)))]
                row = dict(zip(headers, cells, strict=False))  # extra cells past the last header are dropped
            else:
                n = len(cells)
                row = {h: (cells[p] if p < n else None) for h, p in zip(headers, positions, strict=True)}
            if text_only or not _is_blank_row(row.values()):
                yield number, row

    # --- CSV -----------------------------------------------------------------------------------------------
    def _csv_rows(self) -> Iterator[tuple[int, list[Value]]]:
        # errors="replace": a row with bytes of another encoding gets U+FFFD and is refused alone, by
        # parse_row, with its own row number; the rows around it still go in (R-COL-5)
        with open(self.path, encoding=self.encoding, errors="replace", newline="") as f:
            reader = csv.reader(f, delimiter=self.delimiter)
            number = 1
            try:
                next(reader, None)  # the header row, read by open_table
                for cells in reader:
                    number += 1
                    yield number, cells
            except csv.Error as exc:
                raise Invalid(f"第{number + 1}行无法按 CSV 读取：{exc}", field="file") from None

    # --- Excel ---------------------------------------------------------------------------------------------
    def _calamine_rows(self) -> Iterator[tuple[int, list[Value]]]:
        sheet = self._sheet if self._sheet is not None else _calamine_sheet(self.path)
        # calamine yields rows from row 1 of the sheet, leading empty rows included
        for index, cells in enumerate(sheet.iter_rows()):
            if index:
                yield index + 1, [_excel_value(c) for c in cells]

    def _openpyxl_rows(self) -> Iterator[tuple[int, list[Value]]]:
        for number, cells in _openpyxl_iter(self.path):
            if number > 1:
                yield number, cells


def _is_blank_row(values) -> bool:
    try:
        return not "".join(v or "" for v in values).strip()
    except TypeError:  # a date or other non-text cell: not blank
        return False


def _excel_value(v: object) -> Value:
    """One Excel cell as text or a date: numbers never come out as 1.0 or 9.1E+16."""
    if isinstance(v, str):
        return v or None
    if v is None:
        return None
    if isinstance(v, bool):
        return "是" if v else "否"
    if isinstance(v, dt.datetime):
        return v.date() if v.time() == dt.time() else v
    if isinstance(v, dt.date):
        return v
    if isinstance(v, int):
        return InexactNumber(v) if abs(v) >= 10**15 else str(v)
    if isinstance(v, float):
        if not math.isfinite(v):
            return str(v)
        if v.is_integer():
            # Excel keeps 15 significant digits: a longer whole number was typed into a number cell
            return InexactNumber(int(v)) if abs(v) >= 1e15 else str(int(v))
        text = repr(v)
        if "e" in text or "E" in text:
            text = format(v, "f").rstrip("0").rstrip(".")
        return text
    if isinstance(v, dt.time | dt.timedelta):
        return str(v)
    return str(v)


def _openpyxl_iter(path: Path) -> Iterator[tuple[int, list[Value]]]:
    from openpyxl import load_workbook

    try:
        wb = load_workbook(path, read_only=True, data_only=True)
    except Exception:  # not a workbook at all: InvalidFileException, BadZipFile, KeyError, a broken XML part
        raise Invalid(DAMAGED_EXCEL, field="file") from None
    try:
        ws = wb.worksheets[0]
        ws.reset_dimensions()  # some exporters write a wrong <dimension>; read what is there
        number = 0
        try:
            for number, cells in enumerate(ws.iter_rows(values_only=True), start=1):
                yield number, [_excel_value(c) for c in cells]
        except Exception:  # damaged past the rows read so far: a bad CRC, a cut deflate stream, broken XML
            raise Invalid(f"{DAMAGED_EXCEL}（第{number + 1}行起无法读取）", field="file") from None
    finally:
        wb.close()


def _largest_worksheet(path: Path) -> int:
    try:
        with zipfile.ZipFile(path) as z:
            return max((i.file_size for i in z.infolist() if i.filename.startswith("xl/worksheets/")), default=0)
    except (zipfile.BadZipFile, OSError, EOFError):
        raise Invalid(DAMAGED_EXCEL, field="file") from None


# --- opening -------------------------------------------------------------------------------------------------
_BOMS = ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))


def detect_encoding(prefix: bytes, *, complete: bool) -> str:
    """utf-8-sig, utf-16, utf-8 or gb18030 (a superset of GBK), from the first bytes of a CSV."""
    for bom, name in _BOMS:
        if prefix.startswith(bom):
            return name
    try:
        codecs.getincrementaldecoder("utf-8")().decode(prefix, final=complete)
        return "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        prefix.decode("gb18030") if complete else codecs.getincrementaldecoder("gb18030")().decode(prefix)
        return "gb18030"
    except UnicodeDecodeError:
        raise Invalid("无法识别文件编码：应为 UTF-8 或 GBK 编码的 CSV，或 Excel（.xlsx）文件", field="file") from None


def _kind(path: Path, head: bytes) -> str:
    """xlsx, xls or csv, by the file's signature first, then by its name: a name ending .xlsx without the
    ZIP signature is a damaged workbook. A .xls without the OLE signature may be a text export (CSV or
    tab separated) that a system named .xls: it is read as text, and called damaged Excel if it is not."""
    if head.startswith(b"PK\x03\x04"):
        return "xlsx"
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return "xls"
    suffix = path.suffix.lower()
    if suffix in EXCEL_SUFFIXES and b"<" in head[:64] and b"<html" in head[:512].lower():
        raise Invalid("这不是真正的 Excel 文件（是网页另存的 .xls），请在 Excel 中另存为 .xlsx 或 CSV 后上传", field="file")
    if suffix in ZIP_SUFFIXES or head[:4] in (b"PK\x05\x06", b"PK\x07\x08"):  # an empty or a spanned ZIP
        raise Invalid(DAMAGED_EXCEL, field="file")
    return "csv"


def _header_cells(cells: list[Value]) -> tuple[list[str], list[int]]:
    headers, positions = [], []
    for i, c in enumerate(cells):
        text = "" if c is None else (c.isoformat() if isinstance(c, dt.date) else str(c)).strip()
        if text:
            headers.append(text)
            positions.append(i)
    return headers, positions


def open_table(path: str | Path, *, fmt: str | None = None, stream_xlsx_over: int = XLSX_STREAM_OVER_BYTES) -> Table:
    """Open a 双公示 file and check its header row; raises ``Invalid`` (one line a clerk understands) when
    the file as a whole cannot be imported. ``fmt`` forces penalty / licence instead of detecting it."""
    path = Path(path)
    if not path.is_file():
        raise Invalid(f"找不到文件：{path}", field="file")
    with open(path, "rb") as f:
        head = f.read(SNIFF_BYTES)
        complete = len(head) < SNIFF_BYTES or not f.read(1)
    if not head.strip():
        raise Invalid("文件是空的", field="file")
    kind = _kind(path, head)
    if kind == "csv":
        try:
            encoding = detect_encoding(head, complete=complete)
        except Invalid:
            if path.suffix.lower() in EXCEL_SUFFIXES:
                raise Invalid(DAMAGED_EXCEL, field="file") from None
            raise
        text = head.decode(encoding, errors="ignore")
        first_line = text.split("\n", 1)[0]
        delimiter = "\t" if first_line.count("\t") > first_line.count(",") else ","
        with open(path, encoding=encoding, newline="") as f:
            try:
                header_cells = next(csv.reader(f, delimiter=delimiter), [])
            except (csv.Error, UnicodeDecodeError) as exc:
                raise Invalid(f"第1行（表头）无法读取：{exc}", field="file") from None
        engine, sheet = "csv", None
    else:
        encoding, delimiter = None, ","
        engine = "openpyxl" if kind == "xlsx" and _largest_worksheet(path) > stream_xlsx_over else "calamine"
        if engine == "calamine":
            sheet = _calamine_sheet(path)
            header_cells = [_excel_value(c) for c in next(iter(sheet.iter_rows()), [])]
        else:
            sheet = None
            first = _openpyxl_iter(path)
            header_cells = next(first, (1, []))[1]
            first.close()
    headers, positions = _header_cells(header_cells)
    if not headers:
        raise Invalid("第1行没有表头：第1行应为双公示格式的中文列名", field="headers")
    hm: HeaderMap = resolve_headers(headers, fmt)
    return Table(path=path, kind=kind, encoding=encoding, headers=headers, format=hm.format, columns=hm.columns,
                 warnings=list(hm.warnings), engine=engine, delimiter=delimiter, _positions=positions,
                 _sheet=sheet)


def _calamine_sheet(path: Path):
    from python_calamine import CalamineError, CalamineWorkbook

    try:
        with CalamineWorkbook.from_path(str(path)) as wb:
            return wb.get_sheet_by_index(0)
    except (CalamineError, OSError, ValueError):  # a damaged or encrypted workbook, or a ZIP that is no workbook
        raise Invalid(DAMAGED_EXCEL, field="file") from None


def read_all(path: str | Path) -> list[tuple[int, dict[str, Value]]]:
    """Every row at once: for tests and small files only."""
    return list(open_table(path).rows())


