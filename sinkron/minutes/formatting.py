"""How amounts, dates, times and durations are written in the minutes, and the
text clean-up that XML-based formats need."""
from __future__ import annotations

import datetime as dt
import re
import zoneinfo

from babel.dates import format_date

from .content import Cell, Money

# Indonesian readers know these abbreviations; tz databases do not always use them.
ZONE_ABBREVIATIONS = {
    "Asia/Jakarta": "WIB", "Asia/Pontianak": "WIB",
    "Asia/Makassar": "WITA", "Asia/Ujung_Pandang": "WITA",
    "Asia/Jayapura": "WIT",
}


NBSP = "\u00a0"


def rupiah(amount: int | None) -> str:
    # Rupiah amounts group with dots in both languages: the documents are filed in Indonesia.
    # A no-break space keeps "Rp" on the line of its amount.
    if amount is None:
        return ""
    return "Rp" + NBSP + f"{amount:,}".replace(",", ".")


def long_date(day: dt.date | None, lang: str) -> str:
    """"Selasa, 12 Mei 2020" in Indonesian, "Tuesday, 12 May 2020" in English."""
    return format_date(day, "EEEE, d MMMM y", locale=lang) if day else ""


def short_date(day: dt.date | None, lang: str) -> str:
    return format_date(day, "d MMMM y", locale=lang) if day else ""


def zone(tz_name: str) -> zoneinfo.ZoneInfo:
    try:
        return zoneinfo.ZoneInfo(tz_name or "Asia/Makassar")
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return zoneinfo.ZoneInfo("Asia/Makassar")


def zone_abbreviation(tz_name: str) -> str:
    if tz_name in ZONE_ABBREVIATIONS:
        return ZONE_ABBREVIATIONS[tz_name]
    return dt.datetime.now(zone(tz_name)).tzname() or tz_name


def local(moment: dt.datetime | None, tz: zoneinfo.ZoneInfo) -> dt.datetime | None:
    """Stored times are naive UTC."""
    if moment is None:
        return None
    return moment.replace(tzinfo=dt.timezone.utc).astimezone(tz)


def duration(seconds: int) -> str:
    minutes, secs = divmod(max(0, int(seconds)), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def cell_text(value: Cell) -> str:
    if value is None:
        return ""
    if isinstance(value, Money):
        return rupiah(value)
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


# Control characters other than tab and newline are not allowed in XML 1.0;
# participants can still type them, and one must not break the whole export.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def xml_safe(text: str) -> str:
    return _NOT_XML.sub("", text)


def split_page_label(label: str) -> list[str]:
    """"Page %(page)s of %(pages)s" -> ["Page ", "%(page)s", " of ", "%(pages)s", ""],
    so each format can put its own page-number fields in the placeholders' places."""
    return re.split(r"(%\(page\)s|%\(pages\)s)", label)
