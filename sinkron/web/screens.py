"""Pages around the screens that are not live: the printable join sheet."""
from __future__ import annotations

from flask import Blueprint, abort, current_app, render_template

from ..extensions import db
from ..meetings import site_by_code
from ..models import Meeting

bp = Blueprint("screens", __name__)


@bp.get("/j/<code>/sheet")
def join_sheet(code: str):
    """An A4 sheet per site to print and put on the tables: QR code, join code,
    three lines of instructions. The join code is public, so is the sheet."""
    site = site_by_code(db.session, code)
    if site is None:
        abort(404)
    meeting = db.session.get(Meeting, site.meeting_id)
    url = f"{current_app.config['PUBLIC_URL']}/j/{site.join_code}"
    return render_template("join_sheet.html", meeting=meeting, site=site, join_url=url)
