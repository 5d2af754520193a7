"""Minutes: a scripted meeting through the command pipeline, exported in every
format over HTTP and the CLI, and read back with each format's own reader."""
from __future__ import annotations

import csv
import io
import re

import docx
import openpyxl
from sqlalchemy import select
import pypdf
import pytest
from docx.shared import Mm

from sinkron.extensions import db
from sinkron.minutes import build_minutes
from sinkron.minutes.to_md import escape as md_escape

SPECIAL = 'Perlu <b>rumah garam</b> & "prisma" untuk petambak\'s'
HIDDEN = "Komentar tidak pantas XYZZY"
FORMULA_TITLE = "=1+1 Jalan usaha tani"
REASON = "Bukan kewenangan kabupaten; diusulkan lewat Dana Desa"
PLAIN_COMMENT = "Setuju, prioritaskan Desa Pemongkong"


def _ok(ack):
    assert ack.get("ok"), ack
    return ack


@pytest.fixture
def meeting(app, client, demo, live, join):
    """A meeting played through the live protocol, people at both sites.

    Site 0: host, Siti (P), Budi (L). Site 1: facilitator, host, Ahmad (L),
    Wayan (no gender), Ibu Nur (checked in, P); Rudi joins and is revoked."""
    f = live(demo.facilitator_token)
    proposals = f.snapshot["proposals"]
    p1, p2, p3 = (p["id"] for p in proposals[:3])
    plan_item = f.snapshot["plan_items"][0]
    people = {}
    for name, site, category, gender in (("Siti Rahmawati", 0, "Tokoh Perempuan", "P"),
                                         ("Budi Santoso", 0, "OPD", "L"),
                                         ("Ahmad Fauzi", 1, "LSM", "L"),
                                         ("Wayan Sudana", 1, "Pemuda", None),
                                         ("Rudi Revoked", 1, "Lainnya", "L")):
        extra = {"gender": gender} if gender else {}
        answer = join(site_index=site, name=name, category=category, organisation="Org " + name,
                      **extra)
        people[name.split()[0]] = (answer["participant_id"], live(answer["token"]))
    siti, budi, ahmad, wayan = (people[n][1] for n in ("Siti", "Budi", "Ahmad", "Wayan"))

    _ok(f.send("attendance.add", name="Ibu Nur", category="Tokoh Perempuan", gender="P",
               site_id=demo.sites[1].id))
    _ok(f.send("participant.revoke", participant_id=people["Rudi"][0]))
    added = _ok(f.send("proposal.add", title=FORMULA_TITLE, code="X-01", cost=1000))

    for who, pid, status in ((siti, p1, "terakomodir_kab"), (budi, p1, "terakomodir_kab"),
                             (ahmad, p1, "belum_terakomodir"), (wayan, p1, "terakomodir_kab"),
                             (siti, p2, "tidak_dapat_diakomodir")):
        _ok(who.send("proposal.mark", proposal_id=pid, status=status))

    special = _ok(siti.send("comment.add", kind="masukan", text=SPECIAL, proposal_id=p1))
    _ok(ahmad.send("comment.add", kind="tanggapan", text=PLAIN_COMMENT, proposal_id=p1))
    hidden = _ok(budi.send("comment.add", kind="masukan", text=HIDDEN, proposal_id=p1))
    _ok(wayan.send("comment.add", kind="pertanyaan", text="Kapan mulai dibangun?", proposal_id=p1))
    _ok(wayan.send("comment.add", kind="masukan", text="Rapat ini bermanfaat."))
    # By seq, not by how many events arrived: other events (joins, marks)
    # may have filled the count while the comments still waited for a window.
    assert special["seq"] < hidden["seq"]
    f.wait_seq(hidden["seq"])
    ids = {e["data"]["comment"]["text"]: e["data"]["comment"]["id"]
           for e in f.seen if e["type"] == "comment.add"}
    for who in (budi, ahmad, wayan):
        _ok(who.send("comment.support", comment_id=ids[SPECIAL], on=True))
    _ok(siti.send("comment.support", comment_id=ids[PLAIN_COMMENT], on=True))
    _ok(f.send("comment.hide", comment_id=ids[HIDDEN], hidden=True))

    _ok(f.send("voting.open", mode="dots", budget=5, max_per_proposal=3))
    for who, pid, value in ((siti, p1, 3), (siti, p2, 2), (budi, p1, 2), (ahmad, p2, 3),
                            (ahmad, p1, 1), (wayan, p3, 3)):
        _ok(who.send("vote.cast", proposal_id=pid, value=value))
    _ok(f.send("voting.close"))

    _ok(f.send("proposal.decide", proposal_id=p1, status="terakomodir_kab",
               plan_item_id=plan_item["id"],
               follow_up={"action": "Masukkan ke Renja DKP 2021", "owner": "DKP Lombok Timur",
                          "due_date": "2020-07-31"}))
    _ok(f.send("proposal.decide", proposal_id=p2, status="tidak_dapat_diakomodir", reason=REASON,
               follow_up={"action": "Ajukan ke Musrenbang Desa", "owner": "Pemdes Pare Mas",
                          "due_date": "2020-06-30"}))
    _ok(f.send("proposal.decide", proposal_id=p3, status="dialihkan",
               reason="Kewenangan provinsi"))

    _ok(siti.send("floor.request", proposal_id=p1))
    _ok(f.send("floor.grant", participant_id=people["Siti"][0]))
    _ok(f.send("floor.grant", participant_id=people["Ahmad"][0]))
    _ok(f.send("floor.end"))
    return {"f": f, "p": proposals[:3], "plan_item": plan_item, "added": added,
            "meeting_id": demo.meeting_id, "token": demo.facilitator_token}


