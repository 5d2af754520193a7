"""The matcher's inputs for one meeting, their fingerprint, and its answer.

The fingerprint covers everything the answer depends on: the proposals on
the agenda and the plan items (as the matcher reads them) and the matcher's
own code and data files. Equal fingerprints, equal suggestions: a
recomputation with the fingerprint already stored stops before matching.
Otherwise the answer names only the proposals whose suggestions changed."""
from __future__ import annotations

import functools
import hashlib
import json
from dataclasses import asdict
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from .. import matching
from ..meeting.suggestions import TOP, Computed, current_fingerprint, digest, stored_digests
from ..models import Meeting, PlanItem, Proposal


@functools.lru_cache(maxsize=1)
def matcher_version() -> str:
    """A digest of the matcher's source and data: an upgrade recomputes."""
    h = hashlib.sha256()
    root = Path(matching.__file__).parent
    for path in sorted(p for p in root.rglob("*") if p.is_file() and p.suffix != ".pyc"):
        h.update(str(path.relative_to(root)).encode() + b"\0" + path.read_bytes() + b"\0")
    return h.hexdigest()


def read_inputs(session: Session, meeting_id: int):
    """(seq, proposals, plan items) as the matcher reads them. The seq is read
    first: the rows are at least as new as it says."""
    seq = session.scalar(select(Meeting.last_seq).where(Meeting.id == meeting_id)) or 0
    proposals = [matching.proposal_text(p) for p in session.scalars(
        select(Proposal).where(Proposal.meeting_id == meeting_id, Proposal.withdrawn_at.is_(None))
        .order_by(Proposal.position, Proposal.id))]
    plan_items = [matching.plan_item_text(p) for p in session.scalars(
        select(PlanItem).where(PlanItem.meeting_id == meeting_id).order_by(PlanItem.id))]
    return seq, proposals, plan_items


def fingerprint(proposals, plan_items) -> str:
    h = hashlib.sha256(matcher_version().encode())
    for group in (proposals, plan_items):
        h.update(json.dumps([asdict(x) for x in group], sort_keys=True, ensure_ascii=False).encode())
        h.update(b"\0")
    return h.hexdigest()


def compute(session: Session, meeting_id: int, top: int = TOP,
            unless_stored: bool = True) -> Computed | None:
    """The meeting's suggestions as a partial answer (only what differs from
    the stored set), or None when the stored ones were computed from these
    very inputs (unless_stored)."""
    seq, proposals, plan_items = read_inputs(session, meeting_id)
    fp = fingerprint(proposals, plan_items)
    # The set's fingerprint before its rows: should another process store in
    # between, the base no longer matches and the answer is refused as stale,
    # never applied over rows it was not diffed against.
    base = current_fingerprint(session, meeting_id)
    if unless_stored and base == fp:
        return None
    stored = stored_digests(session, meeting_id)
    found = matching.suggest_all(proposals, plan_items, top=top) if proposals and plan_items else {}
    changed: dict[int, list[dict]] = {}
    for pid, items in found.items():
        wire = [s.to_json() for s in items]
        if wire and stored.get(pid) != digest(wire):
            changed[pid] = wire
    for pid in stored:
        if not found.get(pid):
            changed[pid] = []
    return Computed(fp, seq, changed, partial=True, base=base)
