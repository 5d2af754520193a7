"""The summary as flat tables, one fact per cell, for XLSX (and the first one
for CSV): numbers stay numbers so people can sort, filter and sum."""
from __future__ import annotations

from ..labels import MEETING_STATUS_LABELS
from ..meeting.vocab import STATUSES
from . import wording as w
from .content import Column, Money, Sheet, Table
from .document import attendance_table
from .facts import Facts, ProposalFact
from .formatting import local, long_date, zone
from .timeline import Row, mode_label
from .words import _


def _table(titles: list[str]) -> Table:
    return Table([Column(t) for t in titles])


def proposals(f: Facts) -> Sheet:
    t = _table([_("No"), _("Code"), _("Proposal"), _("Problem"), _("Proposer"), _("Kecamatan"),
                _("Village"), _("Volume"), _("Unit"), _("Estimated cost"), _("Sector"),
                _("Target agency"), _("Authority"), _("Agreed status"), _("Status key"),
                _("Plan item"), _("Reason"), _("Follow-up: what"), _("Follow-up: who"),
                _("Follow-up: by when"),
                *[_("Most common mark: %(site)s", site=s.name) for s in f.sites],
                _("Votes (total)"), _("Rank"), _("Minutes status")])
    # CSV has no title to carry the draft mark, so every row carries it.
    state = _("DRAFT") if f.meeting.status != "closed" else _("final")
    for i, pf in enumerate(f.proposals, 1):
        p, d = pf.proposal, pf.decision
        t.rows.append([
            i, p.code, p.title, p.problem, p.proposer, p.kecamatan, p.desa, p.volume, p.unit,
            Money(p.cost) if p.cost is not None else None, p.sector, p.target_agency, p.authority,
            w.decided_status(pf), d.status if d else "", w.plan_item(pf.plan_item),
            d.reason if d else "", d.follow_up_action if d else "", d.follow_up_owner if d else "",
            d.follow_up_due if d else None,
            *[w.top_mark(pf, s) for s in f.sites],
            _total(f, pf), pf.rank, state])
    # Withdrawn ones are listed too, with the reason, and neither counted nor ranked.
    for pf in f.withdrawn:
        p = pf.proposal
        t.rows.append([
            None, p.code, p.title, p.problem, p.proposer, p.kecamatan, p.desa, p.volume, p.unit,
            Money(p.cost) if p.cost is not None else None, p.sector, p.target_agency, p.authority,
            _("Withdrawn from the agenda"), "withdrawn", "", p.withdrawn_reason, "", "", None,
            *[w.top_mark(pf, s) for s in f.sites], None, None, state])
    return Sheet(_("Proposals"), t, csv=True)


def _total(f: Facts, pf: ProposalFact):
    if f.voting is None:
        return None
    tally = pf.tally or {}
    return (tally.get("total") or 0) if f.voting.round.mode == "dots" else tally.get("mean")


def marks(f: Facts) -> Sheet:
    t = _table([_("Code"), _("Proposal"), _("Site"), _("Marks"), _("Most common"),
                *[w.status(key) for key in STATUSES]])
    for pf in f.proposals:
        for s in f.sites:
            summary = pf.marks["sites"].get(s.id) or {"counts": {}, "total": 0}
            t.rows.append([pf.proposal.code, pf.proposal.title, s.name, summary["total"],
                           w.top_mark(pf, s), *[summary["counts"].get(key, 0) for key in STATUSES]])
    return Sheet(_("Marks"), t)


def votes(f: Facts) -> Sheet:
    dots = f.voting is None or f.voting.round.mode == "dots"
    titles = [_("Round"), _("Mode"), _("Final"), _("Code"), _("Proposal")]
    for s in f.sites:
        titles += [s.name] if dots else [_("%(site)s: mean", site=s.name),
                                         _("%(site)s: count", site=s.name)]
        titles.append(_("Rank: %(site)s", site=s.name))
    titles += [_("Total")] if dots else [_("Mean"), _("Count")]
    t = _table(titles + [_("Rank")])
    if f.voting is None:
        return Sheet(_("Votes"), t)
    r = f.voting.round
    for pf in sorted(f.proposals, key=lambda pf: pf.rank or 0):
        tally = pf.tally or {"sites": {}}
        row = [r.number, mode_label(r.mode), _("yes") if f.voting.final else _("no"),
               pf.proposal.code, pf.proposal.title]
        for s in f.sites:
            part = tally["sites"].get(s.id) or {}
            row += [part.get("total") or 0] if dots else [part.get("mean"), part.get("count") or 0]
            row.append(pf.rank_by_site.get(s.id))
        row += [tally.get("total") or 0] if dots else [tally.get("mean"), tally.get("count") or 0]
        t.rows.append(row + [pf.rank])
    return Sheet(_("Votes"), t)


def comments(f: Facts) -> Sheet:
    t = _table([_("Code"), _("Proposal"), _("Kind"), _("Comment"), _("Name"), _("Organisation"),
                _("Site"), _("Supports"), _("Time")])
    sites = {s.id: s.name for s in f.sites}
    tz = zone(f.meeting.timezone)
    groups = [(pf.proposal.code, pf.proposal.title, pf.comments) for pf in f.proposals]
    groups.append(("", _("On the meeting as a whole"), f.general_comments))
    for code, title, items in groups:
        for c in sorted(items, key=lambda c: c.comment.id):
            who = c.author
            t.rows.append([code, title, w.kind(c.comment.kind), c.comment.text,
                           who.name if who else "", who.organisation if who else "",
                           sites.get(c.comment.site_id, ""), c.supports,
                           local(c.comment.created_at, tz).strftime("%Y-%m-%d %H:%M:%S")])
    return Sheet(_("Comments"), t)


def attendance(f: Facts) -> list[Sheet]:
    t = _table([_("Site"), _("Name"), _("Organisation"), _("Category"), _("Gender"), _("Role")])
    sites = {s.id: s.name for s in f.sites}
    order = {s.id: i for i, s in enumerate(f.sites)}
    for p in sorted(f.attendees, key=lambda p: (order.get(p.site_id, 99), p.id)):
        t.rows.append([sites.get(p.site_id, ""), p.name, p.organisation, w.category(p.category),
                       w.gender(p.gender), w.role(p.role)])
    return [Sheet(_("Attendance"), t), Sheet(_("Attendance summary"), attendance_table(f))]


def timeline(rows: list[Row]) -> Sheet:
    t = _table([_("No"), _("Time"), _("Event"), _("By"), _("Description")])
    t.rows = [[r.seq, r.time, r.type, r.actor, r.description] for r in rows]
    return Sheet(_("Timeline"), t)


def about(f: Facts, heading: str, lang: str) -> Sheet:
    """What the workbook is: its title page, with the draft mark."""
    m = f.meeting
    t = Table([Column(_("Item")), Column(_("Value"))])
    t.rows = [[_("Document"), heading], [_("Meeting"), m.title], [_("Number"), m.number],
              [_("Date"), long_date(m.date, lang)], [_("Sites"), ", ".join(s.name for s in f.sites)],
              [_("Status"), w.label(MEETING_STATUS_LABELS, m.status)]]
    if m.status != "closed":
        t.rows.append([_("DRAFT"), _("DRAFT: the meeting has not been closed yet; these minutes "
                                     "may still change.")])
    return Sheet(_("About"), t)


def all_sheets(f: Facts, timeline_rows: list[Row], heading: str, lang: str) -> list[Sheet]:
    return [about(f, heading, lang), proposals(f), marks(f), votes(f), comments(f),
            *attendance(f), timeline(timeline_rows)]
