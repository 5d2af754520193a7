"""Sends committed events to the rooms, gathering bursts into few messages.

An event that is not the crowd's (a focus, a decision) goes out at once,
from the task that committed it, with whatever is pending. The crowd's
(votes, marks, supports, raised hands) wait for a window
(SINKRON_BATCH_WINDOW_MS, longer once a burst shows), so whatever commits in
the meantime shares a single `events` list, and a burst's last events go
once commits go quiet (pacing.py): 500 votes in a second become two messages
per client, not 500. Each list is encoded once per audience.

With several processes (SOCKETIO_MESSAGE_QUEUE set) each process still wakes
its own broadcaster after a commit, but what is sent is read back from the
event table under the meeting row's lock, from the meeting's broadcast cursor
on. So whichever process sends, events leave in seq order, each exactly once,
and all of them travel through the one message queue, which keeps that order
for every process's clients.

Rooms, per meeting:
  m<id>:full    the facilitator: sees tallies of hidden rounds
  m<id>:public  everyone else
  m<id>:staff   facilitator and hosts: presence
and, for connections that asked for totals instead of every crowd event
(`auth.compact`, meeting/compaction.py), m<id>:full:totals and
m<id>:public:totals, which get the same lists compacted.
"""
from __future__ import annotations

import contextlib
import logging
import threading
import time
from collections import defaultdict

from sqlalchemy import select, update

from ..meeting.compaction import CROWD_EVENTS, compact
from ..meeting.engine import event_wire, for_audience
from ..models import Event, Meeting
from .pacing import Pacing

log = logging.getLogger(__name__)

# Messages this process publishes for every process, itself included
# (python-socketio skips messages carrying its own host id).
ORDERED_HOST_ID = "sinkron-ordered"


def room(meeting_id: int, audience: str) -> str:
    return f"m{meeting_id}:{audience}"


class Broadcaster:
    def __init__(self, socketio, app, db):
        self.socketio = socketio
        self.app, self.db = app, db
        config = app.config
        self._lock = threading.RLock()
        # "naive": every event on its own message at once, the benchmarks' baseline.
        self.naive = config["SINKRON_BROADCAST_MODE"] == "naive"
        self.shared = bool(config.get("SOCKETIO_MESSAGE_QUEUE"))
        self._pending: dict[int, list[dict]] = defaultdict(list)
        self._wake = None
        self._started = False
        self._pacing = Pacing(config["SINKRON_BATCH_WINDOW_MS"] / 1000)
        self._hooks = []
        self.messages_sent = 0

    @property
    def window(self) -> float:
        """The window after a lone send (tests widen it)."""
        return self._pacing.window

    @window.setter
    def window(self, seconds: float) -> None:
        self._pacing = Pacing(seconds)

    def exclusive(self):
        """Held while committing + queueing (writer), while sending (here), and
        while a connecting client joins its rooms (live.py): so, in one process,
        a client never misses an event nor gets one twice from replay and
        broadcast. With several processes the meeting row lock orders sending
        instead, and holding a process lock while waiting for it would deadlock
        with this process's writer, which holds the row and waits for the lock."""
        return contextlib.nullcontext() if self.shared else self._lock

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
        """Queue committed events; the caller holds exclusive()."""
        if not events:
            return
        if self.naive and not self.shared:
            # Benchmark baseline: every event on its own message, at once.
            for meeting_id, event in events:
                self._send(meeting_id, [event])
            return
        self._start()
        for meeting_id, event in events:
            self._pending[meeting_id].append(event)
        crowd = all(event["type"] in CROWD_EVENTS for _, event in events)
        if self._pacing.published(time.monotonic(), crowd) and not self.shared:
            # Due now (not the crowd's, or a window has ended): out from the
            # committing task. Waking the broadcaster instead cost a task switch,
            # after the command's answer and whatever else was ready: the naive
            # mode's fan-out was faster.
            try:
                self.flush()
            except Exception:  # committed is committed: never fail the writer
                log.exception("broadcast failed")
            self._pacing.sent(time.monotonic())
            return
        self._wake.set()

    def crowd_quiet(self) -> None:
        """The writer saw a crowd stop (writer._take_first): the broadcaster's
        task sends what is pending now."""
        if not self._started:
            return
        with self.exclusive():
            self._pacing.crowd_stopped(time.monotonic())
        self._wake.set()

    def flush(self, meeting_id: int | None = None) -> None:
        """Send what is pending now (for one meeting, or all); caller holds exclusive()."""
        ids = [meeting_id] if meeting_id is not None else list(self._pending)
        for mid in ids:
            events = self._pending.pop(mid, None)
            if self.shared:
                self._flush_shared(mid)
            elif events:
                self._send(mid, events)

    def _flush_shared(self, meeting_id: int) -> None:
        session = self.db.session
        try:
            cursor, last = session.execute(
                select(Meeting.broadcast_seq, Meeting.last_seq)
                .where(Meeting.id == meeting_id).with_for_update()).one()
            if last > cursor:
                events = [event_wire(e) for e in session.scalars(
                    select(Event).where(Event.meeting_id == meeting_id, Event.seq > cursor,
                                        Event.seq <= last).order_by(Event.seq))]
                if self.naive:
                    for e in events:
                        self._send(meeting_id, [e])
                else:
                    self._send(meeting_id, events)
                session.execute(update(Meeting).where(Meeting.id == meeting_id)
                                .values(broadcast_seq=last))
            session.commit()
        except Exception:
            log.exception("shared broadcast failed; the next commit retries")
            session.rollback()

    def _send(self, meeting_id: int, events: list[dict]) -> None:
        public = [for_audience(e, full=False) for e in events]
        # The naive baseline sends every event as it is, also to compacting clients.
        squeeze = (lambda x, full: x) if self.naive else compact
        for name, data in ((room(meeting_id, "full"), events), (room(meeting_id, "public"), public),
                           (room(meeting_id, "full:totals"), squeeze(events, True)),
                           (room(meeting_id, "public:totals"), squeeze(public, False))):
            if not self.shared and not self._has_members(name):
                continue  # encoding a list nobody here receives costs as much as sending it
            if self.shared:
                # Through the queue only, even for this process's own clients:
                # that is what keeps one order across processes.
                self.socketio.server.manager._publish({
                    "method": "emit", "event": "events", "data": [data], "binary": False,
                    "namespace": "/", "room": name, "skip_sid": None, "callback": None,
                    "host_id": ORDERED_HOST_ID})
            else:
                self.socketio.emit("events", data, to=name)
        self.messages_sent += 1
        for hook in self._hooks:
            hook(meeting_id, events)

    def _has_members(self, name: str) -> bool:
        return bool(self.socketio.server.manager.rooms.get("/", {}).get(name))

    def _run(self) -> None:
        self.app.app_context().push()
        while True:
            self._wake.wait()
            self._wake.clear()
            # The window: events arriving within it after a send wait and go
            # out together, unless commits go quiet first.
            pacing = self._pacing
            while (rest := pacing.due() - time.monotonic()) > 0:
                # Woken early by a commit (due recomputed) or by the crowd's end.
                self._wake.wait(rest)
                self._wake.clear()
            with self.exclusive():
                if not self._pending:  # sent meanwhile from a commit outside any window
                    continue
                try:
                    self.flush()
                except Exception:  # the task must survive anything
                    log.exception("broadcast failed")
                pacing.sent(time.monotonic())
            self.db.session.remove()
