"""Annexes I–VII of the berita acara: attendance list, accommodated and not
accommodated proposals, ranking, all comments, timeline, speaking record."""
from __future__ import annotations

from collections import defaultdict

from ..meeting.vocab import ACCOMMODATED, CATEGORIES
from . import wording as w
from .content import Column, Money, Paragraph, Section, Table
from .facts import Facts, ProposalFact
from .formatting import duration, short_date
from .timeline import Row
from .words import _, ngettext

ROMAN = ("I", "II", "III", "IV", "V", "VI", "VII")
ROLE_ORDER = {"facilitator": 0, "host": 1, "participant": 2}


def _annex(number: int, title: str, blocks: list) -> Section:
    return Section(_("Annex %(number)s: %(title)s", number=ROMAN[number - 1], title=title),
                   blocks, annex=True)


def attendance_list(f: Facts) -> Section:
    blocks: list = []
    for s in f.sites:
        people = sorted((p for p in f.attendees if p.site_id == s.id),
                        key=lambda p: (ROLE_ORDER.get(p.role, 3), p.id))
        blocks.append(Paragraph(ngettext("%(site)s (%(num)d person)", "%(site)s (%(num)d people)",
                                         len(people), site=s.name),
                                "subheading"))
        blocks.append(Table(
            [Column(_("No"), 0.55), Column(_("Name"), 2.4), Column(_("Organisation"), 2.4),
             Column(_("Category"), 1.6), Column(_("Gender"), 1), Column(_("Role"), 1.2)],
            [[i, p.name, p.organisation or w.DASH, w.category(p.category), w.gender(p.gender),
              w.role(p.role)] for i, p in enumerate(people, 1)]))
    return _annex(1, _("Attendance list per site"), blocks)


def _agency(pf: ProposalFact) -> str:
    """Where the activity lands: the plan item's agency, else the proposal's target."""
    return (pf.plan_item.agency if pf.plan_item and pf.plan_item.agency else
            pf.proposal.target_agency) or w.DASH


def _accommodated(pf: ProposalFact) -> bool:
    return pf.decision is not None and pf.decision.status in ACCOMMODATED


def accommodated(f: Facts) -> Section:
    groups: dict[str, list[ProposalFact]] = defaultdict(list)
    for pf in f.proposals:
        if _accommodated(pf):
            groups[_agency(pf)].append(pf)
    blocks: list = []
    for agency in sorted(groups, key=str.casefold):
        blocks.append(Paragraph(agency, "subheading"))
        blocks.append(Table(
            [Column(_("No"), 0.55), Column(_("Proposal"), 2.6), Column(_("Location"), 1.4),
             Column(_("Agreed status"), 1.5), Column(_("Plan item"), 2.6),
             Column(_("Budget (pagu)"), 1.4)],
            [[i, w.proposal_name(pf.proposal), w.location(pf.proposal) or w.DASH,
              w.status(pf.decision.status), w.plan_item(pf.plan_item) or w.DASH,
              Money(pf.plan_item.budget) if pf.plan_item and pf.plan_item.budget is not None else None]
             for i, pf in enumerate(groups[agency], 1)]))
    if not blocks:
        blocks.append(Paragraph(_("No proposal was agreed as accommodated.")))
    return _annex(2, _("Accommodated proposals by agency"), blocks)


NOT_ACCOMMODATED = ("belum_terakomodir", "tidak_dapat_diakomodir", "dialihkan")


def _follow_up(pf: ProposalFact, lang: str) -> str:
    d = pf.decision
    if not (d and (d.follow_up_action or d.follow_up_owner or d.follow_up_due)):
        return w.DASH
    return " — ".join(x for x in (d.follow_up_action, d.follow_up_owner,
                                  short_date(d.follow_up_due, lang)) if x)


def _destination(pf: ProposalFact) -> str:
    """Where a redirected proposal goes: as agreed, else the plan item's agency."""
    d = pf.decision
    if d is None or d.status != "dialihkan":
        return w.DASH
    return d.destination or (w.plan_item(pf.plan_item) if pf.plan_item else "") or w.DASH


def not_accommodated(f: Facts, lang: str) -> Section:
    """Annex III: the proposals decided as not accommodated, with reasons, and
    apart from them those not yet agreed and those never discussed: an
    undiscussed proposal was not rejected."""
    decided = [pf for pf in f.proposals if pf.decision and pf.decision.status in NOT_ACCOMMODATED]
    pending, untouched = [], []
    for pf in f.proposals:
        if _accommodated(pf) or pf in decided:
            continue
        d = pf.decision
        if (d and d.status == "belum_dibahas") or (d is None and pf.proposal.id not in f.discussed):
            untouched.append(pf)
        else:
            pending.append(pf)
    blocks: list = [Paragraph(_("A. Decided as not accommodated"), "subheading")]
    if decided:
        blocks.append(Table(
            [Column(_("No"), 0.5), Column(_("Proposal"), 2.4), Column(_("Target agency"), 1.6),
             Column(_("Agreed status"), 1.4), Column(_("Redirected to"), 1.5), Column(_("Reason"), 2.2),
             Column(_("Follow-up"), 1.9)],
            [[i, w.proposal_name(pf.proposal), pf.proposal.target_agency or w.DASH,
              w.status(pf.decision.status), _destination(pf), pf.decision.reason or w.DASH,
              _follow_up(pf, lang)] for i, pf in enumerate(decided, 1)]))
    else:
        blocks.append(Paragraph(_("No proposal was decided as not accommodated.")))
    blocks.append(Paragraph(_("B. Not yet agreed"), "subheading"))
    if pending:
        blocks.append(Table(
            [Column(_("No"), 0.5), Column(_("Proposal"), 2.6), Column(_("Target agency"), 1.8),
             Column(_("State"), 1.7), Column(_("Reason"), 2.2), Column(_("Follow-up"), 2)],
            [[i, w.proposal_name(pf.proposal), pf.proposal.target_agency or w.DASH, w.decided_status(pf),
              (pf.decision.reason if pf.decision else "") or w.DASH, _follow_up(pf, lang)]
             for i, pf in enumerate(pending, 1)]))
    else:
        blocks.append(Paragraph(_("Every proposal taken up was agreed.")))
    blocks.append(Paragraph(_("C. Not discussed"), "subheading"))
    if untouched:
        blocks.append(Paragraph(_("These proposals were not taken up in the meeting; that is no "
                                  "decision about them."), "note"))
        blocks.append(Table(
            [Column(_("No"), 0.5), Column(_("Proposal"), 3.4), Column(_("Target agency"), 2.4),
             Column(_("Location"), 2)],
            [[i, w.proposal_name(pf.proposal), pf.proposal.target_agency or w.DASH,
              w.location(pf.proposal) or w.DASH] for i, pf in enumerate(untouched, 1)]))
    else:
        blocks.append(Paragraph(_("Every proposal was discussed.")))
    return _annex(3, _("Proposals not accommodated, and those not yet agreed or not discussed"), blocks)


