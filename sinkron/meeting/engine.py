"""Runs one command: the same steps for every command in the registry.

repeat check -> look up -> permission -> validation -> meeting state ->
effect -> event appended with the next sequence number -> op_id remembered.

Crowd commands (everyone votes at once) take the same steps a run at a time
(execute_crowd), each command answered as if applied alone.

Everything happens on the caller's session and transaction; the caller commits
before it acknowledges, so nothing acknowledged can be lost."""
from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, bindparam, insert, or_, select, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from ..models import AcceptedOp, Event, Meeting, Participant, utcnow
from . import suggestions, views
from .commands import REGISTRY, Command, Context, CrowdContext
from .bulk import BulkInsert, Prepared, json_text
from .crowd import Crowd, Standing
from .errors import N_, CommandError
from .permissions import Actor, require, sees_hidden_results
from .schema import parse

OP_ID_MAX = 64
CROWD = frozenset(t for t, c in REGISTRY.items() if c.crowd)


@dataclass(frozen=True)
class Accepted:
    seq: int
    # The event in wire form, or None when the op_id was seen before.
    event: dict | None


def jsonable(data: Any) -> Any:
    """What the event looks like after a trip through JSON (int dict keys become
    strings), so live events and replayed ones are identical. The same
    encoding as the crowd's stored events (json_text)."""
    return json.loads(json_text(data))


def event_wire(e: Event) -> dict:
    return {"seq": e.seq, "type": e.type, "at": views.iso(e.at), "actor": e.actor, "data": e.data}


# Statements on the hot path of every command, built once: under a burst the
# writer runs hundreds of commands a second, and building and caching a
# statement costs more than SQLite takes to run it.
_PRIOR = select(AcceptedOp.seq).where(
    AcceptedOp.meeting_id == bindparam("m"), AcceptedOp.participant_id == bindparam("p"),
    AcceptedOp.op_id == bindparam("o"))
_ME = select(Participant.revoked, Participant.meeting_id).where(Participant.id == bindparam("p"))
_INSERT_EVENT = insert(Event)
_meeting = Meeting.__table__
_NEXT_SEQ = (update(_meeting).where(_meeting.c.id == bindparam("m"))
             .values(last_seq=_meeting.c.last_seq + 1).returning(_meeting.c.last_seq))
_INSERT_OP = insert(AcceptedOp)


def append_event(session: Session, meeting: Meeting, type_: str, actor: Actor | None,
                 data: dict, now: dt.datetime, anonymous: bool = False) -> Event:
    """Give the change the meeting's next sequence number and store it.

    The database hands out the number (an UPDATE ... RETURNING, which also
    holds the row on PostgreSQL), and the event row is inserted directly:
    no unit-of-work flush per event. The returned Event is a detached copy
    for event_wire()."""
    conn = session.connection()
    seq = conn.execute(_NEXT_SEQ, {"m": meeting.id}).scalar_one()
    # Loaded objects see the new number without counting as a change to flush.
    set_committed_value(meeting, "last_seq", seq)
    e = Event(meeting_id=meeting.id, seq=seq, type=type_, at=now,
              actor_id=actor.participant_id if actor else None,
              actor=None if anonymous or actor is None else actor.public(),
              data=jsonable(data))
    conn.execute(_INSERT_EVENT, {
        "meeting_id": e.meeting_id, "seq": e.seq, "type": e.type, "at": e.at,
        "actor_id": e.actor_id, "actor": e.actor, "data": e.data})
    return e


_GATES = {
    # command state -> meeting states in which it may run
    "live": ("live",),
    "open": ("draft", "live"),
    "draft": ("draft",),
    "closed": ("closed",),
    "any": ("draft", "live", "closed"),
}


def _check_state(status: str, when: str) -> None:
    if status in _GATES[when]:
        return
    if status == "closed":
        raise CommandError("closed", N_("The meeting is closed."))
    if status == "draft":
        raise CommandError("conflict", N_("The meeting has not started yet."))
    raise CommandError("conflict", N_("The meeting is already running."))


def _op_id(payload: dict) -> str:
    op_id = payload.get("op_id")
    if not isinstance(op_id, str) or not 1 <= len(op_id) <= OP_ID_MAX:
        raise CommandError("invalid", N_("'%(field)s' must be text of 1 to %(max)s characters."),
                           field="op_id", max=OP_ID_MAX)
    return op_id


def _admit(actor: Actor, payload: Any) -> str:
    """The checks before anything is read: returns the op_id."""
    if not isinstance(payload, dict):
        raise CommandError("invalid", N_("A command must be an object."))
    if actor.participant_id is None:
        raise CommandError("forbidden", N_("Your role may not do this."))
    return _op_id(payload)


