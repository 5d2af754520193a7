"""`clock`: the server's time, for clients to measure their clock's offset,
and their report of it for the facilitator's sync panel (docs/protocol.md)."""
from __future__ import annotations

import math
import time

from flask import request

from ..extensions import socketio
from ..services import services
from .events import never_raises, sessions

# Ten years either way is not a clock, it is a bug; a minute's round trip is
# not a measurement.
MAX_OFFSET_MS = 10 * 365 * 24 * 3600 * 1000
MAX_RTT_MS = 60_000


def _number(value, low: float, high: float) -> int | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    if not math.isfinite(value) or not low <= value <= high:
        return None
    return round(value)


@socketio.on("clock")
@never_raises
def on_clock(payload=None):
    """Answers {"now": server time in ms since the epoch}. A payload with
    the client's measured {offset_ms, rtt_ms} is kept in presence."""
    if request.sid not in sessions:
        return None
    if isinstance(payload, dict) and "offset_ms" in payload:
        offset = _number(payload.get("offset_ms"), -MAX_OFFSET_MS, MAX_OFFSET_MS)
        rtt = _number(payload.get("rtt_ms"), 0, MAX_RTT_MS)
        if offset is not None and rtt is not None:
            services().presence.clock(request.sid, offset, rtt)
    return {"now": time.time() * 1000}
