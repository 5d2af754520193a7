"""Storing imported proposals and plan items in a meeting, all or nothing.

Reading files is read.py's job; this appends the rows and one event, so
screens in both rooms update when the facilitator imports during a live meeting."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from . import isolate
from .read import ImportResult, read_plan_items, read_proposals
from ..meeting import views
from ..meeting.engine import append_event, event_wire
from ..meeting.errors import N_, CommandError
from ..meeting.permissions import Actor
from ..models import Meeting, PlanItem, Proposal, utcnow

KINDS = {"proposals": read_proposals, "plan-items": read_plan_items}


@dataclass
class ImportRejected(Exception):
    """Rows that could not be read; nothing was stored."""
    result: ImportResult


def store(session: Session, meeting_id: int, actor: Actor | None, kind: str,
          result: ImportResult) -> tuple[int, dict]:
    """Store every row or none; returns (count, wire event)."""
    if result.problems:
        raise ImportRejected(result)
    meeting = session.get(Meeting, meeting_id, with_for_update=True)
    if meeting is None:
        raise CommandError("not_found", N_("Not found in this meeting."))
    if meeting.status == "closed":
        raise CommandError("closed", N_("The meeting is closed."))
    now = utcnow()
    if kind == "proposals":
        last = session.scalar(select(func.max(Proposal.position))
                              .where(Proposal.meeting_id == meeting_id)) or 0
        rows = [Proposal(meeting_id=meeting_id, position=last + i + 1, **r)
                for i, r in enumerate(result.rows)]
        session.add_all(rows)
        session.flush()
        sites = views.site_ids(session, meeting_id)
        data = {"proposals": [{**views.proposal_view(p), "summary": views.empty_mark_summary(sites),
                               "decision": None} for p in rows]}
        type_ = "proposal.import"
    else:
        rows = [PlanItem(meeting_id=meeting_id, **r) for r in result.rows]
        session.add_all(rows)
        session.flush()
        data = {"plan_items": [views.plan_item_view(p) for p in rows]}
        type_ = "plan_item.import"
    event = append_event(session, meeting, type_, actor, data, now)
    return len(rows), event_wire(event)


def read(kind: str, filename: str, data: bytes) -> ImportResult:
    """Parsed in a child process with memory and time limits (isolate.py)."""
    if kind not in KINDS:
        raise KeyError(kind)
    return isolate.read(kind, filename, data)
