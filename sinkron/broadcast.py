"""Sends committed events to the rooms, gathering bursts into few messages.

A lone event goes out at once. After each send the broadcaster waits one
window (SINKRON_BATCH_WINDOW_MS) before the next, so whatever commits in the
meantime shares a single `events` list: 300 votes in a second become a dozen
messages per client, not 300. Each list is encoded once per audience.

Rooms, per meeting:
  m<id>:full    the facilitator: sees tallies of hidden rounds
  m<id>:public  everyone else
  m<id>:staff   facilitator and hosts: presence
"""
from __future__ import annotations

import threading
import time
from collections import defaultdict

from .meeting.engine import for_audience


def room(meeting_id: int, audience: str) -> str:
    return f"m{meeting_id}:{audience}"


class Broadcaster:
    def __init__(self, socketio, config):
        self.socketio = socketio
        # Held while committing + queueing (writer), while sending (here), and
        # while a connecting client joins its rooms (live.py): so a client never
        # misses an event, nor gets one twice from replay and broadcast.
        self.lock = threading.RLock()
        self.window = config["SINKRON_BATCH_WINDOW_MS"] / 1000
        # "naive": every event on its own message at once, the benchmarks' baseline.
        self.naive = config["SINKRON_BROADCAST_MODE"] == "naive"
        self._pending: dict[int, list[dict]] = defaultdict(list)
        self._wake = None
        self._started = False
        self._hooks = []
        self.messages_sent = 0

    def on_sent(self, hook) -> None:
        """Call hook(meeting_id, events) after events went out (e.g. to disconnect
        revoked participants)."""
        self._hooks.append(hook)

    def _start(self) -> None:
        if not self._started:
            self._started = True
            self._wake = self.socketio.server.eio.create_event()
            self.socketio.start_background_task(self._run)

    def publish(self, events: list[tuple[int, dict]]) -> None:
        """Queue committed events; the caller holds self.lock."""
        if not events:
            return
        if self.naive:
            # Benchmark baseline: every event on its own message, at once.
            for meeting_id, event in events:
                self._send(meeting_id, [event])
            return
        self._start()
        for meeting_id, event in events:
            self._pending[meeting_id].append(event)
        self._wake.set()

    def flush(self, meeting_id: int | None = None) -> None:
        """Send what is pending now (for one meeting, or all); caller holds self.lock."""
        ids = [meeting_id] if meeting_id is not None else list(self._pending)
        for mid in ids:
            events = self._pending.pop(mid, None)
            if events:
                self._send(mid, events)

    def _send(self, meeting_id: int, events: list[dict]) -> None:
        public = [for_audience(e, full=False) for e in events]
        self.socketio.emit("events", events, to=room(meeting_id, "full"))
        self.socketio.emit("events", public, to=room(meeting_id, "public"))
        self.messages_sent += 1
        for hook in self._hooks:
            hook(meeting_id, events)

    def _run(self) -> None:
        while True:
            self._wake.wait()
            self._wake.clear()
            started = time.monotonic()
            with self.lock:
                self.flush()
            # The window: events arriving meanwhile wait and go out together.
            rest = self.window - (time.monotonic() - started)
            if rest > 0:
                self.socketio.sleep(rest)
