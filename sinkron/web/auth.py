"""Who is asking, over HTTP: a bearer token or the session set when a
private link was opened."""
from __future__ import annotations

from flask import abort, request, session

from ..extensions import db
from ..meeting.permissions import Actor
from ..meetings import authenticate


def remember(actor: Actor, token: str) -> None:
    """Opening a private link signs the browser in for that meeting's downloads."""
    tokens = dict(session.get("tokens") or {})
    tokens[str(actor.meeting_id)] = token
    session["tokens"] = tokens
    session.permanent = True


def current_actor(meeting_id: int) -> Actor | None:
    header = request.headers.get("Authorization", "")
    token = header[7:].strip() if header.startswith("Bearer ") else None
    if token is None:
        token = (session.get("tokens") or {}).get(str(meeting_id))
    actor = authenticate(db.session, token) if token else None
    if actor is None or actor.meeting_id != meeting_id:
        return None
    return actor


def require_facilitator(meeting_id: int) -> Actor:
    """401 without credentials, 403 for any other role."""
    actor = current_actor(meeting_id)
    if actor is None:
        abort(401)
    if actor.role != "facilitator":
        abort(403)
    return actor
