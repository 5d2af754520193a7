"""The meeting's timeline from the event log, in words.

Steering events (start, focus, decisions, rounds, the floor…) get a row each.
What the crowd does between them (marks, comments, supports, votes, joins,
raised hands) is summed up in one row, so that 300 people voting make one
line, not 3,000; the annexes list the comments and results themselves.
Comment texts never appear here: a hidden comment must not leak through."""
from __future__ import annotations

import datetime as dt
import zoneinfo
from collections import Counter
from dataclasses import dataclass

from ..labels import STATUS_LABELS, VIEW_LABELS
from ..meeting.suggestions import EVENT as SUGGESTIONS_EVENT
from ..models import Participant, Proposal
from .formatting import local, zone
from .words import _, ngettext, resolved

CROWD = ("participant.join", "proposal.mark", "comment.add", "comment.support",
         "vote.cast", "floor.request", "floor.withdraw")


@dataclass
class Row:
    seq: str
    time: str
    type: str
    actor: str
    description: str


def _crowd_phrase(type_: str, n: int) -> str:
    phrases = {
        "participant.join": lambda: ngettext("%(num)d person joined", "%(num)d people joined", n),
        "proposal.mark": lambda: ngettext("%(num)d mark", "%(num)d marks", n),
        "comment.add": lambda: ngettext("%(num)d comment", "%(num)d comments", n),
        "comment.support": lambda: ngettext("%(num)d support", "%(num)d supports", n),
        "vote.cast": lambda: ngettext("%(num)d vote", "%(num)d votes", n),
        "floor.request": lambda: ngettext("%(num)d raised hand", "%(num)d raised hands", n),
        "floor.withdraw": lambda: ngettext("%(num)d hand lowered", "%(num)d hands lowered", n),
    }
    return phrases[type_]()


class Describer:
    """Short sentences for steering events, in the current locale."""

    def __init__(self, proposals: dict[int, Proposal], people: dict[int, Participant],
                 sites: dict[int, str] | None = None):
        self.proposals = proposals
        self.people = people
        self.sites = sites or {}

    def proposal(self, pid) -> str:
        p = self.proposals.get(pid)
        if p is None:
            return "—"
        return p.code or p.title[:60]

    def person(self, pid) -> str:
        p = self.people.get(pid)
        return p.name if p else "—"

    def __call__(self, e) -> str:
        d = e.data or {}
        method = getattr(self, "_" + e.type.replace(".", "_"), None)
        return method(d) if method else e.type

    def _meeting_start(self, d): return _("The meeting started.")
    def _meeting_close(self, d): return _("The meeting was closed.")
    def _meeting_reopen(self, d): return _("The meeting was reopened.")
    def _agenda_reorder(self, d): return _("The agenda was reordered.")
    def _floor_end(self, d): return _("The speaking turn ended.")

    def _agenda_focus(self, d):
        if d.get("proposal_id") is None:
            return _("No proposal in focus.")
        return _("Discussion of %(proposal)s.", proposal=self.proposal(d["proposal_id"]))

    def _projector_view(self, d):
        view = VIEW_LABELS.get(d.get("view"))
        return _("Projectors show: %(view)s.", view=resolved(view) if view else d.get("view"))

    def _proposal_add(self, d):
        return _("Proposal %(proposal)s added.", proposal=self.proposal(d.get("proposal", {}).get("id")))

    def _proposal_withdraw(self, d):
        return _("Proposal %(proposal)s withdrawn from the agenda: %(reason)s",
                 proposal=self.proposal(d.get("proposal_id")),
                 reason=(d.get("withdrawn") or {}).get("reason") or "—")

    def _proposal_restore(self, d):
        return _("Proposal %(proposal)s restored to the agenda.",
                 proposal=self.proposal((d.get("proposal") or {}).get("id")))

    def _meeting_update(self, d):
        return _("The meeting's settings were changed.")

    def _proposal_update(self, d):
        return _("Proposal %(proposal)s changed.", proposal=self.proposal(d.get("proposal", {}).get("id")))

    def _proposal_import(self, d):
        return self._imported(ngettext("%(num)d proposal imported.", "%(num)d proposals imported.",
                                       len(d.get("proposals") or ())), d)

    def _plan_item_import(self, d):
        return self._imported(ngettext("%(num)d plan item imported.", "%(num)d plan items imported.",
                                       len(d.get("plan_items") or ())), d)

    def _imported(self, text, d):
        updated = len(d.get("updated") or ())
        if not updated:
            return text
        return text + " " + ngettext("%(num)d updated.", "%(num)d updated.", updated)

    def _proposal_decide(self, d):
        status = (d.get("decision") or {}).get("status")
        label = STATUS_LABELS.get(status)
        return _("Agreed for %(proposal)s: %(status)s.", proposal=self.proposal(d.get("proposal_id")),
                 status=resolved(label) if label else status)

    def _voting_open(self, d):
        r = d.get("round") or {}
        return _("Voting round %(number)s opened (%(mode)s).", number=r.get("number"),
                 mode=mode_label(r.get("mode")))

    def _voting_close(self, d):
        return _("Voting round %(number)s closed.", number=(d.get("round") or {}).get("number"))

    def _comment_hide(self, d):
        return _("A comment was hidden.") if d.get("hidden") else _("A comment was shown again.")

    def _attendance_add(self, d):
        return _("%(name)s was checked in.", name=(d.get("participant") or {}).get("name", "—"))

    def _participant_revoke(self, d):
        return _("Access of %(name)s was revoked.", name=self.person(d.get("participant_id")))

    def _link_replace(self, d):
        role = d.get("role")
        if role == "facilitator":
            return _("The facilitator's link was replaced.")
        site = self.sites.get(d.get("site_id"), "—")
        if role == "join_code":
            return _("%(site)s got a new join code.", site=site)
        if role == "host":
            return _("The host link of %(site)s was replaced.", site=site)
        return _("The projector link of %(site)s was replaced.", site=site)

    def _floor_grant(self, d):
        return _("%(name)s was given the floor.", name=self.person(d.get("participant_id")))