def _get(client, m, fmt, lang=None, token=None):
    url = f"/meetings/{m['meeting_id']}/minutes.{fmt}" + (f"?lang={lang}" if lang else "")
    r = client.get(url, headers={"Authorization": f"Bearer {token or m['token']}"})
    assert r.status_code == 200, r.data[:300]
    return r


def _close(m):
    _ok(m["f"].send("meeting.close"))


def _docx_text(data: bytes) -> tuple[docx.document.Document, str]:
    d = docx.Document(io.BytesIO(data))
    parts = [p.text for p in d.paragraphs]
    for t in d.tables:
        for row in t.rows:
            parts += [c.text for c in row.cells]
    parts += [p.text for p in d.sections[0].header.paragraphs]
    return d, "\n".join(parts)


def _table_by_header(d, first_titles: list[str]):
    for t in d.tables:
        if [c.text for c in t.rows[0].cells][:len(first_titles)] == first_titles:
            return t
    raise AssertionError(f"no table starting with {first_titles}")


def _rows(t) -> list[list[str]]:
    return [[c.text for c in row.cells] for row in t.rows]


def _pdf_pages(data: bytes) -> list[str]:
    return [" ".join((page.extract_text() or "").split()) for page in pypdf.PdfReader(io.BytesIO(data)).pages]


def _one_line(text: str) -> str:
    return " ".join(text.split())


# --- content ---------------------------------------------------------------------

