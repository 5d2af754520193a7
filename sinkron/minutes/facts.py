"""Everything the minutes report, read from the stored state in a fixed number
of queries (the size of a meeting must not multiply the round trips)."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy import func, literal, select
from sqlalchemy.orm import Session

from ..meeting import views
from ..models import (
    Comment, CommentSupport, Decision, Event, FloorRequest, Meeting, Participant, PlanItem,
    Proposal, Site, VotingRound,
)
from .timeline import CROWD


@dataclass
class CommentFact:
    comment: Comment
    author: Participant | None
    supports: int


@dataclass
class ProposalFact:
    proposal: Proposal
    decision: Decision | None
    plan_item: PlanItem | None
    marks: dict                     # views' mark summary: {"sites": {...}, "disagreement": bool}
    tally: dict | None              # this proposal's tally in the reported round
    rank: int | None
    rank_by_site: dict[int, int]
    comments: list[CommentFact]     # visible only, most supported first


@dataclass
class RoundFact:
    round: VotingRound
    # False while the round is still open: its numbers may change.
    final: bool
    voters: dict


@dataclass
class Turn:
    request: FloorRequest
    who: Participant
    seconds: int


@dataclass
class Facts:
    meeting: Meeting
    sites: list[Site]
    participants: dict[int, Participant]
    facilitators: list[Participant]
    proposals: list[ProposalFact]
    general_comments: list[CommentFact]
    voting: RoundFact | None
    turns: list[Turn]
    events: list  # rows of _events()
    now: dt.datetime
    plan_items: dict[int, PlanItem] = field(default_factory=dict)
    # Withdrawn from the agenda (with the reason on the proposal), in agenda order.
    withdrawn: list[ProposalFact] = field(default_factory=list)
    # Proposals the meeting took up: focused, marked or commented on.
    discussed: set[int] = field(default_factory=set)

    @property
    def site_ids(self) -> list[int]:
        return [s.id for s in self.sites]

    @property
    def attendees(self) -> list[Participant]:
        """Everyone present: revoked access means the record does not count."""
        return [p for p in self.participants.values() if not p.revoked]


def reported_round(session: Session, meeting_id: int) -> VotingRound | None:
    """The latest closed round; the open one only when none has closed yet."""
    closed = session.scalars(select(VotingRound).where(
        VotingRound.meeting_id == meeting_id, VotingRound.is_open.is_(False))
        .order_by(VotingRound.number.desc())).first()
    return closed or views.open_round(session, meeting_id)


def _comments(session: Session, meeting_id: int,
              people: dict[int, Participant]) -> dict[int | None, list[CommentFact]]:
    supports = dict(session.execute(
        select(CommentSupport.comment_id, func.count()).join(Comment)
        .where(Comment.meeting_id == meeting_id).group_by(CommentSupport.comment_id)).all())
    by_proposal: dict[int | None, list[CommentFact]] = {}
    for c in session.scalars(select(Comment).where(
            Comment.meeting_id == meeting_id, Comment.hidden.is_(False)).order_by(Comment.id)):
        by_proposal.setdefault(c.proposal_id, []).append(
            CommentFact(c, people.get(c.participant_id), supports.get(c.id, 0)))
    for items in by_proposal.values():
        # Stable: equally supported comments keep the order they were made in.
        items.sort(key=lambda f: -f.supports)
    return by_proposal


def _turns(session: Session, meeting_id: int, people: dict[int, Participant],
           now: dt.datetime) -> list[Turn]:
    turns = []
    for req in session.scalars(select(FloorRequest).where(
            FloorRequest.meeting_id == meeting_id, FloorRequest.granted_at.is_not(None))
            .order_by(FloorRequest.granted_at, FloorRequest.id)):
        end = req.ended_at or now
        turns.append(Turn(req, people[req.participant_id],
                          int((end - req.granted_at).total_seconds())))
    return turns


def _events(session: Session, meeting_id: int) -> list:
    """Rows with seq, type, at, actor and data. Crowd events are only counted
    in the timeline, so their payloads (tallies, summaries) are not read."""
    columns = (Event.seq, Event.type, Event.at)
    crowd = session.execute(select(*columns, literal(None).label("actor"), literal(None).label("data"))
                            .where(Event.meeting_id == meeting_id, Event.type.in_(CROWD))).all()
    steering = session.execute(select(*columns, Event.actor, Event.data).where(
        Event.meeting_id == meeting_id, Event.type.not_in(CROWD))).all()
    return sorted(crowd + steering, key=lambda e: e.seq)


def gather(session: Session, meeting_id: int, now: dt.datetime) -> Facts | None:
    meeting = session.get(Meeting, meeting_id)
    if meeting is None:
        return None
    sites = list(session.scalars(select(Site).where(Site.meeting_id == meeting_id)
                                 .order_by(Site.position, Site.id)))
    site_ids = [s.id for s in sites]
    people = {p.id: p for p in session.scalars(
        select(Participant).where(Participant.meeting_id == meeting_id).order_by(Participant.id))}
    plan_items = {p.id: p for p in session.scalars(
        select(PlanItem).where(PlanItem.meeting_id == meeting_id))}
    decisions = {d.proposal_id: d for d in session.scalars(
        select(Decision).where(Decision.meeting_id == meeting_id))}
    everything = list(session.scalars(select(Proposal).where(Proposal.meeting_id == meeting_id)
                                      .order_by(Proposal.position, Proposal.id)))
    proposals = [p for p in everything if p.withdrawn_at is None]
    agenda = [p.id for p in proposals]
    summaries = views.all_mark_summaries(session, meeting_id, site_ids)
    comments = _comments(session, meeting_id, people)

    r = reported_round(session, meeting_id)
    voting, results = None, {"tallies": {}, "ranking": [], "ranking_by_site": {}}
    if r is not None:
        voting = RoundFact(r, not r.is_open, views.voter_counts(session, r, site_ids))
        results = views.voting_results(session, r, site_ids, agenda)
    ranks = {row["proposal_id"]: row["rank"] for row in results["ranking"]}
    site_ranks = {sid: {row["proposal_id"]: row["rank"] for row in rows}
                  for sid, rows in results["ranking_by_site"].items()}

    facts, withdrawn = [], []
    for p in everything:
        d = decisions.get(p.id)
        (facts if p.withdrawn_at is None else withdrawn).append(ProposalFact(
            proposal=p, decision=d,
            plan_item=plan_items.get(d.plan_item_id) if d and d.plan_item_id else None,
            marks=summaries.get(p.id) or views.empty_mark_summary(site_ids),
            tally=results["tallies"].get(p.id), rank=ranks.get(p.id),
            rank_by_site={sid: ranks_[p.id] for sid, ranks_ in site_ranks.items() if p.id in ranks_},
            comments=comments.get(p.id, [])))

    events = _events(session, meeting_id)
    discussed = {pid for pid, summary in summaries.items() if any(
        site["total"] for site in summary["sites"].values())}
    discussed |= {pid for pid in comments if pid is not None}
    discussed |= {e.data.get("proposal_id") for e in events
                  if e.type == "agenda.focus" and isinstance(e.data, dict)}
    discussed.add(meeting.focus_proposal_id)
    return Facts(
        meeting=meeting, sites=sites, participants=people,
        facilitators=[p for p in people.values() if p.role == "facilitator" and not p.revoked],
        proposals=facts, general_comments=comments.get(None, []), voting=voting,
        turns=_turns(session, meeting_id, people, now), events=events, now=now,
        plan_items=plan_items, withdrawn=withdrawn, discussed=discussed - {None})
