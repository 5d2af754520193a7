"""Finding 6 of the hardening issue: user text in the Markdown minutes stays
text. Read back with a CommonMark parser (markdown-it-py): whatever a
comment or reason holds, the document's structure is only Sinkron's own."""
from __future__ import annotations

from html import unescape

import pytest
from markdown_it import MarkdownIt

from sinkron.minutes.content import Column, Minutes, NumberedList, Paragraph, Section, Table
from sinkron.minutes.to_md import render

HOSTILE = [
    "Judul palsu\n===",
    "Subjudul palsu\n---",
    "Baris\n  ===  ",
    "# bukan judul",
    "> bukan kutipan",
    "    bukan kode",
    "\tbukan kode",
    "```\nbukan pagar\n```",
    "~~~\nbukan pagar",
    "***",
    "_ _ _",
    "- bukan daftar\n+ bukan daftar\n* bukan daftar",
    "1. bukan daftar\n2) bukan daftar",
    "<div>bukan html</div>",
    "[tautan](http://contoh.test) ![gambar](x.png)",
    "| a | b |\n|---|---|",
    "paragraf\n\n    kode setelah baris kosong\n\n===",
    "Baris satu\n=",
]


def _minutes(text: str) -> Minutes:
    table = Table([Column("Usulan"), Column("Alasan")], [["Embung", text]])
    section = Section("1. Hasil", [Paragraph(text), table, NumberedList([text, "kedua"]),
                                   Paragraph(text, style="note")])
    return Minutes(meeting_id=1, lang="id", draft=False, heading="BERITA ACARA", title="Rapat",
                   number="", running_head="", page_label="", filename="ba", sections=[section])


def _structure(tokens) -> list[str]:
    return [t.type for t in tokens if t.type.endswith("_open") or t.type in ("fence", "code_block",
                                                                               "hr", "html_block")]


@pytest.mark.parametrize("text", HOSTILE)
def test_block_syntax_in_user_text_stays_text(text):
    md = MarkdownIt("commonmark").enable("table")
    tokens = md.parse(render(_minutes(text)).decode("utf-8"))
    structure = _structure(tokens)
    baseline = _structure(md.parse(render(_minutes("teks biasa")).decode("utf-8")))
    assert structure == baseline, (text, structure)
    html = md.render(render(_minutes(text)).decode("utf-8"))
    assert "<a " not in html and "<img" not in html and "<div>" not in html
    # Every word typed comes out.
    for word in text.split():
        if word.strip("=-*_#>`~|"):
            assert word.strip("=-*_#>`~|()[]!.") in unescape(html), (word, html)