def _parse(actor: Actor, payload: dict) -> tuple[Command, dict]:
    """The command and its checked arguments, or a refusal."""
    cmd = REGISTRY.get(payload.get("type")) if isinstance(payload.get("type"), str) else None
    if cmd is None:
        raise CommandError("invalid", N_("Unknown command type."))
    require(actor, cmd.capability)
    args = parse(cmd.fields, payload, ignore=frozenset({"op_id", "type"}))
    if cmd.at_least_one and not any(k in args for k in cmd.at_least_one):
        raise CommandError("invalid", N_("Nothing to change."))
    return cmd, args


def _revoked() -> CommandError:
    return CommandError("forbidden", N_("Your access to this meeting was revoked."))


def is_crowd(payload: Any) -> bool:
    """Whether a payload names a crowd command (a cheap look, nothing checked)."""
    return isinstance(payload, dict) and isinstance(payload.get("type"), str) \
        and payload["type"] in CROWD


def execute(session: Session, actor: Actor, payload: Any, now: dt.datetime | None = None) -> Accepted:
    """Apply one command for `actor`, or raise CommandError having changed nothing
    (the caller runs each command in its own savepoint)."""
    now = now or utcnow()
    if is_crowd(payload):
        outcome = execute_crowd(session, actor.meeting_id, [(actor, payload, now)])[0]
        if isinstance(outcome, CommandError):
            raise outcome
        return outcome
    op_id = _admit(actor, payload)
    # Everything earlier in this transaction is flushed (see the end), so the
    # connection sees it without the session's autoflush.
    conn = session.connection()
    prior = conn.execute(_PRIOR, {"m": actor.meeting_id, "p": actor.participant_id,
                                  "o": op_id}).scalar()
    if prior is not None:
        return Accepted(prior, None)
    cmd, args = _parse(actor, payload)
    me = conn.execute(_ME, {"p": actor.participant_id}).first()
    if me is None or me.revoked or me.meeting_id != actor.meeting_id:
        raise _revoked()
    meeting = session.get(Meeting, actor.meeting_id, with_for_update=True)
    _check_state(meeting.status, cmd.when)
    ctx = Context(session, meeting, actor, now, views.site_ids(session, meeting.id))
    data = cmd.apply(ctx, args)
    e = append_event(session, meeting, cmd.type, actor, data, now, anonymous=cmd.anonymous)
    conn.execute(_INSERT_OP, {"meeting_id": meeting.id, "participant_id": actor.participant_id,
                              "op_id": op_id, "seq": e.seq, "at": now})
    session.flush()
    return Accepted(e.seq, event_wire(e))


_MEETING_ROW = select(_meeting.c.status, _meeting.c.turn_seconds, _meeting.c.last_seq).where(
    _meeting.c.id == bindparam("m")).with_for_update()


def _priors_statement(size: int):
    """The accepted ops among `size` (participant, op_id) pairs, each pair its
    own equality on the primary key. A row-value IN, `(participant_id, op_id)
    IN (...)`, read the same but SQLite probes the index by meeting only: it
    scanned every op the meeting ever accepted, a cost that grew all day
    (6 ms a batch after 30,000 votes, against 0.03 ms this way)."""
    return Prepared(select(AcceptedOp.participant_id, AcceptedOp.op_id, AcceptedOp.seq).where(or_(*(
        and_(AcceptedOp.meeting_id == bindparam("m"),
             AcceptedOp.participant_id == bindparam(f"p{k}"),
             AcceptedOp.op_id == bindparam(f"o{k}")) for k in range(size)))))


# One statement per power of two up to 256 (a run is at most 250 commands),
# the pairs padded by repeating the last: nine shapes to build and cache
# instead of one per batch length, and under SQLite's oldest limit of 999
# parameters.
_PRIORS = {1 << k: _priors_statement(1 << k) for k in range(9)}


def _priors(conn, meeting_id: int, pairs: list[tuple[int, str]]) -> dict[tuple[int, str], int]:
    found: dict[tuple[int, str], int] = {}
    biggest = max(_PRIORS)
    for start in range(0, len(pairs), biggest):
        chunk = pairs[start:start + biggest]
        size = 1 << (len(chunk) - 1).bit_length()
        chunk += [chunk[-1]] * (size - len(chunk))
        params = {"m": meeting_id}
        for k, (p, o) in enumerate(chunk):
            params[f"p{k}"], params[f"o{k}"] = p, o
        found.update(((p, o), seq) for p, o, seq in _PRIORS[size].rows(conn, params))
    return found


_EVENTS = BulkInsert(Event.__table__, ("meeting_id", "seq", "type", "at", "actor_id", "actor", "data"))
_OPS = BulkInsert(AcceptedOp.__table__, ("meeting_id", "participant_id", "op_id", "seq", "at"))
_ADVANCE_SEQ = (update(_meeting).where(_meeting.c.id == bindparam("m"))
                .values(last_seq=_meeting.c.last_seq + bindparam("n"))
                .returning(_meeting.c.last_seq))


