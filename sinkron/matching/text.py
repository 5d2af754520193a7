"""Indonesian planning language into comparable terms.

fold (case, accents, punctuation) -> expand abbreviations (synonyms.txt "=")
-> drop stop words -> stem (Sastrawi) -> read synonyms as their canonical
form (synonyms.txt "~"). Proposals and plan items go through the same steps,
so whatever a step does to a word it does on both sides."""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

SYNONYMS_FILE = Path(__file__).with_name("synonyms.txt")

# Function words of Indonesian and words of a proposal's wording that name no
# activity. Kept short: "tidak" stays (rumah tidak layak huni).
STOP_WORDS = frozenset("""
yang dan di ke dari untuk bagi dengan pada dalam atau serta oleh ini itu ada sebagai juga
karena sering masih saat agar supaya yg dgn tsb akan sudah telah lainnya lain setiap per
se nya para kami kita mereka kepada terhadap antara hingga sampai secara melalui tentang
adalah yaitu yakni bahwa jika maka namun tetapi sehingga lebih sangat banyak sedikit
beberapa semua seluruh tiap hanya pun lah kah tahun th tahap warga usulan mohon perlu
kegiatan sub program urusan bidang
kabupaten provinsi daerah tingkat lingkup kewenangan satu
""".split())

# Where Sastrawi merges words planners keep apart, or cuts a word it should
# leave: "pengaman" (pantai) is not "kam", a "bangunan" is not "pembangunan".
STEM_OVERRIDES = {"pengaman": "pengaman", "pengamanan": "pengaman", "bangunan": "bangunan",
                  "perdesaan": "desa", "pedesaan": "desa", "perkotaan": "kota",
                  "pariwisata": "wisata", "kesiapsiagaan": "siaga",
                  "penyandang": "penyandang",
                  # Sastrawi reads these as "air" (water); they mean irrigation.
                  "pengairan": "irigasi", "mengairi": "irigasi", "diairi": "irigasi"}

_TOKEN = re.compile(r"[a-z0-9]+")


def fold(text: str) -> str:
    """Lower case without accents; anything but letters and digits is a space."""
    text = unicodedata.normalize("NFKD", str(text or ""))
    text = "".join(c for c in text if not unicodedata.combining(c)).casefold()
    return " ".join(_TOKEN.findall(text))


def words(text: str) -> list[str]:
    return fold(text).split()


_WORD = re.compile(r"[^\W_]+")


def words_as_written(text: str) -> list[tuple[str, str]]:
    """(folded word, the word as written), for reasons people read."""
    out = []
    for raw in _WORD.findall(str(text or "")):
        out.extend((w, raw if len(folded := fold(raw).split()) == 1 else w) for w in fold(raw).split())
    return out


@lru_cache(maxsize=1)
def _sastrawi():
    from Sastrawi.Stemmer.StemmerFactory import StemmerFactory
    return StemmerFactory().create_stemmer()


@lru_cache(maxsize=200_000)
def stem(word: str) -> str:
    if word in STEM_OVERRIDES:
        return STEM_OVERRIDES[word]
    if word.isdigit() or len(word) <= 3:
        return word
    return _sastrawi().stem(word) or word


@dataclass(frozen=True)
class Steps:
    """Which steps run; all by default. bench/matching.py --ablation turns
    them off one at a time to show what each buys."""
    abbreviations: bool = True
    stop_words: bool = True
    stemming: bool = True
    synonyms: bool = True
    fuzzy: bool = True
    agency: bool = True
    code: bool = True
    location: bool = True
    level: bool = True
    setting: bool = True     # urban / rural, build / repair


@dataclass(frozen=True)
class Lexicon:
    abbreviations: dict[tuple[str, ...], tuple[str, ...]]   # folded words -> expansion
    synonyms: dict[tuple[str, ...], tuple[str, ...]]        # stemmed words -> canonical
    longest_abbreviation: int
    longest_synonym: int


def _replace(tokens: list[str], table: dict, longest: int) -> list[str]:
    """Longest phrase first, left to right; replacements are not read again."""
    out, i = [], 0
    while i < len(tokens):
        for n in range(min(longest, len(tokens) - i), 0, -1):
            found = table.get(tuple(tokens[i:i + n]))
            if found is not None:
                out.extend(found)
                i += n
                break
        else:
            out.append(tokens[i])
            i += 1
    return out


def load_lexicon(path: Path = SYNONYMS_FILE) -> Lexicon:
    abbreviations, synonyms = {}, {}
    groups = []
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        if "=" in line:
            short, long = (part.strip() for part in line.split("=", 1))
            abbreviations[tuple(words(short))] = tuple(words(long))
        elif "~" in line:
            groups.append([part.strip() for part in line.split("~") if part.strip()])
        else:
            raise ValueError(f"{path.name}: neither 'a = b' nor 'a ~ b': {raw!r}")
    for group in groups:
        forms = [tuple(_stemmed_words(words(form), abbreviations)) for form in group]
        canonical = forms[0]
        synonyms.setdefault(canonical, canonical)   # so that a longer match does not split it
        for form in forms[1:]:
            if form and form != canonical:
                synonyms.setdefault(form, canonical)
    return Lexicon(abbreviations, synonyms, max(map(len, abbreviations), default=1),
                   max(map(len, synonyms), default=1))


def _stemmed_words(tokens: list[str], abbreviations: dict) -> list[str]:
    tokens = _replace(tokens, abbreviations, max(map(len, abbreviations), default=1))
    return [stem(t) for t in tokens if t not in STOP_WORDS]


@lru_cache(maxsize=1)
def lexicon() -> Lexicon:
    return load_lexicon()


class Analyzer:
    """Text -> terms, with the surface word each term came from (for reasons)."""

    def __init__(self, steps: Steps = Steps(), lex: Lexicon | None = None):
        self.steps = steps
        self.lex = lex or lexicon()

    def terms(self, text: str) -> list[str]:
        return [term for term, _ in self.terms_with_words(text)]

    def terms_with_words(self, text: str) -> list[tuple[str, str]]:
        """(term, the surface word it came from); a word expanded from an
        abbreviation keeps the abbreviation as its surface word."""
        pairs: list[tuple[str, str]] = []
        pairs = words_as_written(text)
        if self.steps.abbreviations:
            pairs = _replace_pairs(pairs, self.lex.abbreviations, self.lex.longest_abbreviation)
        if self.steps.stop_words:
            pairs = [(t, w) for t, w in pairs if t not in STOP_WORDS and not t.isdigit()]
        if self.steps.stemming:
            pairs = [(stem(t), w) for t, w in pairs]
        if self.steps.synonyms:
            pairs = _replace_pairs(pairs, self.lex.synonyms, self.lex.longest_synonym)
        return pairs


def _replace_pairs(pairs, table, longest):
    """_replace on (term, surface word) pairs; a replaced phrase's terms keep
    the phrase's surface words."""
    terms = [t for t, _ in pairs]
    out, i = [], 0
    while i < len(pairs):
        for n in range(min(longest, len(pairs) - i), 0, -1):
            found = table.get(tuple(terms[i:i + n]))
            if found is not None:
                surface = " ".join(dict.fromkeys(w for _, w in pairs[i:i + n]))
                out.extend((t, surface) for t in found)
                i += n
                break
        else:
            out.append(pairs[i])
            i += 1
    return out