def ranking(f: Facts) -> Section:
    blocks: list = [Paragraph(w.round_note(f.voting), "note")]
    if f.voting is not None:
        columns = [Column(_("Rank"), 0.6), Column(_("Proposal"), 3.2)]
        columns += [Column(s.name, 1.4) for s in f.sites] + [Column(_("Total"), 1.1)]
        table = Table(columns)
        for pf in sorted((pf for pf in f.proposals if pf.rank is not None), key=lambda pf: pf.rank):
            per_site = [_("%(value)s (rank %(rank)s)", value=w.vote_value(f.voting, pf.tally, s.id),
                          rank=pf.rank_by_site.get(s.id, w.DASH)) for s in f.sites]
            table.rows.append([pf.rank, w.proposal_name(pf.proposal), *per_site,
                               w.vote_value(f.voting, pf.tally)])
        blocks.append(table)
    return _annex(4, _("Priority ranking"), blocks)


def _comment_table(items, sites: dict[int, str]) -> Table:
    return Table([Column(_("No"), 0.55), Column(_("Kind"), 1), Column(_("Comment"), 4.2),
                  Column(_("From"), 2.2), Column(_("Supports"), 0.9)],
                 [[i, w.kind(c.comment.kind), c.comment.text,
                   w.author(c.author, sites.get(c.comment.site_id)), c.supports]
                  for i, c in enumerate(items, 1)])


def comments(f: Facts) -> Section:
    sites = {s.id: s.name for s in f.sites}
    groups = [(w.proposal_name(pf.proposal), pf.comments) for pf in f.proposals]
    groups += [(_("%(proposal)s (withdrawn from the agenda)", proposal=w.proposal_name(pf.proposal)),
                pf.comments) for pf in f.withdrawn]
    groups.append((_("On the meeting as a whole"), f.general_comments))
    blocks: list = []
    for title, items in groups:
        if items:
            # Here in the order they were made; the body shows the most supported.
            ordered = sorted(items, key=lambda c: c.comment.id)
            blocks += [Paragraph(title, "subheading"), _comment_table(ordered, sites)]
    if not blocks:
        blocks.append(Paragraph(_("No comments were made.")))
    return _annex(5, _("All comments per proposal"), blocks)


def timeline(rows: list[Row]) -> Section:
    # Wide enough for ranges ("7026–7069", "11:20:31–11:22:19") on one line.
    table = Table([Column(_("No"), 1.2), Column(_("Time"), 2.2), Column(_("Event"), 2.0),
                   Column(_("By"), 1.4), Column(_("Description"), 3.6)],
                  [[r.seq, r.time, r.type, r.actor, r.description] for r in rows])
    return _annex(6, _("Timeline of the meeting"), [table])


def speaking_tables(f: Facts) -> list:
    sites = {s.id: s.name for s in f.sites}
    dimensions = (
        (_("By site"), lambda t: sites.get(t.request.site_id, w.DASH),
         [s.name for s in f.sites]),
        (_("By category"), lambda t: w.category(t.who.category), [w.category(c) for c in CATEGORIES]),
        (_("By gender"), lambda t: w.gender(t.who.gender),
         [w.gender("L"), w.gender("P"), w.gender(None)]),
    )
    blocks: list = []
    for title, key, order in dimensions:
        turns: dict[str, list[int]] = defaultdict(lambda: [0, 0])
        for t in f.turns:
            turns[key(t)][0] += 1
            turns[key(t)][1] += t.seconds
        names = [n for n in order if n in turns] + sorted(n for n in turns if n not in order)
        table = Table([Column(title, 3), Column(_("Turns"), 1), Column(_("Speaking time"), 1.4)],
                      [[n, turns[n][0], duration(turns[n][1])] for n in names])
        table.emphasis.add(len(table.rows))
        table.rows.append([_("Total"), len(f.turns), duration(sum(t.seconds for t in f.turns))])
        blocks.append(table)
    return blocks


def speaking(f: Facts) -> Section:
    blocks = speaking_tables(f) if f.turns else [Paragraph(_("Nobody was given the floor."))]
    return _annex(7, _("Speaking record"), blocks)


def all_annexes(f: Facts, timeline_rows: list[Row], lang: str) -> list[Section]:
    return [attendance_list(f), accommodated(f), not_accommodated(f, lang), ranking(f),
            comments(f), timeline(timeline_rows), speaking(f)]
