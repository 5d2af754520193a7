"""Reads proposals (usulan) and plan items (RKPD / Renja) from CSV or XLSX files.

Spreadsheets come from different offices with their own column order and
Indonesian headers, so columns are matched by name through synonym tables.
Pure: no Flask, no database; the caller decides what to store.
"""
from __future__ import annotations

import codecs
import csv
import io
import math
import re
import zipfile
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from itertools import islice

from sinkron.meeting.errors import N_
from sinkron.meeting.vocab import AUTHORITIES, canonical_authority

MAX_ROWS = 10_000
MAX_AMOUNT = 10**15  # far above any budget line; guards the BigInteger column
HEADER_SEARCH_ROWS = 10  # offices often put a title or a blank line above the table

# Limits checked before and while parsing, so that a hostile file is refused
# early and names the limit it broke. Real planning spreadsheets are far below.
MAX_COLUMNS = 200
MAX_CELL_CHARS = 32_767                 # Excel's own limit for one cell
MAX_ZIP_MEMBERS = 500
MAX_MEMBER_BYTES = 50 * 1024 * 1024     # one XML part of an XLSX, uncompressed
MAX_UNCOMPRESSED_BYTES = 100 * 1024 * 1024
MAX_COMPRESSION_RATIO = 100             # XML compresses 5-20x; zip bombs 1000x
RATIO_CHECK_FROM = 1024 * 1024          # small parts may compress much better
MAX_SHARED_STRINGS = 500_000          # 10,000 rows of 50 text cells


@dataclass
class RowProblem:
    row: int
    message: str
    params: dict


@dataclass
class ImportResult:
    rows: list[dict]
    problems: list[RowProblem]
    # The fields the file has a column for: a repeated import updates only these.
    columns: tuple[str, ...] = ()
    # The file's row number of each row in `rows`.
    row_numbers: list[int] = field(default_factory=list)
    # What the file was read as: "xlsx", or a CSV's text encoding ("utf-8", "cp1252", ...).
    read_as: str | None = None


class ImportFileError(Exception):
    """The whole file is unusable; .message is an English message id."""

    def __init__(self, message: str, **params):
        super().__init__(message % params if params else message)
        self.message = message
        self.params = params


# field -> (kind, max length, header synonyms "|"-separated, preferred first)
PROPOSAL_COLUMNS = {
    "code": ("text", 40, "kode|kode usulan|no|no urut|nomor"),
    "title": ("text", 500, "usulan|nama usulan|kegiatan usulan|usulan kegiatan|judul|judul usulan"),
    "problem": ("text", 5000, "permasalahan|masalah|uraian masalah"),
    "proposer": ("text", 300, "pengusul|diusulkan oleh|nama pengusul"),
    "kecamatan": ("text", 120, "kecamatan|kec"),
    "desa": ("text", 120, "desa|kelurahan|kelurahan desa|desa kelurahan|kel desa|desa kel"),
    "volume": ("text", 40, "volume|vol"),
    "unit": ("text", 60, "satuan"),
    "coefficient": ("text", 60, "koefisien|volume satuan"),
    "cost": ("amount", 0, "perkiraan biaya|anggaran|pagu|biaya|nilai|perkiraan anggaran|pagu indikatif"),
    "sector": ("text", 200, "sektor|bidang|bidang urusan|urusan"),
    "authority": ("authority", 20, "kewenangan"),
    "target_agency": ("text", 300,
                      "opd tujuan|skpd tujuan|perangkat daerah|perangkat daerah tujuan|opd|skpd"),
    "programme_code": ("text", 60, "kode program|kode rekening|kode nomenklatur"),
}
PLAN_COLUMNS = {
    "document": ("text", 300, "dokumen|dokumen perencanaan|sumber dokumen"),
    "agency": ("text", 300, "perangkat daerah|opd|skpd|instansi"),
    "code": ("text", 60, "kode|kode rekening|kode sub kegiatan|kode kegiatan|kode program"),
    "programme": ("text", 500, "program|nama program"),
    "activity": ("text", 500, "kegiatan|nama kegiatan"),
    "sub_activity": ("text", 500, "sub kegiatan|subkegiatan|nama sub kegiatan"),
    "location": ("text", 500, "lokasi|lokasi kegiatan"),
    "budget": ("amount", 0, "pagu|anggaran|pagu indikatif|pagu anggaran|nilai"),
    "authority": ("authority", 20, "kewenangan"),
}


def read_proposals(filename: str, data: bytes) -> ImportResult:
    return _read(filename, data, PROPOSAL_COLUMNS, required=("title",), finish=_finish_proposal)