def mode_label(mode: str | None) -> str:
    return _("dots") if mode == "dots" else _("scores 1–5")


class _Clock:
    def __init__(self, tz: zoneinfo.ZoneInfo, meeting_day: dt.date | None):
        self.tz, self.day = tz, meeting_day

    def __call__(self, moment: dt.datetime) -> str:
        here = local(moment, tz=self.tz)
        # The date is only worth printing when it is not the meeting's own day.
        return here.strftime("%H:%M:%S" if here.date() == self.day else "%Y-%m-%d %H:%M:%S")


# Recomputed suggestions are the server's housekeeping, not something the
# meeting did: the minutes' timeline leaves them out.
HOUSEKEEPING = frozenset({SUGGESTIONS_EVENT})


def build_rows(events: list, describe: Describer, tz: zoneinfo.ZoneInfo,
               meeting_day: dt.date | None) -> list[Row]:
    """`events`: rows with seq, type, at, actor and data, in seq order."""
    clock = _Clock(tz, meeting_day)
    rows: list[Row] = []
    crowd: list = []

    def flush() -> None:
        if not crowd:
            return
        counts = Counter(e.type for e in crowd)
        first, last = crowd[0], crowd[-1]
        seq = str(first.seq) if first is last else f"{first.seq}–{last.seq}"
        time = clock(first.at) if first is last else f"{clock(first.at)}–{clock(last.at)}"
        rows.append(Row(seq, time, ", ".join(t for t in CROWD if t in counts), "",
                        ", ".join(_crowd_phrase(t, counts[t]) for t in CROWD if t in counts) + "."))
        crowd.clear()

    for e in events:
        if e.type in HOUSEKEEPING:
            continue
        if e.type in CROWD:
            crowd.append(e)
            continue
        flush()
        rows.append(Row(str(e.seq), clock(e.at), e.type,
                        (e.actor or {}).get("name", ""), describe(e)))
    flush()
    return rows


def for_meeting(f) -> list[Row]:
    """The timeline rows of gathered facts (facts.Facts)."""
    m = f.meeting
    describe = Describer({pf.proposal.id: pf.proposal for pf in [*f.proposals, *f.withdrawn]}, f.participants,
                         {s.id: s.name for s in f.sites})
    return build_rows(f.events, describe, zone(m.timezone), m.date)
