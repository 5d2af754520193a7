"""The body of the berita acara (DESIGN.md "Minutes", items 1–8): opening,
purpose, officials, attendance, results, agreements, follow-ups, signatures."""
from __future__ import annotations

from collections import Counter

from ..meeting.vocab import CATEGORIES
from . import wording as w
from .content import Column, NumberedList, Paragraph, Section, Signatory, Signatures, Table
from .facts import Facts
from .formatting import long_date, rupiah, short_date, zone_abbreviation
from .words import _, ngettext


def _and(names: list[str]) -> str:
    if len(names) < 2:
        return "".join(names)
    return _("%(first)s and %(last)s", first=", ".join(names[:-1]), last=names[-1])


def opening(f: Facts, lang: str) -> Section:
    m = f.meeting
    blocks = []
    if m.status != "closed":
        blocks.append(Paragraph(_("DRAFT: the meeting has not been closed yet; these minutes "
                                  "may still change."), "draft"))
    sites = _and([s.name for s in f.sites])
    zone = zone_abbreviation(m.timezone)
    if m.start_time and m.end_time:
        when = _("from %(start)s to %(end)s %(zone)s", start=m.start_time, end=m.end_time, zone=zone)
    elif m.start_time:
        when = _("from %(start)s %(zone)s", start=m.start_time, zone=zone)
    else:
        when = ""
    if m.date:
        day = long_date(m.date, lang) + (f", {when}" if when else "")
        text = _("On %(day)s, the meeting “%(title)s” was held at the same time at %(sites)s, "
                 "linked by video conference.", day=day, title=m.title, sites=sites)
    else:
        text = _("The meeting “%(title)s” was held at the same time at %(sites)s, linked by "
                 "video conference.", title=m.title, sites=sites)
    blocks.append(Paragraph(text))
    if m.place:
        blocks.append(Paragraph(_("Place: %(place)s", place=m.place)))
    return Section("", blocks)


def purpose(f: Facts) -> Section:
    return Section(_("1. Purpose of the meeting"), [Paragraph(f.meeting.purpose or w.DASH)])


def officials(f: Facts) -> Section:
    rows = []
    for s in f.sites:
        name = ", ".join(part for part in (s.chair_name, s.chair_title) if part) or w.DASH
        rows.append([_("Chair, %(site)s", site=s.name), name])
    for p in f.facilitators:
        rows.append([_("Facilitator"), ", ".join(part for part in (p.name, p.organisation) if part)])
    rows.append([_("Note-taker"), f.meeting.note_taker or w.DASH])
    table = Table([Column(_("Role"), 1), Column(_("Name"), 2)], rows)
    return Section(_("2. Chairs, facilitator and note-taker"), [table])


def attendance_table(f: Facts) -> Table:
    """Site × category, with men, women and not given; subtotals per site."""
    counts: Counter = Counter()
    for p in f.attendees:
        counts[(p.site_id, p.category, p.gender)] += 1
    table = Table([Column(_("Site"), 2.2), Column(_("Category"), 2.2), Column(w.gender("L"), 0.8),
                   Column(w.gender("P"), 0.8), Column(w.gender(None), 0.9), Column(_("Total"), 0.8)])
    grand = [0, 0, 0]
    order = list(CATEGORIES) + sorted({c for (_s, c, _g) in counts if c not in CATEGORIES})
    for s in f.sites:
        site_sum = [0, 0, 0]
        for cat in order:
            row = [counts[(s.id, cat, "L")], counts[(s.id, cat, "P")], counts[(s.id, cat, None)]]
            if any(row):
                table.rows.append([s.name, w.category(cat), *row, sum(row)])
                site_sum = [a + b for a, b in zip(site_sum, row)]
        table.emphasis.add(len(table.rows))
        table.rows.append([s.name, _("Subtotal"), *site_sum, sum(site_sum)])
        grand = [a + b for a, b in zip(grand, site_sum)]
    table.emphasis.add(len(table.rows))
    table.rows.append([_("All sites"), _("Total"), *grand, sum(grand)])
    return table


def attendance(f: Facts) -> Section:
    per_site = [_("%(site)s: %(count)s", site=s.name,
                  count=sum(1 for p in f.attendees if p.site_id == s.id)) for s in f.sites]
    text = ngettext("%(num)d person attended (%(sites)s); the list is in Annex I.",
                    "%(num)d people attended (%(sites)s); the list is in Annex I.",
                    len(f.attendees), sites="; ".join(per_site))
    return Section(_("3. Attendance"), [Paragraph(text), attendance_table(f)])


