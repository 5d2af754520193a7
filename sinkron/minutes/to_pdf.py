"""PDF: the same document as the DOCX, for filing as is. fpdf2 installs from pip
alone; the DejaVu Sans files shipped next to this module cover Indonesian
and English, so no system font is needed.

Text is wrapped here, word by word with cached widths, and drawn line by line.
fpdf2's own multi_cell and table() measure every line character by character
again and again: on a 200-proposal meeting they took over 20 seconds.

Characters DejaVu lacks (emoji, most scripts of Asia) are drawn in a
fallback font when one is installed (fallback.py), as runs of their own
within a line; what no font has becomes a visible replacement character.
Nothing is dropped, and fpdf2 never meets a glyph it would warn about."""
from __future__ import annotations

from pathlib import Path

from fpdf import FPDF

from . import fallback
from .measure import fit_size
from .content import Minutes, NumberedList, Paragraph, Section, Signatures, Table
from .formatting import cell_text, split_page_label, xml_safe

FONTS = Path(__file__).parent / "fonts"
FAMILY = "DejaVu"
MAIN_FILE = FONTS / "DejaVuSans.ttf"
BODY, SMALL = 9.0, 7.5
LEADING = 1.25          # line height as a multiple of the font size
PAD = 1.0               # cell padding, mm
DRAFT_RED = (176, 0, 0)
GREY = (90, 90, 90)
HEAD_FILL = (221, 228, 238)
# Column headers shrink (down to this size) rather than break inside a word.
HEADER_MIN = 5.5


class _PDF(FPDF):
    def __init__(self, m: Minutes):
        super().__init__(orientation="P", unit="mm", format="A4")
        self.minutes = m
        self.add_font(FAMILY, "", MAIN_FILE)
        self.add_font(FAMILY, "B", FONTS / "DejaVuSans-Bold.ttf")
        self.set_margins(18, 18, 18)
        self.set_auto_page_break(False, margin=18)
        self.set_title(xml_safe(f"{m.heading}: {m.title}"))
        self.set_lang(m.lang)
        self._widths: dict[tuple[str, str], float] = {}
        self.glyphs = fallback.Glyphs(MAIN_FILE)
        self._fallbacks: dict[int, str] = {}  # fallback number -> the family added to this PDF

    def new_page(self) -> None:
        """A page in the current orientation (fpdf2's default would be portrait)."""
        self.add_page(orientation=self.cur_orientation)

    def header(self) -> None:
        # Every page carries the running head, so a loose page of a draft is still a draft.
        draft = self.minutes.draft
        self.use(draft, SMALL)
        self.set_text_color(*(DRAFT_RED if draft else GREY))
        line, width = self.wrap(self.minutes.running_head, self.epw)[0]
        self.draw(self.l_margin + self.epw - width, self.t_margin + 3.5, line)
        self.set_text_color(0)
        self.set_y(self.t_margin + 7)

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font(FAMILY, "", SMALL)
        text = "".join(str(self.page_no()) if part == "%(page)s" else
                       self.str_alias_nb_pages if part == "%(pages)s" else part
                       for part in split_page_label(self.minutes.page_label))
        self.cell(0, 5, text, align="C")

    # --- measuring and wrapping -----------------------------------------------------

    @property
    def bottom(self) -> float:
        return self.h - self.b_margin

    def use(self, bold: bool, size: float) -> None:
        self.set_font(FAMILY, "B" if bold else "", size)

    def _family(self, font: int) -> str:
        """The family drawing run `font` (0: DejaVu), added to this PDF on first use."""
        if font == 0:
            return FAMILY
        family = self._fallbacks.get(font)
        if family is None:
            family = self._fallbacks[font] = f"Fallback{font}"
            self.add_font(family, "", self.glyphs.path(font))
        return family

    def width(self, word: str) -> float:
        """Width in mm at the current font and size; words repeat, so cached."""
        key = (self.font_style, word)
        found = self._widths.get(key)
        if found is None:
            found = 0.0
            for font, run in self.glyphs.runs(word):
                if font == 0:
                    cw = self.fonts[f"{FAMILY.lower()}{self.font_style}"].cw
                else:
                    cw = self.fonts[self._family(font).lower()].cw
                found += sum(cw[ord(c)] for c in run) * 0.001 / self.k
            self._widths[key] = found
        return found * self.font_size_pt

    def draw(self, x: float, y: float, line: str) -> None:
        """Draw one line at (x, baseline y), each run in the font that has its glyphs."""
        if self.glyphs.plain(line):
            self.text(x, y, line)
            return
        style, size = self.font_style, self.font_size_pt
        for font, run in self.glyphs.runs(line):
            advance = self.width(run)  # measured in the main style: runs know their fonts
            self.set_font(self._family(font), style if font == 0 else "", size)
            self.text(x, y, run)
            x += advance
            self.set_font(FAMILY, style, size)

    def wrap(self, text: str, room: float) -> list[tuple[str, float]]:
        """Greedy word wrap into (line, width) pairs; words wider than the room are cut."""
        lines: list[tuple[str, float]] = []
        space = self.width(" ")
        text = self.glyphs.visible(xml_safe(text).replace("\t", " "))
        for paragraph in text.split("\n"):
            line, used = "", 0.0
            for word in paragraph.split(" "):
                w = self.width(word)
                if line and used + space + w <= room:
                    line, used = f"{line} {word}", used + space + w
                    continue
                if line:
                    lines.append((line, used))
                line, used = word, w
                while used > room and len(line) > 1:
                    cut = self._fit(line, room)
                    lines.append((line[:cut], self.width(line[:cut])))
                    line = line[cut:]
                    used = self.width(line)
            lines.append((line, used))
        return lines

    def _fit(self, word: str, room: float) -> int:
        total = 0.0
        for i, c in enumerate(word):
            total += self.width(c)
            if total > room:
                return max(1, i)
        return len(word)

    def widest_word(self, text: str) -> float:
        return max((self.width(word) for word in self.glyphs.visible(text).split()), default=0.0)