def read_plan_items(filename: str, data: bytes) -> ImportResult:
    return _read(filename, data, PLAN_COLUMNS, required=("programme", "activity", "sub_activity"),
                 finish=_finish_plan_item)


def _read(filename, data, columns, required, finish) -> ImportResult:
    table, read_as = _table(filename, data)
    header_at, mapping = _find_header(table, columns)
    if not mapping:
        examples = [_synonyms(spec)[0] for spec in list(columns.values())[:5]]
        raise ImportFileError(
            N_("No known column headers were found. Expected headers such as %(examples)s."),
            examples=", ".join(f"'{e}'" for e in examples))
    if not any(f in mapping for f in required):
        examples = [s for f in required for s in _synonyms(columns[f])[:3]]
        raise ImportFileError(
            N_("No column for '%(column)s' was found. Expected a header such as %(examples)s."),
            column=" / ".join(_synonyms(columns[f])[0] for f in required),
            examples=", ".join(f"'{e}'" for e in examples))
    headers = table[header_at]
    result, seen_data = ImportResult([], [], tuple(mapping), read_as=read_as), False
    for index in range(header_at + 1, len(table)):
        cells = table[index]
        if not any(_text(c) for c in cells):
            continue
        if not seen_data and _is_column_numbering(cells):
            continue
        seen_data = True
        row_no = index + 1
        record, problems = {}, []
        for name, (kind, max_len, _) in columns.items():
            col = mapping.get(name)
            raw = cells[col] if col is not None and col < len(cells) else None
            where = {"row": row_no, "column": _text(headers[col]) if col is not None else name}
            record[name] = _convert(kind, max_len, raw, where, problems)
        problems += finish(record, row_no, headers, mapping)
        if problems:
            result.problems += [RowProblem(row_no, m, p) for m, p in problems]
        else:
            result.rows.append(record)
            result.row_numbers.append(row_no)
    if not seen_data:
        raise ImportFileError(N_("The file has column headers but no data rows."))
    return result


def _convert(kind, max_len, raw, where, problems):
    if kind == "amount":
        return _amount(raw, where, problems)
    text = _text(raw)
    if kind == "authority" and text:
        found = canonical_authority(text.rstrip("."))
        if found is None:
            problems.append((N_("Row %(row)s: '%(column)s' is not a known level of authority: '%(value)s'. "
                                "Use one of %(allowed)s."),
                             {**where, "value": _clip(text), "allowed": ", ".join(AUTHORITIES)}))
        return found or ""
    if len(text) > max_len:
        problems.append((N_("Row %(row)s: '%(column)s' is longer than %(max)s characters."),
                         {**where, "max": max_len}))
    return text


def _finish_proposal(record, row_no, headers, mapping):
    coefficient = record.pop("coefficient")
    # "Koefisien" holds volume and unit together ("10 Unit", "2,5 ha"); own columns win.
    if coefficient:
        match = re.match(r"^(\d+(?:[.,]\d+)*)\s*(.*)$", coefficient)
        volume, unit = (match.group(1), match.group(2).strip()) if match else ("", coefficient)
        record["volume"] = record["volume"] or volume
        record["unit"] = record["unit"] or unit
    record["volume"] = record["volume"] or None
    if not record["title"]:
        column = _text(headers[mapping["title"]])
        return [(N_("Row %(row)s: '%(column)s' is empty; every proposal needs a title."),
                 {"row": row_no, "column": column})]
    return []


def _finish_plan_item(record, row_no, headers, mapping):
    if not (record["programme"] or record["activity"] or record["sub_activity"]):
        return [(N_("Row %(row)s: a plan item needs a programme, an activity or a sub-activity."),
                 {"row": row_no})]
    return []


# --- headers ------------------------------------------------------------------

def _normalise_header(value) -> str:
    words = re.sub(r"[^\w]+|_", " ", _text(value).casefold()).split()
    return " ".join(w for w in words if w != "rp")


def _match_columns(cells, columns) -> dict[str, int]:
    """field -> column index; when several columns fit a field, the preferred synonym wins."""
    best: dict[str, tuple[int, int]] = {}
    for col, cell in enumerate(cells):
        header = _normalise_header(cell)
        for name, (_, _, synonyms) in columns.items():
            synonyms = synonyms.split("|")
            if header in synonyms:
                rank = synonyms.index(header)
                if name not in best or rank < best[name][0]:
                    best[name] = (rank, col)
                break
    return {name: col for name, (_, col) in best.items()}


def _find_header(table, columns) -> tuple[int, dict[str, int]]:
    candidates = [(i, _match_columns(row, columns)) for i, row in enumerate(table[:HEADER_SEARCH_ROWS])]
    return max(candidates, key=lambda c: len(c[1]), default=(0, {}))  # max keeps the first of equals


