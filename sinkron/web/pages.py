"""Pages people open: home, join, the private links and the join QR code."""
from __future__ import annotations

import io

import segno
from flask import Blueprint, Response, abort, current_app, redirect, render_template, request, url_for

from ..extensions import db
from ..meetings import authenticate, site_by_code
from ..models import Meeting, Site
from .auth import remember
from .csrf import csrf_token

bp = Blueprint("pages", __name__)


@bp.get("/")
def home():
    code = request.args.get("code")
    if code:
        return redirect(url_for("pages.join_page", code="".join(code.split()).upper()))
    return render_template("home.html")


@bp.get("/j/<code>")
def join_page(code: str):
    site = site_by_code(db.session, code)
    if site is None:
        abort(404)
    meeting = db.session.get(Meeting, site.meeting_id)
    return render_template("screen.html", screen="participant", meeting=meeting, site=site)


@bp.get("/j/<code>/qr.svg")
def join_qr(code: str):
    site = site_by_code(db.session, code)
    if site is None:
        abort(404)
    url = f"{current_app.config['PUBLIC_URL']}/j/{site.join_code}"
    out = io.BytesIO()
    segno.make(url, error="m").save(out, kind="svg", scale=8, border=2, xmldecl=False,
                                    svgns=True, title=url)
    return Response(out.getvalue(), mimetype="image/svg+xml",
                    headers={"Cache-Control": "public, max-age=3600"})


def _screen_for_token(token: str, role: str, screen: str):
    actor = authenticate(db.session, token)
    if actor is None or actor.role != role:
        return render_template("error.html", status=403, message=None, bad_link=True), 403
    remember(actor, token)
    meeting = db.session.get(Meeting, actor.meeting_id)
    # Hosts and projectors belong to a site (name, join code); the console
    # uploads imports with the session's CSRF token.
    site = db.session.get(Site, actor.site_id) if role != "facilitator" and actor.site_id else None
    extra = {"csrf": csrf_token()} if role == "facilitator" else {}
    return render_template("screen.html", screen=screen, meeting=meeting, site=site, **extra)


@bp.get("/f/<token>")
def facilitator(token: str):
    return _screen_for_token(token, "facilitator", "facilitator")


@bp.get("/f/<token>/phone")
def facilitator_phone(token: str):
    """The facilitator's own marks, comments and votes: they count at their site too."""
    return _screen_for_token(token, "facilitator", "participant")


@bp.get("/h/<token>")
def host(token: str):
    return _screen_for_token(token, "host", "participant")


@bp.get("/p/<token>")
def projector(token: str):
    return _screen_for_token(token, "projector", "projector")
