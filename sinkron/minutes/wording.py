"""Small phrases the document and the sheets share: labels, a proposal's
location, a plan item in one line, marks and votes per site.

Call inside flask_babel.force_locale: labels resolve in the current locale."""
from __future__ import annotations

from ..labels import CATEGORY_LABELS, COMMENT_KIND_LABELS, GENDER_LABELS, ROLE_LABELS, STATUS_LABELS
from ..models import Participant, PlanItem, Proposal, Site
from ..meeting.vocab import STATUSES
from .facts import CommentFact, ProposalFact, RoundFact
from .timeline import mode_label
from .words import _, ngettext, resolved

DASH = "—"
_ORDER = {key: i for i, key in enumerate(STATUSES)}


def label(labels: dict, key: str | None) -> str:
    if key is None or key == "":
        return DASH
    found = labels.get(key)
    return resolved(found) if found is not None else key


def status(key: str | None) -> str:
    return label(STATUS_LABELS, key)


def category(key: str | None) -> str:
    return label(CATEGORY_LABELS, key)


def gender(key: str | None) -> str:
    return label(GENDER_LABELS, key) if key else _("Not given")


def role(key: str | None) -> str:
    return label(ROLE_LABELS, key)


def kind(key: str | None) -> str:
    return label(COMMENT_KIND_LABELS, key)


def proposal_name(p: Proposal) -> str:
    return f"{p.code} {p.title}" if p.code else p.title


def location(p: Proposal) -> str:
    return ", ".join(part for part in (p.desa, p.kecamatan) if part)


def plan_item(pi: PlanItem | None) -> str:
    if pi is None:
        return ""
    activity = pi.sub_activity or pi.activity or pi.programme
    head = " ".join(part for part in (pi.code, activity) if part)
    tail = ", ".join(part for part in (pi.document, pi.agency) if part)
    return f"{head} ({tail})" if tail else head


def decided_status(f: ProposalFact) -> str:
    return status(f.decision.status) if f.decision else _("No agreement yet")


def marks_by_site(f: ProposalFact, site: Site) -> str:
    """"Accommodated (regency plan) 3, Not yet accommodated 1", most common first."""
    summary = f.marks["sites"].get(site.id) or {"counts": {}, "total": 0}
    if not summary["total"]:
        return DASH
    # The views break ties by the status table's order; so does this list.
    counts = sorted(summary["counts"].items(), key=lambda kv: (-kv[1], _ORDER.get(kv[0], 99)))
    return ", ".join(f"{status(key)} {n}" for key, n in counts)


def top_mark(f: ProposalFact, site: Site) -> str:
    summary = f.marks["sites"].get(site.id) or {}
    return status(summary.get("top")) if summary.get("total") else DASH


def vote_value(voting: RoundFact | None, tally: dict | None, site_id: int | None = None) -> str:
    """Dots: the sum; scores: the mean and how many scored."""
    if voting is None:
        return DASH
    part = (tally or {}).get("sites", {}).get(site_id) if site_id is not None else tally
    part = part or {}
    if voting.round.mode == "dots":
        return str(part.get("total") or 0)
    if part.get("mean") is None:
        return DASH
    mean = f"{part['mean']:g}"
    return ngettext("%(mean)s (%(num)d person)", "%(mean)s (%(num)d people)", part.get("count", 0),
                    mean=mean)


def author(p: Participant | None, site: str | None = None) -> str:
    if p is None:
        return DASH
    return ", ".join(x for x in (p.name, p.organisation, site) if x)


def comment_line(c: CommentFact) -> str:
    author = c.author.name if c.author else DASH
    return ngettext("“%(text)s” — %(name)s (%(num)d support)", "“%(text)s” — %(name)s (%(num)d supports)",
                    c.supports, text=c.comment.text, name=author)


def round_note(voting: RoundFact | None) -> str:
    if voting is None:
        return _("No voting round was held.")
    r = voting.round
    if voting.final:
        return ngettext("Votes from round %(number)s (%(mode)s), closed; %(num)d person voted.",
                        "Votes from round %(number)s (%(mode)s), closed; %(num)d people voted.",
                        voting.voters["total"], number=r.number, mode=mode_label(r.mode))
    return ngettext("Votes from round %(number)s (%(mode)s), still open: these numbers are not "
                    "final; %(num)d person has voted so far.",
                    "Votes from round %(number)s (%(mode)s), still open: these numbers are not "
                    "final; %(num)d people have voted so far.",
                    voting.voters["total"], number=r.number, mode=mode_label(r.mode))
