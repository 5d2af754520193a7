"""The registry: every change the meeting accepts, declared once with its
payload schema, the capability it needs, the meeting state it needs, and the
function that applies it and returns the event's data.

The engine (engine.py) looks a command up here; transports only dispatch."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, Callable

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from ..models import (
    Comment, CommentSupport, Decision, Mark, Meeting, Participant,
    PlanItem, Proposal, Vote, VotingRound,
)
from . import floor as floor_rules
from . import suggestions, tallies, views
from .crowd import Crowd, Mark_, Person
from .errors import N_, CommandError
from .permissions import Actor, require_site
from .schema import (
    Field, boolean, choice, clock_time, date, id_list, ident, integer, nip, obj, obj_list, text,
)
from .vocab import (
    AUTHORITIES, CATEGORIES, COMMENT_KINDS, GENDERS, NAME_MAX, NEEDS_REASON, NOTE_MAX, REASON_MAX,
    COMMENT_MAX, PROJECTOR_VIEWS, STATUSES, VOTING_MODES, canonical_authority,
    canonical_category, canonical_gender,
)


@dataclass
class Context:
    session: Session
    meeting: Meeting
    actor: Actor
    now: dt.datetime
    site_ids: list[int]


@dataclass
class CrowdContext:
    crowd: Crowd
    actor: Actor
    me: Person  # the actor's participant row
    now: dt.datetime
    site_ids: list[int]


@dataclass(frozen=True)
class Command:
    type: str
    capability: str
    # "live": only while live; "open": draft or live; "closed": only when closed;
    # "draft": only in draft; "any": whatever the state (the meeting's settings).
    when: str
    fields: dict[str, Field]
    apply: Callable[[Context, dict], dict]
    # Votes are private: their events carry no actor.
    anonymous: bool = False
    at_least_one: tuple[str, ...] = ()
    # A crowd command (everyone sends it at once) is applied set-based, in a
    # run with others (crowd.py): `apply` gets a CrowdContext and returns the
    # event's data, or a function giving it once the run is stored.
    crowd: bool = False


REGISTRY: dict[str, Command] = {}


def command(type_: str, capability: str, when: str, fields: dict[str, Field] | None = None,
            **options: Any):
    def register(apply: Callable[[Context, dict], dict]):
        REGISTRY[type_] = Command(type_, capability, when, fields or {}, apply, **options)
        return apply
    return register


# --- lookups that refuse what is not there -------------------------------------

def _not_found() -> CommandError:
    return CommandError("not_found", N_("Not found in this meeting."))


def _get(ctx: Context, model, id_: int):
    row = ctx.session.get(model, id_)
    if row is None or row.meeting_id != ctx.meeting.id:
        raise _not_found()
    return row


def _proposal(ctx: Context, id_: int) -> Proposal:
    """Any proposal of the meeting, on the agenda or withdrawn from it."""
    return _get(ctx, Proposal, id_)


def refuse_if_withdrawn(withdrawn_at) -> None:
    """The one rule for every command that acts on a proposal in the meeting's
    business (focus, marks, decisions, comments, supports, votes, raised
    hands): a withdrawn proposal is off the agenda until it is restored.
    Batched or fast-path appliers that read the proposal row themselves call
    this with its withdrawn_at."""
    if withdrawn_at is not None:
        raise _conflict(N_("This proposal was withdrawn from the agenda."))


def _on_agenda(ctx: Context, id_: int) -> Proposal:
    """A proposal of the meeting that is on the agenda."""
    p = _proposal(ctx, id_)
    refuse_if_withdrawn(p.withdrawn_at)
    return p


def _on_crowd_agenda(ctx: CrowdContext, id_: int) -> None:
    """_on_agenda for crowd commands, from the run's loaded proposals."""
    if id_ not in ctx.crowd.proposals:
        raise _not_found()
    refuse_if_withdrawn(ctx.crowd.proposals[id_])


def _plan_item(ctx: Context, id_: int | None) -> int | None:
    return _get(ctx, PlanItem, id_).id if id_ is not None else None


