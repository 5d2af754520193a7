"""Where and at which level: kecamatan and desa named in a plan item's free-text
location, the level (regency or province) of a plan item or a proposal, and
whether a text speaks of a town or a village."""
from __future__ import annotations

import re
from dataclasses import dataclass

from .text import fold

REGENCY, PROVINCE, NATIONAL, VILLAGE, NONE = "regency", "province", "national", "village", "none"
LEVEL_NAMES = {REGENCY: "Kabupaten", PROVINCE: "Provinsi", NATIONAL: "Pusat", VILLAGE: "Desa"}
_AUTHORITY_LEVEL = {"kabupaten": REGENCY, "kab": REGENCY, "kota": REGENCY, "kabupaten kota": REGENCY,
                    "provinsi": PROVINCE, "prov": PROVINCE, "pusat": NATIONAL, "nasional": NATIONAL,
                    "desa": VILLAGE, "non pemerintah": NONE, "nonpemerintah": NONE, "swasta": NONE}
_SEGMENTS = re.compile(r"[;,()/\n|]+|\s-\s|\bdan\b")
_KEC = re.compile(r"^(?:kec|kecamatan)\s+(.+)$")
_DESA = re.compile(r"^(?:desa|ds|kel|kelurahan|dusun|dsn)\s+(.+)$")
# A kecamatan's name followed by one of these is another kecamatan (Sakra / Sakra Barat).
_QUALIFIERS = {"barat", "timur", "utara", "selatan", "tengah", "daya", "lauq", "baru"}
_EVERYWHERE = re.compile(r"\b(seluruh|semua|se ntb|se lombok|lintas)\b")


@dataclass(frozen=True)
class Place:
    kecamatan: frozenset[str]     # folded names from "Kec. X"
    desa: frozenset[str]          # folded names from "Desa X", "Kel. X"
    everywhere: bool              # "Seluruh kecamatan", "Kab/Kota se-NTB"
    text: str                     # the folded location, for names without a marker


def place(location: str) -> Place:
    kecamatan, desa = set(), set()
    for segment in _SEGMENTS.split(str(location or "")):
        folded = fold(segment)
        # "D.I. Rensing, Kec. Sakra" and "Pantai Pink Kec. Jerowaru": the marker may come late.
        at = re.search(r"\b(kec|kecamatan|desa|ds|kel|kelurahan|dusun|dsn)\b\s+\S", folded)
        if at is None:
            continue
        folded = folded[at.start():]
        if m := _KEC.match(folded):
            kecamatan.add(_cut_markers(m.group(1)))
        elif m := _DESA.match(folded):
            desa.add(_cut_markers(m.group(1)))
    text = fold(location)
    return Place(frozenset(kecamatan), frozenset(desa), bool(_EVERYWHERE.search(text)), text)


def _cut_markers(name: str) -> str:
    # "sambelia kab lombok timur": the name ends where another place marker starts.
    return re.split(r"\s(?:kab|kabupaten|kota|provinsi|prov|kec|kecamatan|desa|kel)\b", name)[0].strip()


def _named_in(name: str, text: str) -> bool:
    if not name:
        return False
    for m in re.finditer(rf"\b{re.escape(name)}\b", text):
        following = text[m.end():].split(" ", 2)
        if len(following) < 2 or following[1] not in _QUALIFIERS:
            return True
    return False


def kecamatan_match(kecamatan: str, where: Place) -> bool:
    name = fold(kecamatan)
    name = re.sub(r"^(kec|kecamatan)\s+", "", name)
    if not name:
        return False
    if where.kecamatan:
        return name in where.kecamatan
    return _named_in(name, where.text)


def desa_match(desa: str, where: Place) -> bool:
    name = re.sub(r"^(desa|ds|kel|kelurahan)\s+", "", fold(desa))
    if not name:
        return False
    return name in where.desa or _named_in(name, where.text)


def names_elsewhere(kecamatan: str, where: Place) -> bool:
    """The item lists kecamatan, and not this one."""
    return bool(kecamatan) and bool(where.kecamatan) and not where.everywhere \
        and not kecamatan_match(kecamatan, where)


def authority_level(value: str) -> str:
    return _AUTHORITY_LEVEL.get(fold(value), "")


def text_level(text: str) -> str:
    """'RKPD Provinsi NTB 2021' -> province; 'Dinas PUPR Kab. Lombok Timur' -> regency."""
    words = set(fold(text).split())
    if words & {"provinsi", "prov"}:
        return PROVINCE
    if words & {"kabupaten", "kab", "kota", "kabupaten kota", "lotim"}:
        return REGENCY
    return ""


def plan_item_level(authority: str, document: str, agency: str) -> str:
    return authority_level(authority) or text_level(document) or text_level(agency)


def proposal_level(authority: str, target_agency: str) -> str:
    return authority_level(authority) or text_level(target_agency)


_URBAN = {"perkotaan", "kota", "kelurahan", "kel", "lurah", "lingkungan", "urban"}
_RURAL = {"perdesaan", "pedesaan", "desa", "dusun", "dsn", "rural", "kampung"}


def setting(*texts: str) -> str:
    """'urban', 'rural' or '' from the words of a text (a proposal's title,
    proposer and village; a plan item's sub-activity)."""
    words = set()
    for text in texts:
        words |= set(fold(text).split())
    urban, rural = bool(words & _URBAN), bool(words & _RURAL)
    if urban == rural:
        return ""
    return "urban" if urban else "rural"


def plan_item_setting(sub_activity: str) -> str:
    words = set(fold(sub_activity).split())
    if "perkotaan" in words:
        return "urban"
    if words & {"perdesaan", "pedesaan"}:
        return "rural"
    return ""
