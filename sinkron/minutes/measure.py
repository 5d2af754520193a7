"""How wide words are, for renderers that must lay out text before a reader
does: a column header shrinks rather than break inside a word.

Widths come from the DejaVu Sans files shipped for the PDF. The DOCX is set
in Arial, which is narrower, so sizes chosen with DejaVu fit there too."""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from fontTools.ttLib import TTFont

FONTS = Path(__file__).parent / "fonts"


@lru_cache(maxsize=2)
def _metrics(bold: bool) -> tuple[dict[int, int], float, int]:
    font = TTFont(FONTS / ("DejaVuSans-Bold.ttf" if bold else "DejaVuSans.ttf"), lazy=True)
    try:
        cmap, hmtx = font.getBestCmap(), font["hmtx"].metrics
        advances = {code: hmtx[glyph][0] for code, glyph in cmap.items()}
        return advances, float(font["head"].unitsPerEm), hmtx[".notdef"][0]
    finally:
        font.close()


def width_pt(text: str, size: float, bold: bool = False) -> float:
    advances, upem, default = _metrics(bold)
    return sum(advances.get(ord(c), default) for c in text) * size / upem


def fit_size(widest: float, room: float, size: float, minimum: float) -> float:
    """The size at which the widest word (measured at `size`) fits `room`."""
    return size if widest <= room else max(minimum, size * room / widest)


def header_size(title: str, room_pt: float, size: float, minimum: float, bold: bool = True) -> float:
    widest = max((width_pt(word, size, bold) for word in title.split()), default=0.0)
    return fit_size(widest, room_pt, size, minimum)
