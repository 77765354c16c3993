"""What an import tells the clerk (R-COL-5): how many rows went in, each rejected row with its number and
reason, and an Excel file of just the rejected rows, as they were, with 错误原因 beside them, to fix and
upload again.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

from .rows import ParsedRow, RowError

ERROR_HEADER = "错误原因"


class RejectedRow(NamedTuple):
    row: int
    values: Mapping[str, object]  # the row as read: {header: value}
    reason: str


@dataclass
class RowReport:
    """Counts and reasons for one file; ``as_dict`` has the keys ``xinyong import --json`` prints (SPEC §18)."""

    accepted: int = 0
    duplicates: int = 0
    rejected: list[dict] = field(default_factory=list)  # [{row, reason}] in file order
    warnings: list[str] = field(default_factory=list)
    expected: int | None = None  # about how many rows the file has (a progress bar's 100 %), when known
    held: int = 0  # rows without a code no single entity's name answers: waiting for a person (R-ENT-6)

    def add(self, result: ParsedRow | RowError) -> None:
        if isinstance(result, RowError):
            self.reject(result.row, result.reason)
        else:
            self.accepted += 1

    def reject(self, row: int, reason: str) -> None:
        self.rejected.append({"row": row, "reason": reason})

    def duplicate(self) -> None:
        """A row the storing side found already imported (same dedup_key): counted, not accepted again."""
        self.duplicates += 1

    def warn(self, message: str) -> None:
        if message not in self.warnings:
            self.warnings.append(message)

    @property
    def total(self) -> int:
        return self.accepted + self.duplicates + len(self.rejected) + self.held

    def as_dict(self) -> dict:
        return {"accepted": self.accepted, "rejected": list(self.rejected), "duplicates": self.duplicates,
                "held": self.held, "warnings": list(self.warnings)}

    def summary(self) -> str:
        text = f"导入 {self.accepted} 行，拒收 {len(self.rejected)} 行，重复跳过 {self.duplicates} 行"
        if self.held:
            text += f"，待人工匹配 {self.held} 行"
        return text + (f"；提示 {len(self.warnings)} 条" if self.warnings else "")


def _illegal_chars():
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    return ILLEGAL_CHARACTERS_RE


def _cell(ws, value: object, illegal):
    """A cell that shows exactly what the clerk uploaded: text stays text (a leading '=' is not a formula,
    a long code is not a number), dates stay dates. Plain text goes as a plain value: 10x faster."""
    from openpyxl.cell import WriteOnlyCell

    if value is None:
        return None
    if isinstance(value, dt.datetime | dt.date):
        cell = WriteOnlyCell(ws, value=value)
        cell.number_format = "yyyy-mm-dd hh:mm:ss" if isinstance(value, dt.datetime) else "yyyy-mm-dd"
        return cell
    # a control character is why some rows were refused, and openpyxl cannot write one: show it as �
    text = illegal.sub("\ufffd", str(value))
    if not text.startswith("="):
        return text
    cell = WriteOnlyCell(ws, value=text)
    cell.data_type = "s"  # never a formula
    return cell


def write_xlsx(path: str | Path, table_headers: Sequence[str],
               rejected_rows: Iterable[RejectedRow | tuple[int, Mapping[str, object], str]]) -> Path:
    """The rejected rows with the original columns in their original order, plus 错误原因 (bold header,
    first row frozen). Written in streaming mode: memory stays flat however many rows were refused."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    path = Path(path)
    illegal = _illegal_chars()
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("错误行")
    ws.freeze_panes = "A2"
    headers = list(table_headers)
    for i, h in enumerate(headers, start=1):
        ws.column_dimensions[get_column_letter(i)].width = max(12, min(40, len(str(h)) * 2 + 4))
    ws.column_dimensions[get_column_letter(len(headers) + 1)].width = 60
    bold = Font(bold=True)
    header_row = []
    for h in [*headers, ERROR_HEADER]:
        cell = WriteOnlyCell(ws, value=illegal.sub("\ufffd", str(h)))
        cell.font = bold
        cell.data_type = "s"
        header_row.append(cell)
    ws.append(header_row)
    wrap = Alignment(wrap_text=True, vertical="top")
    for item in rejected_rows:
        row, values, reason = item
        cells = [_cell(ws, values.get(h), illegal) for h in headers]
        why = WriteOnlyCell(ws, value=illegal.sub("\ufffd", f"第{row}行：{reason}"))
        why.data_type = "s"
        why.alignment = wrap
        cells.append(why)
        ws.append(cells)
    wb.save(path)
    return path
