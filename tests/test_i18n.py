"""The Indonesian catalogue covers every UI string, and the compiled
catalogue the app loads matches it."""
from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent
CATALOGUE = ROOT / "sinkron" / "translations" / "id" / "LC_MESSAGES"
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "N_": None, "_l": None,
            "lazy_gettext": None}


def extracted() -> set[str]:
    ids = set()
    method_map = [("sinkron/**.py", "python"), ("templates/**.html", "jinja2")]
    for _file, _line, message, _comments, _ctx in extract_from_dir(
            str(ROOT), method_map, keywords=KEYWORDS):
        ids.add(message if isinstance(message, str) else message[0])
    return ids


def test_every_ui_string_is_translated_to_indonesian():
    with open(CATALOGUE / "messages.po", "rb") as f:
        po = read_po(f)
    translated = {m.id if isinstance(m.id, str) else m.id[0] for m in po if m.id and m.string}
    missing = sorted(extracted() - translated)
    assert not missing, "untranslated (run scripts/update_translations.sh): " + repr(missing)


def _entries(catalog) -> dict:
    """msgid -> translation, plural forms as tuples."""
    def key(value):
        return value if isinstance(value, str) else tuple(value)
    return {key(m.id): key(m.string) for m in catalog if m.id}


def test_compiled_catalogue_matches_the_source():
    with open(CATALOGUE / "messages.po", "rb") as f:
        po = _entries(read_po(f))
    with open(CATALOGUE / "messages.mo", "rb") as f:
        mo = _entries(read_mo(f))
    assert po == mo, "run: pybabel compile -d sinkron/translations"


def test_pages_default_to_indonesian_and_switch_to_english(client):
    assert "Bergabung ke pertemuan" in client.get("/").get_data(as_text=True)
    assert "Join a meeting" in client.get("/?lang=en").get_data(as_text=True)
    assert "Join a meeting" in client.get("/").get_data(as_text=True)  # remembered
    assert "Bergabung ke pertemuan" in client.get("/?lang=id").get_data(as_text=True)
