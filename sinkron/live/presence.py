"""Who is connected, per site, role and category, what each projector shows
and how far each device's clock is from the server's. Not sequenced: the
facilitator and hosts receive it as `presence`, at most twice a second per
meeting.

One process keeps its connections in memory. With several processes (a
message queue configured) every process writes its connections to Redis, so
any process can list all of them: the summary it sends is the same whichever
process sends it. Each process renews a heartbeat key that lives
SINKRON_PRESENCE_TTL seconds; a process that stops renewing it (killed,
crashed) has its connections dropped by the others within that time."""
from __future__ import annotations

import json
import logging
import os
import secrets
import socket
import threading
from collections import Counter
from dataclasses import asdict, dataclass

from .broadcast import room

log = logging.getLogger(__name__)

INTERVAL = 0.5


@dataclass
class Connection:
    meeting_id: int
    role: str
    site_id: int | None
    participant_id: int | None
    category: str | None
    shown: dict | None = None
    # The device's clock as measured by the device itself over its connection:
    # {"offset_ms": server minus device, "rtt_ms": that sample's round trip}.
    clock: dict | None = None


class LocalStore:
    """The connections of this process only."""

    def __init__(self):
        self.connections: dict[str, Connection] = {}
        self._lock = threading.Lock()

    def put(self, sid: str, conn: Connection) -> None:
        with self._lock:
            self.connections[sid] = conn

    def pop(self, sid: str) -> Connection | None:
        with self._lock:
            return self.connections.pop(sid, None)

    def local(self, sid: str) -> Connection | None:
        return self.connections.get(sid)

    def of_meeting(self, meeting_id: int) -> list[tuple[str, Connection]]:
        with self._lock:
            return [(sid, c) for sid, c in self.connections.items() if c.meeting_id == meeting_id]

    def sids_of(self, participant_id: int) -> list[str]:
        with self._lock:
            return [sid for sid, c in self.connections.items() if c.participant_id == participant_id]

    def heartbeat(self) -> set[int]:
        return set()


class RedisStore(LocalStore):
    """Every process's connections, in Redis; this process's also in memory.

    Keys under `prefix`:
      m:<meeting>        hash  sid -> connection (JSON, with its process)
      p:<participant>    hash  sid -> process
      proc:<id>          the process's heartbeat, expiring after the TTL
      procs              set of processes that wrote connections
      conns:<id>         set of "meeting|sid|participant" per process, to clean up after it
    """

    def __init__(self, redis, prefix: str, ttl: float):
        super().__init__()
        self.redis, self.prefix, self.ttl = redis, prefix, ttl
        self.process = f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(3)}"
        self._beating = False

    def _key(self, *parts) -> str:
        return ":".join((self.prefix, *map(str, parts)))

    def _member(self, sid: str, conn: Connection) -> str:
        return f"{conn.meeting_id}|{sid}|{conn.participant_id or ''}"

    def _write(self, pipe, sid: str, conn: Connection) -> None:
        pipe.hset(self._key("m", conn.meeting_id), sid,
                  json.dumps({**asdict(conn), "process": self.process}))
        if conn.participant_id is not None:
            pipe.hset(self._key("p", conn.participant_id), sid, self.process)
        pipe.sadd(self._key("conns", self.process), self._member(sid, conn))

    def _safely(self, what: str, fn):
        try:
            return fn()
        except Exception:  # noqa: BLE001 - presence must never break a connection
            log.exception("presence store unreachable (%s)", what)
            return None

    def put(self, sid: str, conn: Connection) -> None:
        super().put(sid, conn)
        if not self._beating:
            self._beating = True
            self.heartbeat()

        def write():
            pipe = self.redis.pipeline()
            self._write(pipe, sid, conn)
            pipe.execute()
        self._safely("add", write)

    def pop(self, sid: str) -> Connection | None:
        conn = super().pop(sid)
        if conn is not None:
            def delete():
                pipe = self.redis.pipeline()
                pipe.hdel(self._key("m", conn.meeting_id), sid)
                if conn.participant_id is not None:
                    pipe.hdel(self._key("p", conn.participant_id), sid)
                pipe.srem(self._key("conns", self.process), self._member(sid, conn))
                pipe.execute()
            self._safely("remove", delete)
        return conn

    def _alive(self, processes: set[str]) -> set[str]:
        processes = sorted(processes)
        if not processes:
            return set()
        found = self.redis.mget([self._key("proc", p) for p in processes])
        return {p for p, beat in zip(processes, found) if beat is not None} | {self.process}

    def of_meeting(self, meeting_id: int) -> list[tuple[str, Connection]]:
        raw = self._safely("list", lambda: self.redis.hgetall(self._key("m", meeting_id)))
        if raw is None:  # Redis is away: this process's own, rather than nothing
            return super().of_meeting(meeting_id)
        entries = {sid.decode(): json.loads(value) for sid, value in raw.items()}
        alive = self._alive({e["process"] for e in entries.values()})
        return [(sid, Connection(**{k: v for k, v in e.items() if k != "process"}))
                for sid, e in sorted(entries.items()) if e["process"] in alive]

    def sids_of(self, participant_id: int) -> list[str]:
        raw = self._safely("sids", lambda: self.redis.hgetall(self._key("p", participant_id)))
        if raw is None:
            return super().sids_of(participant_id)
        entries = {sid.decode(): process.decode() for sid, process in raw.items()}
        alive = self._alive(set(entries.values()))
        return [sid for sid, process in entries.items() if process in alive]

    def heartbeat(self) -> set[int]:
        """Renew this process's heartbeat; drop the connections of processes
        whose heartbeat expired. Returns the meetings whose list changed."""
        return self._safely("heartbeat", self._heartbeat) or set()

    def _heartbeat(self) -> set[int]:
        beat = self.redis.set(self._key("proc", self.process), 1, px=int(self.ttl * 1000), get=True)
        self.redis.sadd(self._key("procs"), self.process)
        changed: set[int] = set()
        if beat is None:
            # First beat, or this process stalled past the TTL and another
            # process dropped its connections: write them (again).
            with self._lock:
                mine = list(self.connections.items())
            pipe = self.redis.pipeline()
            for sid, conn in mine:
                self._write(pipe, sid, conn)
                changed.add(conn.meeting_id)
            pipe.execute()
        others = {p.decode() for p in self.redis.smembers(self._key("procs"))} - {self.process}
        for process in others - self._alive(others):
            changed |= self._drop_process(process)
        return changed

    def _drop_process(self, process: str) -> set[int]:
        members = self.redis.smembers(self._key("conns", process))
        meetings: set[int] = set()
        pipe = self.redis.pipeline()
        for member in members:
            meeting_id, sid, participant_id = member.decode().split("|")
            pipe.hdel(self._key("m", meeting_id), sid)
            if participant_id:
                pipe.hdel(self._key("p", participant_id), sid)
            meetings.add(int(meeting_id))
        pipe.delete(self._key("conns", process))
        pipe.srem(self._key("procs"), process)
        pipe.execute()
        if members:
            log.info("dropped %d connections of stopped process %s", len(members), process)
        return meetings


