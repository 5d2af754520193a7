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
    """The matcher's answer for one meeting, and what it was computed from."""
    fingerprint: str
    seq: int                           # the meeting's seq when the inputs were read
    suggestions: dict[int, list[dict]]  # proposal id -> Suggestion.to_json() best first


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


def store(session: Session, meeting_id: int, computed: Computed, now: dt.datetime) -> dict | None:
    """Store what changed and append the event; returns its data, or None when
    nothing a client sees changed (same inputs, or the same suggestions).
    The caller appends nothing itself: see store_and_announce."""
    meeting = session.get(Meeting, meeting_id, with_for_update=True)
    if meeting is None:
        return None
    state = session.get(SuggestionSet, meeting_id)
    if state is not None and state.fingerprint == computed.fingerprint:
        return None
    # Proposals that are still this meeting's (a stale answer may name others).
    ids = set(session.scalars(select(Proposal.id).where(Proposal.meeting_id == meeting_id)))
    wanted = {pid: items for pid, items in computed.suggestions.items() if items and pid in ids}
    existing = dict(session.execute(select(ProposalSuggestions.proposal_id, ProposalSuggestions.digest)
                                    .where(ProposalSuggestions.meeting_id == meeting_id)).all())
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
