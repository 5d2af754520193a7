"""Who is asking, over HTTP: a bearer token or the session set when a
private link was opened.

The session cookie is signed, not encrypted: anyone who sees it can read it.
So it keeps only the digests of the links opened in this browser (the same
SHA-256 digests the database stores), never a token; and it keeps one per
link, so a facilitator who also opens a projector or host link in the same
browser stays the facilitator."""
from __future__ import annotations

import functools
import hashlib
import hmac

from flask import abort, g, redirect, request, session, url_for

from ..extensions import db
from ..meeting.permissions import Actor
from ..meetings import authenticate, authenticate_digest
from ..models import Organiser
from ..security import hash_token

KEPT_LINKS = 12  # the most recent private links opened in one browser
RANK = {"facilitator": 0, "host": 1, "participant": 2, "projector": 3}


def remember(actor: Actor, token: str) -> None:
    """Opening a private link signs the browser in for that meeting's downloads."""
    digest = hash_token(token)
    kept = [d for d in session.get("links") or [] if isinstance(d, str) and d != digest]
    session["links"] = (kept + [digest])[-KEPT_LINKS:]
    session.pop("tokens", None)  # cookies from before kept raw tokens
    session.permanent = True


def current_actor(meeting_id: int) -> Actor | None:
    """The bearer token's actor; else, of the links this browser opened for
    the meeting, the one with the most rights."""
    header = request.headers.get("Authorization", "")
    if header.startswith("Bearer "):
        actor = authenticate(db.session, header[7:].strip())
        return actor if actor is not None and actor.meeting_id == meeting_id else None
    actors = [authenticate_digest(db.session, d) for d in session.get("links") or []]
    mine = [a for a in actors if a is not None and a.meeting_id == meeting_id]
    return min(mine, key=lambda a: RANK.get(a.role, len(RANK)), default=None)


def require_facilitator(meeting_id: int) -> Actor:
    """401 without credentials, 403 for any other role."""
    actor = current_actor(meeting_id)
    if actor is None:
        abort(401)
    if actor.role != "facilitator":
        abort(403)
    return actor


# --- organisers: the session holds the organiser's id and which password -----

ORGANISER_KEY = "organiser_id"
# A digest of the password hash the browser signed in with (the hash is
# salted, so any password change gives a new one): changing a leaked
# password ends every session opened with it.
PASSWORD_KEY = "organiser_pw"


def _password_mark(organiser: Organiser) -> str:
    return hashlib.sha256(organiser.password_hash.encode()).hexdigest()[:32]


def current_organiser() -> Organiser | None:
    """The signed-in organiser, or None (also when the account was removed
    or its password changed since this browser signed in)."""
    organiser_id = session.get(ORGANISER_KEY)
    if not isinstance(organiser_id, int) or isinstance(organiser_id, bool):
        return None
    organiser = db.session.get(Organiser, organiser_id)
    mark = session.get(PASSWORD_KEY)
    if organiser is None or not isinstance(mark, str) \
            or not hmac.compare_digest(mark, _password_mark(organiser)):
        return None
    return organiser


def sign_in(organiser: Organiser) -> None:
    session[ORGANISER_KEY] = organiser.id
    session[PASSWORD_KEY] = _password_mark(organiser)
    session.pop("csrf", None)  # a new CSRF token for the signed-in browser
    session.permanent = True


def sign_out() -> None:
    session.pop(ORGANISER_KEY, None)
    session.pop(PASSWORD_KEY, None)
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