class Presence:
    def __init__(self, socketio, store: LocalStore | None = None, ttl: float = 30.0):
        self.socketio = socketio
        self.store = store or LocalStore()
        self.ttl = ttl
        self._dirty: set[int] = set()
        self._lock = threading.Lock()
        self._started = False

    @property
    def connections(self) -> dict[str, Connection]:
        """This process's connections."""
        return self.store.connections

    def _start(self) -> None:
        if not self._started:
            self._started = True
            self.socketio.start_background_task(self._run)

    def _mark(self, meeting_id: int) -> None:
        with self._lock:
            self._dirty.add(meeting_id)

    def add(self, sid: str, conn: Connection) -> None:
        self.store.put(sid, conn)
        self._mark(conn.meeting_id)
        self._start()

    def remove(self, sid: str) -> Connection | None:
        conn = self.store.pop(sid)
        if conn:
            self._mark(conn.meeting_id)
        return conn

    def _update(self, sid: str, **fields) -> None:
        conn = self.store.local(sid)
        if conn is None:
            return
        for name, value in fields.items():
            setattr(conn, name, value)
        self.store.put(sid, conn)
        # The panel shows what projectors show and their clocks: a phone's
        # clock report (one a minute each) needs no new summary.
        if conn.role == "projector":
            self._mark(conn.meeting_id)

    def shown(self, sid: str, proposal_id, seq) -> None:
        self._update(sid, shown={"proposal_id": proposal_id, "seq": seq})

    def clock(self, sid: str, offset_ms: int, rtt_ms: int) -> None:
        self._update(sid, clock={"offset_ms": offset_ms, "rtt_ms": rtt_ms})

    def sids_of(self, participant_id: int) -> list[str]:
        """The connections of a participant, on every process."""
        return self.store.sids_of(participant_id)

    def projector_sids(self, meeting_id: int, site_id: int) -> list[str]:
        """A site's projector connections, on every process."""
        return [sid for sid, c in self.store.of_meeting(meeting_id)
                if c.role == "projector" and c.site_id == site_id]

    def summary(self, meeting_id: int) -> dict:
        conns = self.store.of_meeting(meeting_id)
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
                                   "seq": (c.shown or {}).get("seq"),
                                   "clock_offset_ms": (c.clock or {}).get("offset_ms")})
        for site in sites.values():
            site["roles"] = dict(site["roles"])
            site["categories"] = dict(site["categories"])
        return {"sites": sites, "projectors": projectors, "total": len(conns)}

    def _run(self) -> None:
        beat_every = max(INTERVAL, self.ttl / 3)
        since_beat = 0.0
        while True:
            self.socketio.sleep(INTERVAL)
            since_beat += INTERVAL
            if since_beat >= beat_every:
                since_beat = 0.0
                for meeting_id in self.store.heartbeat():
                    self._mark(meeting_id)
            with self._lock:
                dirty, self._dirty = self._dirty, set()
            for meeting_id in dirty:
                try:
                    summary = self.summary(meeting_id)
                except Exception:  # noqa: BLE001 - the task must survive anything
                    log.exception("presence summary failed")
                    continue
                self.socketio.emit("presence", summary, to=room(meeting_id, "staff"))
