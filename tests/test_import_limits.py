"""Findings 1 and 7 of the hardening issue: spreadsheets are checked before
they are parsed and parsed in a child process with memory and time limits;
text files say which encoding they were read as, and refuse mixed encodings
and broken quotes, naming the row."""
from __future__ import annotations

import pytest

from sinkron.imports import isolate
from sinkron.imports.read import (
    MAX_CELL_CHARS, MAX_COLUMNS, MAX_ROWS, ImportFileError, check_limits, read_proposals)
from tests import hostile_files


def _refusal(data: bytes, filename: str = "usulan.xlsx", **limits) -> str:
    with pytest.raises(ImportFileError) as caught:
        isolate.read("proposals", filename, data, **limits)
    return str(caught.value)


@pytest.mark.parametrize("build, limit", [
    (lambda: hostile_files.many_cells(), "unpacks to more than 50 MB"),
    (lambda: hostile_files.many_cells(rows=2_000, columns=300, declare=True), "compressed more than 100 to 1"),
    (lambda: hostile_files.one_huge_string(60 * 1024 * 1024), "unpacks to more than 50 MB"),
    (lambda: hostile_files.one_huge_string(3 * 1024 * 1024), "compressed more than 100 to 1"),
    (lambda: hostile_files.many_strings(600_000), "more than 500000 text cells"),
    (lambda: hostile_files.xlsx(hostile_files.header_row(), dimension="A1:B20000"), f"more than {MAX_ROWS} rows"),
    (lambda: hostile_files.xlsx(hostile_files.header_row(), dimension="A1:ZZ2"), f"more than {MAX_COLUMNS} columns"),
])
def test_hostile_xlsx_is_refused_before_parsing_naming_the_limit(build, limit):
    data = build()
    # Refused by the checks that run before any parser (or child process) starts.
    with pytest.raises(ImportFileError) as caught:
        check_limits("usulan.xlsx", data)
    assert limit in str(caught.value)
    assert limit in _refusal(data)


def test_limits_found_while_parsing_name_the_row():
    long_cell = hostile_files.xlsx(hostile_files.header_row() + '<row><c t="inlineStr"><is><t>'
                                   + "x" * (MAX_CELL_CHARS + 1) + "</t></is></c></row>")
    assert f"Row 2 has a cell longer than {MAX_CELL_CHARS}" in _refusal(long_cell)
    wide = ("Usulan," * (MAX_COLUMNS + 1)).encode() + b"\nJalan\n"
    assert f"more than {MAX_COLUMNS} columns" in _refusal(wide, "usulan.csv")
    tall = b"Usulan,Kecamatan\n" + b"Jalan desa,Sakra\n" * (MAX_ROWS + 5)
    assert f"more than {MAX_ROWS} rows" in _refusal(tall, "usulan.csv")
    long_csv = b"Usulan\n" + b"y" * (MAX_CELL_CHARS + 1) + b"\n"
    assert f"Row 2 has a cell longer than {MAX_CELL_CHARS}" in _refusal(long_csv, "usulan.csv")


def test_the_child_process_has_a_memory_limit():
    data = hostile_files.big_sheet(rows=9_000, columns=30)
    assert "more than 48 MB of memory" in _refusal(data, memory_mb=48)


def test_the_child_process_has_a_time_limit():
    data = hostile_files.big_sheet(rows=9_000, columns=30)
    assert "longer than 1 seconds" in _refusal(data, seconds=1)


def test_an_honest_file_reads_the_same_in_the_child_process():
    data = hostile_files.big_sheet(rows=50, columns=3)
    isolated = isolate.read("proposals", "usulan.xlsx", data)
    direct = read_proposals("usulan.xlsx", data)
    assert isolated == direct and len(isolated.rows) == 50
    assert isolated.read_as == "xlsx"


# --- what a CSV was read as -------------------------------------------------

def test_windows_1252_is_read_as_such_and_said():
    data = "Usulan;Kecamatan\nCafé bersama;Sakra\nJalan à la desa;Keruak\n".encode("cp1252")
    result = isolate.read("proposals", "usulan.csv", data)
    assert [r["title"] for r in result.rows] == ["Café bersama", "Jalan à la desa"]
    assert result.read_as == "cp1252"


def test_shift_jis_is_detected_not_mangled():
    data = "Usulan,Kecamatan\n道路の建設,東京\n橋の修理,大阪\n".encode("shift_jis")
    result = read_proposals("usulan.csv", data)
    assert [r["title"] for r in result.rows] == ["道路の建設", "橋の修理"]
    assert result.read_as in ("cp932", "shift_jis")


def test_utf8_with_a_latin1_row_is_refused_naming_the_row():
    data = ("Usulan,Kecamatan\nCafé pertama,Sakra\n".encode("utf-8")
            + "Café kedua,Keruak\n".encode("latin-1"))
    with pytest.raises(ImportFileError) as caught:
        read_proposals("usulan.csv", data)
    assert "row 3 is not" in str(caught.value) and "row 2 is UTF-8" in str(caught.value)


def test_an_unterminated_quote_is_refused_naming_its_row():
    data = b'Usulan,Kecamatan,Desa\nJalan,Sakra,Pijot\n"Embung,Keruak,Tanjung\nSumur,Jerowaru,Ekas\n'
    with pytest.raises(ImportFileError) as caught:
        read_proposals("usulan.csv", data)
    assert "Row 3 opens a quote" in str(caught.value)


def test_a_stray_quote_that_swallows_rows_is_refused():
    data = (b'Usulan,Kecamatan,Desa\n"Jalan,Sakra,Pijot\nEmbung,Keruak,Tanjung\n'
            b'Sumur,Jerowaru,Ekas"\nPasar,Sakra,Lenek\n')
    with pytest.raises(ImportFileError) as caught:
        read_proposals("usulan.csv", data)
    assert "Row 2 opens a quote" in str(caught.value)


def test_a_quoted_cell_with_line_breaks_is_still_fine():
    data = b'Usulan,Permasalahan,Kecamatan\nJalan,"Rusak berat\nsaat hujan, banjir",Sakra\n'
    result = read_proposals("usulan.csv", data)
    assert result.rows[0]["problem"] == "Rusak berat\nsaat hujan, banjir"
