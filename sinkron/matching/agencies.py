"""Agency names compared by what the agency does, not how it is written:
"Dinas PUPR Kab. Lombok Timur" ~ "Dinas Pekerjaan Umum dan Penataan Ruang"."""
from __future__ import annotations

from rapidfuzz import fuzz

from .text import STOP_WORDS, Lexicon, _replace, lexicon, stem, words

# Words every agency name has; they say nothing about which one it is.
_GENERIC = {"dinas", "badan", "kantor", "unit", "pelaksana", "teknis", "upt", "uptd", "bagian",
            "sekretariat", "daerah", "perangkat", "organisasi"}
# Where the place starts: "... Kab. Lombok Timur", "... Provinsi NTB".
_PLACE_MARKERS = {"kab", "kabupaten", "kota", "provinsi", "prov", "pemerintah", "pemkab", "pemprov"}
SAME_AGENCY = 85   # token-set similarity (0..100) from which two names are one agency


def agency_key(name: str, lex: Lexicon | None = None, expand: bool = True) -> str:
    """The words that say what an agency does, stemmed and sorted."""
    lex = lex or lexicon()
    tokens = words(name)
    for i, token in enumerate(tokens):
        if token in _PLACE_MARKERS and i > 0:
            tokens = tokens[:i]
            break
    if expand:
        tokens = _replace(tokens, lex.abbreviations, lex.longest_abbreviation)
    kept = {stem(t) for t in tokens if t not in STOP_WORDS and t not in _GENERIC
            and t not in _PLACE_MARKERS}
    return " ".join(sorted(kept))


def same_agency(a: str, b: str) -> float:
    """0..1: how surely two agency keys name the same agency (0 below SAME_AGENCY)."""
    if not a or not b:
        return 0.0
    score = fuzz.token_set_ratio(a, b)
    return score / 100 if score >= SAME_AGENCY else 0.0
