"""A python-socketio client that keeps the live state the way DESIGN.md's
protocol says: snapshot, then events in seq order, each once."""
from __future__ import annotations

import itertools
import threading
import time

import socketio

_ops = itertools.count(1)


class Peer:
    """compact=True asks for totals instead of every crowd event, as the
    screens do: a `totals` item stands for the seqs from_seq..seq."""

    def __init__(self, url: str, token: str, last_seq: int | None = None, lang: str = "en",
                 compact: bool = False, **client_options):
        self.url, self.token = url, token
        self.snapshot: dict | None = None
        self.events: list[dict] = []
        self.seq = last_seq
        self.gaps = 0
        self.duplicates = 0
        self.presence: dict | None = None
        self.disconnected = False
        self.lock = threading.Condition()
        self.sio = socketio.Client(reconnection=False, **client_options)
        self.sio.on("snapshot", self._on_snapshot)
        self.sio.on("events", self._on_events)
        self.sio.on("presence", self._on_presence)
        self.sio.on("disconnect", self._on_disconnect)
        auth = {"token": token, "lang": lang}
        if compact:
            auth["compact"] = True
        if last_seq is not None:
            auth["last_seq"] = last_seq
        self.sio.connect(url, auth=auth, transports=["websocket"], wait_timeout=10)

    def _on_snapshot(self, snap):
        with self.lock:
            self.snapshot = snap
            self.seq = snap["seq"]
            self.lock.notify_all()

    def _on_presence(self, presence):
        with self.lock:
            self.presence = presence
            self.lock.notify_all()

    def _on_disconnect(self, *_):
        with self.lock:
            self.disconnected = True
            self.lock.notify_all()

    def wait_until(self, condition, what: str, timeout: float = 10) -> None:
        """Wait until condition(self) holds (checked on every message)."""
        deadline = time.monotonic() + timeout
        with self.lock:
            while not condition(self):
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(f"{what}; presence: {self.presence}")
                self.lock.wait(min(left, 0.2))

    def _on_events(self, events):
        with self.lock:
            for e in events:
                if self.seq is not None and e["seq"] <= self.seq:
                    self.duplicates += 1
                    continue
                if self.seq is not None and e.get("from_seq", e["seq"]) > self.seq + 1:
                    self.gaps += 1
                self.events.append(e)
                self.seq = e["seq"]
            self.lock.notify_all()

    def send(self, type_: str, op_id: str | None = None, **fields) -> dict:
        return self.sio.call("command", {"op_id": op_id or f"e2e-{next(_ops)}", "type": type_, **fields},
                             timeout=15)

    def wait_seq(self, seq: int, timeout: float = 10) -> dict:
        deadline = time.monotonic() + timeout
        with self.lock:
            while True:
                for e in self.events:
                    if e.get("from_seq", e["seq"]) <= seq <= e["seq"]:
                        return e
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(f"no event {seq}; have {[e['seq'] for e in self.events]}")
                self.lock.wait(left)

    def wait_snapshot(self, timeout: float = 10) -> dict:
        deadline = time.monotonic() + timeout
        with self.lock:
            while self.snapshot is None and time.monotonic() < deadline:
                self.lock.wait(0.1)
        assert self.snapshot is not None
        return self.snapshot

    def close(self):
        if self.sio.connected:
            self.sio.disconnect()
