"""XLSX: one sheet per table of the summary, header frozen, filters on,
columns sized to their content. Streamed (write-only) to stay fast on large meetings."""
from __future__ import annotations

import datetime as dt
import io

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from .content import Minutes, Money, Sheet
from .formatting import cell_text, xml_safe

MAX_WIDTH = 60
HEADER_FONT = Font(bold=True)
HEADER_FILL = PatternFill("solid", fgColor="DDE4EE")
WRAP = Alignment(wrap_text=True, vertical="top")
RUPIAH = '"Rp" #,##0'


def _width(values) -> float:
    longest = max((max(map(len, cell_text(v).split("\n") or [""])) for v in values), default=0)
    return min(MAX_WIDTH, max(6, longest + 2))


def _cell(ws, value, bold: bool = False):
    if isinstance(value, str):
        value = xml_safe(value)
    cell = WriteOnlyCell(ws, value=value)
    if isinstance(value, str) and value.startswith("="):
        # Typed text is never a formula, whatever it starts with.
        cell.data_type = "s"
    if isinstance(value, Money):
        cell.number_format = RUPIAH
    elif isinstance(value, dt.date):
        cell.number_format = "yyyy-mm-dd"
    if isinstance(value, str) and len(value) > MAX_WIDTH:
        cell.alignment = WRAP
    if bold:
        cell.font = HEADER_FONT
    return cell


def _plain(ws, value):
    """Most cells need no style: plain values are much cheaper to stream."""
    if isinstance(value, (Money, dt.date)) or (
            isinstance(value, str) and (value.startswith("=") or len(value) > MAX_WIDTH
                                        or xml_safe(value) != value)):
        return _cell(ws, value)
    return value


def _sheet(wb: Workbook, sheet: Sheet) -> None:
    ws = wb.create_sheet(xml_safe(sheet.name)[:31])
    t = sheet.table
    for i, column in enumerate(t.columns):
        ws.column_dimensions[get_column_letter(i + 1)].width = _width(
            [column.title] + [row[i] for row in t.rows[:2000]])
    ws.freeze_panes = "A2"
    last = f"{get_column_letter(len(t.columns))}{len(t.rows) + 1}"
    ws.auto_filter.ref = f"A1:{last}"
    header = []
    for c in t.columns:
        cell = _cell(ws, c.title, bold=True)
        cell.fill = HEADER_FILL
        header.append(cell)
    ws.append(header)
    for i, row in enumerate(t.rows):
        if i in t.emphasis:
            ws.append([_cell(ws, v, bold=True) for v in row])
        else:
            ws.append([_plain(ws, v) for v in row])


def render(m: Minutes) -> bytes:
    wb = Workbook(write_only=True)
    for sheet in m.sheets:
        _sheet(wb, sheet)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
