"""Socket.IO: authenticate, dispatch, acknowledge, replay.

Thin on purpose: the rules live in sinkron/meeting/, batching and commits in
writer.py, sending in broadcast.py. See docs/protocol.md for the contract."""
from __future__ import annotations

import functools
import logging
from dataclasses import dataclass

from flask import current_app, request
from flask_socketio import ConnectionRefusedError, join_room
from sqlalchemy import select

from ..services import services
from .broadcast import room
from .guard import Refusal, check_arguments
from ..extensions import db, socketio
from ..i18n import DEFAULT as DEFAULT_LANGUAGE
from ..i18n import pick_language, translate
from ..meeting import engine, snapshot
from ..meeting.compaction import compact
from ..meeting.errors import N_, CommandError
from ..meeting.permissions import Actor, may
from ..meetings import authenticate
from ..models import Event, Meeting, Participant, Proposal
from .presence import Connection
from .writer import Unavailable

log = logging.getLogger(__name__)


@dataclass
class Session:
    actor: Actor
    lang: str
    # Asked for totals instead of every crowd event (auth.compact; docs/protocol.md).
    compact: bool = False


# sid -> who is on that connection (per process).
sessions: dict[str, Session] = {}


def _error(code: str, message: str, lang: str, params: dict | None = None) -> dict:
    return {"ok": False, "error": {"code": code, "message": translate(message, params, lang)}}


def never_raises(handler):
    """No event answers with an unhandled exception, whatever is sent."""
    @functools.wraps(handler)
    def wrapper(*args):
        try:
            return handler(*args)
        except ConnectionRefusedError:
            raise
        except Exception:
            log.exception("socket handler %s failed", handler.__name__)
            db.session.rollback()
            lang = sessions[request.sid].lang if request.sid in sessions else None
            return _error("unavailable", Unavailable.message, lang)
    return wrapper


def checked(least: int = 1, most: int = 1):
    """Validate the frame before anything else: argument count, nesting,
    text. A refusal is `invalid`, costs the sender a token of the command
    rate limit (so a flood is answered `rate_limited`) and writes one log line."""
    def decorate(handler):
        @functools.wraps(handler)
        def wrapper(*args):
            try:
                check_arguments(args, least, most)
            except Refusal as exc:
                return refuse(exc.message, exc.params)
            return handler(*args)
        return wrapper
    return decorate


def refuse(message: str, params: dict | None = None, sid: str | None = None,
           event: str | None = None) -> dict:
    """`invalid`, rate-limited, with one log line. `sid` and `event` default
    to the Flask-SocketIO request's (the raw `command` handler has none)."""
    sid = sid or request.sid
    if event is None:
        event = (getattr(request, "event", None) or {}).get("message")
    s = sessions.get(sid)
    lang = s.lang if s else None
    key = (s.actor.participant_id if s else None) or sid
    if not services().limiter.allow(key):
        return _error("rate_limited", N_("Too many actions at once. Wait a moment."), lang)
    log.warning("refused %r from %s: %s", event, sid[:8], translate(message, params, "en"))
    return _error("invalid", message, lang, params)


def sent_by_client() -> bool:
    """`connect` and `disconnect` belong to the library's lifecycle, which runs
    their handlers while the connection is pending (not yet, or no longer,
    connected). The same names sent as ordinary events by a client arrive on
    a connected socket: those must change nothing."""
    return socketio.server.manager.is_connected(request.sid, request.namespace or "/")


def refuse_reserved() -> dict:
    return refuse(N_("'%(event)s' belongs to the connection itself and cannot be sent."),
                  {"event": request.event["message"]})


def rooms_for(actor: Actor, compact: bool = False) -> list[str]:
    audience = "full" if engine.audience_is_full(actor.role) else "public"
    names = [room(actor.meeting_id, audience + (":totals" if compact else ""))]
    if may(actor.role, "moderate"):  # staff: those who check in and moderate
        names.append(room(actor.meeting_id, "staff"))
    return names


@socketio.on("connect")
@never_raises
def on_connect(auth=None):
    if sent_by_client():
        return refuse_reserved()
    auth = auth if isinstance(auth, dict) else {}
    lang = pick_language(auth.get("lang"))
    # Authenticate (one indexed lookup) before the gate: a flood of made-up
    # tokens is refused at once and takes no turn from real reconnects.
    actor = authenticate(db.session, auth.get("token"))
    if actor is None:
        db.session.rollback()
        message = translate(
            N_("This link is not valid (any more). Ask the facilitator for a new one."), None, lang)
        # Two arguments: Socket.IO clients get `message`, and `data` = {code, message}
        # (one dict argument would arrive as its Python repr in `message`).
        raise ConnectionRefusedError(message, {"code": "forbidden", "message": message})
    db.session.rollback()
    category = None
    if actor.participant_id is not None:
        category = db.session.get(Participant, actor.participant_id).category
    db.session.rollback()
    s = sessions[request.sid] = Session(actor, lang, auth.get("compact") is True)
    if actor.role == "facilitator":
        # Suggestions may be stale after a change made while no server ran.
        services().suggester.check(actor.meeting_id)
    services().presence.add(request.sid, Connection(
        actor.meeting_id, actor.role, actor.site_id, actor.participant_id, category))
    admission = services().admission
    if admission is None or admission.try_take():
        send_state(s, auth.get("last_seq"), join=True)
        return
    # Its turn comes later: accepted now, so that the socket keeps being read
    # (pongs included) while it waits; its state follows when admitted.
    socketio.start_background_task(_send_when_admitted, current_app._get_current_object(),
                                   request.sid, s, auth.get("last_seq"))


