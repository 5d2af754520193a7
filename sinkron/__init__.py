"""Sinkron: one participatory-planning meeting, two rooms, kept in sync."""
from __future__ import annotations

import logging
import os

from flask import Flask, request
from sqlalchemy import event
from sqlalchemy.engine import Engine
from werkzeug.middleware.proxy_fix import ProxyFix

from . import config, safe_json
from .extensions import babel, compress, db, migrate, socketio
from .live.admission import Admission
from .live.broadcast import Broadcaster
from .live.presence import LocalStore, Presence, RedisStore
from .live.ratelimit import Backoff, RedisBackoff, RedisTokenBuckets, TokenBuckets
from .live.suggester import Suggester
from .live.writer import Writer
from .public_url import is_loopback_url, origin_of
from .services import Services, services  # noqa: F401 - services() is the package's API

log = logging.getLogger(__name__)

MIGRATIONS = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "migrations")


def create_app(overrides: dict | None = None) -> Flask:
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    app = Flask(__name__, template_folder=os.path.join(root, "templates"),
                static_folder=os.path.join(root, "static"),
                instance_path=os.environ.get("SINKRON_INSTANCE") or os.path.join(root, "instance"))
    app.config.from_mapping(config.load(app.instance_path))
    if overrides:
        app.config.update(overrides)

    db.init_app(app)
    migrate.init_app(app, db, directory=MIGRATIONS)
    from .i18n import select_locale
    babel.init_app(app, locale_selector=select_locale,
                   default_translation_directories=os.path.join(os.path.dirname(__file__), "translations"))
    compress.init_app(app)
    socketio.init_app(
        app,
        async_mode=app.config["SINKRON_ASYNC_MODE"],
        message_queue=app.config["SOCKETIO_MESSAGE_QUEUE"],
        channel=app.config["SOCKETIO_CHANNEL"],
        cors_allowed_origins=allowed_origins(app.config),
        max_http_buffer_size=1_000_000,
        # Frames nested deeper than any message needs are refused, not parsed.
        json=safe_json,
    )
    from .live.guard import quieten_frame_errors
    quieten_frame_errors()
    events.register_command_handler(app)
    if app.config["SINKRON_TRUSTED_PROXIES"] > 0:
        # Outside the Socket.IO middleware, so socket handlers see the real
        # client address too. Without the setting the headers are ignored.
        hops = app.config["SINKRON_TRUSTED_PROXIES"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops, x_port=hops)
    broadcaster = Broadcaster(socketio, app, db)
    app.extensions["sinkron"] = _live_services(app, broadcaster)
    presence = app.extensions["sinkron"].presence
    broadcaster.on_sent(lambda meeting_id, sent: events.disconnect_revoked(presence, sent, meeting_id))
    broadcaster.on_sent(app.extensions["sinkron"].suggester.notice)
    from .web import register_blueprints
    register_blueprints(app)
    from .cli import register_cli
    register_cli(app)

    @app.context_processor
    def template_helpers():
        from flask_babel import get_locale
        from .labels import LANGUAGES, MEETING_STATUS_LABELS
        from .web.csrf import csrf_token
        return {"get_locale": get_locale, "languages": LANGUAGES, "status_labels": MEETING_STATUS_LABELS,
                "session_csrf": csrf_token,
                "public_url_is_loopback": is_loopback_url(app.config["PUBLIC_URL"])}

    @app.after_request
    def security_headers(response):
        # Scripts and styles come only from this server: no inline script, no CDN.
        response.headers.setdefault(
            "Content-Security-Policy",
            "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
            "connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; "
            "frame-ancestors 'none'; form-action 'self'")
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "no-referrer")
        if app.config["SESSION_COOKIE_SECURE"]:
            response.headers.setdefault("Strict-Transport-Security", "max-age=31536000")
        if request.path.startswith(("/f/", "/h/", "/p/")):
            response.headers["Cache-Control"] = "no-store"
        return response

    return app


