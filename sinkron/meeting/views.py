"""How stored rows look on the wire: one function per kind of thing, shared by
the snapshot and by events, so a client sees the same shape from both."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import bindparam, func, select
from sqlalchemy.orm import Session

from ..models import (
    Comment, CommentSupport, Decision, FloorRequest, Mark, Meeting, Participant,
    PlanItem, Proposal, Site, Vote, VotingRound,
)
from . import tallies


def iso(moment: dt.datetime | None) -> str | None:
    """Stored times are naive UTC; the wire says so explicitly."""
    if moment is None:
        return None
    if moment.tzinfo is None:  # the common case, and the cheap one: snapshots hold thousands
        return moment.isoformat() + "Z"
    return moment.astimezone(dt.timezone.utc).isoformat().replace("+00:00", "Z")


def meeting_view(m: Meeting) -> dict:
    return {
        "id": m.id, "title": m.title, "number": m.number,
        "date": m.date.isoformat() if m.date else None,
        "start_time": m.start_time, "end_time": m.end_time, "timezone": m.timezone,
        "place": m.place, "purpose": m.purpose, "note_taker": m.note_taker,
        "signature_city": m.signature_city, "community_rep": m.community_rep,
        "community_rep_title": m.community_rep_title, "community_rep_nip": m.community_rep_nip,
        "status": m.status,
        "vote_budget": m.vote_budget, "vote_max_per_proposal": m.vote_max_per_proposal,
        "turn_seconds": m.turn_seconds,
    }


def site_view(s: Site) -> dict:
    return {"id": s.id, "name": s.name, "join_code": s.join_code, "chair_name": s.chair_name,
            "chair_title": s.chair_title, "chair_nip": s.chair_nip}


PROPOSAL_FIELDS = ("code", "title", "problem", "proposer", "kecamatan", "desa", "volume",
                   "unit", "cost", "sector", "target_agency", "authority", "programme_code")


def proposal_view(p: Proposal) -> dict:
    return {"id": p.id, "position": p.position, **{f: getattr(p, f) for f in PROPOSAL_FIELDS},
            "withdrawn": withdrawal_view(p)}


def withdrawal_view(p: Proposal) -> dict | None:
    """Why and when a proposal left the agenda; None while it is on it."""
    if p.withdrawn_at is None:
        return None
    return {"reason": p.withdrawn_reason, "at": iso(p.withdrawn_at)}


PLAN_ITEM_FIELDS = ("document", "agency", "code", "programme", "activity", "sub_activity",
                    "location", "budget", "authority")


def plan_item_view(p: PlanItem) -> dict:
    return {"id": p.id, **{f: getattr(p, f) for f in PLAN_ITEM_FIELDS}}


def mark_view(m: Mark) -> dict:
    return {"status": m.status, "plan_item_id": m.plan_item_id, "note": m.note}


def attached_view(participant_id: int, name: str, site_id: int, mark: dict) -> dict:
    """One person's mark as the facilitator's list of attached plan items and notes shows it."""
    return {"participant_id": participant_id, "name": name, "site_id": site_id, **mark}


def attaches(mark: dict | None) -> bool:
    """Whether a mark points at a plan item or carries a note."""
    return bool(mark) and (mark.get("plan_item_id") is not None or bool(mark.get("note")))


def decision_view(d: Decision | None) -> dict | None:
    if d is None:
        return None
    return {
        "status": d.status, "plan_item_id": d.plan_item_id, "reason": d.reason,
        "destination": d.destination,
        "follow_up": ({"action": d.follow_up_action, "owner": d.follow_up_owner,
                       "due_date": d.follow_up_due.isoformat() if d.follow_up_due else None}
                      if (d.follow_up_action or d.follow_up_owner or d.follow_up_due) else None),
        "decided_at": iso(d.decided_at),
    }


def participant_view(p: Participant) -> dict:
    return {"id": p.id, "name": p.name, "category": p.category, "organisation": p.organisation,
            "gender": p.gender, "site_id": p.site_id, "role": p.role, "revoked": p.revoked,
            "has_phone": p.token_hash is not None}


def comment_view(c: Comment, supports: int, author: Participant | None) -> dict:
    return {
        "id": c.id, "proposal_id": c.proposal_id, "kind": c.kind, "text": c.text,
        "site_id": c.site_id, "hidden": c.hidden, "supports": supports,
        "author": ({"participant_id": author.id, "name": author.name,
                    "category": author.category, "organisation": author.organisation}
                   if author else None),
        "created_at": iso(c.created_at),
    }


def round_view(r: VotingRound | None) -> dict | None:
    if r is None:
        return None
    return {"id": r.id, "number": r.number, "mode": r.mode, "budget": r.budget,
            "max_per_proposal": r.max_per_proposal, "hide_results": r.hide_results,
            "open": r.is_open, "opened_at": iso(r.opened_at), "closed_at": iso(r.closed_at)}


def floor_request_view(f: FloorRequest, who: Participant | None) -> dict:
    return {
        "id": f.id, "participant_id": f.participant_id, "site_id": f.site_id,
        "name": who.name if who else "", "category": who.category if who else "",
        "proposal_id": f.proposal_id, "state": f.state, "requested_at": iso(f.requested_at),
        "granted_at": iso(f.granted_at), "ended_at": iso(f.ended_at),
        "turn_seconds": f.turn_seconds,
        "turn_end": iso(f.granted_at + dt.timedelta(seconds=f.turn_seconds)) if f.granted_at else None,
    }


# --- derived state -----------------------------------------------------------

_SITE_IDS = (select(Site.id).where(Site.meeting_id == bindparam("m"))
             .order_by(Site.position, Site.id))


def support_count(session: Session, comment_id: int) -> int:
    return session.scalar(select(func.count()).select_from(CommentSupport)
                          .where(CommentSupport.comment_id == comment_id))


def site_ids(session: Session, meeting_id: int) -> list[int]:
    # Every command asks; a prebuilt statement on the connection keeps it cheap.
    return list(session.connection().execute(_SITE_IDS, {"m": meeting_id}).scalars())


def mark_summary(session: Session, proposal_id: int, sites: list[int]) -> dict:
    rows = session.execute(select(Mark.site_id, Mark.status).where(Mark.proposal_id == proposal_id))
    summary = tallies.summarise_marks(rows, sites)
    return {"sites": summary, "disagreement": tallies.disagreement(summary)}


def all_mark_summaries(session: Session, meeting_id: int, sites: list[int]) -> dict[int, dict]:
    by_proposal: dict[int, list] = {}
    for pid, sid, status in session.execute(
            select(Mark.proposal_id, Mark.site_id, Mark.status).where(Mark.meeting_id == meeting_id)):
        by_proposal.setdefault(pid, []).append((sid, status))
    result = {}
    for pid, marks in by_proposal.items():
        summary = tallies.summarise_marks(marks, sites)
        result[pid] = {"sites": summary, "disagreement": tallies.disagreement(summary)}
    return result


def empty_mark_summary(sites: list[int]) -> dict:
    return {"sites": tallies.summarise_marks((), sites), "disagreement": False}


def open_round(session: Session, meeting_id: int) -> VotingRound | None:
    return session.scalars(select(VotingRound).where(
        VotingRound.meeting_id == meeting_id, VotingRound.is_open.is_(True))).first()


def latest_round(session: Session, meeting_id: int) -> VotingRound | None:
    return session.scalars(select(VotingRound).where(VotingRound.meeting_id == meeting_id)
                           .order_by(VotingRound.number.desc())).first()


def round_tallies(session: Session, r: VotingRound, sites: list[int]) -> dict[int, dict]:
    """Tallies of the proposals on the agenda: a withdrawn one leaves them."""
    rows = session.execute(select(Vote.site_id, Vote.proposal_id, Vote.value)
                           .join(Proposal, Proposal.id == Vote.proposal_id)
                           .where(Vote.round_id == r.id, Proposal.withdrawn_at.is_(None)))
    return tallies.tally_votes(r.mode, rows, sites)


def proposal_tally(session: Session, r: VotingRound, proposal_id: int, sites: list[int]) -> dict:
    rows = session.execute(select(Vote.site_id, Vote.value)
                           .where(Vote.round_id == r.id, Vote.proposal_id == proposal_id))
    by_site: dict[int, list[int]] = {}
    for sid, value in rows:
        by_site.setdefault(sid, []).append(value)
    return tallies.tally_one(r.mode, by_site, sites)


_VOTERS = (select(Vote.site_id, func.count(func.distinct(Vote.participant_id)))
           .where(Vote.round_id == bindparam("r"), Vote.value > 0).group_by(Vote.site_id))


def voter_counts(session: Session, r, sites: list[int]) -> dict:
    """How many people have voted, per site and in all: what hidden rounds show.

    `r` is a round (or a row with its id). Runs on every vote, so through the
    connection with a prebuilt statement: callers flush pending ORM changes."""
    per_site = {sid: 0 for sid in sites}
    per_site.update(dict(session.connection().execute(_VOTERS, {"r": r.id}).all()))
    return {"sites": per_site, "total": sum(per_site.values())}


def agenda_ids(session: Session, meeting_id: int) -> list[int]:
    """The proposals on the agenda, in order; withdrawn ones are not on it."""
    return list(session.scalars(select(Proposal.id).where(
        Proposal.meeting_id == meeting_id, Proposal.withdrawn_at.is_(None))
        .order_by(Proposal.position, Proposal.id)))


def voting_results(session: Session, r: VotingRound, sites: list[int], agenda: list[int]) -> dict:
    """Tallies and rankings (combined and per site) of a round."""
    t = round_tallies(session, r, sites)
    return {
        "tallies": t,
        "ranking": tallies.ranking(r.mode, t, agenda),
        "ranking_by_site": {sid: tallies.ranking(r.mode, t, agenda, sid) for sid in sites},
    }
