"""A protocol client that behaves like the phone page on a bad network:
state kept by sinkron/meeting/reducer.py (snapshot, then events in seq
order, `sync` on a gap), reconnecting with `last_seq`, and an outbox of
commands that are sent again after a reconnect until they are answered."""
from __future__ import annotations

import itertools
import threading
import time
import uuid

import socketio

from sinkron.meeting import reducer

_names = itertools.count(1)


class ResilientClient:
    def __init__(self, url: str, token: str):
        self.url, self.token = url, token
        self.name = f"client-{next(_names)}"
        self.lock = threading.RLock()
        self.state: dict | None = None
        self.outbox: list[dict] = []
        self.acked: dict[str, dict] = {}      # op_id -> acknowledgement
        self.rejected: dict[str, dict] = {}
        self.snapshots = self.reconnects = 0
        self._flushing = threading.Lock()
        self.sio = socketio.Client(reconnection=True, reconnection_delay=0.3, reconnection_delay_max=1.5,
                                   randomization_factor=0.3, request_timeout=10)
        self.sio.on("snapshot", self._on_snapshot)
        self.sio.on("events", self._on_events)
        self.sio.on("connect", self._on_connect)
        self.sio.connect(url, auth=self._auth, transports=["websocket"], wait_timeout=20)

    def _auth(self) -> dict:
        with self.lock:
            auth = {"token": self.token, "lang": "en"}
            if self.state is not None:
                auth["last_seq"] = self.state["seq"]
            return auth

    @property
    def seq(self) -> int | None:
        with self.lock:
            return self.state["seq"] if self.state else None

    def _on_connect(self):
        self.reconnects += 1
        threading.Thread(target=self.flush, daemon=True).start()

    def _on_snapshot(self, snap):
        with self.lock:
            self.state = reducer.start(snap)
            self.snapshots += 1

    def _on_events(self, events):
        gap = False
        with self.lock:
            if self.state is None:
                return
            for e in events:
                if e["seq"] <= self.state["seq"]:
                    continue
                if e["seq"] != self.state["seq"] + 1:
                    gap = True
                    break
                reducer.apply(self.state, e)
        if gap:
            threading.Thread(target=self.sync, daemon=True).start()

    def sync(self) -> None:
        try:
            self.sio.call("sync", {"last_seq": self.seq}, timeout=10)
        except Exception:  # noqa: BLE001 - disconnected: the reconnect replays instead
            pass

    def command(self, type_: str, **fields) -> str:
        op = {"op_id": f"{self.name}-{uuid.uuid4().hex[:12]}", "type": type_, **fields}
        with self.lock:
            self.outbox.append(op)
        threading.Thread(target=self.flush, daemon=True).start()
        return op["op_id"]

    def flush(self) -> None:
        """Send what waits, in order, each until it is answered."""
        if not self._flushing.acquire(blocking=False):
            return
        try:
            while True:
                with self.lock:
                    if not self.outbox:
                        return
                    op = self.outbox[0]
                if not self.sio.connected:
                    return
                try:
                    ack = self.sio.call("command", op, timeout=5)
                except Exception:  # noqa: BLE001 - timeout or disconnect: it stays in the outbox
                    return
                with self.lock:
                    if ack.get("ok"):
                        self.acked[op["op_id"]] = ack
                        if op["type"] == "vote.cast":
                            reducer.note_accepted(self.state, op)
                    elif ack["error"]["code"] in ("unavailable", "rate_limited"):
                        time.sleep(0.2)
                        continue
                    else:
                        self.rejected[op["op_id"]] = ack
                    self.outbox.pop(0)
        finally:
            self._flushing.release()

    def close(self) -> None:
        try:
            self.sio.disconnect()
        except Exception:  # noqa: BLE001
            pass
