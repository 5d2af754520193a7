"""build_minutes: the one place that decides what the minutes contain."""
from __future__ import annotations

import datetime as dt
import re
import unicodedata

from flask_babel import force_locale
from sqlalchemy.orm import Session

from ..i18n import pick_language
from ..models import utcnow
from . import annexes, document, sheets, timeline
from .content import Minutes
from .facts import gather
from .words import _, remembering


class MeetingNotFound(LookupError):
    pass


def slug(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")


def build_minutes(session: Session, meeting_id: int, lang: str = "id",
                  now: dt.datetime | None = None) -> Minutes:
    """The minutes of a meeting in `lang` ("id" or "en") from its stored state and
    event log. Needs an application context (labels are translated)."""
    lang = pick_language(lang)
    facts = gather(session, meeting_id, now or utcnow())
    if facts is None:
        raise MeetingNotFound(meeting_id)
    m = facts.meeting
    draft = m.status != "closed"
    with force_locale(lang), remembering():
        mark = _("DRAFT")
        heading = _("MINUTES")
        running = _("Minutes %(number)s", number=m.number) if m.number else _("Minutes")
        name = "-".join(part for part in (slug(_("minutes")), slug(m.number) or str(m.id),
                                          slug(mark) if draft else "") if part)
        rows = timeline.for_meeting(facts)
        heading = f"{heading} ({mark})" if draft else heading
        return Minutes(
            meeting_id=m.id, lang=lang, draft=draft, heading=heading,
            title=m.title,
            number=_("Number: %(number)s", number=m.number) if m.number else "",
            running_head=f"{running} — {mark}" if draft else running,
            page_label=_("Page %(page)s of %(pages)s"),
            filename=name,
            sections=document.body(facts, lang) + annexes.all_annexes(facts, rows, lang),
            sheets=sheets.all_sheets(facts, rows, heading, lang),
        )
