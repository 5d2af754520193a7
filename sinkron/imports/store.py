"""Storing imported proposals and plan items in a meeting, all or nothing,
as often as the facilitator likes.

Reading files is read.py's job. Here each read row is matched to what the
meeting already has, so importing the same file twice changes nothing:

- a proposal by its code; a row without a code (or whose code is new) by the
  same title and proposer among proposals without a code;
- a plan item by document, code and Sub Kegiatan.

A matched row updates the fields the file has a value for; marks, votes,
comments and decisions stay. What the meeting has and the file lacks is left
alone and reported as "not in the file". `plan()` says what an import would
do without changing anything (the console's preview, the CLI's --dry-run);
`store()` does it and appends one event, so screens in both rooms update."""
from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from .read import ImportResult, RowProblem, read_plan_items, read_proposals
from ..meeting import views
from ..meeting.engine import append_event, event_wire
from ..meeting.errors import N_, CommandError
from ..meeting.permissions import Actor
from ..models import Meeting, PlanItem, Proposal, utcnow

KINDS = {"proposals": read_proposals, "plan-items": read_plan_items}
# A file column that fills more than one field.
SPLIT_COLUMNS = {"coefficient": ("volume", "unit")}
PLAN_ITEM_KEY = ("document", "code", "sub_activity")


@dataclass
class RowPlan:
    row: int                        # the row number in the file
    outcome: str                    # "new", "updated" or "unchanged"
    label: str                      # code and title, to show
    values: dict                    # new: every field; updated: the changed fields
    existing: object | None = None  # the matched Proposal or PlanItem
    withdrawn: bool = False         # matched a proposal withdrawn from the agenda


@dataclass
class ImportPlan:
    kind: str
    rows: list[RowPlan] = field(default_factory=list)
    refused: list[RowProblem] = field(default_factory=list)
    # (id, label) of what the meeting has and the file does not: left alone.
    not_in_file: list[tuple[int, str]] = field(default_factory=list)

    def count(self, outcome: str) -> int:
        return sum(1 for r in self.rows if r.outcome == outcome)

    @property
    def refused_rows(self) -> int:
        return len({p.row for p in self.refused})

    @property
    def counts(self) -> dict:
        return {"new": self.count("new"), "updated": self.count("updated"),
                "unchanged": self.count("unchanged"), "refused": self.refused_rows}


@dataclass
class ImportRejected(Exception):
    """Rows that could not be read or matched; nothing was stored."""
    plan: ImportPlan

    @property
    def problems(self) -> list[RowProblem]:
        return self.plan.refused


def _folded(value) -> str:
    return " ".join(str(value or "").split()).casefold()


def _label(kind: str, values: dict) -> str:
    if kind == "proposals":
        return " ".join(part for part in (values.get("code"), values.get("title")) if part)
    name = values.get("sub_activity") or values.get("activity") or values.get("programme")
    return " ".join(part for part in (values.get("code"), name) if part)


def _file_fields(kind: str, result: ImportResult) -> list[str]:
    columns = result.columns or (tuple(result.rows[0]) if result.rows else ())
    fields = []
    for column in columns:
        fields += SPLIT_COLUMNS.get(column, (column,))
    model = Proposal if kind == "proposals" else PlanItem
    return [f for f in dict.fromkeys(fields) if hasattr(model, f)]


def _changes(existing, row: dict, fields: list[str]) -> dict:
    """The fields the file has a value for that differ from what is stored.
    An empty cell leaves the stored value: a re-import never erases an edit."""
    changed = {}
    for name in fields:
        value = row.get(name)
        if value is None or value == "":
            continue
        if getattr(existing, name) != value:
            changed[name] = value
    return changed


class _Matcher:
    """Finds the stored row a file row stands for."""

    def __init__(self, kind: str, existing: list):
        self.kind = kind
        self.index: dict[tuple, object] = {}
        for item in existing:  # agenda order first: with duplicates, the first one matches
            for key in self._stored_keys(item):
                self.index.setdefault(key, item)

    def _stored_keys(self, item) -> list[tuple]:
        if self.kind == "plan-items":
            return [("plan", *(_folded(getattr(item, f)) for f in PLAN_ITEM_KEY))]
        title = (_folded(item.title), _folded(item.proposer))
        if _folded(item.code):
            return [("code", _folded(item.code)), ("any title", *title)]
        return [("uncoded title", *title), ("any title", *title)]

    def keys(self, row: dict) -> list[tuple]:
        """The keys to look a file row up by, the one that identifies it first."""
        if self.kind == "plan-items":
            return [("plan", *(_folded(row.get(f)) for f in PLAN_ITEM_KEY))]
        title = (_folded(row.get("title")), _folded(row.get("proposer")))
        if _folded(row.get("code")):
            # A code the meeting does not know yet may still name a proposal
            # imported earlier from a file without codes.
            return [("code", _folded(row["code"])), ("uncoded title", *title)]
        return [("uncoded title", *title), ("any title", *title)]

    def find(self, row: dict):
        for key in self.keys(row):
            found = self.index.get(key)
            if found is not None:
                return found
        return None