def results(f: Facts) -> Section:
    table = Table([Column(_("No"), 0.5), Column(_("Proposal"), 2.6),
                   Column(_("Agreed status"), 1.7), Column(_("Marks per site"), 2.4),
                   Column(_("Votes"), 1.8), Column(_("Most supported comments"), 2.6)])
    for i, pf in enumerate(f.proposals, 1):
        p = pf.proposal
        what = [w.proposal_name(p)]
        if w.location(p):
            what.append(_("Location: %(place)s", place=w.location(p)))
        if p.target_agency:
            what.append(_("Target agency: %(agency)s", agency=p.target_agency))
        if p.cost is not None:
            what.append(_("Estimated cost: %(amount)s", amount=rupiah(p.cost)))
        agreed = [w.decided_status(pf)]
        if pf.plan_item:
            agreed.append(_("Plan item: %(item)s", item=w.plan_item(pf.plan_item)))
        marks = [f"{s.name}: {w.marks_by_site(pf, s)}" for s in f.sites]
        if pf.marks["disagreement"]:
            marks.append(_("The sites disagree."))
        votes = []
        if f.voting is not None:
            votes = [f"{s.name}: {w.vote_value(f.voting, pf.tally, s.id)}" for s in f.sites]
            votes.append(_("Total: %(value)s", value=w.vote_value(f.voting, pf.tally)))
            votes.append(_("Rank: %(rank)s", rank=pf.rank))
        comments = [f"• {w.comment_line(c)}" for c in pf.comments[:3]]
        table.rows.append([i, "\n".join(what), "\n".join(agreed), "\n".join(marks),
                           "\n".join(votes) or w.DASH, "\n".join(comments) or w.DASH])
    blocks = [Paragraph(w.round_note(f.voting), "note"), table]
    if f.withdrawn:
        blocks += [Paragraph(_("Withdrawn from the agenda"), "subheading"), withdrawn_table(f)]
    # Marks and votes per site need the room of a landscape page.
    return Section(_("4. Results per proposal"), blocks, landscape=True)


def withdrawn_table(f: Facts) -> Table:
    """Proposals taken off the agenda: listed with the reason, not counted."""
    table = Table([Column(_("No"), 0.55), Column(_("Proposal"), 3), Column(_("Target agency"), 2),
                   Column(_("Reason for withdrawing"), 3.5)])
    for i, pf in enumerate(f.withdrawn, 1):
        table.rows.append([i, w.proposal_name(pf.proposal), pf.proposal.target_agency or w.DASH,
                           pf.proposal.withdrawn_reason or w.DASH])
    return table


def agreement_text(pf) -> str:
    d, p = pf.decision, pf.proposal
    parts = [_("%(proposal)s: %(status)s.", proposal=w.proposal_name(p), status=w.status(d.status))]
    if pf.plan_item:
        parts.append(_("Plan item: %(item)s.", item=w.plan_item(pf.plan_item)))
    if d.reason:
        parts.append(_("Reason: %(reason)s", reason=d.reason))
    return " ".join(parts)


def agreements(f: Facts) -> Section:
    items = [agreement_text(pf) for pf in f.proposals if pf.decision]
    block = NumberedList(items) if items else Paragraph(_("No agreements were recorded."))
    return Section(_("5. Agreements"), [block])


def follow_ups(f: Facts, lang: str) -> Section:
    table = Table([Column(_("No"), 0.55), Column(_("Proposal"), 2.2), Column(_("What"), 3),
                   Column(_("Who"), 1.8), Column(_("By when"), 1.3)])
    for pf in f.proposals:
        d = pf.decision
        if d and (d.follow_up_action or d.follow_up_owner or d.follow_up_due):
            table.rows.append([len(table.rows) + 1, w.proposal_name(pf.proposal),
                               d.follow_up_action or w.DASH, d.follow_up_owner or w.DASH,
                               short_date(d.follow_up_due, lang) or w.DASH])
    block = table if table.rows else Paragraph(_("No follow-ups were recorded."))
    return Section(_("6. Follow-up plan"), [block])


def place_and_date(f: Facts, lang: str) -> str:
    """"Mataram, 12 Mei 2020": the city from the meeting's settings; a line to
    fill in by hand for what is not set."""
    m = f.meeting
    blank = "...................."
    return f"{m.signature_city or blank}, {short_date(m.date, lang) or blank}"


def nip(number: str) -> str:
    return f"NIP. {number}" if number else ""


def closing(f: Facts, lang: str) -> Section:
    m = f.meeting
    people = [Signatory(_("Chair, %(site)s", site=s.name), s.chair_title, s.chair_name, nip(s.chair_nip))
              for s in f.sites]
    people.append(Signatory(_("Community representative"), m.community_rep_title, m.community_rep,
                            nip(m.community_rep_nip)))
    return Section(_("7. Closing"), [
        Paragraph(_("These minutes were drawn up truthfully, to be used as appropriate.")),
        Signatures(place_and_date(f, lang), people)])


def body(f: Facts, lang: str) -> list[Section]:
    return [opening(f, lang), purpose(f), officials(f), attendance(f), results(f),
            agreements(f), follow_ups(f, lang), closing(f, lang)]
