"""Which font draws which character in the PDF minutes.

DejaVu Sans (shipped) covers Indonesian and English. For what it lacks, such
as emoji, the PDF uses the first fallback font that has the glyph: a font
shipped in fonts/fallback/, or one from a Debian font package (fonts-symbola
for emoji and symbols; fonts-noto-core, fonts-unifont). A character that no
font has is drawn as U+FFFD, the visible replacement character, so nothing
is dropped without a trace. Invisible formatting characters (variation
selectors, zero-width joiners) have no glyph by design and are left out."""
from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

from fontTools.ttLib import TTFont

SHIPPED = Path(__file__).parent / "fonts" / "fallback"
DEBIAN = (
    "/usr/share/fonts/truetype/ancient-scripts/Symbola_hint.ttf",   # fonts-symbola
    "/usr/share/fonts/truetype/noto/NotoSansSymbols2-Regular.ttf",  # fonts-noto-core
    "/usr/share/fonts/truetype/noto/NotoSansSymbols-Regular.ttf",
    "/usr/share/fonts/truetype/unifont/unifont.ttf",                # fonts-unifont
)
REPLACEMENT = "\ufffd"
_INVISIBLE = re.compile("[\u200b-\u200f\u2060-\u2064\ufe00-\ufe0f\ufeff\U000e0100-\U000e01ef]")


@lru_cache(maxsize=None)
def coverage(path: str) -> frozenset[int]:
    """The code points a font file has glyphs for (read once per process)."""
    font = TTFont(path, lazy=True)
    try:
        return frozenset(font.getBestCmap() or ())
    finally:
        font.close()


@lru_cache(maxsize=1)
def fallback_files() -> tuple[str, ...]:
    shipped = sorted(str(p) for p in SHIPPED.glob("*.ttf")) if SHIPPED.is_dir() else []
    return tuple(shipped + [p for p in DEBIAN if Path(p).is_file()])


class Glyphs:
    """For one document: which font (0 = the main one, n = fallback n) draws
    each character, and text split into runs of one font."""

    def __init__(self, main: Path):
        self.main = coverage(str(main))
        self.files = fallback_files()
        self._font: dict[str, int] = {}

    def font_of(self, ch: str) -> int:
        """0 for the main font, n >= 1 for a fallback, -1 when no font has it."""
        found = self._font.get(ch)
        if found is None:
            code = ord(ch)
            if code in self.main or ch == "\n":  # line breaks are layout, not glyphs
                found = 0
            else:
                found = next((n for n, path in enumerate(self.files, 1) if code in coverage(path)), -1)
            self._font[ch] = found
        return found

    def path(self, font: int) -> str:
        return self.files[font - 1]

    def plain(self, text: str) -> bool:
        """Everything in the main font (the common case, and the cheap one)."""
        return text.isascii() or all(self.font_of(c) == 0 for c in text)

    def visible(self, text: str) -> str:
        """The text as it will be drawn: invisible formatting characters left
        out, characters no font has replaced by U+FFFD."""
        if text.isascii():
            return text
        text = _INVISIBLE.sub("", text)
        if self.plain(text):
            return text
        return "".join(REPLACEMENT if self.font_of(c) < 0 else c for c in text)

    def runs(self, text: str) -> list[tuple[int, str]]:
        """(font, text) runs of `visible` text, in order."""
        if self.plain(text):
            return [(0, text)]
        runs: list[tuple[int, str]] = []
        for ch in text:
            font = max(0, self.font_of(ch))  # U+FFFD is in the main font
            if runs and runs[-1][0] == font:
                runs[-1] = (font, runs[-1][1] + ch)
            else:
                runs.append((font, ch))
        return runs
