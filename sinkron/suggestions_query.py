"""A meeting's proposals and plan items from the database through the matcher:
the one place that turns rows into suggestions, for `flask matches`, the
evaluation (bench/matching.py) and the live side."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from .matching import Steps, plan_item_text, proposal_text, suggest_all
from .models import PlanItem, Proposal

DEFAULT_TOP = 5


def agenda(session: Session, meeting_id: int) -> list[Proposal]:
    """The proposals on the agenda (not withdrawn), in agenda order."""
    return list(session.scalars(select(Proposal).where(
        Proposal.meeting_id == meeting_id, Proposal.withdrawn_at.is_(None))
        .order_by(Proposal.position, Proposal.id)))


def plan_items(session: Session, meeting_id: int) -> list[PlanItem]:
    return list(session.scalars(select(PlanItem).where(PlanItem.meeting_id == meeting_id)
                                .order_by(PlanItem.id)))


def meeting_suggestions(session: Session, meeting_id: int, top: int = DEFAULT_TOP,
                        steps: Steps = Steps()) -> list[dict]:
    """[{proposal_id, proposal_code, suggestions: [{plan_item_id, plan_item_code,
    document, sub_activity, score, strong, reasons}]}] in agenda order."""
    proposals = agenda(session, meeting_id)
    items = {p.id: p for p in plan_items(session, meeting_id)}
    found = suggest_all([proposal_text(p) for p in proposals],
                        [plan_item_text(p) for p in items.values()], top, steps)
    return [{"proposal_id": p.id, "proposal_code": p.code,
             "suggestions": [describe(s.to_json(), items[s.plan_item_id]) for s in found[p.id]]}
            for p in proposals]


def describe(suggestion: dict, item: PlanItem) -> dict:
    """A suggestion's JSON with what people need to recognise the plan item."""
    return {"plan_item_id": item.id, "plan_item_code": item.code, "document": item.document,
            "sub_activity": item.sub_activity, "score": suggestion["score"],
            "strong": suggestion["strong"], "reasons": suggestion["reasons"]}