def _participant(ctx: Context, id_: int) -> Participant:
    return _get(ctx, Participant, id_)


def _site(ctx: Context, id_: int) -> int:
    if id_ not in ctx.site_ids:
        raise _not_found()
    return id_


def _conflict(message: str) -> CommandError:
    return CommandError("conflict", message)


# --- meeting -----------------------------------------------------------------

@command("meeting.start", "manage", "draft")
def start_meeting(ctx: Context, args: dict) -> dict:
    ctx.meeting.status = "live"
    return {"status": "live"}


@command("meeting.close", "manage", "live")
def close_meeting(ctx: Context, args: dict) -> dict:
    ctx.meeting.status = "closed"
    # A closed meeting has no open round and nobody holding the floor.
    r = views.open_round(ctx.session, ctx.meeting.id)
    closed_round = _close_round(ctx, r) if r else None
    floor_rules.end_turn(ctx.session, ctx.meeting.id, ctx.now)
    return {"status": "closed", "voting": closed_round,
            "floor": floor_rules.state(ctx.session, ctx.meeting.id)}


@command("meeting.reopen", "manage", "closed")
def reopen_meeting(ctx: Context, args: dict) -> dict:
    ctx.meeting.status = "live"
    return {"status": "live"}


SIGNATORY_SCHEMA = {"site_id": ident(required=True, nullable=False), "chair_name": text(200),
                    "chair_title": text(200), "chair_nip": nip()}
MEETING_SCHEMA: dict[str, Field] = {
    "title": text(300, min_len=1, nullable=False), "number": text(120), "date": date(),
    "start_time": clock_time(), "end_time": clock_time(), "place": text(500),
    "purpose": text(5000), "note_taker": text(200), "signature_city": text(120),
    "community_rep": text(200), "community_rep_title": text(200), "community_rep_nip": nip(),
}


@command("meeting.update", "manage", "any",
         {**MEETING_SCHEMA, "sites": obj_list(SIGNATORY_SCHEMA, max_items=10)},
         at_least_one=(*MEETING_SCHEMA, "sites"))
def update_meeting(ctx: Context, args: dict) -> dict:
    """The meeting's settings after creation: place, the signature line's city,
    the signatories (position, name, NIP). Also once closed: the minutes are
    finished after the meeting."""
    m = ctx.meeting
    for name in MEETING_SCHEMA:
        if name in args:
            value = args[name]
            setattr(m, name, value if value is not None or name == "date" else "")
    sites = {s.id: s for s in m.sites}
    for change in args.get("sites") or ():
        site = sites.get(change.pop("site_id"))
        if site is None:
            raise _not_found()
        for name, value in change.items():
            setattr(site, name, value or "")
    ctx.session.flush()
    return {"meeting": views.meeting_view(m), "sites": [views.site_view(s) for s in m.sites]}


# --- agenda and projectors -----------------------------------------------------

@command("agenda.focus", "manage", "open", {"proposal_id": ident(required=True)})
def focus(ctx: Context, args: dict) -> dict:
    pid = args["proposal_id"]
    if pid is not None:
        _on_agenda(ctx, pid)
    ctx.meeting.focus_proposal_id = pid
    # Phones get the focused proposal's top suggestions with the focus, so
    # marking "terakomodir" can point at the plan item in one tap.
    return {"proposal_id": pid, "suggestions": suggestions.top_of(ctx.session, pid)}


@command("agenda.reorder", "manage", "open", {"proposal_ids": id_list(required=True)})
def reorder(ctx: Context, args: dict) -> dict:
    wanted = args["proposal_ids"]
    current = views.agenda_ids(ctx.session, ctx.meeting.id)
    if any(pid not in set(current) for pid in wanted):
        raise _not_found()
    if len(wanted) != len(current) or set(wanted) != set(current):
        raise CommandError("invalid", N_("'proposal_ids' must list every proposal exactly once."))
    positions = {pid: i + 1 for i, pid in enumerate(wanted)}
    for p in ctx.session.scalars(select(Proposal).where(Proposal.id.in_(wanted))):
        p.position = positions[p.id]
    return {"proposal_ids": wanted}


