"""Minutes downloads: GET /meetings/<id>/minutes.<fmt>, for the facilitator."""
from __future__ import annotations

import io

from flask import Blueprint, abort, request, send_file

from ..services import services
from ..extensions import db
from ..i18n import pick_language
from ..minutes import FORMATS, build_minutes, render
from .auth import require_facilitator

bp = Blueprint("minutes", __name__)


def _render(minutes, fmt: str) -> bytes:
    """Under eventlet, a render of several hundred pages would stall every live
    connection of the process; app.py hands us a way to run it in a real
    thread. The renderers need no app context: the builder resolved every word."""
    return services().run_blocking(render, minutes, fmt)


@bp.get("/meetings/<int:meeting_id>/minutes.<fmt>")
def download(meeting_id: int, fmt: str):
    require_facilitator(meeting_id)
    if fmt not in FORMATS:
        abort(404)
    # The minutes are Indonesian unless English is asked for, whatever the UI language.
    lang = pick_language(request.args.get("lang"))
    minutes = build_minutes(db.session, meeting_id, lang)
    db.session.rollback()
    response = send_file(io.BytesIO(_render(minutes, fmt)), mimetype=FORMATS[fmt][1],
                         as_attachment=True, download_name=f"{minutes.filename}.{fmt}")
    response.headers["Cache-Control"] = "no-store"
    return response