def test_docx_contents(client, meeting):
    p1, p2, p3 = meeting["p"]
    r = _get(client, meeting, "docx", lang="en")
    assert r.mimetype == "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    d, text = _docx_text(r.data)

    section = d.sections[0]
    assert abs(section.page_width - Mm(210)) < Mm(1) and abs(section.page_height - Mm(297)) < Mm(1)
    assert 'w:instr="PAGE"' in section.footer._element.xml

    attendance = _rows(_table_by_header(d, ["Site", "Category", "Male", "Female", "Not given", "Total"]))
    assert ["BAPPEDA Provinsi NTB", "Subtotal", "1", "1", "1", "3"] in attendance
    assert ["BAPPEDA Kabupaten Lombok Timur", "Subtotal", "1", "1", "3", "5"] in attendance
    assert ["All sites", "Total", "2", "2", "4", "8"] in attendance
    assert ["BAPPEDA Provinsi NTB", "Women's leader", "0", "1", "0", "1"] in attendance
    listed = [row[1] for t in d.tables if [c.text for c in t.rows[0].cells][:3] == ["No", "Name", "Organisation"]
              for row in _rows(t)[1:]]
    assert len(listed) == 8 and "Siti Rahmawati" in listed and "Rudi Revoked" not in listed

    results = {row[1].split("\n")[0]: row for row in
               _rows(_table_by_header(d, ["No", "Proposal", "Agreed status"]))[1:]}
    row1 = results[f"{p1['code']} {p1['title']}"]
    assert row1[2].startswith("Accommodated (regency plan)")
    assert "BAPPEDA Provinsi NTB: Accommodated (regency plan) 2" in row1[3]
    assert "BAPPEDA Kabupaten Lombok Timur: Accommodated (regency plan) 1, Not yet accommodated 1" in row1[3]
    assert "BAPPEDA Provinsi NTB: 5\nBAPPEDA Kabupaten Lombok Timur: 1\nTotal: 6\nRank: 1" == row1[4]
    # The most supported comment comes first, exactly as typed.
    assert row1[5].split("\n")[0] == f"• “{SPECIAL}” — Siti Rahmawati (3 supports)"
    row2 = results[f"{p2['code']} {p2['title']}"]
    assert row2[2] == "Cannot be accommodated"
    assert "Total: 5\nRank: 2" in row2[4]
    assert results[f"{p3['code']} {p3['title']}"][2] == "Redirected"
    assert HIDDEN not in text

    agreements = [p.text for p in d.paragraphs if p.style.name == "List Number"]
    assert len(agreements) == 3 and REASON in agreements[1]
    follow = _rows(_table_by_header(d, ["No", "Proposal", "What", "Who", "By when"]))
    assert follow[2][2:] == ["Ajukan ke Musrenbang Desa", "Pemdes Pare Mas", "30 June 2020"]

    signatures = next(t for t in d.tables if t.rows[0].cells[-1].text == "Community representative")
    sig = _rows(signatures)
    assert sig[0] == ["Chair, BAPPEDA Provinsi NTB", "Chair, BAPPEDA Kabupaten Lombok Timur",
                      "Community representative"]
    assert sig[-1] == ["Kepala Bidang Perencanaan Pembangunan Daerah, BAPPEDA Provinsi NTB",
                       "Kepala BAPPEDA Kabupaten Lombok Timur", "Koordinator HIMASPI Lombok Timur"]
    assert sig[1][2] == "Koordinator HIMASPI"

    speaking = _rows(_table_by_header(d, ["By site", "Turns", "Speaking time"]))
    assert speaking[1][:2] == ["BAPPEDA Provinsi NTB", "1"]
    assert speaking[2][:2] == ["BAPPEDA Kabupaten Lombok Timur", "1"]
    timeline = _rows(_table_by_header(d, ["No", "Time", "Event", "By", "Description"]))
    assert any(row[2] == "voting.close" and row[4] == "Voting round 1 closed." for row in timeline)
    assert any("3 votes" in row[4] or "6 votes" in row[4] for row in timeline)


def test_docx_indonesian_by_default(client, meeting):
    d, text = _docx_text(_get(client, meeting, "docx").data)
    assert "Selasa, 12 Mei 2020" in text
    assert f"{meeting['p'][0]['code']} {meeting['p'][0]['title']}" in text
    # "Rp" is bound to its amount by a no-break space.
    assert "Rp\u00a0250.000.000" in text and meeting["p"][0]["cost"] == 250_000_000
    assert "Rp 250" not in text
    # Annex II shows the plan item's budget (pagu) in rupiah.
    budget = meeting["plan_item"]["budget"]
    assert "Rp\u00a0" + f"{budget:,}".replace(",", ".") in text
    assert "Terakomodir (Kabupaten)" in text


def test_pdf_contents(client, meeting):
    p1, p2, _ = meeting["p"]
    r = _get(client, meeting, "pdf", lang="en")
    assert r.mimetype == "application/pdf"
    pages = _pdf_pages(r.data)
    whole = " ".join(pages)
    assert len(pages) > 3
    assert all(f"Page {i} of {len(pages)}" in page for i, page in enumerate(pages, 1))
    assert all("DRAFT" in page for page in pages)
    assert "8 people attended (BAPPEDA Provinsi NTB: 3; BAPPEDA Kabupaten Lombok Timur: 5)" in whole
    assert SPECIAL in whole
    assert HIDDEN not in whole
    assert _one_line(REASON) in whole
    for label in ("Chair, BAPPEDA Provinsi NTB", "Community representative",
                  "Koordinator HIMASPI Lombok Timur", "Kepala BAPPEDA Kabupaten Lombok Timur"):
        assert label in whole
    assert "Total: 6 Rank: 1" in whole and "Total: 5 Rank: 2" in whole


def test_pdf_indonesian_date_and_amounts(client, meeting):
    whole = " ".join(_pdf_pages(_get(client, meeting, "pdf").data))
    assert "Selasa, 12 Mei 2020" in whole
    budget = meeting["plan_item"]["budget"]
    assert "Rp " + f"{budget:,}".replace(",", ".") in whole


