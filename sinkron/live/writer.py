"""The one place in a process that writes meeting changes.

Commands (and joins and imports) are queued; one background task takes
whatever has queued up, applies it, commits the lot in one transaction and
only then answers each caller. Each job or command runs in its own
savepoint, except crowd commands (votes, marks, supports, raised hands):
those of one meeting that follow each other in the queue are applied
together, set-based (meeting/crowd.py), each still accepted whole or refused
alone. Under a burst, hundreds of votes share a few dozen commits (the writer
waits gather_seconds() between batches while a crowd is sending); a lone
command is applied at once. Because one task assigns sequence numbers in a
process, they follow each other without gaps.

A batch is also cut short after BATCH_SECONDS of work: the rest waits for
the next one. The task never yields inside a batch, so an uncut batch of 60
votes kept every socket of the process waiting ~60 ms, and answered its first
vote only when its last was done."""
from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from typing import Any, Callable

from sqlalchemy.orm import Session

from ..imports.store import ImportRejected
from ..meeting import engine
from ..meeting.errors import N_, CommandError
from ..meeting.permissions import Actor
from ..meetings import JoinError
from ..models import utcnow

# Refusals a job may raise: answered to the caller, never logged as failures.
REFUSALS = (CommandError, JoinError, ImportRejected)

log = logging.getLogger(__name__)

# A job gets the session and returns (result, events); events are
# (meeting_id, wire event) pairs, broadcast after the commit.
Job = Callable[[Session], tuple[Any, list[tuple[int, dict]]]]

MAX_BATCH = 500
# While commands come from many people at once (the previous batch held
# several), the next batch starts no sooner than this after the previous one
# started, so they share a commit: a burst's votes cost little each once
# applied together, and a commit (its fsync, its dozen statements) about as
# much as ten of them. A lone command, or one person's commands one after
# the other, go at once. Under a crowd (the previous batch held CROWD_BATCH
# or more) the gather doubles: a batch's commit and statements cost about as
# much whether it holds 12 votes or 25, so 500 votes in a second cost the
# writer ~0.1 s of CPU instead of ~0.17 s, for ~25 ms more acknowledgement
# latency.
GATHER_SECONDS = 0.025
CROWD_GATHER_SECONDS = 0.05
CROWD_BATCH = 8
# Crowd commands of one meeting that follow each other in the queue are
# applied together, set-based (meeting/crowd.py), up to this many at once.
MAX_RUN = 250
# Long enough for tens of commands to share a commit (an fsync) under a burst;
# short enough that sockets and answers are served between batches.
BATCH_SECONDS = 0.04
# After a crowd's batch (CROWD_BATCH or more), this long with nothing queued
# means the crowd stopped (_take_first): a crowd that fills such batches
# sends a command every few milliseconds, so a pause this long within it
# is rare, and would only cost one more message.
CROWD_STOPPED_SECONDS = 0.025
WAIT_SECONDS = 30


class Unavailable(Exception):
    """The change could not be stored; nothing was changed and a retry is safe."""
    message = N_("The server could not save this. Please try again.")


@dataclass
class _Item:
    job: Job | None
    done: Any
    command: tuple[Actor, Any] | None = None  # (actor, payload) of a meeting command
    result: Any = None
    error: Exception | None = None
    events: list = field(default_factory=list)


