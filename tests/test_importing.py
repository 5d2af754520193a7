import io
import random
from pathlib import Path

import openpyxl
import pytest

from sinkron.imports.read import (
    ImportFileError, ImportResult, RowProblem, read_plan_items, read_proposals,
)

DATA = Path(__file__).resolve().parent.parent / "sinkron" / "data"


def xlsx(rows, title_rows=()) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    for row in [*title_rows, *rows]:
        sheet.append(list(row))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def problems_by_row(result: ImportResult) -> dict[int, list[RowProblem]]:
    found: dict[int, list[RowProblem]] = {}
    for p in result.problems:
        found.setdefault(p.row, []).append(p)
    return found


# --- the shipped samples -------------------------------------------------------

def test_sample_proposals_import_fully():
    result = read_proposals("usulan-contoh.csv", (DATA / "usulan-contoh.csv").read_bytes())
    assert result.problems == []
    assert len(result.rows) == 16
    first = result.rows[0]
    assert first["code"] == "HMS-01"
    assert first["title"] == "Pembangunan rumah garam prisma"
    assert first["cost"] == 250000000
    assert first["authority"] == "Kabupaten"
    assert first["volume"] == "10" and first["unit"] == "unit"
    assert first["kecamatan"] == "Jerowaru" and first["desa"] == "Pemongkong"
    assert first["target_agency"] == "Dinas Kelautan dan Perikanan Kab. Lombok Timur"
    assert first["programme_code"] == ""
    assert result.rows[1]["programme_code"] == "3.27.07"
    assert result.rows[14]["cost"] == 0
    assert result.rows[14]["authority"] == "Non-pemerintah"
    assert [r["code"] for r in result.rows] == [f"HMS-{i:02d}" for i in range(1, 17)]
    assert set(first) == {"code", "title", "problem", "proposer", "kecamatan", "desa", "volume",
                          "unit", "cost", "sector", "target_agency", "authority", "programme_code"}


def test_sample_plan_items_import_fully():
    result = read_plan_items("rkpd-contoh.csv", (DATA / "rkpd-contoh.csv").read_bytes())
    assert result.problems == []
    assert len(result.rows) == 12
    first = result.rows[0]
    assert first == {
        "document": "RKPD Kab. Lombok Timur 2021", "agency": "Dinas Pertanian", "code": "3.27.07",
        "programme": "Program Penyuluhan Pertanian", "activity": "Pelaksanaan Penyuluhan Pertanian",
        "sub_activity": "Penyelenggaraan sekolah lapang bagi petani dan kelompok tani",
        # the semicolons inside a comma-separated file are data, not delimiters
        "location": "Kec. Jerowaru; Kec. Keruak", "budget": 180000000,
        "authority": "",   # no Kewenangan column: the level comes from the document
    }
    assert result.rows[10]["budget"] == 2000000000


def test_plan_items_read_an_optional_kewenangan_column():
    data = ("Dokumen,Sub Kegiatan,Kewenangan\n"
            "RKPD Provinsi NTB 2021,Rehabilitasi Embung,prov\n"
            "RKPD Kab. Lombok Timur 2021,Pembangunan Embung,Kabupaten\n"
            "RKPD Kab. Lombok Timur 2021,Pembangunan Jalan,\n").encode()
    result = read_plan_items("rkpd.csv", data)
    assert result.problems == []
    assert [r["authority"] for r in result.rows] == ["Provinsi", "Kabupaten", ""]
    bad = read_plan_items("rkpd.csv", b"Dokumen,Sub Kegiatan,Kewenangan\nRKPD,Embung,Kecamatan\n")
    assert bad.rows == [] or bad.problems
    assert "Kecamatan" in str(bad.problems[0].params)


# --- other layouts -------------------------------------------------------------

def test_csv_with_semicolons_and_bom():
    text = ("KODE USULAN ; Usulan ; Perkiraan Anggaran (Rp) ; Kelurahan/Desa ; Kewenangan ; Lain\r\n"
            "A-1;Embung desa;Rp 1.250.000,00;Perigi;Prov;x\r\n"
            '"A-2";"Sumur bor; dan pipa";250.000.000;Sekaroh;kabupaten;y\r\n')
    result = read_proposals("usulan.csv", b"\xef\xbb\xbf" + text.encode("utf-8"))
    assert result.problems == []
    assert [r["code"] for r in result.rows] == ["A-1", "A-2"]
    assert result.rows[0]["cost"] == 1250000
    assert result.rows[0]["authority"] == "Provinsi"
    assert result.rows[1]["title"] == "Sumur bor; dan pipa"
    assert result.rows[1]["desa"] == "Sekaroh"
    assert result.rows[1]["authority"] == "Kabupaten"


