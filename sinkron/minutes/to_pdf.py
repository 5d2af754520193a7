"""PDF: the same document as the DOCX, for filing as is. fpdf2 installs from pip
alone; the DejaVu Sans files shipped next to this module cover Indonesian
and English, so no system font is needed."""
from __future__ import annotations

from pathlib import Path

from fpdf import FPDF
from fpdf.enums import TableBordersLayout, XPos, YPos
from fpdf.fonts import FontFace

from .content import Minutes, NumberedList, Paragraph, Section, Signatures, Table
from .formatting import cell_text, split_page_label

FONTS = Path(__file__).parent / "fonts"
FAMILY = "DejaVu"
BODY, SMALL, LINE = 9, 7.5, 4.6
DRAFT_RED = (176, 0, 0)
GREY = (90, 90, 90)


class _PDF(FPDF):
    def __init__(self, m: Minutes):
        super().__init__(orientation="P", unit="mm", format="A4")
        self.minutes = m
        self.add_font(FAMILY, "", FONTS / "DejaVuSans.ttf")
        self.add_font(FAMILY, "B", FONTS / "DejaVuSans-Bold.ttf")
        self.set_margins(18, 18, 18)
        self.set_auto_page_break(True, margin=18)
        self.set_title(f"{m.heading}: {m.title}")
        self.set_lang(m.lang)

    def header(self) -> None:
        # Every page carries the running head, so a loose page of a draft is still a draft.
        draft = self.minutes.draft
        self.set_font(FAMILY, "B" if draft else "", SMALL)
        self.set_text_color(*(DRAFT_RED if draft else GREY))
        self.cell(0, 5, self.minutes.running_head, align="R", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.set_text_color(0)
        self.ln(2)

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font(FAMILY, "", SMALL)
        text = "".join(str(self.page_no()) if part == "%(page)s" else
                       self.str_alias_nb_pages if part == "%(pages)s" else part
                       for part in split_page_label(self.minutes.page_label))
        self.cell(0, 5, text, align="C")


def _text(pdf: _PDF, text: str, size: float = BODY, bold: bool = False, align: str = "J",
          color=(0, 0, 0)) -> None:
    pdf.set_font(FAMILY, "B" if bold else "", size)
    pdf.set_text_color(*color)
    pdf.multi_cell(0, LINE * size / BODY, text, align=align, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_text_color(0)


def _table(pdf: _PDF, t: Table) -> None:
    pdf.set_font(FAMILY, "", SMALL)
    bold = FontFace(emphasis="BOLD")
    with pdf.table(col_widths=[c.width for c in t.columns], line_height=3.6, text_align="LEFT",
                   v_align="TOP", padding=1, headings_style=FontFace(emphasis="BOLD",
                                                                     fill_color=(221, 228, 238)),
                   repeat_headings=1) as table:
        head = table.row()
        for c in t.columns:
            head.cell(c.title)
        for i, values in enumerate(t.rows):
            row = table.row()
            style = bold if i in t.emphasis else None
            for value in values:
                row.cell(cell_text(value), style=style)
    pdf.ln(3)


def _signatures(pdf: _PDF, s: Signatures) -> None:
    # Kept together: a signature block split over two pages is useless.
    if pdf.will_page_break(60):
        pdf.add_page()
    if s.dated:
        _text(pdf, s.dated, align="R")
        pdf.ln(2)
    pdf.set_font(FAMILY, "", BODY)
    with pdf.table(borders_layout=TableBordersLayout.NONE, text_align="CENTER", line_height=LINE,
                   first_row_as_headings=False, v_align="TOP") as table:
        rows = ([(p.label, True) for p in s.people], [(p.title, False) for p in s.people],
                [("\n\n\n\n", False) for _ in s.people],
                [(p.name or "(....................)", True) for p in s.people])
        for cells in rows:
            row = table.row()
            for text, strong in cells:
                row.cell(text, style=FontFace(emphasis="BOLD") if strong else None)


def _section(pdf: _PDF, section: Section) -> None:
    if section.annex:
        pdf.add_page()
    if section.heading:
        if pdf.will_page_break(20):
            pdf.add_page()
        pdf.ln(2)
        _text(pdf, section.heading, size=11, bold=True, align="L")
        pdf.ln(1)
    for block in section.blocks:
        if isinstance(block, Paragraph):
            if block.style == "subheading":
                pdf.ln(1)
                _text(pdf, block.text, size=BODY, bold=True, align="L")
            elif block.style == "draft":
                _text(pdf, block.text, bold=True, color=DRAFT_RED)
            elif block.style == "note":
                _text(pdf, block.text, size=SMALL + 0.5, color=GREY)
            else:
                _text(pdf, block.text, align="C" if block.style == "centre" else "J")
            pdf.ln(1.5)
        elif isinstance(block, Table):
            _table(pdf, block)
        elif isinstance(block, NumberedList):
            for i, item in enumerate(block.items, 1):
                _text(pdf, f"{i}. {item}")
                pdf.ln(1)
        elif isinstance(block, Signatures):
            _signatures(pdf, block)


def render(m: Minutes) -> bytes:
    pdf = _PDF(m)
    pdf.add_page()
    for text, size in ((m.heading, 15), (m.title, 11), (m.number, BODY)):
        if text:
            _text(pdf, text, size=size, bold=True, align="C",
                  color=DRAFT_RED if m.draft and text is m.heading else (0, 0, 0))
    pdf.ln(3)
    for section in m.sections:
        _section(pdf, section)
    return bytes(pdf.output())