# Also once closed: the facilitator shows the final results or the agenda on
# both projectors after closing, which answer with a "closed" badge.
@command("projector.view", "manage", "any", {"view": choice(PROJECTOR_VIEWS, required=True, nullable=False)})
def projector_view(ctx: Context, args: dict) -> dict:
    ctx.meeting.projector_view = args["view"]
    return {"view": args["view"]}


# --- proposals ---------------------------------------------------------------

PROPOSAL_SCHEMA: dict[str, Field] = {
    "code": text(40),
    "title": text(500, min_len=1),
    "problem": text(5000),
    "proposer": text(300),
    "kecamatan": text(120),
    "desa": text(120),
    "volume": text(40),
    "unit": text(60),
    "cost": integer(0, 10**15),
    "sector": text(200),
    "target_agency": text(300),
    "authority": choice(AUTHORITIES, canonical=canonical_authority),
    "programme_code": text(60),
}


def _apply_proposal_fields(p: Proposal, args: dict) -> None:
    for name, value in args.items():
        if name in PROPOSAL_SCHEMA:
            if value is None and name not in ("cost", "volume"):
                value = ""
            setattr(p, name, value)


@command("proposal.add", "manage", "open",
         {**PROPOSAL_SCHEMA, "title": text(500, min_len=1, required=True, nullable=False)})
def add_proposal(ctx: Context, args: dict) -> dict:
    last = ctx.session.scalar(select(func.max(Proposal.position))
                              .where(Proposal.meeting_id == ctx.meeting.id)) or 0
    p = Proposal(meeting_id=ctx.meeting.id, position=last + 1, title=args["title"])
    _apply_proposal_fields(p, args)
    ctx.session.add(p)
    ctx.session.flush()
    return {"proposal": views.proposal_view(p), "summary": views.empty_mark_summary(ctx.site_ids)}


@command("proposal.update", "manage", "open",
         {"proposal_id": ident(required=True, nullable=False),
          **PROPOSAL_SCHEMA, "title": text(500, min_len=1, nullable=False)},
         at_least_one=tuple(PROPOSAL_SCHEMA))
def update_proposal(ctx: Context, args: dict) -> dict:
    p = _proposal(ctx, args.pop("proposal_id"))
    _apply_proposal_fields(p, args)
    return {"proposal": views.proposal_view(p)}


@command("proposal.withdraw", "manage", "open",
         {"proposal_id": ident(required=True, nullable=False),
          "reason": text(REASON_MAX, min_len=1, required=True, nullable=False)})
def withdraw_proposal(ctx: Context, args: dict) -> dict:
    """Off the agenda, the tallies and the ranking; nothing is deleted. Dots
    (and scores) on it in the open round go back to their voters."""
    p = _proposal(ctx, args["proposal_id"])
    if p.withdrawn_at is not None:
        raise _conflict(N_("This proposal was withdrawn from the agenda."))
    p.withdrawn_at = ctx.now
    p.withdrawn_reason = args["reason"]
    p.withdrawn_by = ctx.actor.participant_id
    if ctx.meeting.focus_proposal_id == p.id:
        ctx.meeting.focus_proposal_id = None
    data: dict = {"proposal_id": p.id, "withdrawn": views.withdrawal_view(p),
                  "focus": ctx.meeting.focus_proposal_id, "voting": None}
    r = views.open_round(ctx.session, ctx.meeting.id)
    if r is not None:
        returned = ctx.session.execute(delete(Vote).where(
            Vote.round_id == r.id, Vote.proposal_id == p.id)).rowcount
        ctx.session.flush()
        data["voting"] = {"round_id": r.id, "hide_results": r.hide_results, "returned": returned,
                          "voters": views.voter_counts(ctx.session, r, ctx.site_ids),
                          "tallies": {p.id: tallies.empty_tally(r.mode, ctx.site_ids)}}
    return data


