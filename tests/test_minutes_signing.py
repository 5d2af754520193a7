"""Minutes an official signs: shared ranks, Annex III's membership, the place
and date line with NIPs, withdrawn proposals, layout (landscape results,
whole header words, rows that do not split, plain headings) and a fallback
font for characters DejaVu lacks."""
from __future__ import annotations

import io
import logging
import os

import docx
import pypdf
import pytest
from docx.enum.section import WD_ORIENT

from sinkron.extensions import db
from sinkron.minutes import build_minutes, render
from sinkron.minutes.content import Signatures, Table
from sinkron.minutes.fallback import fallback_files

EMOJI_COMMENT = "Air bersih \U0001f30a untuk nelayan \U0001f44d"
NO_FONT_HAS_IT = "\ue000"  # a private-use character: no font draws it


def ok(ack):
    assert ack.get("ok"), ack
    return ack


@pytest.fixture
def signed(app, demo, live, join):
    """A closed meeting with crafted ties, every kind of outcome and the settings of a real one."""
    f = live(demo.facilitator_token)
    ids = [p["id"] for p in f.snapshot["proposals"]]
    a, b = live(join(0, name="Siti")["token"]), live(join(1, name="Ahmad")["token"])
    ok(f.send("meeting.update", signature_city="Mataram", community_rep_nip="",
              sites=[{"site_id": demo.sites[0].id, "chair_nip": "19700101 199003 1 005"},
                     {"site_id": demo.sites[1].id, "chair_nip": "19751231 200012 2 001"}]))
    ok(f.send("voting.open", mode="dots", budget=5, max_per_proposal=3))
    for who, pid, value in ((a, ids[0], 3), (a, ids[1], 2), (b, ids[2], 2), (b, ids[3], 1)):
        ok(who.send("vote.cast", proposal_id=pid, value=value))
    ok(f.send("voting.close"))
    decisions = ((ids[0], "belum_terakomodir", {}),
                 (ids[1], "tidak_dapat_diakomodir", {"reason": "Bukan kewenangan"}),
                 (ids[2], "dialihkan", {"reason": "Dana desa", "destination": "Dana Desa Pemongkong"}),
                 (ids[3], "perlu_klarifikasi", {}), (ids[4], "terakomodir_kab", {}),
                 (ids[6], "belum_dibahas", {}))
    for pid, status, extra in decisions:
        ok(f.send("proposal.decide", proposal_id=pid, status=status, **extra))
    ok(a.send("proposal.mark", proposal_id=ids[5], status="terakomodir_prov"))  # marked, undecided
    ok(f.send("agenda.focus", proposal_id=ids[7]))                              # discussed, undecided
    ok(f.send("agenda.focus", proposal_id=None))
    ok(a.send("comment.add", kind="masukan", text=EMOJI_COMMENT + " " + NO_FONT_HAS_IT, proposal_id=ids[0]))
    ok(f.send("proposal.withdraw", proposal_id=ids[8], reason="Digabung dengan HMS-02"))
    ok(f.send("meeting.close"))
    return {"ids": ids, "meeting_id": demo.meeting_id, "f": f, "a": a, "b": b}


def minutes(app, m, lang="en"):
    with app.app_context():
        return build_minutes(db.session, m["meeting_id"], lang)


def section(content, start: str):
    return next(s for s in content.sections if s.heading.startswith(start))


def names(table: Table) -> list[str]:
    return [row[1] for row in table.rows]


def test_equal_dots_share_a_rank_in_the_minutes(app, signed):
    content = minutes(app, signed)
    ranking = section(content, "Annex IV")
    table = next(b for b in ranking.blocks if isinstance(b, Table))
    ranks = [row[0] for row in table.rows]
    assert ranks[:4] == [1, 2, 2, 4]
    # Within a rank, agenda order: HMS-02 before HMS-03.
    assert [n.split()[0] for n in names(table)[:4]] == ["HMS-01", "HMS-02", "HMS-03", "HMS-04"]
    # The 12 proposals nobody gave a dot share the last rank; the withdrawn one has none.
    assert ranks[4:] == [5] * 11 and len(ranks) == 15
    results = next(b for b in section(content, "4.").blocks if isinstance(b, Table))
    assert sum("Rank: 2" in row[4] for row in results.rows) == 2


def test_equal_scores_share_a_rank(app, demo, live, join):
    f = live(demo.facilitator_token)
    ids = [p["id"] for p in f.snapshot["proposals"]]
    a, b = live(join(0, name="Siti")["token"]), live(join(1, name="Ahmad")["token"])
    ok(f.send("voting.open", mode="score"))
    for who, pid, value in ((a, ids[0], 4), (b, ids[0], 4), (a, ids[1], 4), (b, ids[1], 4),
                            (a, ids[2], 5), (a, ids[3], 3)):
        ok(who.send("vote.cast", proposal_id=pid, value=value))
    ok(f.send("voting.close"))
    content = minutes(app, {"meeting_id": demo.meeting_id})
    table = next(b for b in section(content, "Annex IV").blocks if isinstance(b, Table))
    assert [(row[0], row[1].split()[0]) for row in table.rows[:4]] == [
        (1, "HMS-03"), (2, "HMS-01"), (2, "HMS-02"), (4, "HMS-04")]
    snap = live(demo.facilitator_token).snapshot
    assert [r["rank"] for r in snap["voting"]["ranking"][:4]] == [1, 2, 2, 4]


