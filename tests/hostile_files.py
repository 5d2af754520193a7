"""Spreadsheets built to hurt a server, as the hardening issue's probe made
them: small files that unpack into huge sheets or string tables. Written as
raw XLSX parts (openpyxl would take minutes to write millions of cells)."""
from __future__ import annotations

import io
import zipfile

_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    '<Override PartName="/xl/sharedStrings.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
    '</Types>')
_RELS = ('<?xml version="1.0" encoding="UTF-8"?>'
         '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
         '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
         'relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>')
_WORKBOOK = ('<?xml version="1.0" encoding="UTF-8"?>'
             '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
             'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
             '<sheets><sheet name="Usulan" sheetId="1" r:id="rId1"/></sheets></workbook>')
_WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
    'worksheet" Target="worksheets/sheet1.xml"/>'
    '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
    'sharedStrings" Target="sharedStrings.xml"/></Relationships>')
_NS = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'


def _column(n: int) -> str:
    letters = ""
    while n:
        n, rest = divmod(n - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def xlsx(rows_xml, strings: list[str] | None = None, string_count: int | None = None,
         dimension: str | None = None, shared_xml=None) -> bytes:
    """An XLSX whose sheet body is `rows_xml` (a str, or an iterable of str
    chunks streamed into the zip)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", _CONTENT_TYPES)
        z.writestr("_rels/.rels", _RELS)
        z.writestr("xl/workbook.xml", _WORKBOOK)
        z.writestr("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS)
        with z.open("xl/sharedStrings.xml", "w", force_zip64=True) as part:
            strings = strings or []
            count = len(strings) if string_count is None else string_count
            part.write(f'<?xml version="1.0" encoding="UTF-8"?><sst {_NS} count="{count}" '
                       f'uniqueCount="{count}">'.encode())
            for chunk in (shared_xml or (f"<si><t>{s}</t></si>" for s in strings)):
                part.write(chunk.encode())
            part.write(b"</sst>")
        with z.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as part:
            dim = f'<dimension ref="{dimension}"/>' if dimension else ""
            part.write(f'<?xml version="1.0" encoding="UTF-8"?><worksheet {_NS}>{dim}<sheetData>'.encode())
            for chunk in ([rows_xml] if isinstance(rows_xml, str) else rows_xml):
                part.write(chunk.encode())
            part.write(b"</sheetData></worksheet>")
    return out.getvalue()


def header_row() -> str:
    return '<row><c t="inlineStr"><is><t>Usulan</t></is></c><c t="inlineStr"><is><t>Kecamatan</t></is></c></row>'


def many_cells(rows: int = 10_001, columns: int = 1_000, declare: bool = False) -> bytes:
    """The probe's first file: 10,001 rows of 1,000 numbers, about 335 KB zipped."""
    row = "<row>" + "<c><v>1</v></c>" * columns + "</row>"
    return xlsx((row for _ in range(rows)), dimension=f"A1:{_column(columns)}{rows}" if declare else None)


def one_huge_string(size: int = 300 * 1024 * 1024) -> bytes:
    """One shared string of `size` characters: openpyxl loads every shared string at open."""
    chunk = "A" * (1024 * 1024)
    body = ["<si><t>"] + [chunk] * (size // len(chunk)) + ["</t></si>"]
    return xlsx(header_row(), string_count=1, shared_xml=body)


def many_strings(count: int = 2_000_000) -> bytes:
    """Millions of short shared strings (about 5 MB zipped for two million)."""
    return xlsx(header_row(), string_count=count,
                shared_xml=(f"<si><t>s{i}</t></si>" for i in range(count)))


def big_sheet(rows: int = 9_000, columns: int = 30) -> bytes:
    """A large but honest sheet: every cell different, within every limit."""
    head = "<row>" + '<c t="inlineStr"><is><t>Usulan</t></is></c>' + "".join(
        f'<c t="inlineStr"><is><t>Kolom {c}</t></is></c>' for c in range(1, columns)) + "</row>"

    def body():
        yield head
        for r in range(rows):
            yield "<row>" + "".join(f'<c t="inlineStr"><is><t>Usulan {r}-{c}</t></is></c>'
                                    for c in range(columns)) + "</row>"
    return xlsx(body())