@command("proposal.restore", "manage", "open", {"proposal_id": ident(required=True, nullable=False)})
def restore_proposal(ctx: Context, args: dict) -> dict:
    """Back on the agenda where it was, with its marks, comments and decision."""
    p = _proposal(ctx, args["proposal_id"])
    if p.withdrawn_at is None:
        raise _conflict(N_("This proposal is on the agenda."))
    p.withdrawn_at = None
    p.withdrawn_reason = ""
    p.withdrawn_by = None
    ctx.session.flush()
    proposal = {**views.proposal_view(p),
                "summary": views.mark_summary(ctx.session, p.id, ctx.site_ids),
                "decision": views.decision_view(ctx.session.get(Decision, p.id))}
    data: dict = {"proposal": proposal, "voting": None}
    # The round on screens (open, else the latest) counts it again: a closed
    # round's votes on it were kept.
    r = views.open_round(ctx.session, ctx.meeting.id) or views.latest_round(ctx.session, ctx.meeting.id)
    if r is not None:
        data["voting"] = {"round_id": r.id, "hide_results": r.hide_results and r.is_open,
                          "tallies": {p.id: views.proposal_tally(ctx.session, r, p.id, ctx.site_ids)}}
    return data


@command("proposal.mark", "take_part", "live",
         {"proposal_id": ident(required=True, nullable=False),
          "status": choice(STATUSES, required=True),
          "plan_item_id": ident(), "note": text(NOTE_MAX)}, crowd=True)
def mark(ctx: CrowdContext, args: dict) -> dict:
    pid = args["proposal_id"]
    _on_crowd_agenda(ctx, pid)
    plan_item_id = args.get("plan_item_id")
    if plan_item_id is not None and plan_item_id not in ctx.crowd.plan_items:
        raise _not_found()
    status = args["status"]
    new = None if status is None else Mark_(status, plan_item_id, args.get("note") or "",
                                            ctx.actor.site_id, ctx.now)
    ctx.crowd.set_mark(ctx.me, pid, new)
    summary = tallies.summarise_counts(ctx.crowd.mark_counts_of(pid), ctx.site_ids)
    return {"proposal_id": pid, "mark": views.mark_view(new) if new else None,
            "summary": {"sites": summary, "disagreement": tallies.disagreement(summary)}}


FOLLOW_UP_SCHEMA = {"action": text(2000), "owner": text(300), "due_date": date()}


@command("proposal.decide", "manage", "open",
         {"proposal_id": ident(required=True, nullable=False),
          "status": choice(STATUSES, required=True, nullable=False),
          "plan_item_id": ident(), "reason": text(5000), "destination": text(300),
          "follow_up": obj(FOLLOW_UP_SCHEMA)})
def decide(ctx: Context, args: dict) -> dict:
    p = _on_agenda(ctx, args["proposal_id"])
    plan_item_id = _plan_item(ctx, args.get("plan_item_id"))
    reason = args.get("reason") or ""
    if args["status"] in NEEDS_REASON and not reason:
        raise CommandError("invalid", N_("This status needs a reason."))
    follow_up = args.get("follow_up") or {}
    d = ctx.session.get(Decision, p.id)
    if d is None:
        d = Decision(proposal_id=p.id, meeting_id=ctx.meeting.id)
        ctx.session.add(d)
    d.status = args["status"]
    d.plan_item_id = plan_item_id
    d.reason = reason
    d.destination = args.get("destination") or ""
    d.follow_up_action = follow_up.get("action") or ""
    d.follow_up_owner = follow_up.get("owner") or ""
    d.follow_up_due = follow_up.get("due_date")
    d.decided_at = ctx.now
    d.decided_by = ctx.actor.participant_id
    ctx.session.flush()
    return {"proposal_id": p.id, "decision": views.decision_view(d)}


# --- voting ------------------------------------------------------------------

@command("voting.open", "manage", "live",
         {"mode": choice(VOTING_MODES, required=True, nullable=False),
          "budget": integer(1, 100), "max_per_proposal": integer(1, 100),
          "hide_results": boolean()})