def test_annex_three_lists_decided_not_accommodated_apart_from_pending_and_undiscussed(app, signed):
    annex = section(minutes(app, signed), "Annex III")
    tables = [b for b in annex.blocks if isinstance(b, Table)]
    decided, pending, untouched = (names(t) for t in tables)
    code = lambda rows: [n.split()[0] for n in rows]  # noqa: E731
    assert code(decided) == ["HMS-01", "HMS-02", "HMS-03"]
    assert tables[0].rows[2][4] == "Dana Desa Pemongkong"  # redirected, with its destination
    assert tables[0].rows[1][5] == "Bukan kewenangan"
    assert code(pending) == ["HMS-04", "HMS-06", "HMS-08"]
    # Never discussed (or recorded as not discussed yet): not rejected, listed apart.
    assert code(untouched) == ["HMS-07", *[f"HMS-{n:02d}" for n in range(10, 17)]]
    # Accommodated (Annex II) and withdrawn proposals are in none of them.
    everything = code(decided + pending + untouched)
    assert "HMS-05" not in everything and "HMS-09" not in everything


def test_withdrawn_proposals_are_listed_with_the_reason(app, signed):
    content = minutes(app, signed)
    results = section(content, "4.")
    withdrawn = results.blocks[-1]
    assert withdrawn.rows[0][1].startswith("HMS-09") and withdrawn.rows[0][3] == "Digabung dengan HMS-02"
    first_table = next(b for b in results.blocks if isinstance(b, Table))
    assert not any(row[1].startswith("HMS-09") for row in first_table.rows)
    csv_text = render(content, "csv").decode("utf-8-sig")
    assert "Withdrawn from the agenda" in csv_text and "Digabung dengan HMS-02" in csv_text


def test_signature_page_place_date_and_nip(app, client, signed):
    content = minutes(app, signed, "id")
    signatures = next(b for b in section(content, "7.").blocks if isinstance(b, Signatures))
    assert signatures.dated == "Mataram, 12 Mei 2020"
    assert [p.nip for p in signatures.people] == [
        "NIP. 19700101 199003 1 005", "NIP. 19751231 200012 2 001", ""]
    pdf_text = " ".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(render(content, "pdf"))).pages)
    assert "Mataram, 12 Mei 2020" in pdf_text and "NIP. 19751231 200012 2 001" in pdf_text
    document = docx.Document(io.BytesIO(render(content, "docx")))
    cells = [c.text for t in document.tables for row in t.rows for c in row.cells]
    assert "NIP. 19700101 199003 1 005" in cells
    assert any(p.text == "Mataram, 12 Mei 2020" for p in document.paragraphs)


def test_docx_layout(app, signed):
    content = minutes(app, signed)
    document = docx.Document(io.BytesIO(render(content, "docx")))
    body = document.element.body
    w = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
    for table in body.iter(f"{w}tbl"):
        rows = table.findall(f"{w}tr")
        if table.find(f"{w}tblPr/{w}tblStyle") is None:
            continue  # the signature blocks: a layout grid, not a data table
        assert rows[0].find(f"{w}trPr/{w}tblHeader") is not None
        assert all(row.find(f"{w}trPr/{w}cantSplit") is not None for row in rows)
    # The results (section 4) stand on landscape pages; the rest is portrait.
    orientations = [s.orientation for s in document.sections]
    assert orientations == [WD_ORIENT.PORTRAIT, WD_ORIENT.LANDSCAPE, WD_ORIENT.PORTRAIT]
    landscape = document.sections[1]
    assert landscape.page_width > landscape.page_height
    # Headings in the document's colours, not the template's theme blue.
    for name in ("Heading 1", "Heading 2", "Heading 3"):
        colour = document.styles[name].element.rPr.find(f"{w}color")
        assert colour.get(f"{w}val") == "1F2937" and colour.get(f"{w}themeColor") is None


def test_pdf_headers_keep_their_words_and_results_are_landscape(app, signed):
    from sinkron.minutes import to_pdf
    content = minutes(app, signed)
    pdf = to_pdf._PDF(content)
    pdf.add_page()
    for sect in content.sections:
        width = pdf.epw * (297 - 36) / (210 - 36) if sect.landscape else pdf.epw
        for block in sect.blocks:
            if not isinstance(block, Table):
                continue
            share = sum(c.width for c in block.columns)
            grid = to_pdf._Grid(pdf, [width * c.width / share for c in block.columns])
            grid.head([c.title for c in block.columns])
            for column, lines in zip(block.columns, grid.header_lines):
                drawn = [word for line, _ in lines for word in line.split()]
                assert drawn == column.title.split(), (column.title, lines)
    reader = pypdf.PdfReader(io.BytesIO(render(content, "pdf")))
    shapes = [(float(p.mediabox.width) > float(p.mediabox.height), p.extract_text()) for p in reader.pages]
    results = [landscape for landscape, text in shapes if "Results per proposal" in text]
    assert results == [True]
    assert not shapes[0][0] and not shapes[-1][0]


def test_pdf_draws_what_dejavu_lacks_in_a_fallback_font(app, signed, caplog):
    if not fallback_files():
        message = "no fallback font: apt-get install fonts-symbola"
        if os.environ.get("CI") == "true":
            pytest.fail(message + " (CI=true: not skipping)")
        pytest.skip(message)
    content = minutes(app, signed)
    with caplog.at_level(logging.WARNING):
        data = render(content, "pdf")
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING], caplog.text
    reader = pypdf.PdfReader(io.BytesIO(data))
    text = " ".join(page.extract_text() for page in reader.pages)
    assert "\U0001f30a" in text and "\U0001f44d" in text
    assert "\ufffd" in text  # what no font has is replaced visibly, not dropped
    fonts = {str(f.get_object()["/BaseFont"]) for page in reader.pages
             for f in (page["/Resources"].get("/Font") or {}).values()}
    assert any("Symbola" in f or "Noto" in f or "Unifont" in f.title() for f in fonts), fonts
