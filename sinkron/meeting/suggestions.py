"""The suggested plan items of a meeting's proposals, as the meeting keeps them.

The matcher (sinkron/matching/) computes them; here they are stored, diffed
and announced. A recomputation stores only what changed, and every change of
the cache is one sequenced `suggestions.update` event in the same
transaction, so replaying the log rebuilds the cache exactly (reducer.py),
and each process serves the same suggestions.

What each role gets:
- the facilitator: every proposal's suggestions (the snapshot's
  `suggestions`, and each event's changed and cleared proposals);
- everyone: the focused proposal's top PHONE_TOP (`focus_suggestions`), with
  the `agenda.focus` event and with every `suggestions.update`; phones are
  never sent the rest."""
from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass
from typing import Iterable

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from ..models import Meeting, Proposal, ProposalSuggestions, SuggestionSet

EVENT = "suggestions.update"
# Suggestions kept per proposal (the console shows them all), and how many a
# phone gets for the focused proposal: enough to point at the item in one tap.
TOP = 5
PHONE_TOP = 3
# Changes to what the matcher reads. Marks, votes, decisions or the focus do
# not change any suggestion, so they never cost a recomputation.
TRIGGERS = frozenset({"proposal.add", "proposal.update", "proposal.withdraw", "proposal.restore",
                      "proposal.import", "plan_item.import"})
# What the public version of the event keeps (engine.for_audience).
PUBLIC_KEYS = ("focus", "focus_suggestions")


def needs_recompute(event_types: Iterable[str]) -> bool:
    return any(t in TRIGGERS for t in event_types)


@dataclass(frozen=True)
class Computed:
    """The matcher's answer for one meeting, and what it was computed from.

    A full answer names every proposal's suggestions and replaces the stored
    set. A partial one (what the child sends) names only the proposals whose
    suggestions differ from the set stored under the fingerprint `base`
    (None: nothing was stored), [] for those that lost theirs; the others
    keep what is stored. The child diffs so that the server's event loop
    parses and stores a few proposals after an edit, not hundreds."""
    fingerprint: str
    seq: int                           # the meeting's seq when the inputs were read
    suggestions: dict[int, list[dict]]  # proposal id -> Suggestion.to_json() best first
    partial: bool = False
    base: str | None = None
    final: bool = True                 # the last of its parts: records the fingerprint

    def parts(self, size: int) -> list["Computed"]:
        """A partial answer cut into partial answers of at most `size`
        proposals, stored one writer job (and one event) each; the last
        records the fingerprint. A full answer stays whole: what it leaves
        out is cleared, so it cannot be cut."""
        pids = sorted(self.suggestions)
        if not self.partial or len(pids) <= size:
            return [self]
        chunks = [pids[i:i + size] for i in range(0, len(pids), size)]
        return [Computed(self.fingerprint, self.seq, {pid: self.suggestions[pid] for pid in chunk},
                         True, self.base, i == len(chunks) - 1) for i, chunk in enumerate(chunks)]


class Stale(Exception):
    """A partial answer diffed against a set that has been replaced since
    (another process stored first): it must be computed again."""


def digest(items: list[dict]) -> str:
    return hashlib.sha256(json.dumps(items, sort_keys=True, separators=(",", ":"))
                          .encode()).hexdigest()


def cached(session: Session, meeting_id: int) -> dict[int, list[dict]]:
    """Every proposal's stored suggestions (the facilitator's snapshot)."""
    return dict(session.execute(select(ProposalSuggestions.proposal_id, ProposalSuggestions.suggestions)
                                .where(ProposalSuggestions.meeting_id == meeting_id)
                                .order_by(ProposalSuggestions.proposal_id)).all())


def top_of(session: Session, proposal_id: int | None, n: int = PHONE_TOP) -> list[dict]:
    """The best n stored suggestions of one proposal ([] for none)."""
    if proposal_id is None:
        return []
    items = session.scalar(select(ProposalSuggestions.suggestions)
                           .where(ProposalSuggestions.proposal_id == proposal_id))
    return list(items or [])[:n]


def current_fingerprint(session: Session, meeting_id: int) -> str | None:
    return session.scalar(select(SuggestionSet.fingerprint).where(SuggestionSet.meeting_id == meeting_id))


def stored_digests(session: Session, meeting_id: int, only: Iterable[int] | None = None) -> dict[int, str]:
    query = select(ProposalSuggestions.proposal_id, ProposalSuggestions.digest).where(
        ProposalSuggestions.meeting_id == meeting_id)
    if only is not None:
        query = query.where(ProposalSuggestions.proposal_id.in_(list(only)))
    return dict(session.execute(query).all())


def store(session: Session, meeting_id: int, computed: Computed, now: dt.datetime) -> dict | None:
    """Store what changed and append the event; returns its data, or None when
    nothing a client sees changed (same inputs, or the same suggestions).
    Raises Stale for a partial answer whose base is no longer stored.
    The caller appends nothing itself: see store_and_announce."""
    meeting = session.get(Meeting, meeting_id, with_for_update=True)
    if meeting is None:
        return None
    state = session.get(SuggestionSet, meeting_id)
    current = state.fingerprint if state is not None else None
    if current == computed.fingerprint:
        return None
    if computed.partial and current != computed.base:
        raise Stale(f"meeting {meeting_id}: diffed against {computed.base}, stored {current}")
    named = list(computed.suggestions) if computed.partial else None
    # Proposals that are still this meeting's (a stale answer may name others).
    query = select(Proposal.id).where(Proposal.meeting_id == meeting_id)
    if named is not None:
        query = query.where(Proposal.id.in_(named))
    ids = set(session.scalars(query))
    wanted = {pid: items for pid, items in computed.suggestions.items() if items and pid in ids}
    existing = stored_digests(session, meeting_id, named)
    changed: dict[int, list[dict]] = {}
    for pid, items in sorted(wanted.items()):
        d = digest(items)
        if existing.get(pid) == d:
            continue
        row = session.get(ProposalSuggestions, pid) if pid in existing else None
        if row is None:
            session.add(ProposalSuggestions(proposal_id=pid, meeting_id=meeting_id, digest=d,
                                            suggestions=items))
        else:
            row.digest, row.suggestions = d, items
        changed[pid] = items
    cleared = sorted(pid for pid in existing if pid not in wanted)
    if cleared:
        session.execute(delete(ProposalSuggestions).where(ProposalSuggestions.proposal_id.in_(cleared)))
    if computed.final:
        if state is None:
            session.add(SuggestionSet(meeting_id=meeting_id, fingerprint=computed.fingerprint,
                                      computed_seq=computed.seq, computed_at=now))
        else:
            state.fingerprint, state.computed_seq, state.computed_at = (
                computed.fingerprint, computed.seq, now)
    session.flush()
    if not changed and not cleared:
        return None
    focus = meeting.focus_proposal_id
    return {"suggestions": changed, "cleared": cleared, "focus": focus,
            "focus_suggestions": top_of(session, focus)}


def store_and_announce(session: Session, meeting_id: int, computed: Computed,
                       now: dt.datetime) -> dict | None:
    """store(), then the sequenced event; returns the wire event or None."""
    from .engine import append_event, event_wire  # engine imports this module
    data = store(session, meeting_id, computed, now)
    if data is None:
        return None
    meeting = session.get(Meeting, meeting_id)
    return event_wire(append_event(session, meeting, EVENT, None, data, now))


def public_data(data: dict) -> dict:
    """The event as participants, hosts and projectors get it: the focused
    proposal's top few, not the whole set."""
    return {k: data[k] for k in PUBLIC_KEYS if k in data}