def allowed_origins(config) -> list[str]:
    """The pages that may open a Socket.IO connection: the public URL's and
    this server's own loopback address, plus CORS_ALLOWED_ORIGINS. Listed
    explicitly: otherwise engine.io derives "same origin" from the request,
    X-Forwarded-Host included, which any client can send."""
    origins = [origin_of(config["PUBLIC_URL"])]
    for host in ("localhost", "127.0.0.1", "[::1]"):
        origins.append(f"http://{host}:{config['PORT']}")
    origins += config["CORS_ALLOWED_ORIGINS"]
    return list(dict.fromkeys(origins))


def _live_services(app: Flask, broadcaster: Broadcaster) -> Services:
    """One process keeps presence and limits in memory; several share them in
    the Redis that carries their message queue."""
    config = app.config
    queue = config["SOCKETIO_MESSAGE_QUEUE"] or ""
    join_rate = config["SINKRON_JOIN_PER_MINUTE"]
    # A failed sign-in from an address or against an account: 5 free tries
    # per account, 10 per address (offices share one), then waits doubling
    # up to 30 s per account, 5 minutes per address.
    backoff = {"account": (5, 30.0), "address": (10, 300.0)}
    if queue.startswith(("redis://", "rediss://", "unix://")):
        import redis
        from redis.backoff import NoBackoff
        from redis.retry import Retry
        # Fail fast: an unreachable Redis skips a limit rather than stall a request.
        shared = redis.Redis.from_url(queue, socket_timeout=2, socket_connect_timeout=1,
                                      retry=Retry(NoBackoff(), 1))
        prefix = config["SOCKETIO_CHANNEL"]
        presence = Presence(socketio, RedisStore(shared, f"{prefix}:presence",
                                                 config["SINKRON_PRESENCE_TTL"]),
                            ttl=config["SINKRON_PRESENCE_TTL"])
        limiter = RedisTokenBuckets(shared, f"{prefix}:rate:command",
                                    config["SINKRON_RATE_PER_SECOND"], config["SINKRON_RATE_BURST"])
        join_limiter = RedisTokenBuckets(shared, f"{prefix}:rate:join", join_rate / 60, join_rate)
        sign_in = {k: RedisBackoff(shared, f"{prefix}:backoff:{k}", *v) for k, v in backoff.items()}
    else:
        if queue:
            log.warning("the message queue is not Redis: presence and rate limits stay per process")
        presence = Presence(socketio, LocalStore(), ttl=config["SINKRON_PRESENCE_TTL"])
        limiter = TokenBuckets(config["SINKRON_RATE_PER_SECOND"], config["SINKRON_RATE_BURST"])
        join_limiter = TokenBuckets(join_rate / 60, join_rate)
        sign_in = {k: Backoff(*v) for k, v in backoff.items()}
    writer = Writer(app, socketio, db, broadcaster)
    return Services(broadcaster=broadcaster, writer=writer, suggester=Suggester(app, socketio, writer),
                    presence=presence, limiter=limiter, join_limiter=join_limiter,
                    sign_in_backoff=sign_in,
                    # Per process: each process guards its own event loop.
                    admission=Admission(config["SINKRON_CONNECTS_PER_SECOND"],
                                        config["SINKRON_CONNECT_BURST"], socketio.sleep))


# Handlers must be registered before the first init_app: Flask-SocketIO only
# replays handlers registered while it had no server onto each new app's server.
from .live import clock, events  # noqa: E402,F401 - registers their handlers


@event.listens_for(Engine, "connect")
def _sqlite_connect(dbapi_connection, connection_record):
    """SQLite: WAL so readers never block the writer, foreign keys on, and
    transactions (with SAVEPOINTs) handled by SQLAlchemy, not the driver.
    synchronous=FULL: an acknowledged command survives a power cut too."""
    import sqlite3
    if not isinstance(dbapi_connection, sqlite3.Connection):
        return
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=FULL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.close()


@event.listens_for(Engine, "begin")
def _sqlite_begin(conn):
    if conn.dialect.name == "sqlite":
        conn.exec_driver_sql("BEGIN")
