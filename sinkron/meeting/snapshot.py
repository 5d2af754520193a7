"""What each role sees: the whole live state in one message.

Read inside one transaction, so `seq` matches the state: a client applies only
events with a higher seq."""
from __future__ import annotations

from sqlalchemy import bindparam, func, select
from sqlalchemy.orm import Session

from ..models import (
    Comment, CommentSupport, Decision, Mark, Meeting, Participant, PlanItem, Proposal,
    Site, Vote,
)
from . import floor, suggestions, views
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
    comments, earlier = _comments(session, meeting.id, actor)
    full = sees_hidden_results(actor.role)
    return {
        "seq": meeting.last_seq,
        "me": _me(actor, me),
        "meeting": views.meeting_view(meeting),
        "sites": [views.site_view(s) for s in sites],
        "proposals": proposals,
        "withdrawn": withdrawn,
        "plan_items": plan_items,
        "voting": _voting(session, meeting, actor, site_ids, agenda),
        "comments": comments,
        "comments_earlier": earlier,
        "floor": floor.state(session, meeting.id),
        "focus": meeting.focus_proposal_id,
        # Everyone: the focused proposal's top suggestions; the facilitator also
        # every proposal's, and the plan items and notes people attached.
        "focus_suggestions": suggestions.top_of(session, meeting.focus_proposal_id),
        "suggestions": suggestions.cached(session, meeting.id) if full else None,
        "attached": attached_marks(session, meeting.id) if full else None,
        "projector_view": meeting.projector_view,
        "presence": None,
        "my_marks": _my_marks(session, actor),
        "attendees": _attendees(session, meeting.id, actor),
    }


def attached_marks(session: Session, meeting_id: int) -> dict[int, list[dict]]:
    """Per proposal, the marks that point at a plan item or carry a note, with
    who made them: what the facilitator weighs before deciding."""
    out: dict[int, list[dict]] = {}
    for row in session.execute(
            select(Mark.proposal_id, Mark.participant_id, Participant.name, Mark.site_id,
                   Mark.status, Mark.plan_item_id, Mark.note)
            .join(Participant, Participant.id == Mark.participant_id)
            .where(Mark.meeting_id == meeting_id,
                   Mark.plan_item_id.is_not(None) | (Mark.note != ""))
            .order_by(Mark.proposal_id, Mark.participant_id)):
        out.setdefault(row.proposal_id, []).append(views.attached_view(
            row.participant_id, row.name, row.site_id,
            {"status": row.status, "plan_item_id": row.plan_item_id, "note": row.note}))
    return out


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


# Participants' phones get the latest comments of each proposal; the rest
# come on request (the `comments` message, docs/protocol.md). A meeting with
# thousands of comments made every snapshot megabytes, and a reconnect storm
# of them starved live traffic.
LATEST_COMMENTS = 5
EARLIER_PAGE = 50


def _light(actor: Actor) -> bool:
    return actor.role == "participant"


# Built once: each snapshot built them anew, and a subquery with a window
# function leaves ~160 objects in reference cycles behind, so 500 connections
# in a row set off garbage collections of up to ~100 ms (docs/performance.md).
_ALL_COMMENTS = select(*_COMMENT_COLUMNS).where(
    Comment.meeting_id == bindparam("m")).order_by(Comment.id)
_visible = select(*_COMMENT_COLUMNS).where(
    Comment.meeting_id == bindparam("m"), Comment.hidden.is_(False)).add_columns(
    func.row_number().over(partition_by=Comment.proposal_id, order_by=Comment.id.desc())
    .label("newer")).subquery()
_LATEST_COMMENTS = select(*(_visible.c[c.key] for c in _COMMENT_COLUMNS)).where(
    _visible.c.newer <= LATEST_COMMENTS).order_by(_visible.c.id)
_VISIBLE_COUNTS = select(Comment.proposal_id, func.count()).where(
    Comment.meeting_id == bindparam("m"), Comment.hidden.is_(False)).group_by(Comment.proposal_id)


def _comments(session: Session, meeting_id: int, actor: Actor) -> tuple[list[dict], list[dict]]:
    """Visible comments (moderators also get the hidden ones they may unhide),
    and per proposal how many earlier ones were left out."""
    conn = session.connection()
    query = _ALL_COMMENTS
    earlier: list[dict] = []
    if _light(actor):
        query = _LATEST_COMMENTS
        counts = conn.execute(_VISIBLE_COUNTS, {"m": meeting_id})
        earlier = sorted(({"proposal_id": pid, "count": n - LATEST_COMMENTS}
                          for pid, n in counts if n > LATEST_COMMENTS),
                         key=lambda e: (e["proposal_id"] is not None, e["proposal_id"] or 0))
    rows = [c for c in conn.execute(query, {"m": meeting_id})
            if not c.hidden or moderates(actor, c.site_id)]
    return _comment_views(session, meeting_id, actor, rows), earlier


def earlier_comments(session: Session, actor: Actor, proposal_id: int | None,
                     before_id: int | None) -> tuple[list[dict], bool]:
    """Up to EARLIER_PAGE visible comments on a proposal (None: on the
    meeting) older than `before_id`, oldest first, and whether there are more."""
    query = select(*_COMMENT_COLUMNS).where(
        Comment.meeting_id == actor.meeting_id,
        Comment.proposal_id.is_(None) if proposal_id is None else Comment.proposal_id == proposal_id)
    if before_id is not None:
        query = query.where(Comment.id < before_id)
    rows = [c for c in session.connection().execute(query.order_by(Comment.id.desc()))
            if not c.hidden or moderates(actor, c.site_id)]
    page = rows[:EARLIER_PAGE][::-1]
    return _comment_views(session, actor.meeting_id, actor, page), len(rows) > EARLIER_PAGE


def _comment_views(session: Session, meeting_id: int, actor: Actor, rows) -> list[dict]:
    ids = [c.id for c in rows]
    if not ids:
        return []
    in_ids = CommentSupport.comment_id.in_(ids) if len(ids) < 900 else Comment.meeting_id == meeting_id
    supports = dict(session.execute(
        select(CommentSupport.comment_id, func.count()).join(Comment)
        .where(in_ids).group_by(CommentSupport.comment_id)).all())
    mine = set()
    if actor.participant_id is not None:
        mine = set(session.scalars(select(CommentSupport.comment_id).join(Comment).where(
            Comment.meeting_id == meeting_id, CommentSupport.participant_id == actor.participant_id)))
    # Through the connection: plain rows, without the ORM's per-row loading.
    authors = {p.id: p for p in session.connection().execute(
        select(*_AUTHOR_COLUMNS).where(Participant.meeting_id == meeting_id))}
    out = []
    for c in rows:
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
