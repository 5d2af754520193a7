"""Every translated label of the domain in one place: statuses, categories,
roles, comment kinds, views. Keys are stable; labels follow the language."""
from flask_babel import lazy_gettext as _l

from .meeting import vocab

LANGUAGES = {"id": "Bahasa Indonesia", "en": "English"}

STATUS_LABELS = {
    "belum_dibahas": _l("Not discussed yet"),
    "terakomodir_kab": _l("Accommodated (regency plan)"),
    "terakomodir_prov": _l("Accommodated (provincial plan)"),
    "terakomodir_sebagian": _l("Partly accommodated"),
    "belum_terakomodir": _l("Not yet accommodated"),
    "dialihkan": _l("Redirected"),
    "tidak_dapat_diakomodir": _l("Cannot be accommodated"),
    "perlu_klarifikasi": _l("Needs clarification"),
}

CATEGORY_LABELS = {
    "OPD": _l("Government agency (OPD)"),
    "LSM": _l("NGO (LSM)"),
    "Akademisi": _l("Academic"),
    "Tokoh Agama": _l("Religious leader"),
    "Tokoh Perempuan": _l("Women's leader"),
    "Tokoh Masyarakat": _l("Community leader"),
    "Pemuda": _l("Youth"),
    "Perbankan": _l("Bank"),
    "HIMASPI": _l("HIMASPI"),
    "Lainnya": _l("Other"),
}

GENDER_LABELS = {"L": _l("Male"), "P": _l("Female")}

ROLE_LABELS = {
    "facilitator": _l("Facilitator"),
    "host": _l("Site host"),
    "participant": _l("Participant"),
    "projector": _l("Projector"),
}

COMMENT_KIND_LABELS = {
    "masukan": _l("Suggestion"),
    "tanggapan": _l("Response"),
    "pertanyaan": _l("Question"),
}

VIEW_LABELS = {
    "item": _l("Current item"),
    "agenda": _l("Agenda"),
    "results": _l("Results"),
    "join": _l("Join screen"),
}

MEETING_STATUS_LABELS = {"draft": _l("Draft"), "live": _l("Live"), "closed": _l("Closed")}

assert set(STATUS_LABELS) == set(vocab.STATUSES)
assert set(CATEGORY_LABELS) == set(vocab.CATEGORIES)


def as_strings(labels: dict) -> dict:
    """Labels resolved in the current language, for JSON."""
    return {key: str(value) for key, value in labels.items()}


def all_labels() -> dict:
    return {
        "statuses": as_strings(STATUS_LABELS),
        "status_order": list(vocab.STATUSES),
        "categories": as_strings(CATEGORY_LABELS),
        "genders": as_strings(GENDER_LABELS),
        "roles": as_strings(ROLE_LABELS),
        "comment_kinds": as_strings(COMMENT_KIND_LABELS),
        "views": as_strings(VIEW_LABELS),
        "meeting_statuses": as_strings(MEETING_STATUS_LABELS),
    }