def test_xlsx_contents(client, meeting):
    p1, p2, p3 = meeting["p"]
    r = _get(client, meeting, "xlsx", lang="en")
    wb = openpyxl.load_workbook(io.BytesIO(r.data))
    assert wb.sheetnames == ["About", "Proposals", "Marks", "Votes", "Comments", "Attendance",
                             "Attendance summary", "Timeline"]
    for ws in wb.worksheets:
        assert ws.freeze_panes == "A2", ws.title
        assert ws.auto_filter.ref.startswith("A1:"), ws.title
        assert ws.column_dimensions["A"].width >= 6

    def records(name):
        rows = list(wb[name].iter_rows(values_only=True))
        return [dict(zip(rows[0], row)) for row in rows[1:]]

    proposals = {row["Code"]: row for row in records("Proposals")}
    assert proposals[p1["code"]]["Agreed status"] == "Accommodated (regency plan)"
    assert proposals[p1["code"]]["Votes (total)"] == 6 and proposals[p1["code"]]["Rank"] == 1
    assert proposals[p2["code"]]["Status key"] == "tidak_dapat_diakomodir"
    assert proposals[p2["code"]]["Reason"] == REASON
    assert proposals[p3["code"]]["Agreed status"] == "Redirected"
    cost_cell = next(c for c in wb["Proposals"]["J"] if c.value == p1["cost"])
    assert "Rp" in cost_cell.number_format
    # Typed text that looks like a formula stays text.
    formula = next(c for c in wb["Proposals"]["C"] if c.value == FORMULA_TITLE)
    assert formula.data_type == "s"

    marks = {(row["Code"], row["Site"]): row for row in records("Marks")}
    assert marks[(p1["code"], "BAPPEDA Provinsi NTB")]["Accommodated (regency plan)"] == 2
    assert marks[(p1["code"], "BAPPEDA Kabupaten Lombok Timur")]["Marks"] == 2

    votes = {row["Code"]: row for row in records("Votes")}
    assert (votes[p1["code"]]["BAPPEDA Provinsi NTB"], votes[p1["code"]]["BAPPEDA Kabupaten Lombok Timur"],
            votes[p1["code"]]["Total"]) == (5, 1, 6)
    assert votes[p3["code"]]["Rank"] == 3 and votes[p3["code"]]["Final"] == "yes"

    comments = records("Comments")
    assert any(row["Comment"] == SPECIAL and row["Supports"] == 3 and row["Name"] == "Siti Rahmawati"
               for row in comments)
    assert all(row["Comment"] != HIDDEN for row in comments)

    attendance = records("Attendance")
    per_site = {site: sum(1 for row in attendance if row["Site"] == site)
                for site in ("BAPPEDA Provinsi NTB", "BAPPEDA Kabupaten Lombok Timur")}
    assert per_site == {"BAPPEDA Provinsi NTB": 3, "BAPPEDA Kabupaten Lombok Timur": 5}
    assert all(row["Name"] != "Rudi Revoked" for row in attendance)

    timeline = records("Timeline")
    assert [row["Event"] for row in timeline if row["Event"] == "proposal.decide"] == ["proposal.decide"] * 3


def test_csv_contents(client, meeting):
    p1, p2, _ = meeting["p"]
    r = _get(client, meeting, "csv", lang="en")
    assert r.mimetype == "text/csv"
    assert r.data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(r.data.decode("utf-8-sig"))))
    by_code = {row["Code"]: row for row in rows}
    assert len(rows) == 17
    assert by_code[p1["code"]]["Agreed status"] == "Accommodated (regency plan)"
    assert by_code[p1["code"]]["Votes (total)"] == "6"
    assert by_code[p2["code"]]["Reason"] == REASON
    assert by_code[p2["code"]]["Follow-up: by when"] == "2020-06-30"
    assert by_code["X-01"]["Proposal"] == "'" + FORMULA_TITLE
    assert {row["Minutes status"] for row in rows} == {"DRAFT"}


