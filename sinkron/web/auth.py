"""Who is asking, over HTTP: a bearer token or the session set when a
private link was opened."""
from __future__ import annotations

import functools

from flask import abort, g, redirect, request, session, url_for

from ..extensions import db
from ..meeting.permissions import Actor
from ..meetings import authenticate
from ..models import Organiser


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


# --- organisers: the session holds the organiser's id, nothing else ------------

ORGANISER_KEY = "organiser_id"


def current_organiser() -> Organiser | None:
    """The signed-in organiser, or None (also when the account was removed)."""
    organiser_id = session.get(ORGANISER_KEY)
    if not isinstance(organiser_id, int) or isinstance(organiser_id, bool):
        return None
    return db.session.get(Organiser, organiser_id)


def sign_in(organiser: Organiser) -> None:
    session[ORGANISER_KEY] = organiser.id
    session.pop("csrf", None)  # a new CSRF token for the signed-in browser
    session.permanent = True


def sign_out() -> None:
    session.pop(ORGANISER_KEY, None)
    session.pop("csrf", None)


def organiser_required(view):
    """Anonymous requests are sent to the sign-in page, and back afterwards."""
    @functools.wraps(view)
    def wrapper(*args, **kwargs):
        organiser = current_organiser()
        if organiser is None:
            back = request.full_path if request.method == "GET" else request.path
            return redirect(url_for("organisers.sign_in", next=back.rstrip("?")))
        g.organiser = organiser
        return view(*args, **kwargs)
    return wrapper
