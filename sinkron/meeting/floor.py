"""The speaker queue: raised hands, who has the floor, and who should speak next.

The queue suggests; the facilitator decides. The suggestion favours the room
that has spoken less, then the person who has spoken less, then who asked first."""
from __future__ import annotations

import datetime as dt
from collections import Counter

from types import SimpleNamespace

from sqlalchemy import select
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from ..models import FloorRequest, Meeting, Participant
from . import views

OPEN_STATES = ("waiting", "speaking")


def open_request(session: Session, meeting_id: int, participant_id: int) -> FloorRequest | None:
    return session.scalars(select(FloorRequest).where(
        FloorRequest.meeting_id == meeting_id, FloorRequest.participant_id == participant_id,
        FloorRequest.state.in_(OPEN_STATES))).first()


def current_turn(session: Session, meeting_id: int) -> FloorRequest | None:
    return session.scalars(select(FloorRequest).where(
        FloorRequest.meeting_id == meeting_id, FloorRequest.state == "speaking")).first()


def end_turn(session: Session, meeting_id: int, now: dt.datetime) -> bool:
    turn = current_turn(session, meeting_id)
    if turn is None:
        return False
    turn.state = "done"
    turn.ended_at = now
    session.flush()
    return True


def grant(session: Session, meeting: Meeting, who: Participant, now: dt.datetime) -> FloorRequest:
    """Give the floor, ending the current turn. Someone called on without a
    raised hand gets a request made for them, so every turn is counted."""
    end_turn(session, meeting.id, now)
    req = open_request(session, meeting.id, who.id)
    if req is None:
        req = FloorRequest(meeting_id=meeting.id, participant_id=who.id, site_id=who.site_id,
                           requested_at=now, turn_seconds=meeting.turn_seconds)
        session.add(req)
    req.state = "speaking"
    req.granted_at = now
    req.turn_seconds = meeting.turn_seconds
    session.flush()
    return req


def drop_requests(session: Session, meeting_id: int, participant_id: int, now: dt.datetime) -> None:
    req = open_request(session, meeting_id, participant_id)
    if req is not None:
        req.state = "done" if req.state == "speaking" else "withdrawn"
        req.ended_at = now
        session.flush()


def suggest_order(waiting: list[dict], turns_by_site: Counter, turns_by_person: Counter) -> list[int]:
    """Participant ids in the suggested order (pure: see module docstring)."""
    ordered = sorted(waiting, key=lambda r: (turns_by_site[r["site_id"]],
                                             turns_by_person[r["participant_id"]],
                                             r["requested_at"] or "", r["id"]))
    return [r["participant_id"] for r in ordered]


def _rows(*columns, meeting_id: int):
    return (select(*columns).join(Participant, Participant.id == FloorRequest.participant_id)
            .where(FloorRequest.meeting_id == meeting_id,
                   FloorRequest.state.in_(OPEN_STATES + ("done",)))
            .order_by(FloorRequest.requested_at, FloorRequest.id))


def state(session: Session, meeting_id: int) -> dict:
    """The floor as screens show it: the queue, the speaker and when the turn ends."""
    return state_of(session.execute(_rows(FloorRequest, Participant, meeting_id=meeting_id)).all())


_REQUEST = FloorRequest.__table__


def load_rows(conn: Connection, meeting_id: int) -> list[tuple[SimpleNamespace, SimpleNamespace]]:
    """The rows state_of() needs, as plain values (for set-based commands)."""
    out = []
    for r in conn.execute(_rows(*_REQUEST.c, Participant.name, Participant.category,
                                meeting_id=meeting_id)):
        req = SimpleNamespace(**{c.name: getattr(r, c.name) for c in _REQUEST.c})
        out.append((req, SimpleNamespace(id=req.participant_id, name=r.name, category=r.category)))
    return out


def state_of(rows) -> dict:
    """The floor from its (request, person) rows in queue order."""
    queue, speaker = [], None
    by_site: Counter = Counter()
    by_person: Counter = Counter()
    for req, who in rows:
        if req.state == "done" or req.state == "speaking":
            by_site[req.site_id] += 1
            by_person[req.participant_id] += 1
        if req.state == "waiting":
            queue.append(views.floor_request_view(req, who))
        elif req.state == "speaking":
            speaker = views.floor_request_view(req, who)
    return {"queue": queue, "speaker": speaker,
            "suggested": suggest_order(queue, by_site, by_person),
            "turns_by_site": dict(by_site)}
