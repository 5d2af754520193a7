"""Who is connected in this process, per site, role and category, and what
each projector shows. Not sequenced: the facilitator and hosts receive it
as `presence`, at most twice a second per meeting."""
from __future__ import annotations

import threading
from collections import Counter
from dataclasses import dataclass

from .broadcast import room

INTERVAL = 0.5


@dataclass
class Connection:
    meeting_id: int
    role: str
    site_id: int | None
    participant_id: int | None
    category: str | None
    shown: dict | None = None


class Presence:
    def __init__(self, socketio):
        self.socketio = socketio
        self.connections: dict[str, Connection] = {}
        self._dirty: set[int] = set()
        self._lock = threading.Lock()
        self._started = False

    def _start(self) -> None:
        if not self._started:
            self._started = True
            self.socketio.start_background_task(self._run)

    def add(self, sid: str, conn: Connection) -> None:
        with self._lock:
            self.connections[sid] = conn
            self._dirty.add(conn.meeting_id)
        self._start()

    def remove(self, sid: str) -> Connection | None:
        with self._lock:
            conn = self.connections.pop(sid, None)
            if conn:
                self._dirty.add(conn.meeting_id)
        return conn

    def shown(self, sid: str, proposal_id, seq) -> None:
        with self._lock:
            conn = self.connections.get(sid)
            if conn is not None:
                conn.shown = {"proposal_id": proposal_id, "seq": seq}
                self._dirty.add(conn.meeting_id)

    def sids_of(self, participant_id: int) -> list[str]:
        with self._lock:
            return [sid for sid, c in self.connections.items() if c.participant_id == participant_id]

    def summary(self, meeting_id: int) -> dict:
        with self._lock:
            conns = [(sid, c) for sid, c in self.connections.items() if c.meeting_id == meeting_id]
        sites: dict = {}
        projectors = []
        for sid, c in conns:
            key = str(c.site_id)
            site = sites.setdefault(key, {"total": 0, "roles": Counter(), "categories": Counter()})
            site["total"] += 1
            site["roles"][c.role] += 1
            if c.category:
                site["categories"][c.category] += 1
            if c.role == "projector":
                projectors.append({"site_id": c.site_id, "connection": sid[:8],
                                   "proposal_id": (c.shown or {}).get("proposal_id"),
                                   "seq": (c.shown or {}).get("seq")})
        for site in sites.values():
            site["roles"] = dict(site["roles"])
            site["categories"] = dict(site["categories"])
        return {"sites": sites, "projectors": projectors, "total": len(conns)}

    def _run(self) -> None:
        while True:
            self.socketio.sleep(INTERVAL)
            with self._lock:
                dirty, self._dirty = self._dirty, set()
            for meeting_id in dirty:
                self.socketio.emit("presence", self.summary(meeting_id), to=room(meeting_id, "staff"))
