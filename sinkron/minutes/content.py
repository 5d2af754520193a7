"""The shape of the minutes: plain data that every renderer lays out.

The builder fills it in (and is the only place that decides what it says);
renderers never query the database or choose wording."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Union


class Money(int):
    """An amount in rupiah: text renderers write "Rp 250.000.000" (with a
    no-break space), spreadsheets keep the number and give it a currency format."""


Cell = Union[str, int, float, Money, dt.date, None]


@dataclass
class Column:
    title: str
    # Share of the page width in documents; spreadsheets size columns from content.
    width: float = 1.0


@dataclass
class Table:
    columns: list[Column]
    rows: list[list[Cell]] = field(default_factory=list)
    # Indices of rows to set in bold (subtotals and totals).
    emphasis: set[int] = field(default_factory=set)


@dataclass
class Paragraph:
    text: str
    # "normal", "centre", "subheading" (a title inside a section), "note",
    # or "draft" (the warning that the minutes are not final)
    style: str = "normal"


@dataclass
class NumberedList:
    items: list[str]


@dataclass
class Signatory:
    label: str      # e.g. "Chair, BAPPEDA Provinsi NTB"
    title: str      # the position under the label, may be empty
    name: str       # empty leaves a line to write the name on
    nip: str = ""   # "NIP. 19700101 199003 1 005" under the name, when one applies


@dataclass
class Signatures:
    dated: str      # the line above the blocks: place and date ("Mataram, 12 Mei 2020")
    people: list[Signatory]


Block = Union[Paragraph, Table, NumberedList, Signatures]


@dataclass
class Section:
    heading: str
    blocks: list[Block] = field(default_factory=list)
    # Annexes start on a new page in paged formats.
    annex: bool = False
    # Wide tables: paged formats set this section on landscape pages.
    landscape: bool = False


@dataclass
class Sheet:
    name: str       # at most 31 characters: spreadsheet programs refuse longer names
    table: Table
    # The one sheet the CSV export writes (proposals with outcomes).
    csv: bool = False


@dataclass
class Minutes:
    meeting_id: int
    lang: str
    draft: bool
    heading: str            # "MINUTES" / "BERITA ACARA", with the draft mark when not closed
    title: str              # the meeting's title as typed
    number: str             # "Number: …", or empty
    running_head: str       # printed at the top of every page of DOCX and PDF
    page_label: str         # "Page %(page)s of %(pages)s", placeholders left to the renderer
    filename: str           # without extension, ASCII
    sections: list[Section] = field(default_factory=list)
    sheets: list[Sheet] = field(default_factory=list)
