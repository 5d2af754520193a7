"""Sinkron: one participatory-planning meeting, two rooms, kept in sync."""
from __future__ import annotations

import os

from flask import Flask, request
from sqlalchemy import event
from sqlalchemy.engine import Engine

from . import config
from .extensions import babel, compress, db, migrate, socketio
from .live.broadcast import Broadcaster
from .live.presence import Presence
from .live.ratelimit import TokenBuckets
from .live.writer import Writer
from .services import Services, services  # noqa: F401 - services() is the package's API

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
        # None means same-origin only; other origins must be listed explicitly.
        cors_allowed_origins=app.config["CORS_ALLOWED_ORIGINS"] or None,
        max_http_buffer_size=1_000_000,
    )
    events.register_command_handler(app)
    broadcaster = Broadcaster(socketio, app, db)
    presence = Presence(socketio)
    app.extensions["sinkron"] = Services(
        broadcaster=broadcaster,
        writer=Writer(app, socketio, db, broadcaster),
        presence=presence,
        limiter=TokenBuckets(app.config["SINKRON_RATE_PER_SECOND"], app.config["SINKRON_RATE_BURST"]),
        join_limiter=TokenBuckets(app.config["SINKRON_JOIN_PER_MINUTE"] / 60,
                                  app.config["SINKRON_JOIN_PER_MINUTE"]),
    )
    broadcaster.on_sent(lambda meeting_id, sent: events.disconnect_revoked(presence, sent))
    from .web import register_blueprints
    register_blueprints(app)
    from .cli import register_cli
    register_cli(app)

    @app.context_processor
    def template_helpers():
        from flask_babel import get_locale
        from .labels import LANGUAGES
        return {"get_locale": get_locale, "languages": LANGUAGES}

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
        if request.path.startswith(("/f/", "/h/", "/p/")):
            response.headers["Cache-Control"] = "no-store"
        return response

    return app


# Handlers must be registered before the first init_app: Flask-SocketIO only
# replays handlers registered while it had no server onto each new app's server.
from .live import events  # noqa: E402


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
