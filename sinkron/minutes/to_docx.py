"""DOCX: the berita acara as an editable Word document (BAPPEDA staff edit and
sign it). A4, page numbers, table headers that repeat on every page and rows
that do not split across pages, headings in the document's own colours, the
results on landscape pages, signature blocks.

python-docx sets up the package, page, header and footer; the body is written
as WordprocessingML text and parsed once, because building tens of thousands
of table cells through python-docx's object API takes many seconds."""
from __future__ import annotations

import io
from xml.sax.saxutils import escape

from docx import Document
from lxml import etree
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls
from docx.shared import Mm, Pt, RGBColor

from .content import Minutes, NumberedList, Paragraph, Section, Signatures, Table
from .formatting import cell_text, split_page_label, xml_safe
from .measure import header_size

PAGE_WIDTH, PAGE_HEIGHT, MARGIN = Mm(210), Mm(297), Mm(20)
TEXT_WIDTH_TWIPS = int((PAGE_WIDTH - 2 * MARGIN) / 635)  # EMU -> twentieths of a point
LANDSCAPE_WIDTH_TWIPS = int((PAGE_HEIGHT - 2 * MARGIN) / 635)
CELL_MARGIN_TWIPS = 57
DRAFT_RED = "B00000"
TEXT_COLOUR = "1F2937"  # headings: the body's near-black, not Word's default blue
TABLE_PT = 8.5
HEADER_MIN_PT = 6
STYLE_NAMES = {"table": "Table Grid", "h1": "Heading 1", "h2": "Heading 2", "h3": "Heading 3",
               "list": "List Number"}
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def _plain_heading(style) -> None:
    """The document's own font and colour: Word's template sets headings in
    its theme's font and blue, which no BAPPEDA document uses."""
    rpr = style.element.get_or_add_rPr()
    fonts = rpr.find(f"{W}rFonts")
    if fonts is not None:
        for name in ("asciiTheme", "hAnsiTheme", "eastAsiaTheme", "cstheme"):
            fonts.attrib.pop(f"{W}{name}", None)
    style.font.name = "Arial"
    style.font.color.rgb = RGBColor.from_string(TEXT_COLOUR)
    colour = rpr.find(f"{W}color")
    for name in ("themeColor", "themeShade", "themeTint"):
        colour.attrib.pop(f"{W}{name}", None)


def _setup(doc, m: Minutes) -> dict[str, str]:
    section = doc.sections[0]
    section.page_width, section.page_height = PAGE_WIDTH, PAGE_HEIGHT
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, MARGIN)
    normal = doc.styles["Normal"]
    normal.font.name = "Arial"
    normal.font.size = Pt(10)
    for name in ("Heading 1", "Heading 2", "Heading 3", "Title"):
        _plain_heading(doc.styles[name])
    doc.core_properties.title = xml_safe(f"{m.heading}: {m.title}")[:250]
    return {key: doc.styles[name].style_id for key, name in STYLE_NAMES.items()}


def _field(paragraph, instruction: str) -> None:
    """A Word field (PAGE, NUMPAGES) that Word and LibreOffice fill in."""
    paragraph._p.append(parse_xml(
        f'<w:fldSimple {nsdecls("w")} w:instr="{instruction}"><w:r><w:rPr><w:sz w:val="16"/>'
        f'</w:rPr><w:t>1</w:t></w:r></w:fldSimple>'))


def _header_footer(doc, m: Minutes) -> None:
    section = doc.sections[0]
    head = section.header.paragraphs[0]
    head.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    run = head.add_run(xml_safe(m.running_head))
    run.font.size = Pt(8)
    if m.draft:
        # Every page says draft: a page copied on its own must not pass as final.
        run.bold = True
        run.font.color.rgb = RGBColor.from_string(DRAFT_RED)
    foot = section.footer.paragraphs[0]
    foot.alignment = WD_ALIGN_PARAGRAPH.CENTER
    for part in split_page_label(m.page_label):
        if part == "%(page)s":
            _field(foot, "PAGE")
        elif part == "%(pages)s":
            _field(foot, "NUMPAGES")
        elif part:
            foot.add_run(part).font.size = Pt(8)


# --- WordprocessingML as text ---------------------------------------------------------