# --- blocks ------------------------------------------------------------------------

def _line_height(size: float) -> float:
    return size * LEADING / 72 * 25.4


def _text(pdf: _PDF, text: str, size: float = BODY, bold: bool = False, align: str = "L",
          color=(0, 0, 0), gap: float = 1.5) -> None:
    pdf.use(bold, size)
    pdf.set_text_color(*color)
    lh = _line_height(size)
    for line, width in pdf.wrap(text, pdf.epw):
        if pdf.y + lh > pdf.bottom:
            pdf.new_page()
            pdf.use(bold, size)
            pdf.set_text_color(*color)
        x = pdf.l_margin + {"L": 0, "C": (pdf.epw - width) / 2, "R": pdf.epw - width}[align]
        pdf.draw(x, pdf.y + lh * 0.78, line)
        pdf.y += lh
    pdf.set_text_color(0)
    pdf.y += gap


class _Grid:
    """Draws one table: header row repeated on each page, rows split across pages
    only when taller than a page."""

    def __init__(self, pdf: _PDF, widths: list[float], borders: bool = True, centre: bool = False):
        self.pdf, self.widths, self.borders, self.centre = pdf, widths, borders, centre
        self.lh = _line_height(SMALL)
        self.header: list[str] | None = None
        self.header_sizes: list[float] | None = None

    def _lines(self, values: list[str], bold: bool, sizes: list[float] | None = None):
        out = []
        for i, (v, w) in enumerate(zip(values, self.widths)):
            self.pdf.use(bold, sizes[i] if sizes else SMALL)
            out.append(self.pdf.wrap(v, w - 2 * PAD))
        return out

    def _draw(self, cells, start: int, count: int, bold: bool, fill=None, sizes=None) -> None:
        pdf = self.pdf
        pdf.use(bold, SMALL)
        top, height = pdf.y, count * self.lh + 2 * PAD
        x = pdf.l_margin
        if fill:
            pdf.set_fill_color(*fill)
            pdf.rect(x, top, sum(self.widths), height, style="F")
        for i, (lines, w) in enumerate(zip(cells, self.widths)):
            if sizes:
                pdf.use(bold, sizes[i])
            for n, (line, lw) in enumerate(lines[start:start + count]):
                offset = (w - lw) / 2 if self.centre else PAD
                pdf.draw(x + offset, top + PAD + n * self.lh + self.lh * 0.78, line)
            x += w
        if self.borders:
            right = pdf.l_margin + sum(self.widths)
            pdf.line(pdf.l_margin, top, right, top)
            pdf.line(pdf.l_margin, top + height, right, top + height)
            x = pdf.l_margin
            for w in [0.0] + self.widths:
                x += w
                pdf.line(x, top, x, top + height)
        pdf.y = top + height

    def _room(self) -> int:
        return int((self.pdf.bottom - self.pdf.y - 2 * PAD) // self.lh)

    def _draw_header(self) -> None:
        self._draw(self.header_lines, 0, max(map(len, self.header_lines)), True, HEAD_FILL,
                   self.header_sizes)

    def _new_page(self) -> None:
        self.pdf.new_page()
        if self.header is not None:
            self._draw_header()

    def head(self, titles: list[str]) -> None:
        """The header row; each title shrinks until its longest word fits its column."""
        self.pdf.use(True, SMALL)
        self.header_sizes = []
        for title, w in zip(titles, self.widths):
            widest = self.pdf.widest_word(title)
            room = w - 2 * PAD
            self.header_sizes.append(fit_size(widest, room, SMALL, HEADER_MIN))
        self.header, self.header_lines = titles, self._lines(titles, True, self.header_sizes)
        if self._room() < max(map(len, self.header_lines)) + 2:
            self.pdf.new_page()
        self._draw_header()

    def row(self, values: list[str], bold: bool = False) -> None:
        cells = self._lines(values, bold)
        total = max(map(len, cells))
        done = 0
        while done < total:
            room = self._room()
            # A row that fits on a fresh page is not split; a longer one is.
            if room < total - done and (room < 3 or done == 0 and total <= self._page_room()):
                self._new_page()
                room = self._room()
            count = min(room, total - done)
            self._draw(cells, done, count, bold)
            done += count

    def _page_room(self) -> int:
        header = max(map(len, self.header_lines)) * self.lh + 2 * PAD if self.header else 0
        usable = self.pdf.bottom - self.pdf.t_margin - 7 - header
        return int((usable - 2 * PAD) // self.lh)


def _table(pdf: _PDF, t: Table) -> None:
    share = sum(c.width for c in t.columns)
    grid = _Grid(pdf, [pdf.epw * c.width / share for c in t.columns])
    grid.head([c.title for c in t.columns])
    for i, values in enumerate(t.rows):
        grid.row([cell_text(v) for v in values], bold=i in t.emphasis)
    pdf.y += 3


def _signatures(pdf: _PDF, s: Signatures) -> None:
    # Kept together: a signature block split over two pages is useless.
    if pdf.y + 66 > pdf.bottom:
        pdf.new_page()
    if s.dated:
        _text(pdf, s.dated, align="R")
    grid = _Grid(pdf, [pdf.epw / len(s.people)] * len(s.people), borders=False, centre=True)
    grid.row([p.label for p in s.people], bold=True)
    grid.row([p.title for p in s.people])
    pdf.y += 22
    grid.row([p.name or "(....................)" for p in s.people], bold=True)
    if any(p.nip for p in s.people):
        grid.row([p.nip for p in s.people])


def _section(pdf: _PDF, section: Section) -> None:
    orientation = "L" if section.landscape else "P"
    if section.annex or orientation != pdf.cur_orientation:
        pdf.add_page(orientation=orientation)
    if section.heading:
        if pdf.y + 25 > pdf.bottom:
            pdf.new_page()
        pdf.y += 2
        _text(pdf, section.heading, size=11, bold=True, gap=1)
    for block in section.blocks:
        if isinstance(block, Paragraph):
            if block.style == "subheading":
                if pdf.y + 20 > pdf.bottom:
                    pdf.new_page()
                pdf.y += 1
                _text(pdf, block.text, bold=True, gap=1)
            elif block.style == "draft":
                _text(pdf, block.text, bold=True, color=DRAFT_RED)
            elif block.style == "note":
                _text(pdf, block.text, size=SMALL + 0.5, color=GREY)
            else:
                _text(pdf, block.text, align="C" if block.style == "centre" else "L")
        elif isinstance(block, Table):
            _table(pdf, block)
        elif isinstance(block, NumberedList):
            for i, item in enumerate(block.items, 1):
                _text(pdf, f"{i}. {item}", gap=1)
        elif isinstance(block, Signatures):
            _signatures(pdf, block)


def render(m: Minutes) -> bytes:
    pdf = _PDF(m)
    pdf.add_page()
    for text, size in ((m.heading, 15), (m.title, 11), (m.number, BODY)):
        if text:
            _text(pdf, text, size=size, bold=True, align="C", gap=0.5,
                  color=DRAFT_RED if m.draft and text is m.heading else (0, 0, 0))
    pdf.y += 3
    for section in m.sections:
        _section(pdf, section)
    return bytes(pdf.output())
