"""A meeting's page for organisers, and fresh links per role.

A leaked link is replaced on its own: the facilitator's, one site's
projector or host link, or its join code. The other links keep working, and
the old link's open connections are closed (live/events.py, on the event)."""
from __future__ import annotations

from flask import Blueprint, abort, current_app, jsonify, redirect, render_template, request, url_for
from sqlalchemy import select

from ..extensions import db
from ..i18n import translate
from ..live.writer import Unavailable
from ..meeting.engine import event_wire
from ..meetings import LINK_ROLES, JoinError, replace_link
from ..models import Meeting, Organiser
from ..services import services
from .auth import current_actor, current_organiser, organiser_required
from .csrf import check_csrf, csrf_token

bp = Blueprint("links", __name__)


def _meeting_page(meeting_id: int, fresh=None, error: str | None = None, status: int = 200):
    meeting = db.session.get(Meeting, meeting_id)
    if meeting is None:
        abort(404)
    creator = db.session.scalar(select(Organiser.name).where(Organiser.id == meeting.created_by)) \
        if meeting.created_by else None
    page = render_template("meeting.html", meeting=meeting, creator=creator, fresh=fresh, error=error,
                           csrf_token=csrf_token(), roles=LINK_ROLES)
    db.session.rollback()
    response = current_app.make_response((page, status))
    response.headers["Cache-Control"] = "no-store"  # it may show a fresh secret link
    return response


@bp.get("/meetings/<int:meeting_id>")
@organiser_required
def meeting_page(meeting_id: int):
    return _meeting_page(meeting_id)


@bp.post("/meetings/<int:meeting_id>/links")
def fresh_link(meeting_id: int):
    """From the organiser's meeting page (a form) or the facilitator's console
    (JSON, with the session's CSRF token in X-CSRF-Token)."""
    wants_json = request.is_json
    organiser = current_organiser()
    actor = None if organiser else current_actor(meeting_id)
    if organiser is None and (actor is None or actor.role != "facilitator"):
        if wants_json or actor is not None:
            abort(403 if actor else 401)
        return redirect(url_for("organisers.sign_in",
                                next=url_for("links.meeting_page", meeting_id=meeting_id)))
    check_csrf()
    fields = request.get_json(silent=True) if wants_json else request.form
    if not isinstance(fields, dict):
        abort(400)
    role = fields.get("role")
    site_id = fields.get("site_id")
    if isinstance(site_id, str) and site_id.isdigit():
        site_id = int(site_id)
    public_url = current_app.config["PUBLIC_URL"]

    def job(session):
        meeting = session.get(Meeting, meeting_id)
        if meeting is None:
            raise JoinError("Not found.", status=404)
        fresh, event = replace_link(session, meeting, role, site_id, public_url, actor)
        return fresh, [(meeting_id, event_wire(event))]

    try:
        fresh = services().writer.call(job)
    except JoinError as exc:
        if exc.status == 404:
            abort(404)
        message = translate(exc.message, exc.params)
        if wants_json:
            return jsonify(error={"code": "invalid", "message": message}), 400
        return _meeting_page(meeting_id, error=message, status=400)
    except Unavailable:
        if wants_json:
            return jsonify(error={"code": "unavailable", "message": translate(Unavailable.message)}), 503
        abort(503)
    if wants_json:
        response = jsonify(role=fresh.role, site_id=fresh.site_id, url=fresh.url, token=fresh.token,
                           join_code=fresh.join_code)
        response.headers["Cache-Control"] = "no-store"
        return response
    return _meeting_page(meeting_id, fresh=fresh)