def _send_when_admitted(app, sid: str, s: Session, last_seq) -> None:
    with app.app_context():
        try:
            if services().admission.wait(wanted=lambda: sessions.get(sid) is s) is not None:
                send_state(s, last_seq, join=True, sid=sid)  # sends nothing if it left meanwhile
        except Exception:  # a background task must not die loudly; the client may sync
            log.exception("sending the state of an admitted connection failed")
        finally:
            db.session.remove()


@socketio.on("disconnect")
@never_raises
def on_disconnect(*_):
    if sent_by_client():
        return refuse_reserved()
    sessions.pop(request.sid, None)
    services().presence.remove(request.sid)


def _admit() -> None:
    """Connections (and snapshots) at a bounded rate: in a reconnect storm
    the connecting clients wait their turn, live traffic does not."""
    admission = services().admission
    if admission is not None:
        admission.wait()
        socketio.sleep(0)


def send_state(s: Session, last_seq, join: bool, sid: str | None = None) -> None:
    """The missed events when `last_seq` is recent enough, else a snapshot.
    `sid` outside a Socket.IO handler (an admitted connection's task)."""
    sid = sid or request.sid
    actor = s.actor
    broadcaster = services().broadcaster
    with broadcaster.exclusive():
        # Everything committed goes out first; then the client joins its rooms,
        # so events up to `upto` come by replay and every later one by broadcast.
        broadcaster.flush(actor.meeting_id)
        if join:
            if sessions.get(sid) is not s:  # left while waiting its turn: join nothing
                return
            for name in rooms_for(actor, s.compact):
                join_room(name, sid=sid, namespace="/")
        upto = db.session.scalar(select(Meeting.last_seq).where(Meeting.id == actor.meeting_id))
        db.session.rollback()
    limit = current_app.config["SINKRON_REPLAY_LIMIT"]
    if (isinstance(last_seq, int) and not isinstance(last_seq, bool)
            and 0 <= last_seq <= upto and upto - last_seq <= limit):
        rows = db.session.scalars(select(Event).where(
            Event.meeting_id == actor.meeting_id, Event.seq > last_seq, Event.seq <= upto)
            .order_by(Event.seq)).all()
        full = engine.audience_is_full(actor.role)
        missed = [engine.for_audience(engine.event_wire(e), full) for e in rows]
        db.session.rollback()
        if s.compact:
            missed = compact(missed, full)
        socketio.emit("events", missed, to=sid)
        return
    if not join:  # a connect was admitted already (on_connect)
        _admit()
    state = snapshot.build(db.session, actor)
    db.session.rollback()
    if may(actor.role, "moderate"):
        state["presence"] = services().presence.summary(actor.meeting_id)
    socketio.emit("snapshot", state, to=sid)
    socketio.sleep(0)  # let live traffic through between snapshots


@socketio.on("sync")
@never_raises
@checked(least=0, most=1)
def on_sync(payload=None):
    s = sessions.get(request.sid)
    if s is None:
        return _error("forbidden", N_("Your role may not do this."), None)
    last_seq = payload.get("last_seq") if isinstance(payload, dict) else None
    send_state(s, last_seq, join=False)
    return {"ok": True}


def register_command_handler(app) -> None:
    """`command` is the burst event (everyone votes at once), so it is handled
    on the Socket.IO server itself, in an app context: Flask-SocketIO's
    handlers push a whole request context per event (URL matching, session
    cookie, a signing serializer), which cost more than the command. The
    command needs the connection's session and the app, nothing of a request.
    Called by create_app for the server init_app made."""
    server = socketio.server

    def on_command(sid, *args):
        # The connection's app, as Flask-SocketIO's own handlers take it (in
        # tests, several apps share the one SocketIO object).
        environ = server.get_environ(sid) or {}
        with environ.get("flask.app", app).app_context():
            s = sessions.get(sid)
            lang = s.lang if s is not None else DEFAULT_LANGUAGE
            try:
                # Any number of arguments arrives here, so a wrong count is
                # refused like every other bad frame, not a TypeError.
                check_arguments(args, 1, 1)
            except Refusal as exc:
                return refuse(exc.message, exc.params, sid=sid, event="command")
            try:
                return command(sid, s, args[0])
            except Exception:  # no event answers with an unhandled exception
                log.exception("socket handler command failed")
                db.session.rollback()
                return _error("unavailable", Unavailable.message, lang)
    server.on("command", on_command, namespace="/")