def test_markdown_contents(client, meeting):
    r = _get(client, meeting, "md", lang="en")
    assert r.mimetype == "text/markdown"
    text = r.data.decode("utf-8")
    assert text.startswith("# MINUTES (DRAFT)")
    assert md_escape(SPECIAL) in text and "\\<b\\>" in md_escape(SPECIAL)
    assert HIDDEN not in text
    for heading in ("## 3. Attendance", "## Annex I: Attendance list per site", "## Annex VII: Speaking record"):
        assert heading in text
    assert "| **All sites** | **Total** | **2** | **2** | **4** | **8** |" in text


def test_draft_mark_goes_when_the_meeting_closes(app, client, meeting):
    before = {fmt: _get(client, meeting, fmt).data for fmt in ("docx", "pdf", "xlsx", "csv", "md")}
    _close(meeting)
    after = {fmt: _get(client, meeting, fmt).data for fmt in ("docx", "pdf", "xlsx", "csv", "md")}

    def texts(fmt, data) -> list[str]:
        if fmt == "docx":
            d, text = _docx_text(data)
            return [text, "\n".join(p.text for p in d.sections[0].header.paragraphs)]
        if fmt == "pdf":
            return _pdf_pages(data)
        if fmt == "xlsx":
            wb = openpyxl.load_workbook(io.BytesIO(data))
            return [" ".join(str(v) for row in ws.iter_rows(values_only=True) for v in row if v)
                    for ws in wb.worksheets][:2]
        return [data.decode("utf-8-sig")]

    # The Indonesian mark is DRAF; until the catalogue has it, the English DRAFT contains it.
    for fmt, data in before.items():
        assert all("DRAF" in part for part in texts(fmt, data)), fmt
    for fmt, data in after.items():
        assert not any("DRAF" in part for part in texts(fmt, data)), fmt
    with app.app_context():
        assert not build_minutes(db.session, meeting["meeting_id"], "en").draft


def test_a_newer_open_round_does_not_replace_the_closed_one(app, client, meeting):
    f = meeting["f"]
    p1 = meeting["p"][0]
    # A second round, still open: the minutes keep reporting the closed one.
    _ok(f.send("voting.open", mode="score"))
    _ok(f.send("vote.cast", proposal_id=p1["id"], value=4))
    with app.app_context():
        m = build_minutes(db.session, meeting["meeting_id"], "en")
    votes = next(s for s in m.sheets if s.name == "Votes").table
    assert {row[0] for row in votes.rows} == {1}


def test_only_open_round_is_reported_as_not_final(app, client, demo, live):
    f = live(demo.facilitator_token)
    p1 = f.snapshot["proposals"][0]["id"]
    _ok(f.send("voting.open", mode="score"))
    _ok(f.send("vote.cast", proposal_id=p1, value=4))
    text = _get(client, {"meeting_id": demo.meeting_id, "token": demo.facilitator_token},
                "md", lang="en").data.decode()
    assert "still open: these numbers are not final" in text
    assert "4 (1 person)" in text


# --- access, formats, names ------------------------------------------------------------

def test_access(client, demo, join):
    url = f"/meetings/{demo.meeting_id}/minutes.pdf"
    assert client.get(url).status_code == 401
    participant = join(name="Peserta Biasa")
    for token in (participant["token"], demo.sites[0].host_token, demo.sites[1].projector_token):
        assert client.get(url, headers={"Authorization": f"Bearer {token}"}).status_code == 403
    assert client.get(url, headers={"Authorization": "Bearer not-a-real-token-at-all"}).status_code == 401
    bearer = {"Authorization": f"Bearer {demo.facilitator_token}"}
    assert client.get(f"/meetings/{demo.meeting_id + 1}/minutes.pdf", headers=bearer).status_code == 401
    assert client.get(f"/meetings/{demo.meeting_id}/minutes.odt", headers=bearer).status_code == 404
    r = client.get(url, headers=bearer)
    assert r.status_code == 200
    # Indonesian name words ("berita-acara", "draf") come from the catalogue.
    assert re.fullmatch(r"attachment; filename=[a-z]+(-[a-z]+)*-050-117-bappeda-2020-[a-z]+\.pdf",
                        r.headers["Content-Disposition"])
    assert r.headers["Cache-Control"] == "no-store"


def test_facilitator_session_is_enough(client, demo):
    assert client.get(f"/f/{demo.facilitator_token}").status_code == 200
    r = client.get(f"/meetings/{demo.meeting_id}/minutes.md?lang=en")
    assert r.status_code == 200
    assert r.headers["Content-Disposition"] == "attachment; filename=minutes-050-117-bappeda-2020-draft.md"