def open_voting(ctx: Context, args: dict) -> dict:
    if views.open_round(ctx.session, ctx.meeting.id) is not None:
        raise _conflict(N_("A voting round is already open."))
    budget = args.get("budget") or ctx.meeting.vote_budget
    max_per = args.get("max_per_proposal") or min(ctx.meeting.vote_max_per_proposal, budget)
    if max_per > budget:
        raise CommandError("invalid", N_("'max_per_proposal' may not exceed the budget."))
    number = (ctx.session.scalar(select(func.max(VotingRound.number))
                                 .where(VotingRound.meeting_id == ctx.meeting.id)) or 0) + 1
    r = VotingRound(meeting_id=ctx.meeting.id, number=number, mode=args["mode"], budget=budget,
                    max_per_proposal=max_per, hide_results=bool(args.get("hide_results")),
                    is_open=True, opened_at=ctx.now)
    ctx.session.add(r)
    ctx.session.flush()
    return {"round": views.round_view(r)}


def _close_round(ctx: Context, r: VotingRound) -> dict:
    r.is_open = False
    r.closed_at = ctx.now
    ctx.session.flush()
    agenda = views.agenda_ids(ctx.session, ctx.meeting.id)
    return {"round": views.round_view(r),
            "voters": views.voter_counts(ctx.session, r, ctx.site_ids),
            **views.voting_results(ctx.session, r, ctx.site_ids, agenda)}


@command("voting.close", "manage", "live")
def close_voting(ctx: Context, args: dict) -> dict:
    r = views.open_round(ctx.session, ctx.meeting.id)
    if r is None:
        raise _conflict(N_("No voting round is open."))
    return _close_round(ctx, r)


@command("vote.cast", "take_part", "live",
         {"proposal_id": ident(required=True, nullable=False),
          "value": integer(0, 100, required=True, nullable=False)},
         anonymous=True, crowd=True)
def cast_vote(ctx: CrowdContext, args: dict) -> dict:
    ballots = ctx.crowd.ballots
    if ballots is None:
        raise _conflict(N_("No voting round is open."))
    pid = args["proposal_id"]
    _on_crowd_agenda(ctx, pid)
    r, value = ballots.round, args["value"]
    mine = ballots.mine[ctx.me.id]
    if r.mode == "dots":
        if value > r.max_per_proposal:
            raise CommandError("invalid", N_("At most %(max)s dots on one proposal."),
                               max=r.max_per_proposal)
        spent = sum(v for other, v in mine.items() if other != pid) + value
        if spent > r.budget:
            raise CommandError("invalid", N_("That is more than your %(budget)s dots."),
                               budget=r.budget)
    elif not 1 <= value <= 5:
        raise CommandError("invalid", N_("A score is from 1 to 5."))
    ctx.crowd.set_vote(ctx.me, pid, value)
    return {"round_id": r.id, "proposal_id": pid, "hide_results": r.hide_results,
            "tally": tallies.tally_sums(r.mode, ctx.crowd.vote_sums(pid), ctx.site_ids),
            "voters": ctx.crowd.voter_counts()}


# --- comments ----------------------------------------------------------------

@command("comment.add", "take_part", "live",
         {"kind": choice(COMMENT_KINDS, required=True, nullable=False),
          "text": text(COMMENT_MAX, min_len=1, required=True, nullable=False),
          "proposal_id": ident()})
def add_comment(ctx: Context, args: dict) -> dict:
    pid = args.get("proposal_id")
    if pid is not None:
        _on_agenda(ctx, pid)
    c = Comment(meeting_id=ctx.meeting.id, proposal_id=pid, participant_id=ctx.actor.participant_id,
                site_id=ctx.actor.site_id, kind=args["kind"], text=args["text"], created_at=ctx.now)
    ctx.session.add(c)
    ctx.session.flush()
    author = ctx.session.get(Participant, ctx.actor.participant_id)
    return {"comment": views.comment_view(c, 0, author)}


def _comment(ctx: Context, id_: int) -> Comment:
    return _get(ctx, Comment, id_)


