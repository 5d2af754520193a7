"""Settings, read from the environment once, with defaults that are safe to run."""
from __future__ import annotations

import os
import secrets
from pathlib import Path

from .public_url import default_public_url


def _secret_key(instance_path: Path) -> str:
    """Use SECRET_KEY when given; otherwise generate one and keep it in the
    instance folder, so sessions survive a restart without a fixed string."""
    key = os.environ.get("SECRET_KEY")
    if key:
        return key
    key_file = instance_path / "secret_key"
    if key_file.exists():
        return key_file.read_text().strip()
    key = secrets.token_hex(32)
    key_file.write_text(key)
    key_file.chmod(0o600)
    return key


def _database_url(instance_path: Path) -> str:
    url = os.environ.get("DATABASE_URL")
    if not url:
        return f"sqlite:///{instance_path / 'sinkron.db'}"
    # Plain postgresql:// URLs (as hosting platforms hand them out) use psycopg 3.
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://"):]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://"):]
    return url


def _int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value else default


def _float(name: str, default: float) -> float:
    value = os.environ.get(name)
    return float(value) if value else default


def load(instance_path: str) -> dict:
    """The whole configuration, as a dict for app.config.from_mapping."""
    path = Path(instance_path)
    path.mkdir(parents=True, exist_ok=True)
    host = os.environ.get("HOST", "0.0.0.0")
    port = _int("PORT", 5000)
    public_url = (os.environ.get("PUBLIC_URL") or default_public_url(host, port)).rstrip("/")
    https = public_url.startswith("https://")
    return {
        "SECRET_KEY": _secret_key(path),
        "SQLALCHEMY_DATABASE_URI": _database_url(path),
        "SOCKETIO_MESSAGE_QUEUE": os.environ.get("SOCKETIO_MESSAGE_QUEUE") or None,
        # Processes serving the same meetings share a channel on the queue.
        "SOCKETIO_CHANNEL": os.environ.get("SOCKETIO_CHANNEL") or "sinkron",
        "SINKRON_ASYNC_MODE": os.environ.get("SINKRON_ASYNC_MODE") or "threading",
        "HOST": host,
        "PORT": port,
        # The address phones use; QR codes and links are built from it. Unset:
        # this machine's address on the network that holds the default route.
        "PUBLIC_URL": public_url,
        "PUBLIC_URL_FROM_ENV": bool(os.environ.get("PUBLIC_URL")),
        # How many reverse proxies in front of the app add X-Forwarded-* headers;
        # 0 ignores those headers (anyone could send them).
        "SINKRON_TRUSTED_PROXIES": _int("SINKRON_TRUSTED_PROXIES", 0),
        # Seconds a process's connections stay listed after it stops renewing
        # them (it crashed), with several processes (live/presence.py).
        "SINKRON_PRESENCE_TTL": _float("SINKRON_PRESENCE_TTL", 30.0),
        # Events kept for replay to a reconnecting client; older ones get a snapshot.
        "SINKRON_REPLAY_LIMIT": _int("SINKRON_REPLAY_LIMIT", 1000),
        # How long the broadcaster gathers events into one list under bursts.
        "SINKRON_BATCH_WINDOW_MS": _int("SINKRON_BATCH_WINDOW_MS", 60),
        # "naive" sends every event on its own, for benchmarks only.
        "SINKRON_BROADCAST_MODE": os.environ.get("SINKRON_BROADCAST_MODE", "batched"),
        # Commands per participant: sustained rate and burst size.
        "SINKRON_RATE_PER_SECOND": _int("SINKRON_RATE_PER_SECOND", 10),
        "SINKRON_RATE_BURST": _int("SINKRON_RATE_BURST", 20),
        # Joins per client address per minute: a whole room shares one address.
        "SINKRON_JOIN_PER_MINUTE": _int("SINKRON_JOIN_PER_MINUTE", 600),
        # Connections (and snapshots) admitted per second: in a reconnect storm
        # the connecting clients wait their turn (0: no limit).
        "SINKRON_CONNECTS_PER_SECOND": _int("SINKRON_CONNECTS_PER_SECOND", 10),
        "SINKRON_CONNECT_BURST": _int("SINKRON_CONNECT_BURST", 5),
        # Seconds between log lines listing in-memory structure sizes (soak tests; 0: off).
        "SINKRON_REPORT_STRUCTURES_SECONDS": _int("SINKRON_REPORT_STRUCTURES_SECONDS", 0),
        # Each spreadsheet import is parsed in a child process with these limits.
        "SINKRON_IMPORT_MEMORY_MB": _int("SINKRON_IMPORT_MEMORY_MB", 512),
        "SINKRON_IMPORT_SECONDS": _int("SINKRON_IMPORT_SECONDS", 20),
        # Suggested plan items are computed in a child process after changes to
        # proposals or plan items: SINKRON_SUGGESTIONS=0 turns that off; the
        # computation starts this many seconds after the last change (at most
        # MAX_DELAY after the first) and may take SECONDS.
        "SINKRON_SUGGESTIONS": os.environ.get("SINKRON_SUGGESTIONS", "1").lower() not in ("0", "off", "false", "no"),
        "SINKRON_SUGGESTIONS_DELAY": _float("SINKRON_SUGGESTIONS_DELAY", 0.5),
        "SINKRON_SUGGESTIONS_MAX_DELAY": _float("SINKRON_SUGGESTIONS_MAX_DELAY", 5.0),
        "SINKRON_SUGGESTIONS_SECONDS": _float("SINKRON_SUGGESTIONS_SECONDS", 120.0),
        "CORS_ALLOWED_ORIGINS": [o for o in os.environ.get("CORS_ALLOWED_ORIGINS", "").split(",") if o],
        "BABEL_DEFAULT_LOCALE": "id",
        "BABEL_DEFAULT_TIMEZONE": "UTC",
        "MAX_CONTENT_LENGTH": 10 * 1024 * 1024,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        # Behind HTTPS, cookies never travel in the clear and browsers are told
        # to use HTTPS only (HSTS, sent in create_app).
        "SESSION_COOKIE_SECURE": https,
        "PREFERRED_URL_SCHEME": "https" if https else "http",
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        "COMPRESS_MIMETYPES": [
            "text/html", "text/css", "text/javascript", "application/javascript",
            "application/json", "image/svg+xml", "text/markdown", "text/csv",
        ],
        "COMPRESS_ALGORITHM": ["gzip"],
        "COMPRESS_MIN_SIZE": 500,
    }