def _run(text: str, bold=False, italic=False, underline=False, color=None, size=None) -> str:
    # Child order is fixed by the schema: b, i, color, sz, u.
    props = ("<w:b/>" if bold else "") + ("<w:i/>" if italic else "") + \
        (f'<w:color w:val="{color}"/>' if color else "") + \
        (f'<w:sz w:val="{int(size * 2)}"/>' if size else "") + \
        ('<w:u w:val="single"/>' if underline else "")
    lines = escape(xml_safe(text)).split("\n")
    body = "<w:br/>".join(f'<w:t xml:space="preserve">{line}</w:t>' for line in lines)
    return f"<w:r>{'<w:rPr>' + props + '</w:rPr>' if props else ''}{body}</w:r>"


def _p(runs: str, style: str | None = None, align: str | None = None, page_break=False,
       keep_next=False, space_after: int | None = None) -> str:
    props = (f'<w:pStyle w:val="{style}"/>' if style else "") + \
        ("<w:keepNext/>" if keep_next else "") + ("<w:pageBreakBefore/>" if page_break else "") + \
        (f'<w:spacing w:after="{space_after}"/>' if space_after is not None else "") + \
        (f'<w:jc w:val="{align}"/>' if align else "")
    return f"<w:p>{'<w:pPr>' + props + '</w:pPr>' if props else ''}{runs}</w:p>"


def _cell(text: str, width: int, bold: bool, align: str | None = None, shade: str | None = None,
          space_after: int = 0, size: float | None = TABLE_PT) -> str:
    props = f'<w:tcW w:w="{width}" w:type="dxa"/>' + \
        (f'<w:shd w:val="clear" w:color="auto" w:fill="{shade}"/>' if shade else "")
    return (f"<w:tc><w:tcPr>{props}</w:tcPr>"
            f"{_p(_run(text, bold=bold, size=size), align=align, space_after=space_after)}</w:tc>")


def _grid(widths: list[int], style: str | None, borders: bool) -> str:
    look = '<w:tblLook w:val="04A0" w:firstRow="1" w:lastRow="0" w:firstColumn="1" ' \
           'w:lastColumn="0" w:noHBand="0" w:noVBand="1"/>'
    props = (f'<w:tblStyle w:val="{style}"/>' if style and borders else "") + \
        '<w:tblW w:w="0" w:type="auto"/><w:jc w:val="center"/>' + \
        '<w:tblLayout w:type="fixed"/>' + \
        '<w:tblCellMar><w:left w:w="57" w:type="dxa"/><w:right w:w="57" w:type="dxa"/></w:tblCellMar>' + look
    cols = "".join(f'<w:gridCol w:w="{w}"/>' for w in widths)
    return f"<w:tblPr>{props}</w:tblPr><w:tblGrid>{cols}</w:tblGrid>"


def _table(t: Table, ids: dict[str, str], text_width: int) -> str:
    share = sum(c.width for c in t.columns)
    widths = [int(text_width * c.width / share) for c in t.columns]
    # Headers shrink rather than break inside a word.
    header = "".join(_cell(c.title, w, True, shade="DDE4EE", size=header_size(
        c.title, (w - 2 * CELL_MARGIN_TWIPS) / 20, TABLE_PT, HEADER_MIN_PT)) for c, w in zip(t.columns, widths))
    # The header row repeats on every page the table runs over; no row splits across pages.
    rows = [f'<w:tr><w:trPr><w:cantSplit/><w:tblHeader/></w:trPr>{header}</w:tr>']
    for i, values in enumerate(t.rows):
        bold = i in t.emphasis
        cells = "".join(_cell(cell_text(v), w, bold) for v, w in zip(values, widths))
        rows.append(f"<w:tr><w:trPr><w:cantSplit/></w:trPr>{cells}</w:tr>")
    return f"<w:tbl>{_grid(widths, ids['table'], True)}{''.join(rows)}</w:tbl>" + _p("")