@command("comment.support", "take_part", "live",
         {"comment_id": ident(required=True, nullable=False),
          "on": boolean(required=True, nullable=False)}, crowd=True)
def support_comment(ctx: CrowdContext, args: dict) -> dict:
    cid = args["comment_id"]
    comment = ctx.crowd.comments.get(cid)  # None: unknown or another meeting's
    if comment is None or comment.hidden:
        raise _not_found()
    if comment.proposal_id is not None:
        _on_crowd_agenda(ctx, comment.proposal_id)
    supports = ctx.crowd.set_support(ctx.me, cid, args["on"])
    return {"comment_id": cid, "on": args["on"], "supports": supports}


@command("comment.hide", "moderate", "open",
         {"comment_id": ident(required=True, nullable=False),
          "hidden": boolean(required=True, nullable=False)})
def hide_comment(ctx: Context, args: dict) -> dict:
    c = _comment(ctx, args["comment_id"])
    require_site(ctx.actor, c.site_id)
    c.hidden = args["hidden"]
    ctx.session.flush()
    data: dict = {"comment_id": c.id, "hidden": c.hidden}
    if not c.hidden:
        # Screens dropped the text when it was hidden; unhiding brings it back whole.
        data["comment"] = views.comment_view(c, views.support_count(ctx.session, c.id),
                                             ctx.session.get(Participant, c.participant_id))
    return data


# --- attendance ----------------------------------------------------------------

@command("attendance.add", "moderate", "open",
         {"name": text(NAME_MAX, min_len=1, required=True, nullable=False),
          "category": choice(CATEGORIES, required=True, nullable=False, canonical=canonical_category),
          "organisation": text(200), "gender": choice(GENDERS, canonical=canonical_gender),
          "site_id": ident()})
def add_attendee(ctx: Context, args: dict) -> dict:
    site_id = args.get("site_id")
    if site_id is None:
        if ctx.actor.role != "host":
            raise CommandError("invalid", N_("'%(field)s' is required."), field="site_id")
        site_id = ctx.actor.site_id
    _site(ctx, site_id)
    require_site(ctx.actor, site_id)
    p = Participant(meeting_id=ctx.meeting.id, site_id=site_id, name=args["name"],
                    category=args["category"], organisation=args.get("organisation") or "",
                    gender=args.get("gender"), role="participant", token_hash=None,
                    checked_in_by=ctx.actor.participant_id, joined_at=ctx.now)
    ctx.session.add(p)
    ctx.session.flush()
    return {"participant": views.participant_view(p)}


@command("participant.revoke", "moderate", "open",
         {"participant_id": ident(required=True, nullable=False)})
def revoke(ctx: Context, args: dict) -> dict:
    p = _participant(ctx, args["participant_id"])
    require_site(ctx.actor, p.site_id)
    if p.role == "facilitator" or (ctx.actor.role == "host" and p.role != "participant"):
        raise CommandError("forbidden", N_("Your role may not do this."))
    if p.revoked:
        raise _conflict(N_("This participant is already revoked."))
    p.revoked = True
    floor_rules.drop_requests(ctx.session, ctx.meeting.id, p.id, ctx.now)
    return {"participant_id": p.id, "floor": floor_rules.state(ctx.session, ctx.meeting.id),
            **_withdraw_everything_of(ctx, p.id)}