def command(sid: str, s: Session | None, payload) -> dict:
    if s is None:
        return _error("forbidden", N_("Your role may not do this."), DEFAULT_LANGUAGE)
    if not services().limiter.allow(s.actor.participant_id or sid):
        return _error("rate_limited", N_("Too many actions at once. Wait a moment."), s.lang)
    try:
        accepted = services().writer.command(s.actor, payload)
    except CommandError as exc:
        return _error(exc.code, exc.message, s.lang, exc.params)
    except Unavailable:
        return _error("unavailable", Unavailable.message, s.lang)
    return {"ok": True, "seq": accepted.seq}


@socketio.on("comments")
@never_raises
@checked()
def on_comments(payload=None):
    """Earlier comments on a proposal (or the meeting), on request: a
    participant's snapshot holds only the latest few of each."""
    s = sessions.get(request.sid)
    if s is None:
        return _error("forbidden", N_("Your role may not do this."), None)
    if not isinstance(payload, dict) or set(payload) - {"proposal_id", "before_id"}:
        return refuse(N_("Ask for earlier comments with {proposal_id, before_id}."))
    proposal_id, before_id = payload.get("proposal_id"), payload.get("before_id")
    for value in (proposal_id, before_id):
        if value is not None and not (_is_int(value) and 0 < value < 2**31):
            return refuse(N_("Ask for earlier comments with {proposal_id, before_id}."))
    if not services().limiter.allow(s.actor.participant_id or request.sid):
        return _error("rate_limited", N_("Too many actions at once. Wait a moment."), s.lang)
    try:
        comments, more = snapshot.earlier_comments(db.session, s.actor, proposal_id, before_id)
    finally:
        db.session.rollback()
    return {"ok": True, "comments": comments, "more": more}


@socketio.on("shown")
@never_raises
@checked()
def on_shown(payload=None):
    """Projectors report what they show, for the facilitator's sync panel.
    A report is checked against the meeting first: the panel must not show a
    proposal or a seq that does not exist as if a projector displayed it."""
    s = sessions.get(request.sid)
    if s is None or s.actor.role != "projector":
        return _error("forbidden", N_("Your role may not do this."), s.lang if s else None)
    problem = _shown_problem(s.actor.meeting_id, payload)
    if problem:
        return refuse(problem)
    services().presence.shown(request.sid, payload.get("proposal_id"), payload["seq"])
    return None


def _shown_problem(meeting_id: int, payload) -> str | None:
    if not isinstance(payload, dict) or set(payload) - {"proposal_id", "seq"}:
        return N_("A report of what is shown is {proposal_id, seq}.")
    proposal_id, seq = payload.get("proposal_id"), payload.get("seq")
    if not _is_int(seq) or proposal_id is not None and not _is_int(proposal_id):
        return N_("A report of what is shown is {proposal_id, seq}.")
    if proposal_id is not None and not 0 < proposal_id < 2**31:  # beyond any id column
        return N_("Not found in this meeting.")
    try:
        last_seq = db.session.scalar(select(Meeting.last_seq).where(Meeting.id == meeting_id))
        known = proposal_id is None or db.session.scalar(select(Proposal.id).where(
            Proposal.id == proposal_id, Proposal.meeting_id == meeting_id)) is not None
    finally:
        db.session.rollback()
    if not 0 <= seq <= (last_seq or 0):
        return N_("That seq does not exist in this meeting.")
    if not known:
        return N_("Not found in this meeting.")
    return None


def _is_int(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


@socketio.on_error_default
def on_any_error(exc):  # pragma: no cover - never_raises catches first
    log.exception("unhandled socket error: %s", exc)
    return {"ok": False, "error": {"code": "unavailable", "message": str(Unavailable.message)}}


def disconnect_revoked(presence, events: list[dict], meeting_id: int | None = None) -> None:
    """A revoked participant's open connections are closed at once, and so are
    those opened with a link that was just replaced. Presence lists the
    connections of every process; the message queue carries the disconnect
    to the process that holds each one."""
    for e in events:
        data = e["data"]
        if e["type"] == "participant.revoke" or (
                e["type"] == "link.replace" and data.get("participant_id") is not None):
            sids = presence.sids_of(data["participant_id"])
        elif e["type"] == "link.replace" and data.get("role") == "projector" and meeting_id is not None:
            sids = presence.projector_sids(meeting_id, data["site_id"])
        else:
            continue
        for sid in sids:
            socketio.server.disconnect(sid)

