"""Creating a meeting (an HTML form), the organisers' list of meetings and
the facilitator's imports."""
from __future__ import annotations

import datetime as dt
import re
import secrets
import zoneinfo

from flask import Blueprint, current_app, g, jsonify, render_template, request
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from ..services import services
from ..extensions import db
from ..i18n import translate
from ..imports.store import ImportRejected, plan, read, store
from ..imports.read import ImportFileError
from ..meeting.errors import N_, CommandError
from ..meetings import DEFAULT_SITES, create_meeting, links_again, tokens_from_form_key
from ..models import Meeting, Organiser
from ..security import hash_token
from ..live.writer import Unavailable
from .auth import organiser_required, require_facilitator
from .csrf import check_csrf, csrf_token

bp = Blueprint("meetings", __name__)

TEXT_LIMITS = {"title": 300, "number": 120, "place": 500, "purpose": 5000, "note_taker": 200,
               "community_rep": 200, "community_rep_title": 200, "facilitator_name": 200,
               "facilitator_organisation": 200}


def _form_defaults() -> dict:
    return {"timezone": "Asia/Makassar", "sites": [{"name": n} for n in DEFAULT_SITES]}


def _read_form(form) -> tuple[dict, list[str]]:
    """The meeting fields from the form, and the problems found, in the page's language."""
    errors: list[str] = []
    values = {k: " ".join((form.get(k) or "").split()) if k != "purpose" else (form.get(k) or "").strip()
              for k in TEXT_LIMITS}
    for name, limit in TEXT_LIMITS.items():
        if len(values[name]) > limit:
            errors.append(translate(N_("'%(field)s' is longer than %(max)s characters."),
                                    {"field": name, "max": limit}))
    if not values["title"]:
        errors.append(translate(N_("Please give the meeting a title.")))
    if not values["facilitator_name"]:
        errors.append(translate(N_("Please fill in the facilitator's name.")))
    date = None
    if form.get("date"):
        try:
            date = dt.date.fromisoformat(form["date"])
        except ValueError:
            errors.append(translate(N_("'%(field)s' must be a date as YYYY-MM-DD."), {"field": "date"}))
    times = {}
    for name in ("start_time", "end_time"):
        value = (form.get(name) or "").strip()
        try:
            if value:
                dt.time.fromisoformat(value)
        except ValueError:
            errors.append(translate(N_("'%(field)s' must be a time as HH:MM."), {"field": name}))
        times[name] = value[:5]
    tz = (form.get("timezone") or "Asia/Makassar").strip()
    try:
        zoneinfo.ZoneInfo(tz)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        errors.append(translate(N_("Unknown time zone.")))
    sites = []
    for i in range(4):
        name = " ".join((form.get(f"site_{i}_name") or "").split())
        if name:
            sites.append({"name": name[:200],
                          "chair_name": " ".join((form.get(f"site_{i}_chair") or "").split())[:200],
                          "chair_title": " ".join((form.get(f"site_{i}_chair_title") or "").split())[:200],
                          "host_name": " ".join((form.get(f"site_{i}_host") or "").split())[:200]})
    if not sites:
        errors.append(translate(N_("A meeting needs at least one site.")))
    values.update(times, date=form.get("date") or "", timezone=tz, sites=sites)
    return {**values, "date_value": date}, errors


# The creation form's one-time key: 32 random bytes, URL-safe base64.
FORM_KEY = re.compile(r"^[A-Za-z0-9_-]{43}$")


def _new_form(values: dict, errors: list[str], form_key: str, status: int = 200):
    return render_template("new_meeting.html", values=values, errors=errors, csrf_token=csrf_token(),
                           form_key=form_key), status


def _created_already(form_key: str):
    """The meeting this form key made, with its links as far as they still
    work: a reload or a second click of the form shows it, creating nothing."""
    meeting = db.session.scalars(select(Meeting).where(Meeting.form_key_hash == hash_token(form_key))).first()
    if meeting is None:
        return None
    links = links_again(db.session, meeting, current_app.config["PUBLIC_URL"],
                        tokens_from_form_key(current_app.config["SECRET_KEY"], form_key))
    db.session.rollback()
    return render_template("links.html", meeting=meeting, links=links, again=True)


