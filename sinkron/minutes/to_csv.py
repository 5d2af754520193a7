"""CSV: the proposals with their outcomes, UTF-8 with a BOM so that spreadsheet
programs detect the encoding instead of garbling Indonesian names."""
from __future__ import annotations

import csv
import datetime as dt
import io

from .content import Minutes

# A cell starting with one of these runs as a formula when a spreadsheet opens
# the file; typed text must never do that, so it gets a leading apostrophe.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def value(cell) -> str | int | float:
    if cell is None:
        return ""
    if isinstance(cell, dt.date):
        return cell.isoformat()
    if isinstance(cell, str):
        return "'" + cell if cell.startswith(FORMULA_START) else cell
    return int(cell) if isinstance(cell, int) else cell


def render(m: Minutes) -> bytes:
    table = next(s for s in m.sheets if s.csv).table
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([value(c.title) for c in table.columns])
    for row in table.rows:
        writer.writerow([value(c) for c in row])
    return out.getvalue().encode("utf-8-sig")