def _synonyms(spec) -> list[str]:
    return [s.title() for s in spec[2].split("|")]


def _is_column_numbering(cells) -> bool:
    # Government forms often number the columns "(1) (2) (3)" in the row under the header.
    values = [_text(c) for c in cells if _text(c)]
    return len(values) > 2 and all(re.fullmatch(r"\(?\d{1,2}\)?", v) for v in values)


# --- cell values ---------------------------------------------------------------

def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _clip(text: str, length: int = 60) -> str:
    return text if len(text) <= length else text[:length - 1] + "…"


_MULTIPLIERS = {"ribu": 10**3, "rb": 10**3, "juta": 10**6, "jt": 10**6,
                "miliar": 10**9, "milyar": 10**9, "m": 10**9}


def _amount(raw, where, problems) -> int | None:
    if raw is None or (isinstance(raw, str) and _text(raw) in ("", "-")):
        return None
    value = None
    if isinstance(raw, str):
        value = _parse_rupiah(raw)
    elif isinstance(raw, int) and not isinstance(raw, bool) or isinstance(raw, float) and math.isfinite(raw):
        value = Decimal(raw)
    shown = {**where, "value": _clip(_text(raw))}
    if value is None:
        problems.append((N_("Row %(row)s: '%(column)s' is not an amount in Rupiah: '%(value)s'."), shown))
        return None
    if value < 0:
        problems.append((N_("Row %(row)s: '%(column)s' cannot be negative: '%(value)s'."), shown))
        return None
    if value > MAX_AMOUNT:
        problems.append((N_("Row %(row)s: '%(column)s' is too large: '%(value)s'."), shown))
        return None
    return int(value.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def _parse_rupiah(text: str) -> Decimal | None:
    s = re.sub(r"\s+|rp\.?|idr", "", text.casefold())
    negative = s.startswith("-") or (s.startswith("(") and s.endswith(")"))
    s = s[1:-1] if s.startswith("(") and s.endswith(")") else s.lstrip("-")
    s = re.sub(r"[.,]-$", "", s)  # "Rp 250.000,-" is how amounts are often written
    multiplier = 1
    words = re.match(r"^(.*\d)([a-z]+)\.?$", s)
    if words and words.group(2) in _MULTIPLIERS:
        # "1,5 juta": a single separator before a word is a decimal point
        s, multiplier = words.group(1).replace(",", "."), _MULTIPLIERS[words.group(2)]
        if not re.fullmatch(r"\d+(\.\d+)?", s):
            return None
    elif re.fullmatch(r"\d+", s):
        pass
    elif m := re.fullmatch(r"(\d{1,3}(?:\.\d{3})+|\d+)(?:,(\d{1,2}))?", s):  # 250.000.000,00
        s = m.group(1).replace(".", "") + "." + (m.group(2) or "0")
    elif m := re.fullmatch(r"(\d{1,3}(?:,\d{3})+|\d+)(?:\.(\d{1,2}))?", s):  # 250,000,000.00
        s = m.group(1).replace(",", "") + "." + (m.group(2) or "0")
    else:
        return None
    try:
        value = Decimal(s) * multiplier
    except InvalidOperation:
        return None
    return -value if negative else value


# --- files ---------------------------------------------------------------------

def check_limits(filename: str, data: bytes) -> None:
    """What can be checked without parsing: an XLSX's zip directory (member
    count, uncompressed sizes, compression ratios) and the counts its sheet
    and shared strings declare. Cheap, so it runs before any parser does."""
    if not data.startswith(b"PK"):
        if data.count(b"\n") > MAX_ROWS:  # maybe too many rows: count them (C speed)
            text = data.decode("utf-8", errors="replace")
            delimiter = _sniff_delimiter(text[:65536].splitlines())
            csv.field_size_limit(MAX_CELL_CHARS)
            try:
                rows = sum(1 for _ in islice(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter),
                                             MAX_ROWS + 1))
            except csv.Error:
                return  # the parser says what is wrong, naming the row
            _check_size(rows, 0)
        return
    try:
        book = zipfile.ZipFile(io.BytesIO(data))
        members = book.infolist()
    except (zipfile.BadZipFile, ValueError, OSError) as exc:
        raise ImportFileError(N_("The XLSX file could not be read; it may be damaged.")) from exc
    if len(members) > MAX_ZIP_MEMBERS:
        raise ImportFileError(N_("The XLSX file has more than %(max)s parts."), max=MAX_ZIP_MEMBERS)
    total = 0
    for m in members:
        total += m.file_size
        if m.file_size > MAX_MEMBER_BYTES:
            raise ImportFileError(N_("A part of the XLSX file unpacks to more than %(max)s MB."),
                                  max=MAX_MEMBER_BYTES // 2**20)
        if m.file_size > RATIO_CHECK_FROM and m.file_size > MAX_COMPRESSION_RATIO * max(m.compress_size, 1):
            raise ImportFileError(N_("A part of the XLSX file is compressed more than %(max)s to 1, "
                                     "as only hostile files are."), max=MAX_COMPRESSION_RATIO)
    if total > MAX_UNCOMPRESSED_BYTES:
        raise ImportFileError(N_("The XLSX file unpacks to more than %(max)s MB."),
                              max=MAX_UNCOMPRESSED_BYTES // 2**20)
    names = {m.filename: m for m in members}
    strings = _declared(book, names.get("xl/sharedStrings.xml"), rb'<sst\b[^>]*?\bcount="(\d+)"')
    if strings and int(strings.group(1)) > MAX_SHARED_STRINGS:
        raise ImportFileError(N_("The XLSX file has more than %(max)s text cells."), max=MAX_SHARED_STRINGS)
    for name in sorted(n for n in names if re.fullmatch(r"xl/worksheets/sheet\d+\.xml", n))[:1]:
        size = _declared(book, names[name], rb'<dimension\b[^>]*?\bref="[A-Z]+\d+:([A-Z]+)(\d+)"')
        if size:
            _check_size(int(size.group(2)), _column_number(size.group(1).decode()))


def _declared(book: zipfile.ZipFile, member, pattern: bytes):
    """A count an XML part declares in its first bytes (read as a stream)."""
    if member is None:
        return None
    with book.open(member) as part:
        head = part.read(4096)
    return re.search(pattern, head)


def _column_number(letters: str) -> int:
    number = 0
    for ch in letters:
        number = number * 26 + ord(ch) - 64
    return number


def _check_size(rows: int, columns: int) -> None:
    if rows > MAX_ROWS:
        raise ImportFileError(N_("The file has more than %(max)s rows."), max=MAX_ROWS)
    if columns > MAX_COLUMNS:
        raise ImportFileError(N_("The file has more than %(max)s columns."), max=MAX_COLUMNS)


def _check_row(index: int, row: list) -> None:
    _check_size(index + 1, len(row))
    for cell in row:
        if isinstance(cell, str) and len(cell) > MAX_CELL_CHARS:
            raise ImportFileError(N_("Row %(row)s has a cell longer than %(max)s characters."),
                                  row=index + 1, max=MAX_CELL_CHARS)


def _table(filename: str, data: bytes) -> tuple[list[list], str]:
    """The first sheet as rows of raw cell values (str, int, float, ...), and
    what the file was read as."""
    if not data or not data.strip(b" \t\r\n\x00\xef\xbb\xbf"):
        raise ImportFileError(N_("The file is empty."))
    if data.startswith(b"%PDF"):
        raise ImportFileError(N_("This file is not a CSV or XLSX spreadsheet."))
    check_limits(filename, data)
    if data.startswith(b"PK"):
        rows, read_as = _xlsx_rows(data), "xlsx"
    elif data.startswith(b"\xd0\xcf\x11\xe0"):
        raise ImportFileError(N_("This is an old Excel (.xls) or password-protected file. "
                                 "Save it as .xlsx or .csv without a password and try again."))
    elif filename.lower().endswith((".xlsx", ".xlsm")):
        raise ImportFileError(N_("The XLSX file could not be read; it may be damaged."))
    else:
        text, read_as = _decode(data)
        rows = _csv_rows(text)
    while rows and not any(_text(c) for c in rows[-1]):
        rows.pop()
    if not rows:
        raise ImportFileError(N_("The file is empty."))
    return rows, read_as


def _xlsx_rows(data: bytes) -> list[list]:
    import openpyxl  # only XLSX imports need it

    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        try:
            if not book.worksheets:
                return []
            sheet = book.worksheets[0]
            sheet.reset_dimensions()  # some writers record wrong sheet sizes
            rows = []
            for index, row in enumerate(sheet.iter_rows(values_only=True)):
                _check_row(index, row)
                rows.append(list(row))
            return rows
        finally:
            book.close()
    except (ImportFileError, MemoryError):
        raise
    except Exception as exc:  # zip, XML and openpyxl errors all mean the same to the user
        raise ImportFileError(N_("The XLSX file could not be read; it may be damaged.")) from exc


_MULTIBYTE_FAMILIES = ("cp932", "shift_jis", "euc", "gb", "big5", "cp949", "johab", "hz", "iso2022")


def _decode(data: bytes) -> tuple[str, str]:
    """The CSV's text and the encoding it was read as. UTF-8 (with or without
    BOM) and UTF-16 with BOM are taken as they are. A file that is partly
    UTF-8 and partly not is refused, naming the first row that is not. Any
    other file's encoding is detected (charset-normalizer); among single-byte
    encodings, which short files cannot tell apart, Windows-1252 wins (what
    Excel on Windows saves in Indonesia)."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):  # Excel's "Unicode text"
        try:
            return _checked_text(data.decode("utf-16")), "utf-16"
        except UnicodeDecodeError as exc:
            raise ImportFileError(N_("Row %(row)s is not valid UTF-16 text."),
                                  row=data[:exc.start].count("\n".encode("utf-16-le")) + 1) from exc
    try:
        return _checked_text(data.decode("utf-8-sig")), "utf-8"
    except UnicodeDecodeError:
        pass
    lines = data.split(b"\n")
    utf8_row = bad_row = None
    for number, line in enumerate(lines, 1):
        if line.isascii():
            continue
        try:
            line.decode("utf-8")
            utf8_row = utf8_row or number
        except UnicodeDecodeError:
            bad_row = bad_row or number
        if utf8_row and bad_row:
            raise ImportFileError(N_("The file mixes text encodings: row %(utf8)s is UTF-8 but row %(row)s "
                                     "is not. Save the whole file as UTF-8 and try again."),
                                  utf8=utf8_row, row=bad_row)
    from charset_normalizer import from_bytes  # only legacy-encoded CSV files need it

    best = from_bytes(data).best()
    if best is None:
        raise ImportFileError(N_("Row %(row)s is not text in any encoding Sinkron knows. "
                                 "Save the file as CSV UTF-8 and try again."), row=bad_row or 1)
    encoding = codecs.lookup(best.encoding).name
    if not encoding.startswith(_MULTIBYTE_FAMILIES):
        try:
            return _checked_text(data.decode("cp1252")), "cp1252"
        except UnicodeDecodeError:
            pass
    return _checked_text(str(best)), encoding


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def _checked_text(text: str) -> str:
    controls = len(_CONTROL.findall(text))
    if "\x00" in text or controls > len(text) // 100:
        raise ImportFileError(N_("This file is not a CSV or XLSX spreadsheet."))
    return text


def _csv_rows(text: str) -> list[list]:
    lines = text[:65536].splitlines()
    if lines and re.fullmatch(r"sep=.", lines[0].strip()):  # Excel's delimiter hint line
        delimiter, text = lines[0].strip()[4], text.split("\n", 1)[1] if "\n" in text else ""
    else:
        delimiter = _sniff_delimiter(lines)
    csv.field_size_limit(MAX_CELL_CHARS)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    rows: list[list] = []
    started = 1  # the line the row being read starts on
    try:
        for row in reader:
            _check_row(len(rows), row)
            _check_quotes(row, delimiter, started, max(map(len, rows), default=0))
            rows.append(list(row))
            started = reader.line_num + 1
    except csv.Error as exc:
        if "field larger" in str(exc):
            raise ImportFileError(N_("Row %(row)s has a cell longer than %(max)s characters."),
                                  row=started, max=MAX_CELL_CHARS) from exc
        if "end of data" in str(exc):
            raise ImportFileError(N_("Row %(row)s opens a quote (\") that is never closed."),
                                  row=started) from exc
        raise ImportFileError(N_("Row %(row)s could not be read: a quote (\") is misplaced."),
                              row=started) from exc
    return rows


def _check_quotes(row: list, delimiter: str, started: int, width: int) -> None:
    """A stray quote can swallow the rows after it into one cell until the
    next quote: a cell spanning lines that look like whole rows of their own
    (as many delimiters as the widest row so far has cells, less one)."""
    if width < 3:
        return
    for cell in row:
        if "\n" in cell:
            lines = [line for line in cell.split("\n")[1:] if line.strip()]
            if lines and sum(line.count(delimiter) >= width - 1 for line in lines) * 2 > len(lines):
                raise ImportFileError(N_("Row %(row)s opens a quote (\") that swallows the rows after "
                                         "it; check the quotes in that row."), row=started)
def _sniff_delimiter(lines: list[str]) -> str:
    # The first line with a delimiter outside quotes is normally the header.
    for line in lines[:HEADER_SEARCH_ROWS]:
        bare = re.sub(r'"[^"]*"', "", line)
        counts = {d: bare.count(d) for d in (",", ";", "\t")}
        best = max(counts, key=counts.get)
        if counts[best]:
            return best
    return ","