_TWICE = {
    "code": N_("Row %(row)s: the same code as row %(other)s; each code may appear only once."),
    "uncoded title": N_("Row %(row)s: the same title and proposer as row %(other)s, and no code; "
                        "give one of them a code or remove it."),
    "plan": N_("Row %(row)s: the same document, code and Sub Kegiatan as row %(other)s; each plan "
               "item may appear only once."),
}


def _existing(session: Session, meeting_id: int, kind: str) -> list:
    if kind == "proposals":
        return list(session.scalars(select(Proposal).where(Proposal.meeting_id == meeting_id).order_by(
            Proposal.withdrawn_at.is_not(None), Proposal.position, Proposal.id)))
    return list(session.scalars(select(PlanItem).where(PlanItem.meeting_id == meeting_id)
                                .order_by(PlanItem.id)))


def plan(session: Session, meeting_id: int, kind: str, result: ImportResult) -> ImportPlan:
    """What storing `result` would do; changes nothing."""
    existing = _existing(session, meeting_id, kind)
    matcher = _Matcher(kind, existing)
    fields = _file_fields(kind, result)
    out = ImportPlan(kind, refused=list(result.problems))
    first_row: dict[tuple, int] = {}   # a key of the file -> the first row that has it
    claimed: dict[int, int] = {}       # a stored row's id -> the file row matched to it
    numbers = result.row_numbers or range(2, len(result.rows) + 2)
    for row_no, row in zip(numbers, result.rows):
        key = matcher.keys(row)[0]
        if key in first_row:
            out.refused.append(RowProblem(row_no, _TWICE[key[0]], {"row": row_no, "other": first_row[key]}))
            continue
        first_row[key] = row_no
        found = matcher.find(row)
        if found is not None and found.id in claimed:
            out.refused.append(RowProblem(row_no, N_(
                "Row %(row)s: matches the same entry of the meeting as row %(other)s."),
                {"row": row_no, "other": claimed[found.id]}))
            continue
        if found is None:
            out.rows.append(RowPlan(row_no, "new", _label(kind, row), row))
            continue
        claimed[found.id] = row_no
        changed = _changes(found, row, fields)
        withdrawn = kind == "proposals" and found.withdrawn_at is not None
        out.rows.append(RowPlan(row_no, "updated" if changed else "unchanged",
                                label_of(kind, found), changed, found, withdrawn))
    out.refused.sort(key=lambda p: p.row)
    out.not_in_file = [(item.id, label_of(kind, item)) for item in existing if item.id not in claimed
                       and not (kind == "proposals" and item.withdrawn_at is not None)]
    return out


def label_of(kind: str, item) -> str:
    names = ("code", "title") if kind == "proposals" else (
        "code", "sub_activity", "activity", "programme")
    return _label(kind, {name: getattr(item, name) for name in names})


def store(session: Session, meeting_id: int, actor: Actor | None, kind: str,
          result: ImportResult) -> tuple[ImportPlan, dict | None]:
    """Store every row or none; returns the plan carried out and the wire
    event (None when nothing changed)."""
    meeting = session.get(Meeting, meeting_id, with_for_update=True)
    if meeting is None:
        raise CommandError("not_found", N_("Not found in this meeting."))
    if meeting.status == "closed":
        raise CommandError("closed", N_("The meeting is closed."))
    done = plan(session, meeting_id, kind, result)
    if done.refused:
        raise ImportRejected(done)
    new = [r.values for r in done.rows if r.outcome == "new"]
    updated = [r for r in done.rows if r.outcome == "updated"]
    for r in updated:
        for name, value in r.values.items():
            setattr(r.existing, name, value)
    if kind == "proposals":
        last = session.scalar(select(func.max(Proposal.position))
                              .where(Proposal.meeting_id == meeting_id)) or 0
        added = [Proposal(meeting_id=meeting_id, position=last + i + 1, **values)
                 for i, values in enumerate(new)]
    else:
        added = [PlanItem(meeting_id=meeting_id, **values) for values in new]
    session.add_all(added)
    session.flush()
    if not added and not updated:
        return done, None
    if kind == "proposals":
        sites = views.site_ids(session, meeting_id)
        data = {"proposals": [{**views.proposal_view(p), "summary": views.empty_mark_summary(sites),
                               "decision": None} for p in added],
                "updated": [views.proposal_view(r.existing) for r in updated]}
        type_ = "proposal.import"
    else:
        data = {"plan_items": [views.plan_item_view(p) for p in added],
                "updated": [views.plan_item_view(r.existing) for r in updated]}
        type_ = "plan_item.import"
    event = append_event(session, meeting, type_, actor, data, utcnow())
    return done, event_wire(event)


def read(kind: str, filename: str, data: bytes) -> ImportResult:
    return KINDS[kind](filename, data)