def _signatures(s: Signatures) -> str:
    out = _p(_run(s.dated), align="right") if s.dated else ""
    width = TEXT_WIDTH_TWIPS // len(s.people)
    widths = [width] * len(s.people)
    rows = [
        [_cell(p.label, width, True, "center", size=None) for p in s.people],
        [_cell(p.title, width, False, "center", size=None) for p in s.people],
        # Room for the signature itself.
        [_cell("", width, False, "center", space_after=960, size=None) for _ in s.people],
        [f"<w:tc><w:tcPr><w:tcW w:w=\"{width}\" w:type=\"dxa\"/></w:tcPr>"
         f"{_p(_run(p.name or '(....................)', bold=True, underline=bool(p.name)), align='center')}"
         f"</w:tc>" for p in s.people],
    ]
    if any(p.nip for p in s.people):
        rows.append([_cell(p.nip, width, False, "center", size=None) for p in s.people])
    body = "".join(f"<w:tr><w:trPr><w:cantSplit/></w:trPr>{''.join(r)}</w:tr>" for r in rows)
    return out + f"<w:tbl>{_grid(widths, None, False)}{body}</w:tbl>"


def _paragraph(p: Paragraph, ids: dict[str, str]) -> str:
    if p.style == "subheading":
        return _p(_run(p.text), style=ids["h3"], keep_next=True)
    if p.style == "note":
        return _p(_run(p.text, italic=True))
    if p.style == "draft":
        return _p(_run(p.text, bold=True, color=DRAFT_RED))
    return _p(_run(p.text), align="center" if p.style == "centre" else "both")


def _section(section: Section, ids: dict[str, str]) -> str:
    out = []
    text_width = LANDSCAPE_WIDTH_TWIPS if section.landscape else TEXT_WIDTH_TWIPS
    if section.heading:
        out.append(_p(_run(section.heading), style=ids["h1" if section.annex else "h2"],
                      page_break=section.annex, keep_next=True))
    for block in section.blocks:
        if isinstance(block, Paragraph):
            out.append(_paragraph(block, ids))
        elif isinstance(block, Table):
            out.append(_table(block, ids, text_width))
        elif isinstance(block, NumberedList):
            out += [_p(_run(item), style=ids["list"]) for item in block.items]
        elif isinstance(block, Signatures):
            out.append(_signatures(block))
    return "".join(out)


def _title(m: Minutes) -> str:
    return "".join(
        _p(_run(text, bold=True, size=size, color=DRAFT_RED if m.draft and text is m.heading else None),
           align="center")
        for text, size in ((m.heading, 16), (m.title, 12), (m.number, 10)) if text)


def _section_break(sect_pr: str, landscape: bool) -> str:
    """A paragraph that ends a Word section: the pages before it take this
    page set-up (the document's own, turned for landscape)."""
    if landscape:
        sect_pr = sect_pr.replace(f'w:w="{PAGE_WIDTH.twips}" w:h="{PAGE_HEIGHT.twips}"',
                                  f'w:w="{PAGE_HEIGHT.twips}" w:h="{PAGE_WIDTH.twips}" w:orient="landscape"')
    return f"<w:p><w:pPr>{sect_pr}</w:pPr></w:p>"


def _body(m: Minutes, ids: dict[str, str], sect_pr: str) -> str:
    out, landscape = [_title(m)], False
    for section in m.sections:
        if section.landscape != landscape:
            out.append(_section_break(sect_pr, landscape))
            landscape = section.landscape
        out.append(_section(section, ids))
    if landscape:
        out.append(_section_break(sect_pr, True))
    return "".join(out)


MARKER = _p(_run("sinkron-minutes-body"))


def render(m: Minutes) -> bytes:
    doc = Document()
    ids = _setup(doc, m)
    _header_footer(doc, m)
    # The body's own section properties (page, margins, header and footer), as
    # text without namespace declarations, for the section breaks around landscape pages.
    sect_pr = etree.tostring(doc.element.body.sectPr, encoding="unicode")
    sect_pr = "<w:sectPr>" + sect_pr.split(">", 1)[1]
    doc.element.body.sectPr.addprevious(parse_xml(MARKER.replace("<w:p>", f"<w:p {nsdecls('w')}>", 1)))
    # The body goes in as text and the whole part is parsed once: moving
    # elements between lxml documents re-walks every node and took longer
    # than everything else together.
    skeleton = etree.tostring(doc.element, encoding="unicode")
    assert skeleton.count(MARKER) == 1
    body = _body(m, ids, sect_pr)
    doc.part._element = parse_xml(skeleton.replace(MARKER, body))
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()