@bp.route("/meetings/new", methods=["GET", "POST"])
@organiser_required
def new_meeting():
    if request.method == "GET":
        return _new_form(_form_defaults(), [], secrets.token_urlsafe(32))
    check_csrf()
    form_key = request.form.get("form_key") or ""
    if not FORM_KEY.match(form_key):
        return _new_form(_form_defaults(), [translate(N_("This form is out of date. Please fill it in again."))],
                         secrets.token_urlsafe(32), 400)
    shown = _created_already(form_key)
    if shown is not None:
        return shown
    values, errors = _read_form(request.form)
    if errors:
        return _new_form(values, errors, form_key, 400)
    meeting, links = create_meeting(
        db.session, current_app.config["PUBLIC_URL"], title=values["title"], sites=values["sites"],
        facilitator={"name": values["facilitator_name"],
                     "organisation": values["facilitator_organisation"]},
        tokens=tokens_from_form_key(current_app.config["SECRET_KEY"], form_key),
        created_by=g.organiser.id, form_key_hash=hash_token(form_key),
        number=values["number"], date=values["date_value"], start_time=values["start_time"],
        end_time=values["end_time"], timezone=values["timezone"], place=values["place"],
        purpose=values["purpose"], note_taker=values["note_taker"],
        community_rep=values["community_rep"], community_rep_title=values["community_rep_title"])
    try:
        db.session.commit()
    except IntegrityError:
        # The same form, sent twice at once: the other request created it.
        db.session.rollback()
        shown = _created_already(form_key)
        if shown is None:
            raise
        return shown
    return render_template("links.html", meeting=meeting, links=links, again=False), 201


@bp.get("/meetings")
@organiser_required
def meeting_list():
    """Every meeting, newest first: every organiser sees them all."""
    rows = db.session.execute(
        select(Meeting, Organiser.name).outerjoin(Organiser, Meeting.created_by == Organiser.id)
        .order_by(Meeting.created_at.desc(), Meeting.id.desc())).all()
    page = render_template("meetings.html", meetings=rows)
    db.session.rollback()
    return page


def _plan_json(done, stored: bool) -> dict:
    """What an import does (or would do), in the page's language."""
    return {
        "kind": done.kind, "stored": stored, "counts": done.counts,
        "rows": [{"row": r.row, "outcome": r.outcome, "label": r.label, "fields": sorted(r.values)
                  if r.outcome == "updated" else [], "withdrawn": r.withdrawn} for r in done.rows],
        "refused": [{"row": p.row, "message": translate(p.message, p.params)} for p in done.refused],
        "not_in_file": [{"id": id_, "label": label} for id_, label in done.not_in_file],
    }


@bp.post("/meetings/<int:meeting_id>/import/<kind>")
def import_file(meeting_id: int, kind: str):
    """Upload from the console, in two steps and stateless: with `preview=1`
    the answer says what the import would do (new, updated, unchanged,
    refused rows, and what is not in the file) and nothing changes; the
    console then sends the same file again to store it."""
    actor = require_facilitator(meeting_id)
    check_csrf()
    if kind not in ("proposals", "plan-items"):
        return jsonify(error={"code": "not_found", "message": translate(N_("Not found."))}), 404
    upload = request.files.get("file")
    if upload is None:
        return jsonify(error={"code": "invalid", "message": translate(N_("Please choose a file."))}), 400
    preview = request.values.get("preview") in ("1", "true")
    try:
        result = read(kind, upload.filename or "", upload.read())
        if preview:
            try:
                return jsonify(preview=_plan_json(plan(db.session, meeting_id, kind, result), False)), 200
            finally:
                db.session.rollback()

        def job(session):
            done, event = store(session, meeting_id, actor, kind, result)
            return _plan_json(done, True), [(meeting_id, event)] if event else []
        answer = services().writer.call(job)
    except ImportFileError as exc:
        return jsonify(error={"code": "invalid", "message": translate(exc.message, exc.params)}), 400
    except ImportRejected as exc:
        problems = [{"row": p.row, "message": translate(p.message, p.params)} for p in exc.problems]
        return jsonify(error={"code": "invalid", "message": translate(
            N_("%(count)s rows could not be read. Nothing was imported."), {"count": exc.plan.refused_rows}),
            "problems": problems}, preview=_plan_json(exc.plan, False)), 400
    except CommandError as exc:
        return jsonify(error={"code": exc.code, "message": translate(exc.message, exc.params)}), 409
    except Unavailable:
        return jsonify(error={"code": "unavailable", "message": translate(Unavailable.message)}), 503
    return jsonify(imported=answer["counts"]["new"], result=answer), 200
