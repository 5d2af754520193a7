"""What the matcher reads and what it returns; plain data, no database."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ProposalText:
    id: int
    code: str = ""
    title: str = ""
    problem: str = ""
    proposer: str = ""
    kecamatan: str = ""
    desa: str = ""
    sector: str = ""
    target_agency: str = ""
    authority: str = ""      # Kewenangan: Desa/Kabupaten/Provinsi/Pusat/Non-pemerintah
    programme_code: str = ""


@dataclass(frozen=True)
class PlanItemText:
    id: int
    document: str = ""
    agency: str = ""
    code: str = ""
    programme: str = ""
    activity: str = ""
    sub_activity: str = ""
    location: str = ""
    authority: str = ""      # optional Kewenangan column; else the level comes from `document`


@dataclass(frozen=True)
class Reason:
    kind: str                # "words", "agency", "code", "location", "level"
    detail: str


@dataclass(frozen=True)
class Suggestion:
    plan_item_id: int
    score: float             # 0..1
    strong: bool             # score >= STRONG_THRESHOLD
    reasons: tuple[Reason, ...]

    def to_json(self) -> dict:
        return {"plan_item_id": self.plan_item_id, "score": round(self.score, 3),
                "strong": self.strong,
                "reasons": [{"kind": r.kind, "detail": r.detail} for r in self.reasons]}


def _text(row, name: str) -> str:
    value = getattr(row, name, "")
    return "" if value is None else str(value)


def proposal_text(row) -> ProposalText:
    """From anything with a Proposal's attributes (an ORM row)."""
    return ProposalText(id=row.id, **{name: _text(row, name) for name in (
        "code", "title", "problem", "proposer", "kecamatan", "desa", "sector", "target_agency",
        "authority", "programme_code")})


def plan_item_text(row) -> PlanItemText:
    """From anything with a PlanItem's attributes (an ORM row)."""
    return PlanItemText(id=row.id, **{name: _text(row, name) for name in (
        "document", "agency", "code", "programme", "activity", "sub_activity", "location",
        "authority")})
