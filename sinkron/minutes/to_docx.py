"""DOCX: the berita acara as an editable Word document (BAPPEDA staff edit and
sign it). A4, page numbers, repeating table headers, signature blocks."""
from __future__ import annotations

import io

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor

from .content import Minutes, NumberedList, Paragraph, Section, Signatures, Table
from .formatting import cell_text, split_page_label, xml_safe

PAGE_WIDTH, PAGE_HEIGHT, MARGIN = Mm(210), Mm(297), Mm(20)
TEXT_WIDTH = PAGE_WIDTH - 2 * MARGIN
DRAFT_RED = RGBColor(0xB0, 0x00, 0x00)


def _page(doc) -> None:
    section = doc.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = PAGE_WIDTH, PAGE_HEIGHT
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, MARGIN)
    normal = doc.styles["Normal"]
    normal.font.name = "Arial"
    normal.font.size = Pt(10)


def _field(paragraph, instruction: str) -> None:
    """A Word field (PAGE, NUMPAGES) that Word and LibreOffice fill in."""
    field = OxmlElement("w:fldSimple")
    field.set(qn("w:instr"), instruction)
    run = OxmlElement("w:r")
    text = OxmlElement("w:t")
    text.text = "1"
    run.append(text)
    field.append(run)
    paragraph._p.append(field)


def _header_footer(doc, m: Minutes) -> None:
    section = doc.sections[0]
    head = section.header.paragraphs[0]
    head.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    run = head.add_run(xml_safe(m.running_head))
    run.font.size = Pt(8)
    if m.draft:
        run.bold = True
        run.font.color.rgb = DRAFT_RED
    foot = section.footer.paragraphs[0]
    foot.alignment = WD_ALIGN_PARAGRAPH.CENTER
    for part in split_page_label(m.page_label):
        if part == "%(page)s":
            _field(foot, "PAGE")
        elif part == "%(pages)s":
            _field(foot, "NUMPAGES")
        elif part:
            foot.add_run(part).font.size = Pt(8)


def _repeat_header(row) -> None:
    tr_pr = row._tr.get_or_add_trPr()
    flag = OxmlElement("w:tblHeader")
    flag.set(qn("w:val"), "true")
    tr_pr.append(flag)


def _fill(cell, value, bold: bool) -> None:
    paragraph = cell.paragraphs[0]
    run = paragraph.add_run(xml_safe(cell_text(value)))
    if bold:
        run.bold = True


def _table(doc, t: Table) -> None:
    table = doc.add_table(rows=1, cols=len(t.columns))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    share = sum(c.width for c in t.columns)
    # Rows added later copy the grid's widths into their cells.
    for col, spec in zip(table.columns, t.columns):
        col.width = int(TEXT_WIDTH * spec.width / share)
    header = table.rows[0]
    _repeat_header(header)
    for cell, spec in zip(header.cells, t.columns):
        cell.width = int(TEXT_WIDTH * spec.width / share)
        _fill(cell, spec.title, True)
    for i, values in enumerate(t.rows):
        bold = i in t.emphasis
        for cell, value in zip(table.add_row().cells, values):
            _fill(cell, value, bold)


def _signatures(doc, s: Signatures) -> None:
    if s.dated:
        doc.add_paragraph(xml_safe(s.dated)).alignment = WD_ALIGN_PARAGRAPH.RIGHT
    table = doc.add_table(rows=4, cols=len(s.people))
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    for i, person in enumerate(s.people):
        label, title, space, name = (table.cell(r, i) for r in range(4))
        label.paragraphs[0].add_run(xml_safe(person.label)).bold = True
        title.paragraphs[0].add_run(xml_safe(person.title))
        # Room for the signature itself.
        space.paragraphs[0].paragraph_format.space_after = Pt(48)
        run = name.paragraphs[0].add_run(xml_safe(person.name) or "(....................)")
        run.bold = True
        run.underline = bool(person.name)
        for cell in (label, title, space, name):
            cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.CENTER


def _paragraph(doc, p: Paragraph) -> None:
    if p.style == "subheading":
        doc.add_heading(xml_safe(p.text), level=3)
        return
    paragraph = doc.add_paragraph()
    run = paragraph.add_run(xml_safe(p.text))
    if p.style == "note":
        run.italic = True
    elif p.style == "draft":
        run.bold = True
        run.font.color.rgb = DRAFT_RED
    paragraph.paragraph_format.alignment = (WD_ALIGN_PARAGRAPH.CENTER if p.style == "centre"
                                            else WD_ALIGN_PARAGRAPH.JUSTIFY)


def _section(doc, section: Section) -> None:
    if section.heading:
        heading = doc.add_heading(xml_safe(section.heading), level=1 if section.annex else 2)
        heading.paragraph_format.page_break_before = section.annex
    for block in section.blocks:
        if isinstance(block, Paragraph):
            _paragraph(doc, block)
        elif isinstance(block, Table):
            _table(doc, block)
            doc.add_paragraph()
        elif isinstance(block, NumberedList):
            for item in block.items:
                doc.add_paragraph(xml_safe(item), style="List Number")
        elif isinstance(block, Signatures):
            _signatures(doc, block)


def _title(doc, m: Minutes) -> None:
    for text, size in ((m.heading, 16), (m.title, 12), (m.number, 10)):
        if text:
            paragraph = doc.add_paragraph()
            paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
            run = paragraph.add_run(xml_safe(text))
            run.bold = True
            run.font.size = Pt(size)
            if m.draft and text is m.heading:
                run.font.color.rgb = DRAFT_RED


def render(m: Minutes) -> bytes:
    doc = Document()
    _page(doc)
    _header_footer(doc, m)
    doc.core_properties.title = xml_safe(f"{m.heading}: {m.title}")[:250]
    _title(doc, m)
    for section in m.sections:
        _section(doc, section)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()