class Writer:
    def __init__(self, app, socketio, db, broadcaster):
        self.app = app
        self.socketio = socketio
        self.db = db
        self.broadcaster = broadcaster
        self._queue = None
        self._started = False
        self._last_batch = 0.0  # when the previous batch started
        self._last_size = 0     # and how many items it held
        self._crowd = False     # a crowd's batch came since the writer last went idle
        self.batches = 0  # commits made; read by tests and benchmarks
        # Meeting id -> crowd.Standing: what crowd runs read, kept for the
        # next run while nothing but crowd runs this writer committed changed it.
        self._kept: dict = {}

    def _start(self) -> None:
        # Created lazily: the queue type depends on the async mode, known once
        # the server runs, and a CLI command never needs the task.
        if self._started:
            return
        self._started = True
        self._queue = self.socketio.server.eio.create_queue()
        self._empty = self.socketio.server.eio.get_queue_empty_exception()
        self.socketio.start_background_task(self._run)

    def call(self, job: Job) -> Any:
        """Run `job` in the next batch; return its result once committed, or
        raise its refusal (REFUSALS) or Unavailable."""
        return self._wait(_Item(job, None))

    def command(self, actor: Actor, payload: Any) -> engine.Accepted:
        """Run a meeting command in the next batch; its Accepted once committed,
        or its CommandError, or Unavailable."""
        return self._wait(_Item(None, None, (actor, payload)))

    def _wait(self, item: _Item) -> Any:
        self._start()
        item.done = self.socketio.server.eio.create_event()
        self._queue.put(item)
        if not item.done.wait(WAIT_SECONDS):
            raise Unavailable()
        if item.error is not None:
            raise item.error
        return item.result

    def _run(self) -> None:
        with self.app.app_context():
            waiting: list[_Item] = []
            while True:
                if not waiting:
                    waiting.append(self._take_first())
                    rest = self._last_batch + gather_seconds(self._last_size) - time.monotonic()
                    if rest > 0:  # a crowd: let more join this batch
                        self.socketio.sleep(rest)
                self._last_batch = time.monotonic()
                while len(waiting) < MAX_BATCH:
                    try:
                        waiting.append(self._queue.get_nowait())
                    except self._empty:
                        break
                try:
                    done = self._process(waiting)
                except Exception:  # the task must survive anything
                    log.exception("writer batch failed")
                    for item in waiting:
                        item.error = item.error or Unavailable()
                        item.done.set()
                    done = len(waiting)
                waiting = waiting[done:]
                self._last_size = done
                self._crowd = self._crowd or done >= CROWD_BATCH
                # Let handlers waiting on their answers (and new commands) run.
                self.socketio.sleep(0)

    def _take_first(self) -> _Item:
        """The next item, waiting for it. After a crowd's batches, nothing
        queued for CROWD_STOPPED_SECONDS means the burst is over (500 voters
        in a second send a dozen commands in that time): the broadcaster
        hears it at once, so the burst's final tallies go now instead of
        after its quiet rule, which waits longer (it cannot tell a burst's
        end from a slow commit)."""
        if self._crowd:
            try:
                return self._queue.get(timeout=CROWD_STOPPED_SECONDS)
            except self._empty:
                self._crowd = False
                self.broadcaster.crowd_quiet()
        return self._queue.get()

    def _process(self, waiting: list[_Item]) -> int:
        """Apply and commit the first items of `waiting`, as many as fit in
        BATCH_SECONDS (at least one); answer them; return how many."""
        session = self.db.session
        started = time.monotonic()
        batch: list[_Item] = []
        try:
            while len(batch) < len(waiting):
                run = self._crowd_run(waiting, len(batch))
                if run:
                    self._apply_crowd(session, run)
                    batch.extend(run)
                else:
                    item = waiting[len(batch)]
                    batch.append(item)
                    self._apply_one(session, item)
                if time.monotonic() - started > BATCH_SECONDS:
                    break
            events = [e for item in batch if item.error is None for e in item.events]
            # Committing inside the broadcaster's lock keeps "committed" and
            # "queued for broadcast" one step for a client that is connecting.
            with self.broadcaster.exclusive():
                try:
                    self._commit(session)
                except Exception:
                    log.exception("commit failed")
                    session.rollback()
                    self._kept.clear()
                    for item in batch:
                        if item.error is None:
                            item.error = Unavailable()
                    events = []
                self.broadcaster.publish(events)
            self.batches += 1
        finally:
            self.db.session.remove()
            for item in batch:
                item.done.set()
        return len(batch)

    def _commit(self, session) -> None:
        """SQLite's commit waits for an fsync, and the driver blocks the whole
        process meanwhile (under eventlet: every connection), so it waits in a
        native thread (run_blocking: eventlet's tpool in app.py). psycopg's
        waits already yield (PSYCOPG_WAIT_FUNC) and must stay on the hub."""
        real = session()  # the scoped session's Session: the thread has no app context
        if real.get_bind().dialect.name == "sqlite":
            self.app.extensions["sinkron"].run_blocking(real.commit)
        else:
            real.commit()

    @staticmethod
    def _crowd_run(waiting: list[_Item], start: int) -> list[_Item]:
        """The crowd commands of one meeting that follow each other from `start`."""
        run: list[_Item] = []
        for item in waiting[start:start + MAX_RUN]:
            if item.command is None or not engine.is_crowd(item.command[1]) or (
                    run and item.command[0].meeting_id != run[0].command[0].meeting_id):
                break
            run.append(item)
        return run

    def _apply_one(self, session, item: _Item) -> None:
        """One job or command in its own savepoint."""
        # A job may change what crowd runs keep without moving last_seq.
        self._kept.clear()
        try:
            with session.begin_nested():
                if item.command is None:
                    item.result, item.events = item.job(session)
                else:
                    actor, payload = item.command
                    item.result = engine.execute(session, actor, payload)
                    item.events = _events_of(actor, item.result)
        except REFUSALS as exc:
            item.error = exc
        except Exception:
            log.exception("command failed")
            item.error = Unavailable()

    def _apply_crowd(self, session, run: list[_Item]) -> None:
        """A run of crowd commands set-based, in one savepoint. Should the run
        fail as a whole (not a refusal: a bug, a constraint), it is rolled back
        and its commands are applied one by one, so one bad command fails alone."""
        meeting_id = run[0].command[0].meeting_id
        try:
            with session.begin_nested():
                outcomes = engine.execute_crowd(
                    session, meeting_id, [(actor, payload, utcnow()) for actor, payload in
                                          (item.command for item in run)], self._kept)
        except Exception:
            log.exception("set-based run of %s commands failed; one by one instead", len(run))
            self._kept.clear()
            for item in run:
                self._apply_one(session, item)
            return
        # Rows changed through the connection: nothing loaded before may be trusted.
        session.expire_all()
        for item, outcome in zip(run, outcomes):
            if isinstance(outcome, CommandError):
                item.error = outcome
            else:
                item.result, item.events = outcome, _events_of(item.command[0], outcome)


def gather_seconds(last_size: int) -> float:
    """How long after the previous batch started the next one may start, by
    how many items the previous one held."""
    if last_size >= CROWD_BATCH:
        return CROWD_GATHER_SECONDS
    return GATHER_SECONDS if last_size > 1 else 0.0


def _events_of(actor: Actor, accepted: engine.Accepted) -> list[tuple[int, dict]]:
    return [(actor.meeting_id, accepted.event)] if accepted.event else []