def test_cp1252_csv_is_decoded():
    data = "Usulan;Desa\nPelatihan pengolahan garam – tahap 2;Pémongkong\n".encode("cp1252")
    result = read_proposals("usulan.csv", data)
    assert result.problems == []
    assert result.rows[0]["title"] == "Pelatihan pengolahan garam – tahap 2"
    assert result.rows[0]["desa"] == "Pémongkong"


def test_xlsx_with_reordered_and_renamed_columns():
    data = xlsx([
        ["Kel./Desa", "SKPD Tujuan", "Koefisien", "Nama Usulan", "Anggaran", "Catatan", "Kecamatan",
         "Kewenangan", "Kode Rekening"],
        ["Pemongkong", "Dinas Kelautan", "10 Unit", "  Rumah garam  ", "Rp 250.000.000", "abaikan",
         "Jerowaru", "Kabupaten", "3.25.04"],
        ["Seriwe", "DKP Provinsi", "2,5 ha", "Mangrove", 150000000.0, None, "Jerowaru", "Provinsi", None],
        [None, None, None, None, None, None, None, None, None],
        ["Sekaroh", None, 3, "Sumur bor", 450000000, None, None, None, None],
    ], title_rows=[["DAFTAR USULAN HIMASPI 2021"], []])
    result = read_proposals("usulan.xlsx", data)
    assert result.problems == []
    assert len(result.rows) == 3
    first, second, third = result.rows
    assert first["title"] == "Rumah garam"
    assert first["desa"] == "Pemongkong" and first["kecamatan"] == "Jerowaru"
    assert first["target_agency"] == "Dinas Kelautan"
    assert (first["volume"], first["unit"]) == ("10", "Unit")
    assert first["cost"] == 250000000 and isinstance(first["cost"], int)
    assert first["authority"] == "Kabupaten"
    assert first["programme_code"] == "3.25.04"
    assert (second["volume"], second["unit"]) == ("2,5", "ha")
    assert second["cost"] == 150000000 and isinstance(second["cost"], int)
    assert (third["volume"], third["unit"], third["authority"]) == ("3", "", "")
    assert third["code"] == "" and third["problem"] == ""


def test_xlsx_plan_items_with_synonyms():
    data = xlsx([
        ["No", "Dokumen Perencanaan", "OPD", "Kode Sub Kegiatan", "Subkegiatan", "Pagu Indikatif (Rp)"],
        [1, "Renja DLH 2021", "DLH", "2.11.08", "Pembinaan Kampung Iklim", "Rp60.000.000"],
        [2, "Renja DLH 2021", "DLH", "2.11.03", None, 5],
    ])
    result = read_plan_items("renja.xlsx", data)
    assert len(result.rows) == 1
    assert result.rows[0]["code"] == "2.11.08"
    assert result.rows[0]["sub_activity"] == "Pembinaan Kampung Iklim"
    assert result.rows[0]["budget"] == 60000000
    assert result.rows[0]["programme"] == "" and result.rows[0]["location"] == ""
    assert [(p.row, p.params["row"]) for p in result.problems] == [(3, 3)]


@pytest.mark.parametrize("text, expected", [
    ("250000000", 250000000),
    ("250.000.000", 250000000),
    ("Rp 250.000.000", 250000000),
    ("Rp250.000.000,00", 250000000),
    ("Rp. 250.000.000,-", 250000000),
    ("250,000,000", 250000000),
    ("250,000,000.00", 250000000),
    ("1,5 juta", 1500000),
    ("", None),
    ("-", None),
])
def test_amount_formats(text, expected):
    data = f'Usulan;Biaya\nX;"{text}"\n'.encode()
    result = read_proposals("u.csv", data)
    assert result.problems == []
    assert result.rows[0]["cost"] == expected


# --- bad rows ------------------------------------------------------------------

