"""The JSON API: joining a site (no cookies, so no CSRF token) and labels."""
from __future__ import annotations

from flask import Blueprint, jsonify, request

from ..services import services
from ..i18n import translate
from ..labels import all_labels
from ..meeting.engine import event_wire
from ..meeting.errors import N_
from ..meetings import JoinError, join
from ..live.writer import Unavailable
from ..safe_json import too_deep

bp = Blueprint("api", __name__, url_prefix="/api")


def _error(status: int, code: str, message: str, params: dict | None = None):
    return jsonify(error={"code": code, "message": translate(message, params)}), status


@bp.post("/join")
def api_join():
    if not services().join_limiter.allow(request.remote_addr):
        return _error(429, "rate_limited", N_("Too many requests. Wait a moment."))
    if too_deep(request.get_data(cache=True)):
        return _error(400, "invalid", N_("The request is nested too deeply."))
    payload = request.get_json(silent=True)
    if not isinstance(payload, dict):
        return _error(400, "invalid", N_("The request must be a JSON object."))

    def job(session):
        participant, token, event = join(session, payload)
        return (participant.id, participant.site_id, participant.meeting_id, token), [
            (participant.meeting_id, event_wire(event))]

    try:
        pid, site_id, meeting_id, token = services().writer.call(job)
    except JoinError as exc:
        code = "closed" if exc.status == 409 else "invalid"
        return _error(400, code, exc.message, exc.params)
    except Unavailable:
        return _error(503, "unavailable", Unavailable.message)
    # The answer carries the participant's token: no cache may keep it.
    return (jsonify(token=token, participant_id=pid, site_id=site_id, meeting_id=meeting_id), 201,
            {"Cache-Control": "no-store"})


@bp.get("/labels")
def labels():
    """Every label of the domain in the page's language, for the screens."""
    return jsonify(all_labels())
