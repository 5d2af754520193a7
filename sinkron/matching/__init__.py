"""Suggesting, for each proposal, the plan items it is likely already in.

Pure Python: no Flask, no Socket.IO, no database models. Callers turn their
rows into ProposalText / PlanItemText (proposal_text() and plan_item_text()
read ORM rows) and get Suggestions back; nothing is decided here, people
choose. docs/matching.md describes the steps and the threshold."""
from .model import PlanItemText, ProposalText, Reason, Suggestion, plan_item_text, proposal_text
from .ranking import STRONG_THRESHOLD, PlanIndex, suggest_all
from .text import Steps

__all__ = ["PlanItemText", "ProposalText", "Reason", "Suggestion", "PlanIndex", "suggest_all",
           "proposal_text", "plan_item_text", "STRONG_THRESHOLD", "Steps"]
