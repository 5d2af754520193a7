"""What each role sees: the whole live state in one message.

Read inside one transaction, so `seq` matches the state: a client applies only
events with a higher seq."""
from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..models import (
    Comment, CommentSupport, Decision, Mark, Meeting, Participant, PlanItem, Proposal,
    Site, Vote,
)
from . import floor, views
from .permissions import Actor, may, moderates, sees_hidden_results


def build(session: Session, actor: Actor) -> dict:
    meeting = session.get(Meeting, actor.meeting_id)
    sites = session.scalars(select(Site).where(Site.meeting_id == meeting.id)
                            .order_by(Site.position, Site.id)).all()
    site_ids = [s.id for s in sites]
    summaries = views.all_mark_summaries(session, meeting.id, site_ids)
    decisions = {d.proposal_id: d for d in session.scalars(
        select(Decision).where(Decision.meeting_id == meeting.id))}
    proposals, withdrawn = [], []
    for p in session.scalars(select(Proposal).where(Proposal.meeting_id == meeting.id)
                             .order_by(Proposal.position, Proposal.id)):
        (withdrawn if p.withdrawn_at else proposals).append({
            **views.proposal_view(p),
            "summary": summaries.get(p.id) or views.empty_mark_summary(site_ids),
            "decision": views.decision_view(decisions.get(p.id))})
    agenda = [p["id"] for p in proposals]
    plan_items = [views.plan_item_view(pi) for pi in session.scalars(
        select(PlanItem).where(PlanItem.meeting_id == meeting.id).order_by(PlanItem.id))]
    me = session.get(Participant, actor.participant_id) if actor.participant_id else None
    return {
        "seq": meeting.last_seq,
        "me": _me(actor, me),
        "meeting": views.meeting_view(meeting),
        "sites": [views.site_view(s) for s in sites],
        "proposals": proposals,
        "withdrawn": withdrawn,
        "plan_items": plan_items,
        "voting": _voting(session, meeting, actor, site_ids, agenda),
        "comments": _comments(session, meeting.id, actor),
        "floor": floor.state(session, meeting.id),
        "focus": meeting.focus_proposal_id,
        "projector_view": meeting.projector_view,
        "presence": None,
        "my_marks": _my_marks(session, actor),
        "attendees": _attendees(session, meeting.id, actor),
    }


def _me(actor: Actor, me: Participant | None) -> dict:
    if me is None:
        return {"participant_id": None, "role": actor.role, "site_id": actor.site_id}
    return {"participant_id": me.id, "role": me.role, "site_id": me.site_id, "name": me.name,
            "category": me.category, "organisation": me.organisation, "gender": me.gender}


def _voting(session: Session, meeting: Meeting, actor: Actor, site_ids: list[int],
            agenda: list[int]) -> dict:
    r = views.open_round(session, meeting.id) or views.latest_round(session, meeting.id)
    if r is None:
        return {"round": None, "voters": None, "tallies": None, "ranking": None,
                "ranking_by_site": None, "my_votes": {}}
    show = not (r.is_open and r.hide_results) or sees_hidden_results(actor.role)
    results = views.voting_results(session, r, site_ids, agenda) if show else {
        "tallies": None, "ranking": None, "ranking_by_site": None}
    my_votes = {}
    if actor.participant_id is not None:
        my_votes = dict(session.execute(select(Vote.proposal_id, Vote.value).where(
            Vote.round_id == r.id, Vote.participant_id == actor.participant_id)).all())
    return {"round": views.round_view(r), "voters": views.voter_counts(session, r, site_ids),
            **results, "my_votes": my_votes}


# Columns, not ORM objects: a big meeting has thousands of comments, and
# building an ORM object per row cost more than everything else in a snapshot.
_COMMENT_COLUMNS = (Comment.id, Comment.proposal_id, Comment.participant_id, Comment.kind,
                    Comment.text, Comment.site_id, Comment.hidden, Comment.created_at)
_AUTHOR_COLUMNS = (Participant.id, Participant.name, Participant.category, Participant.organisation)


def _comments(session: Session, meeting_id: int, actor: Actor) -> list[dict]:
    """Visible comments; moderators also get the hidden ones they may unhide."""
    supports = dict(session.execute(
        select(CommentSupport.comment_id, func.count()).join(Comment)
        .where(Comment.meeting_id == meeting_id).group_by(CommentSupport.comment_id)).all())
    mine = set()
    if actor.participant_id is not None:
        mine = set(session.scalars(select(CommentSupport.comment_id).join(Comment).where(
            Comment.meeting_id == meeting_id, CommentSupport.participant_id == actor.participant_id)))
    # Through the connection: plain rows, without the ORM's per-row loading.
    conn = session.connection()
    authors = {p.id: p for p in conn.execute(
        select(*_AUTHOR_COLUMNS).where(Participant.meeting_id == meeting_id))}
    out = []
    for c in conn.execute(select(*_COMMENT_COLUMNS).where(Comment.meeting_id == meeting_id)
                          .order_by(Comment.id)):
        if c.hidden and not moderates(actor, c.site_id):
            continue
        view = views.comment_view(c, supports.get(c.id, 0), authors.get(c.participant_id))
        view["supported"] = c.id in mine
        out.append(view)
    return out


def _my_marks(session: Session, actor: Actor) -> dict:
    if actor.participant_id is None:
        return {}
    return {m.proposal_id: views.mark_view(m)
            for m in session.scalars(select(Mark).where(Mark.participant_id == actor.participant_id))}


_ATTENDEE_COLUMNS = (Participant.id, Participant.name, Participant.category,
                     Participant.organisation, Participant.gender, Participant.site_id,
                     Participant.role, Participant.revoked, Participant.token_hash)


def _attendees(session: Session, meeting_id: int, actor: Actor) -> list[dict] | None:
    """The attendance list, for those who check people in and revoke them."""
    if not may(actor.role, "moderate"):
        return None
    q = select(*_ATTENDEE_COLUMNS).where(Participant.meeting_id == meeting_id)
    if actor.role == "host":
        q = q.where(Participant.site_id == actor.site_id)
    return [views.participant_view(p)
            for p in session.connection().execute(q.order_by(Participant.id))]