def execute_crowd(session: Session, meeting_id: int,
                  items: list[tuple[Actor, Any, dt.datetime]],
                  kept: dict[int, Standing] | None = None) -> list[Accepted | CommandError]:
    """Apply a run of crowd commands of one meeting, in order, as if one by
    one: each is accepted whole or refused having changed nothing, gets its
    own seq and event, and its op_id is remembered. The whole run takes a
    dozen statements, not a dozen per command (crowd.py).

    `kept` (meeting id -> Standing) carries what the run read and changed to
    the next run, which reuses it if the meeting's last_seq has not moved
    meanwhile. The caller drops it if the run raises or is not committed.

    Returns, per item, its Accepted or its CommandError. Anything else raised
    leaves the run half-written: the caller rolls back to before it."""
    conn = session.connection()
    outcomes: list[Accepted | CommandError | None] = [None] * len(items)
    admitted = []
    for i, (actor, payload, now) in enumerate(items):
        try:
            admitted.append((i, actor, payload, now, _admit(actor, payload)))
        except CommandError as exc:
            outcomes[i] = exc
    priors = {}
    if admitted:
        priors = _priors(conn, meeting_id,
                         sorted({(a.participant_id, op) for _, a, *_, op in admitted}))
    parsed = []
    for i, actor, payload, now, op_id in admitted:
        if (actor.participant_id, op_id) in priors:
            outcomes[i] = Accepted(priors[actor.participant_id, op_id], None)
            continue
        try:
            parsed.append((i, actor, now, op_id, *_parse(actor, payload)))
        except CommandError as exc:
            outcomes[i] = exc
    if not parsed:
        return outcomes
    status, turn_seconds, last_seq = conn.execute(_MEETING_ROW, {"m": meeting_id}).one()
    standing = kept.get(meeting_id) if kept is not None else None
    if standing is None or standing.seq != last_seq:
        standing = Standing(last_seq, views.site_ids(session, meeting_id))
        if kept is not None:
            kept[meeting_id] = standing
    site_ids = standing.site_ids
    crowd = Crowd(conn, meeting_id, turn_seconds, standing,
                  [(cmd.type, actor, args) for _, actor, _, _, cmd, args in parsed])
    accepted = []  # (index, actor, now, op_id, cmd, data)
    seen: dict[tuple[int, str], int] = {}  # op_ids accepted earlier in this run -> index
    for i, actor, now, op_id, cmd, args in parsed:
        if (actor.participant_id, op_id) in seen:
            outcomes[i] = seen[actor.participant_id, op_id]  # resolved to its Accepted below
            continue
        try:
            me = crowd.people.get(actor.participant_id)
            if me is None or me.revoked or me.meeting_id != meeting_id:
                raise _revoked()
            _check_state(status, cmd.when)
            data = cmd.apply(CrowdContext(crowd, actor, me, now, site_ids), args)
        except CommandError as exc:
            outcomes[i] = exc
            continue
        seen[actor.participant_id, op_id] = i
        accepted.append((i, actor, now, op_id, cmd, data))
    if not accepted:
        return outcomes
    crowd.write()
    last = conn.execute(_ADVANCE_SEQ, {"m": meeting_id, "n": len(accepted)}).scalar_one()
    standing.seq = last
    events, ops = [], []
    for seq, (i, actor, now, op_id, cmd, data) in enumerate(accepted, last - len(accepted) + 1):
        public = None if cmd.anonymous else actor.public()
        # Encoded once: stored as it is, and decoded for the wire, as jsonable() does.
        data_text = json_text(data() if callable(data) else data)
        events.append((meeting_id, seq, cmd.type, now, actor.participant_id, json_text(public),
                       data_text))
        ops.append((meeting_id, actor.participant_id, op_id, seq, now))
        outcomes[i] = Accepted(seq, {"seq": seq, "type": cmd.type, "at": views.iso(now),
                                     "actor": public, "data": json.loads(data_text)})
    _EVENTS.run(conn, events)
    _OPS.run(conn, ops)
    for i, outcome in enumerate(outcomes):
        if isinstance(outcome, int):  # a repeat of an op_id accepted in this run
            outcomes[i] = Accepted(outcomes[outcome].seq, None)
    return outcomes


def for_audience(event: dict, full: bool) -> dict:
    """An event as a role may see it: hidden rounds show voter counts, not
    tallies; suggestions only for the focused proposal."""
    if full:
        return event
    data = event["data"]
    if event["type"] == suggestions.EVENT:
        return {**event, "data": suggestions.public_data(data)}
    if event["type"] == "vote.cast" and data.get("hide_results"):
        return {**event, "data": {k: v for k, v in data.items() if k != "tally"}}
    # Events that carry changed totals of a hidden open round (a revoke, a
    # withdrawn or restored proposal) go out with voter counts only.
    voting = data.get("voting")
    if isinstance(voting, dict) and voting.get("hide_results") and "tallies" in voting:
        hidden = {k: v for k, v in voting.items() if k != "tallies"}
        return {**event, "data": {**data, "voting": hidden}}
    return event


def audience_is_full(role: str) -> bool:
    return sees_hidden_results(role)
