"""Every in-memory structure of a server process that grows with use, and
its size: what the soak (bench/soak.py) watches for leaks. With
SINKRON_REPORT_STRUCTURES_SECONDS set, a background task logs them as one
JSON line ("structures {...}") that often; off by default."""
from __future__ import annotations

import json
import logging

log = logging.getLogger(__name__)


def sizes(app, socketio) -> dict:
    from . import events
    s = app.extensions["sinkron"]
    manager = socketio.server.manager
    rooms = getattr(manager, "rooms", {}) or {}
    writer_queue = getattr(s.writer, "_queue", None)
    return {
        "sessions": len(events.sessions),                                  # sid -> who
        "presence_connections": len(s.presence.connections),
        "presence_dirty": len(getattr(s.presence, "_dirty", ())),
        # In Redis (several processes) these live there, with expiries, not here.
        "command_limiter_keys": len(getattr(s.limiter, "_buckets", {})),
        "join_limiter_keys": len(getattr(s.join_limiter, "_buckets", {})),
        "sign_in_backoff_keys": sum(len(getattr(b, "_failures", {}))
                                    for b in s.sign_in_backoff.values()),
        "broadcast_pending_meetings": len(s.broadcaster._pending),
        "broadcast_pending_events": sum(len(v) for v in s.broadcaster._pending.values()),
        "writer_queue": writer_queue.qsize() if writer_queue is not None else 0,
        "admission_waiting": s.admission.waiting if s.admission else 0,
        "socketio_rooms": sum(len(r) for r in rooms.values()),
        "socketio_room_members": sum(len(m) for r in rooms.values() for m in r.values()),
        "socketio_pending_acks": sum(len(v) for v in getattr(manager, "callbacks", {}).values()),
        "engineio_sockets": len(socketio.server.eio.sockets),
    }


def start_reporting(app, socketio, every: float) -> None:
    def run():
        while True:
            socketio.sleep(every)
            try:
                log.warning("structures %s", json.dumps(sizes(app, socketio)))
            except Exception as exc:  # noqa: BLE001 - a report must never stop the server
                log.warning("structures unavailable: %s", exc)
    socketio.start_background_task(run)
