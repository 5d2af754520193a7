"""The stable keys of the domain. Labels live in sinkron/labels.py."""

# Order matters: ties between statuses are broken by this order.
STATUSES = (
    "belum_dibahas",
    "terakomodir_kab",
    "terakomodir_prov",
    "terakomodir_sebagian",
    "belum_terakomodir",
    "dialihkan",
    "tidak_dapat_diakomodir",
    "perlu_klarifikasi",
)
ACCOMMODATED = ("terakomodir_kab", "terakomodir_prov", "terakomodir_sebagian")
# A decision with one of these statuses must say why.
NEEDS_REASON = ("tidak_dapat_diakomodir", "dialihkan")

CATEGORIES = (
    "OPD", "LSM", "Akademisi", "Tokoh Agama", "Tokoh Perempuan",
    "Tokoh Masyarakat", "Pemuda", "Perbankan", "HIMASPI", "Lainnya",
)
GENDERS = ("L", "P")
ROLES = ("facilitator", "host", "participant")
PROJECTOR = "projector"
AUTHORITIES = ("Desa", "Kabupaten", "Provinsi", "Pusat", "Non-pemerintah")
COMMENT_KINDS = ("masukan", "tanggapan", "pertanyaan")
PROJECTOR_VIEWS = ("item", "agenda", "results", "join")
VOTING_MODES = ("dots", "score")
MEETING_STATES = ("draft", "live", "closed")

# Join codes avoid characters that are easy to misread: 0/O and 1/I.
JOIN_CODE_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
JOIN_CODE_LENGTH = 6

NAME_MAX = 200
COMMENT_MAX = 2000
NOTE_MAX = 500
REASON_MAX = 2000


def _folded(value: str) -> str:
    return " ".join(value.split()).casefold()


def canonical_category(value: str) -> str | None:
    """The category key for what someone typed, case and spacing ignored."""
    folded = _folded(value)
    return next((c for c in CATEGORIES if c.casefold() == folded), None)


def canonical_authority(value: str) -> str | None:
    folded = _folded(value).replace(" ", "-")
    aliases = {"kab": "Kabupaten", "kabupaten/kota": "Kabupaten", "kota": "Kabupaten",
               "prov": "Provinsi", "nasional": "Pusat", "non-pemerintah": "Non-pemerintah",
               "nonpemerintah": "Non-pemerintah", "swasta": "Non-pemerintah"}
    if folded in aliases:
        return aliases[folded]
    return next((a for a in AUTHORITIES if a.casefold() == folded), None)


def canonical_gender(value: str) -> str | None:
    folded = value.strip().upper()
    aliases = {"LAKI-LAKI": "L", "PEREMPUAN": "P", "M": "L", "F": "P"}
    folded = aliases.get(folded, folded)
    return folded if folded in GENDERS else None
