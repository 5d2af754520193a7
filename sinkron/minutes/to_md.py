"""Markdown: the whole document, readable as plain text and as rendered Markdown."""
from __future__ import annotations

import re

from .content import Minutes, NumberedList, Paragraph, Signatures, Table
from .formatting import cell_text

# Characters that Markdown (CommonMark + GFM tables) would read as markup or
# HTML; names and comments must come out exactly as typed.
_SPECIAL = re.compile(r"([\\`*_\[\]<>#|&~])")
# A line that starts like a list item or a heading.
_LINE_START = re.compile(r"^(\s*)([-+]|\d+[.)])", re.MULTILINE)


def escape(text: str, line_start: bool = True) -> str:
    text = _SPECIAL.sub(r"\\\1", text)
    if not line_start:
        return text
    return _LINE_START.sub(lambda m: m.group(1) + m.group(2)[:-1] + "\\" + m.group(2)[-1], text)


def _cell(value) -> str:
    return escape(cell_text(value)).replace("\r", "").replace("\n", "<br>")


def _table(t: Table) -> list[str]:
    lines = ["| " + " | ".join(escape(c.title) for c in t.columns) + " |",
             "|" + "|".join(" --- " for _ in t.columns) + "|"]
    for i, row in enumerate(t.rows):
        cells = [_cell(v) for v in row]
        if i in t.emphasis:
            cells = [f"**{c}**" if c else c for c in cells]
        lines.append("| " + " | ".join(cells) + " |")
    return lines


def _paragraph(p: Paragraph) -> list[str]:
    text = escape(p.text).replace("\n", "  \n")
    if p.style == "subheading":
        return [f"### {escape(p.text, line_start=False)}"]
    if p.style == "note":
        return [f"*{text}*"]
    if p.style == "draft":
        return [f"**{text}**"]
    return [text]


def _signatures(s: Signatures) -> list[str]:
    # A table keeps the blocks side by side, as on paper.
    lines = [escape(s.dated), ""] if s.dated else []
    lines += ["| " + " | ".join(escape(p.label) for p in s.people) + " |",
              "|" + "|".join(" --- " for _ in s.people) + "|",
              "| " + " | ".join(escape(p.title) for p in s.people) + " |",
              "| " + " | ".join("<br><br><br>" for _ in s.people) + " |",
              "| " + " | ".join(escape(p.name) or "(....................)" for p in s.people) + " |"]
    if any(p.nip for p in s.people):
        lines.append("| " + " | ".join(escape(p.nip) for p in s.people) + " |")
    return lines


def render(m: Minutes) -> bytes:
    out = [f"# {escape(m.heading)}", "", f"**{escape(m.title)}**", ""]
    if m.number:
        out += [escape(m.number), ""]
    for section in m.sections:
        if section.annex:
            out += ["---", ""]
        if section.heading:
            out += [f"## {escape(section.heading, line_start=False)}", ""]
        for block in section.blocks:
            if isinstance(block, Paragraph):
                out += _paragraph(block)
            elif isinstance(block, Table):
                out += _table(block)
            elif isinstance(block, NumberedList):
                out += [f"{i}. {escape(item)}" for i, item in enumerate(block.items, 1)]
            elif isinstance(block, Signatures):
                out += _signatures(block)
            out.append("")
    return "\n".join(out).encode("utf-8")