def _withdraw_everything_of(ctx: Context, participant_id: int) -> dict:
    """A revoked participant no longer counts: their marks, their votes in the
    open round and their supports are withdrawn (closed rounds stay as they
    were announced). Returns what screens need to redraw the totals."""
    s = ctx.session
    marked = list(s.scalars(select(Mark.proposal_id).where(Mark.participant_id == participant_id)))
    s.execute(delete(Mark).where(Mark.participant_id == participant_id))
    supported = list(s.scalars(select(CommentSupport.comment_id)
                               .where(CommentSupport.participant_id == participant_id)))
    s.execute(delete(CommentSupport).where(CommentSupport.participant_id == participant_id))
    r = views.open_round(s, ctx.meeting.id)
    voted = []
    if r is not None:
        voted = list(s.scalars(select(Vote.proposal_id).where(
            Vote.round_id == r.id, Vote.participant_id == participant_id)))
        s.execute(delete(Vote).where(Vote.round_id == r.id, Vote.participant_id == participant_id))
    s.flush()
    data: dict = {
        "summaries": {pid: views.mark_summary(s, pid, ctx.site_ids) for pid in marked},
        "supports": {cid: views.support_count(s, cid) for cid in supported},
        "voting": None,
    }
    if voted:
        all_tallies = views.round_tallies(s, r, ctx.site_ids)
        data["voting"] = {
            "round_id": r.id, "hide_results": r.hide_results,
            "voters": views.voter_counts(s, r, ctx.site_ids),
            "tallies": {pid: all_tallies.get(pid) or tallies.empty_tally(r.mode, ctx.site_ids)
                        for pid in voted}}
    return data


# --- the floor ---------------------------------------------------------------

def _on_behalf(actor: Actor, meeting_id: int, participant_id: int | None, find):
    """Hosts raise and lower hands for people at their site without a phone.
    `find(id)` gives a participant row (ORM object or crowd.Person) or None."""
    if participant_id is None or participant_id == actor.participant_id:
        return find(actor.participant_id)
    if actor.role == "participant":
        raise CommandError("forbidden", N_("Your role may not do this."))
    who = find(participant_id)
    if who is None or who.meeting_id != meeting_id:
        raise _not_found()
    require_site(actor, who.site_id)
    if who.revoked:
        raise _conflict(N_("This participant is revoked."))
    return who


@command("floor.request", "take_part", "live",
         {"proposal_id": ident(), "participant_id": ident()}, crowd=True)
def request_floor(ctx: CrowdContext, args: dict):
    crowd = ctx.crowd
    who = _on_behalf(ctx.actor, crowd.meeting_id, args.get("participant_id"), crowd.people.get)
    pid = args.get("proposal_id")
    if pid is not None:
        _on_crowd_agenda(ctx, pid)
    if who.id in crowd.raised:
        raise _conflict(N_("This hand is already raised."))
    rows = crowd.raise_hand(who, pid, ctx.now)
    # The queue shows request ids, which the database gives when the run is stored.
    return lambda: {"participant_id": who.id, "floor": floor_rules.state_of(rows)}


@command("floor.withdraw", "take_part", "live", {"participant_id": ident()})
def withdraw_floor(ctx: Context, args: dict) -> dict:
    who = _on_behalf(ctx.actor, ctx.meeting.id, args.get("participant_id"),
                     lambda id_: ctx.session.get(Participant, id_))
    req = floor_rules.open_request(ctx.session, ctx.meeting.id, who.id)
    if req is None:
        raise _conflict(N_("There is no raised hand to lower."))
    # The speaker lowering their hand ends their own turn.
    req.state = "done" if req.state == "speaking" else "withdrawn"
    req.ended_at = ctx.now
    ctx.session.flush()
    return {"participant_id": who.id, "floor": floor_rules.state(ctx.session, ctx.meeting.id)}


@command("floor.grant", "chair", "live", {"participant_id": ident(required=True, nullable=False)})
def grant_floor(ctx: Context, args: dict) -> dict:
    who = _participant(ctx, args["participant_id"])
    if who.revoked:
        raise _conflict(N_("This participant is revoked."))
    floor_rules.grant(ctx.session, ctx.meeting, who, ctx.now)
    return {"participant_id": who.id, "floor": floor_rules.state(ctx.session, ctx.meeting.id)}


@command("floor.end", "chair", "live")
def end_floor(ctx: Context, args: dict) -> dict:
    if not floor_rules.end_turn(ctx.session, ctx.meeting.id, ctx.now):
        raise _conflict(N_("Nobody has the floor."))
    return {"floor": floor_rules.state(ctx.session, ctx.meeting.id)}


# Commands that are not part of the socket protocol's table but change the
# meeting over HTTP (import) are appended as events by their own code.
IMPORT_EVENT = "proposal.import"
