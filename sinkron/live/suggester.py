"""When suggestions are computed: after a change to what the matcher reads.

Every event that went out is shown to notice(); an import, an added, edited,
withdrawn or restored proposal (meeting/suggestions.TRIGGERS) schedules the
meeting. Changes that follow each other are gathered: the computation starts
DELAY seconds after the last one (at most MAX_DELAY after the first), so an
edit session costs one computation, not one per keystroke saved.

One background task per process computes, one meeting at a time, in a child
process (suggesting/child.py): never on the event loop. The child answers
only what changed, and it is stored through the writer like any command, in
parts of PART_SIZE proposals (so a first answer of hundreds does not hold
the sockets either): each part's `suggestions.update` event gets its seq in
order and goes out through the broadcaster to every process's clients.
With several processes each event is sent (and so noticed) by one process
only; should two compute for the same inputs, the fingerprint makes the
second store nothing.

A meeting is also checked once per process when its facilitator connects:
a change made while no server ran (a CLI import, a restart before the
computation) is caught up then; with current suggestions the child only
compares fingerprints."""
from __future__ import annotations

import logging
import time

from ..meeting.suggestions import Stale, needs_recompute, store_and_announce
from ..models import utcnow
from ..suggesting import child

log = logging.getLogger(__name__)

POLL_SECONDS = 0.05
# Proposals stored per writer job (and event): a meeting's first answer names
# hundreds, and storing them in one job would hold every socket of the
# process meanwhile.
PART_SIZE = 25


class Debounce:
    """Which meeting to compute when: DELAY after its last change, at most
    MAX_DELAY after its first change not yet computed. Times are the
    caller's (monotonic seconds), so the rule is tested without waiting."""

    def __init__(self, delay: float, max_delay: float):
        self.delay, self.max_delay = delay, max(delay, max_delay)
        self.due: dict[int, float] = {}    # meeting id -> when to compute
        self._first: dict[int, float] = {}  # meeting id -> its first change not yet computed

    def change(self, meeting_id: int, now: float) -> None:
        first = self._first.setdefault(meeting_id, now)
        self.due[meeting_id] = min(now + self.delay, first + self.max_delay)

    def next_due(self, now: float) -> int | None:
        """The meeting due at `now` (taken off the schedule), or None."""
        if not self.due:
            return None
        meeting_id, due = min(self.due.items(), key=lambda kv: kv[1])
        if due > now:
            return None
        del self.due[meeting_id]
        self._first.pop(meeting_id, None)
        return meeting_id


class Suggester:
    def __init__(self, app, socketio, writer):
        config = app.config
        self.app, self.socketio, self.writer = app, socketio, writer
        self.enabled = bool(config["SINKRON_SUGGESTIONS"])
        self.debounce = Debounce(config["SINKRON_SUGGESTIONS_DELAY"],
                                 config["SINKRON_SUGGESTIONS_MAX_DELAY"])
        self.seconds = config["SINKRON_SUGGESTIONS_SECONDS"]
        self._checked: set[int] = set()
        self._started = False
        self._wake = None
        # Read by tests and benchmarks.
        self.computations = 0  # child processes run
        self.stored = 0        # suggestions.update events appended

    def notice(self, meeting_id: int, events: list[dict]) -> None:
        """Broadcaster hook: the events that just went out for a meeting."""
        if needs_recompute(e["type"] for e in events):
            self.schedule(meeting_id)

    def check(self, meeting_id: int) -> None:
        """Once per process and meeting: are its suggestions current?"""
        if meeting_id not in self._checked:
            self._checked.add(meeting_id)
            self.schedule(meeting_id)

    def schedule(self, meeting_id: int) -> None:
        if not self.enabled:
            return
        self.debounce.change(meeting_id, time.monotonic())
        self._start()
        self._wake.set()

    def _start(self) -> None:
        if not self._started:
            self._started = True
            self._wake = self.socketio.server.eio.create_event()
            self.socketio.start_background_task(self._run)

    def _run(self) -> None:
        with self.app.app_context():
            while True:
                self._wake.wait()
                self._wake.clear()
                while self.debounce.due:
                    meeting_id = self.debounce.next_due(time.monotonic())
                    if meeting_id is None:
                        self.socketio.sleep(POLL_SECONDS)
                        continue
                    try:
                        self.refresh(meeting_id)
                    except Exception:  # the task must survive anything
                        log.exception("computing suggestions for meeting %s failed", meeting_id)

    def refresh(self, meeting_id: int) -> dict | None:
        """Compute (in a child) and store; returns the last event appended, if any."""
        self.computations += 1
        computed = child.run(self.app.config["SQLALCHEMY_DATABASE_URI"], meeting_id, self.seconds)
        if computed is None:
            return None
        last = None
        for part in computed.parts(PART_SIZE):
            def job(session, part=part):
                try:
                    wire = store_and_announce(session, meeting_id, part, utcnow())
                except Stale:
                    return Stale, []
                return wire, ([(meeting_id, wire)] if wire else [])
            wire = self.writer.call(job)
            if wire is Stale:
                # Another process stored first: diff against its answer.
                self.schedule(meeting_id)
                return last
            if wire is not None:
                self.stored += 1
                last = wire
        return last
