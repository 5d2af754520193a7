"""One live-protocol client, as a phone would run it, that also records when
things arrive.

It connects with `auth: {token}`, takes the `snapshot`, then applies `events`
lists in `seq` order: an event it already has is a duplicate (counted,
ignored); an event that does not follow the last one is a gap (counted, and
repaired the way the protocol says: `sync {last_seq}`, dropping what arrives
until the missing events come). Like the screens, it asks for totals
(`auth.compact`): a `totals` item stands for the seqs from_seq..seq.

Times are `time.monotonic()`: on Linux that is CLOCK_MONOTONIC, one clock for
every process on the host, so a time stamped here can be subtracted from one
stamped in the coordinator or in another worker process."""
from __future__ import annotations

import bisect
import itertools
import json
import time
from dataclasses import dataclass, field

import socketio

_ops = itertools.count(1)


@dataclass
class Record:
    """What one client saw; plain data, so it pickles back to the coordinator."""
    name: str
    snapshot_seq: int | None = None
    proposals: list[int] = field(default_factory=list)
    seqs: list[int] = field(default_factory=list)          # applied, in order applied
    latest: dict[str, dict] = field(default_factory=dict)   # event type -> its newest data
    # Every `events` message: (arrival time, its first seq, its last seq).
    messages: list[tuple[float, int, int]] = field(default_factory=list)
    # What each message added: (arrival time, first, last seq applied). Kept per
    # message, not per event, so recording costs little beside applying.
    applied: list[tuple[float, int, int]] = field(default_factory=list)
    gaps: int = 0
    duplicates: int = 0
    snapshots: int = 0
    # (scheduled, sent, acked, ack) for each command this client sent
    commands: list[tuple[float, float, float, dict]] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def arrival(self, seq: int) -> float | None:
        """When this client applied `seq` (None if it did not, or it was cleared)."""
        i = bisect.bisect_left(self.applied, seq, key=lambda a: a[2])
        if i < len(self.applied) and self.applied[i][1] <= seq:
            return self.applied[i][0]
        return None


class LiveClient:
    def __init__(self, url: str, token: str, name: str, compact: bool = True):
        # compact: ask for totals instead of every crowd event, as Sinkron's screens do.
        self.url, self.token, self.compact = url, token, compact
        self.rec = Record(name)
        self.last_seq: int | None = None
        self._resyncing = False
        self._leaving = False
        # No automatic reconnection: a dropped connection is a result to report,
        # not something to paper over. Plain json: engine.io's default loads()
        # calls a Python function for every integer (a guard against huge
        # numbers), which made decoding the load generator's main cost; a
        # phone's JSON.parse has no such cost.
        self.sio = socketio.AsyncClient(reconnection=False, json=json)
        self.sio.on("snapshot", self._on_snapshot)
        self.sio.on("events", self._on_events)
        self.sio.on("disconnect", self._on_disconnect)

    async def connect(self) -> None:
        auth = {"token": self.token, "lang": "en"}
        if self.compact:
            auth["compact"] = True
        await self.sio.connect(self.url, auth=auth,
                               transports=["websocket"], wait_timeout=60)
        self._tolerate_late_pings()

    async def reconnect(self) -> None:
        """Leave and come back with last_seq, as a phone does after a drop."""
        self._leaving = True
        if self.sio.connected:
            await self.sio.disconnect()
        self._leaving = False
        auth = {"token": self.token, "lang": "en"}
        if self.compact:
            auth["compact"] = True
        if self.last_seq is not None:
            auth["last_seq"] = self.last_seq
        await self.sio.connect(self.url, auth=auth, transports=["websocket"], wait_timeout=60)
        self._tolerate_late_pings()

    def _tolerate_late_pings(self) -> None:
        """python-engineio's client gives up when it has had nothing to write
        for ping interval + 5 s (30 s): a pong written a few seconds late,
        because this worker (niced, 125 clients on one event loop) waited for a
        core on a busy machine, dropped the connection in both modes. A phone's
        engine.io client waits interval + timeout (45 s) for the next ping;
        the same here. The server's pings are unchanged."""
        eio = self.sio.eio
        eio.ping_interval = max(eio.ping_interval, eio.ping_interval + eio.ping_timeout - 5)

    async def disconnect(self) -> None:
        self._leaving = True
        if self.sio.connected:
            await self.sio.disconnect()

    async def command(self, type_: str, scheduled: float | None = None, **fields) -> dict:
        """Send one command and wait for its acknowledgement."""
        payload = {"op_id": f"{self.rec.name}-{next(_ops)}", "type": type_, **fields}
        sent = time.monotonic()
        try:
            ack = await self.sio.call("command", payload, timeout=60)
        except Exception as exc:  # a timeout is a result, not a crash of the bench
            ack = {"ok": False, "error": {"code": "client", "message": repr(exc)}}
        acked = time.monotonic()
        self.rec.commands.append((scheduled or sent, sent, acked, ack))
        return ack

    # --- handlers ------------------------------------------------------------

    def _on_snapshot(self, state: dict) -> None:
        self.rec.snapshots += 1
        if self.last_seq is None or state["seq"] >= self.last_seq:
            self.last_seq = state["seq"]
        if self.rec.snapshot_seq is None:
            self.rec.snapshot_seq = state["seq"]
        self.rec.proposals = [p["id"] for p in state["proposals"]]
        self._resyncing = False

    async def _on_events(self, events: list[dict]) -> None:
        now = time.monotonic()
        if events:
            self.rec.messages.append((now, events[0]["seq"], events[-1]["seq"]))
        if self.last_seq is None:  # events before the snapshot: protocol error
            self.rec.errors.append("events before snapshot")
            return
        before = self.last_seq
        for e in events:
            seq = e["seq"]
            if seq <= self.last_seq:
                self.rec.duplicates += 1
                continue
            # A totals item (compacting clients) stands for from_seq..seq.
            if e.get("from_seq", seq) > self.last_seq + 1:
                # Dropped, and asked for again; count the gap only once per hole.
                if not self._resyncing:
                    self.rec.gaps += 1
                    self._resyncing = True
                    await self.sio.emit("sync", {"last_seq": self.last_seq})
                continue
            self._resyncing = False
            self.rec.seqs.extend(range(self.last_seq + 1, seq + 1))
            self.last_seq = seq
            self.rec.latest[e["type"]] = e["data"]
        if self.last_seq != before:
            self.rec.applied.append((now, before + 1, self.last_seq))

    def _on_disconnect(self, *reason) -> None:
        if not self._leaving:
            self.rec.errors.append(f"disconnected by the server: {reason}")