# --- CLI ---------------------------------------------------------------------------

@pytest.mark.parametrize("fmt", ["docx", "pdf", "xlsx", "csv", "md"])
def test_cli_exports(runner, meeting, tmp_path, fmt):
    out = tmp_path / f"out.{fmt}"
    result = runner.invoke(args=["minutes", str(meeting["meeting_id"]), "--format", fmt,
                                 "-o", str(out), "--lang", "en"])
    assert result.exit_code == 0, result.output
    data = out.read_bytes()
    if fmt == "docx":
        assert SPECIAL in _docx_text(data)[1]
    elif fmt == "pdf":
        assert SPECIAL in " ".join(_pdf_pages(data))
    elif fmt == "xlsx":
        wb = openpyxl.load_workbook(io.BytesIO(data))
        assert SPECIAL in [row[3] for row in wb["Comments"].iter_rows(values_only=True)]
    elif fmt == "csv":
        rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))
        assert {row["Code"] for row in rows} >= {p["code"] for p in meeting["p"]}
    else:
        assert md_escape(SPECIAL) in data.decode()


def test_cli_format_from_extension_and_default_language(runner, demo, tmp_path):
    out = tmp_path / "ba.md"
    result = runner.invoke(args=["minutes", str(demo.meeting_id), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert "Selasa, 12 Mei 2020" in out.read_text()


@pytest.mark.parametrize("args, code, message", [
    (["minutes", "999", "--format", "pdf", "-o", "x.pdf"], 1, "No meeting with id 999"),
    (["minutes", "{id}", "--format", "odt"], 2, "Invalid value for '--format'"),
    (["minutes", "{id}", "-o", "{tmp}/x.txt"], 2, "Say which format"),
    (["minutes", "{id}", "--format", "md", "-o", "{tmp}/missing/dir/x.md"], 1, "Cannot write"),
    (["minutes", "{id}", "--format", "md", "--lang", "fr"], 2, "Invalid value for '--lang'"),
    (["minutes", "abc"], 2, "is not a valid integer"),
])
def test_cli_bad_input(runner, demo, tmp_path, args, code, message):
    args = [a.format(id=demo.meeting_id, tmp=tmp_path) for a in args]
    result = runner.invoke(args=args)
    assert result.exit_code == code, result.output
    assert message in result.output
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)


def test_sparse_meeting_and_odd_text_export_everywhere(app, client, live):
    """No date, times, number, purpose or chairs; a comment with control
    characters and an emoji: every format still opens."""
    from sinkron.meetings import create_meeting
    with app.app_context():
        meeting, links = create_meeting(db.session, "http://sinkron.test", title="Rapat kecil",
                                        sites=[{"name": "Satu"}], facilitator={"name": "Fasil"},
                                        status="live")
        db.session.commit()
    f = live(links.facilitator_token)
    added = _ok(f.send("proposal.add", title="Sumur"))
    pid = f.wait_seq(added["seq"])["data"]["proposal"]["id"]
    # Commands refuse control characters; text stored before that rule (or
    # through another door) must still not break any format.
    assert f.send("comment.add", kind="masukan", text="bel\x07", proposal_id=pid)["error"]["code"] == "invalid"
    added = _ok(f.send("comment.add", kind="masukan", text="bel nul 😀 ok", proposal_id=pid))
    with app.app_context():
        from sinkron.models import Comment
        db.session.scalars(select(Comment)).one().text = "bel\x07 nul\x00 😀 ok"
        db.session.commit()
    _ok(f.send("voting.open", mode="score"))
    m = {"meeting_id": links.meeting_id, "token": links.facilitator_token}
    d, text = _docx_text(_get(client, m, "docx", lang="en").data)
    assert "bel nul 😀 ok" in text and "Rapat kecil" in text
    assert "(....................)" in text  # no names yet: lines to write them on
    assert "bel nul" in " ".join(_pdf_pages(_get(client, m, "pdf", lang="en").data))
    wb = openpyxl.load_workbook(io.BytesIO(_get(client, m, "xlsx", lang="en").data))
    assert [row[3] for row in wb["Comments"].iter_rows(values_only=True)][1] == "bel nul 😀 ok"
    assert "Sumur" in _get(client, m, "csv").data.decode("utf-8-sig")
    assert "still open" in _get(client, m, "md", lang="en").data.decode()
