"""The live machinery of one app (writer, broadcaster, presence, limits),
reachable from request and socket handlers through services()."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Callable

from flask import current_app

if TYPE_CHECKING:
    from .live.admission import Admission
    from .live.broadcast import Broadcaster
    from .live.presence import Presence
    from .live.ratelimit import TokenBuckets
    from .live.suggester import Suggester
    from .live.writer import Writer


@dataclass
class Services:
    """The live machinery of one app: one of each per process."""
    broadcaster: Broadcaster
    writer: Writer
    presence: Presence
    limiter: TokenBuckets       # commands per participant
    join_limiter: TokenBuckets  # joins per client address
    # Failed organiser sign-ins: {"account": Backoff, "address": Backoff}.
    sign_in_backoff: dict = field(default_factory=dict)
    # Runs CPU-heavy work (minutes) off the event loop; app.py sets eventlet's
    # thread pool here, so nothing in the package imports eventlet.
    run_blocking: Callable[..., Any] = field(default=lambda fn, *args: fn(*args))
    # Snapshots at a bounded rate: a reconnect storm must not starve live traffic.
    admission: Admission | None = None
    # Recomputes suggested plan items after changes, in a child process.
    suggester: Suggester | None = None


def services() -> Services:
    return current_app.extensions["sinkron"]
