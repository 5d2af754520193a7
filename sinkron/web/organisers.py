"""Organisers sign in (name and password) and out.

Failed sign-ins slow down per client address and per account: a few tries
are free, then each must wait twice as long as the one before, up to a cap.
A wait, never a lockout, so nobody can keep an organiser out by failing on
purpose. Refused tries are not checked at all, so waiting is not optional."""
from __future__ import annotations

import math
from urllib.parse import urlsplit

from flask import Blueprint, redirect, render_template, request, url_for

from ..extensions import db
from ..i18n import translate
from ..meeting.errors import N_
from ..organisers import NAME_MAX, name_key, verify
from ..services import services
from .auth import current_organiser, sign_in as remember_organiser, sign_out as forget_organiser
from .csrf import check_csrf, csrf_token

bp = Blueprint("organisers", __name__)


def safe_next(target: str | None) -> str | None:
    """Only a path on this site: never another host (an open redirect)."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return None
    parts = urlsplit(target)
    return None if parts.scheme or parts.netloc else target


def _form(status: int = 200, error: str | None = None, name: str = ""):
    return render_template("sign_in.html", csrf_token=csrf_token(), error=error, name=name,
                           next=safe_next(request.values.get("next")) or ""), status


@bp.route("/sign-in", methods=["GET", "POST"])
def sign_in():
    if request.method == "GET":
        return _form()
    check_csrf()
    name = (request.form.get("name") or "")[: NAME_MAX * 2]
    password = (request.form.get("password") or "")[:1000]
    backoff = services().sign_in_backoff
    address, account = request.remote_addr or "unknown", name_key(name) or "-"
    wait = max(backoff["address"].wait(address), backoff["account"].wait(account))
    if wait > 0:
        return _form(429, translate(N_("Too many failed sign-ins. Try again in %(seconds)s seconds."),
                                    {"seconds": math.ceil(wait)}), name)
    organiser = verify(db.session, name, password)
    if organiser is None:
        db.session.rollback()
        backoff["address"].fail(address)
        backoff["account"].fail(account)
        return _form(401, translate(N_("Wrong name or password.")), name)
    db.session.commit()
    backoff["address"].clear(address)
    backoff["account"].clear(account)
    remember_organiser(organiser)
    return redirect(safe_next(request.form.get("next")) or url_for("meetings.meeting_list"), 303)


@bp.post("/sign-out")
def sign_out():
    check_csrf()
    forget_organiser()
    return redirect(url_for("pages.home"), 303)


@bp.app_context_processor
def organiser_in_templates():
    """Pages show who is signed in (and a sign-out button)."""
    def organiser():
        try:
            return current_organiser()
        except Exception:  # noqa: BLE001 - an error page must render without a database
            db.session.rollback()
            return None
    return {"signed_in_organiser": organiser}