def test_bad_rows_are_reported_with_their_row_numbers():
    text = ("Kode,Usulan,Biaya,Kewenangan\n"
            "A1,Baik,\"1.000\",Desa\n"          # row 2: fine
            "A2,,5000,Desa\n"                    # row 3: no title
            "\n"                                 # row 4: empty, skipped silently
            "A3,Embung,dua juta,Desa\n"          # row 5: unreadable amount
            "A4,Tandon,-5000,Desa\n"             # row 6: negative amount
            "A5,Sumur,100,Kecamatan\n"           # row 7: unknown kewenangan
            "A6,Pipa,\"Rp 2.000\",kab.\n")       # row 8: fine
    result = read_proposals("u.csv", text.encode())
    assert [r["code"] for r in result.rows] == ["A1", "A6"]
    assert result.rows[1]["authority"] == "Kabupaten"
    found = problems_by_row(result)
    assert sorted(found) == [3, 5, 6, 7]
    assert found[3][0].params["column"] == "Usulan"
    assert found[5][0].params == {"row": 5, "column": "Biaya", "value": "dua juta"}
    assert "not an amount" in found[5][0].message
    assert found[6][0].params["value"] == "-5000" and "negative" in found[6][0].message
    assert found[7][0].params["value"] == "Kecamatan" and found[7][0].params["column"] == "Kewenangan"
    for row, problems in found.items():
        for p in problems:
            assert p.row == row
            text = p.message % p.params  # every message formats with its own params
            assert text.startswith(f"Row {row}:")


def test_text_too_long_is_a_row_problem():
    data = xlsx([["Usulan", "Kode"], ["x" * 501, "K1"], ["ok", "K" * 41], ["ok", "K3"]])
    result = read_proposals("u.xlsx", data)
    assert [r["code"] for r in result.rows] == ["K3"]
    assert [(p.row, p.params["column"], p.params["max"]) for p in result.problems] == [
        (2, "Usulan", 500), (3, "Kode", 40)]


def test_plan_item_needs_programme_activity_or_sub_activity():
    result = read_plan_items("r.csv", b"Program,Kegiatan,Pagu\nP1,,10\n,,20\n,K3,\n")
    assert [(r["programme"], r["activity"], r["budget"]) for r in result.rows] == [
        ("P1", "", 10), ("", "K3", None)]
    assert [p.row for p in result.problems] == [3]


# --- unusable files ------------------------------------------------------------

def assert_file_error(reader, data, filename="upload.csv", contains=""):
    with pytest.raises(ImportFileError) as caught:
        reader(filename, data)
    error = caught.value
    assert contains in error.message
    assert str(error) == (error.message % error.params if error.params else error.message)
    return error


@pytest.mark.parametrize("data", [b"", b"\xef\xbb\xbf", b"\r\n\r\n  \n", b",,,\n , ,\n"])
def test_empty_file(data):
    assert_file_error(read_proposals, data, contains="empty")


def test_empty_xlsx():
    assert_file_error(read_plan_items, xlsx([]), "r.xlsx", contains="empty")


def test_header_only():
    assert_file_error(read_proposals, b"Kode,Usulan,Biaya\n\n", contains="no data rows")
    assert_file_error(read_plan_items, xlsx([["Program", "Pagu"]]), "r.xlsx", contains="no data rows")


def test_no_recognised_column():
    error = assert_file_error(read_proposals, b"foo,bar\n1,2\n", contains="No known column")
    assert "Usulan" in error.params["examples"]


def test_missing_title_column():
    error = assert_file_error(read_proposals, b"Kode,Kecamatan\nA1,Jerowaru\n", contains="No column for")
    assert error.params["column"] == "Usulan"
    assert "'Nama Usulan'" in error.params["examples"]
    assert_file_error(read_plan_items, b"Dokumen,Pagu\nRKPD,10\n", contains="No column for")


@pytest.mark.parametrize("seed", range(20))
def test_random_binary_bytes(seed):
    data = random.Random(seed).randbytes(2000)
    for reader in (read_proposals, read_plan_items):
        assert_file_error(reader, data, "x.csv")
        assert_file_error(reader, b"PK" + data, "x.xlsx")


def test_truncated_or_foreign_zip():
    good = xlsx([["Usulan"], ["Embung"]])
    assert read_proposals("u.xlsx", good).rows[0]["title"] == "Embung"
    for cut in (10, 100, len(good) // 2, len(good) - 30):
        assert_file_error(read_proposals, good[:cut], "u.xlsx")
    buf = io.BytesIO()
    import zipfile
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("word/document.xml", "<x/>")
    assert_file_error(read_proposals, buf.getvalue(), "laporan.docx")


def test_pdf_and_old_xls():
    assert_file_error(read_proposals, b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n", "a.pdf",
                      contains="not a CSV or XLSX")
    assert_file_error(read_proposals, b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(500), "a.xls",
                      contains=".xls")


def test_type_is_decided_by_content_not_name():
    result = read_proposals("usulan.xlsx.txt", xlsx([["Usulan"], ["Embung"]]))
    assert result.rows[0]["title"] == "Embung"
    result = read_proposals("usulan.dat", b"Usulan\nEmbung\n")
    assert result.rows[0]["title"] == "Embung"
