"""One benchmark run: a fresh server in one broadcast mode, N participants,
then fan-out, burst and memory measurements.

Latency is measured on one clock: `time.monotonic()` (CLOCK_MONOTONIC, shared
by every process on the host). The facilitator's worker stamps the moment it
hands a command to its socket; each participant's worker stamps the moment
its `events` handler runs. Their difference is what a person sees: command
handling, the commit (with fsync), broadcasting, and the client's own
decoding, including the wait for its worker process to get the CPU."""
from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import tempfile
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import psutil
import requests

from bench.pool import Pool
from bench.stats import CpuMeter
from tests.server import Server

CATEGORIES = ("OPD", "LSM", "Akademisi", "Tokoh Agama", "Tokoh Perempuan",
              "Tokoh Masyarakat", "Pemuda", "Perbankan", "HIMASPI", "Lainnya")


@dataclass
class Burst:
    """One voting round: every participant votes once inside the window."""
    ack_ms: list[float] = field(default_factory=list)        # each voter's wait
    rejected: list = field(default_factory=list)
    settle_ms: list[float] = field(default_factory=list)     # per client: final tallies seen
    messages: list[int] = field(default_factory=list)        # per client, during the burst
    send_lag_ms: float = 0.0                                  # load generator: late votes
    # The facilitator, alone in its process: when the server's final tallies
    # reached a client whose process was not busy with 100 others.
    probe_ms: float | None = None
    cpu: dict = field(default_factory=dict)
    idle_cpu: float | None = None  # server, % of a core, just before the burst


@dataclass
class Result:
    mode: str
    n: int
    fanout_ms: list[float] = field(default_factory=list)     # every client, every repetition
    fanout_cpu: dict = field(default_factory=dict)
    focus_ack_ms: list[float] = field(default_factory=list)  # the facilitator's own wait
    bursts: list[Burst] = field(default_factory=list)
    rss_mb: dict = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)


def join_all(server: Server, codes: list[str], n: int, start: int = 0) -> list[tuple[str, str]]:
    """N people through POST /api/join, alternating sites; returns (token, name)."""
    def one(i: int) -> tuple[str, str]:
        name = f"Peserta {i + 1}"
        r = requests.post(server.url + "/api/join", timeout=30, json={
            "code": codes[i % len(codes)], "name": name,
            "category": CATEGORIES[i % len(CATEGORIES)], "gender": "LP"[i % 2]})
        r.raise_for_status()
        return r.json()["token"], name
    # A few at a time, as people arrive: the server's writer commits them in groups.
    with ThreadPoolExecutor(8) as ex:
        return list(ex.map(one, range(start, start + n)))


def check_order(records, upto: int) -> list[str]:
    """Every client applied every event after its snapshot up to `upto`, once,
    in seq order, with no gaps, duplicates or drops."""
    problems = []
    for r in records:
        expected = list(range(r.snapshot_seq + 1, upto + 1))
        if r.seqs != expected:
            missing = sorted(set(expected) - set(r.seqs))
            problems.append(f"{r.name}: applied {len(r.seqs)} of {len(expected)} events"
                            f" (missing {missing[:5]}...)" if missing else
                            f"{r.name}: events out of order")
        if r.gaps or r.duplicates:
            problems.append(f"{r.name}: {r.gaps} gaps, {r.duplicates} duplicates")
        problems.extend(f"{r.name}: {e}" for e in r.errors)
    return problems


def _rss_mb(procs: list[psutil.Process]) -> float:
    """The largest server process's RSS: the target is per process."""
    return max(p.memory_info().rss for p in procs) / 2**20


def run(mode: str, n: int, workers: int, fanout_reps: int, bursts: int = 3, seed: int = 1,
        log=print, profile: str | None = None, compact: bool = True, processes: int = 1) -> Result:
    res = Result(mode, n)
    env = {
        "SINKRON_BROADCAST_MODE": mode,
        # One address joins everyone here; the default limit is per address.
        "SINKRON_JOIN_PER_MINUTE": "100000",
    }
    with tempfile.TemporaryDirectory(prefix="sinkron-bench-") as tmp, \
            _shared_services(processes) as shared:
        servers: list[Server] = []
        fac = people = None
        try:
            for i in range(processes):  # the first creates the schema and the demo
                servers.append(Server(Path(tmp) / f"instance{i}", env={**env, **shared}).start())
            procs = [psutil.Process(s.proc.pid) for s in servers]
            server = servers[0]
            links = server.demo_links()
            codes = [s["join_code"] for s in links["sites"]]
            tokens = join_all(server, codes, n)
            res.rss_mb["idle"] = _rss_mb(procs)

            # The facilitator gets a process of its own: its send stamps must not
            # wait behind the decoding of participants' events. With several
            # server processes, each site's people go to their own (pool.py).
            fac = Pool(server.url, 1, compact)
            people = Pool([s.url for s in servers], workers, compact)
            got = fac.connect([(links["facilitator_token"], "facilitator")])
            got_people = people.connect(tokens)
            for g in (got, got_people):
                if g["failed"] or g["no_snapshot"]:
                    raise RuntimeError(f"connect failed: {g['failed'][:3]} {g['no_snapshot'][:3]}")
            proposals = fac.records()[0].proposals
            res.rss_mb["connected"] = _rss_mb(procs)
            log(f"  {mode} N={n}: connected; fan-out x{fanout_reps}")

            _fanout(res, fac, people, procs, proposals, fanout_reps)
            for b in range(bursts):
                log(f"  {mode} N={n}: burst {b + 1} of {bursts}")
                with _profiler(procs[0].pid, profile and f"{profile}-{mode}-{n}-{b + 1}.txt"):
                    res.bursts.append(_burst(res, fac, people, procs, seed * 100 + b))
            res.rss_mb["after burst"] = _rss_mb(procs)

            people.ask_all("disconnect")
            fac.ask_all("disconnect")
            time.sleep(3)  # let the server drop the sockets and their greenlets
            res.rss_mb["after leaving"] = _rss_mb(procs)
        finally:
            for pool in (people, fac):
                if pool is not None:
                    pool.close()
            for s in servers:
                s.stop()
    return res


@contextlib.contextmanager
def _shared_services(processes: int):
    """Several processes share a fresh PostgreSQL database and a Redis
    channel (the scale-out path: DATABASE_URL, SOCKETIO_MESSAGE_QUEUE); one
    process keeps its temporary SQLite database."""
    if processes == 1:
        yield {}
        return
    import psycopg
    from tests.services import PG_ADMIN_URL, REDIS_URL
    name = f"sinkron_bench_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield {"DATABASE_URL": f"{PG_ADMIN_URL.rsplit('/', 1)[0]}/{name}",
               "SOCKETIO_MESSAGE_QUEUE": REDIS_URL, "SOCKETIO_CHANNEL": name}
    finally:
        with psycopg.connect(PG_ADMIN_URL, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextlib.contextmanager
def _profiler(pid: int, path: str | None):
    """py-spy on the server during the burst (--profile): collapsed stacks,
    idle frames included, so waiting shows up beside computing."""
    if not path:
        yield
        return
    extra = os.environ.get("BENCH_PYSPY_ARGS", "").split()  # e.g. --native
    spy = subprocess.Popen(["py-spy", "record", "--pid", str(pid), "--idle",
                            "--rate", os.environ.get("BENCH_PYSPY_RATE", "200"),
                            "--format", "raw", "--output", path, *extra],
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(1)  # py-spy attaches
    try:
        yield
    finally:
        spy.send_signal(signal.SIGINT)
        spy.wait(30)


def _cpu(meter_server: CpuMeter, meter_clients: CpuMeter) -> dict:
    # "others": what the rest of the machine used meanwhile (other users'
    # processes, the coordinator): if it is high, the run was not alone.
    others = meter_server.machine_percent - meter_server.percent - meter_clients.percent
    return {"server": meter_server.percent, "clients": meter_clients.percent,
            "others": max(0.0, others), "wall": meter_server.wall,
            "server_s": meter_server.seconds}


def _fanout(res: Result, fac: Pool, people: Pool, procs, proposals: list[int], reps: int) -> None:
    sends = []
    with CpuMeter(procs) as ms, CpuMeter(people.processes) as mc:
        for i in range(reps):
            _, sent, acked, ack = fac.ask(0, "command", 0, "agenda.focus",
                                          {"proposal_id": proposals[i % len(proposals)]})
            if not ack.get("ok"):
                raise RuntimeError(f"agenda.focus refused: {ack}")
            sends.append((ack["seq"], sent))
            res.focus_ack_ms.append(1000 * (acked - sent))
            behind = people.wait_seq(ack["seq"])
            if behind:
                res.problems.append(f"fan-out: {len(behind)} clients never got seq {ack['seq']}")
            # A pause, so each focus is a lone event (sent at once, not in a window).
            time.sleep(0.2)
    res.fanout_cpu = _cpu(ms, mc)
    records = people.records()
    for seq, sent in sends:
        res.fanout_ms.extend(1000 * (t - sent) for t in (r.arrival(seq) for r in records)
                             if t is not None)
    res.problems.extend(check_order(records, sends[-1][0]))
    people.ask_all("clear")


def _burst(res: Result, fac: Pool, people: Pool, procs, seed: int) -> Burst:
    out = Burst()
    if res.bursts:  # one round open at a time
        fac.ask(0, "command", 0, "voting.close", {})
    *_, ack = fac.ask(0, "command", 0, "voting.open", {"mode": "dots", "budget": 5,
                                                     "max_per_proposal": 3})
    if not ack.get("ok"):
        raise RuntimeError(f"voting.open refused: {ack}")
    open_seq = ack["seq"]
    people.wait_seq(open_seq)
    people.ask_all("clear")
    # What the server spends with everyone connected and nothing happening
    # (pings, timers): part of any burst's CPU, the more so the longer it lasts.
    with CpuMeter(procs) as idle:
        time.sleep(1.0)
    out.idle_cpu = idle.percent
    # The window opens a little after now, so every worker has its schedule in time.
    t0 = time.monotonic() + 0.3
    with CpuMeter(procs) as ms, CpuMeter(people.processes) as mc:
        for i, conn in enumerate(people.conns):
            conn.send(("vote_burst", t0, 1.0, seed * 1000 + i, 3))
        for conn in people.conns:
            conn.recv()
        waits = people.ask_all("wait_tasks", 300)
        records = people.records()
        votes = [c for r in records for c in r.commands]
        final = max(c[3]["seq"] for c in votes if c[3].get("ok"))
        behind = people.wait_seq(final, 300) + fac.wait_seq(final, 30)
    out.cpu = _cpu(ms, mc)
    if (t := fac.records()[0].arrival(final)) is not None:
        out.probe_ms = 1000 * (t - t0)
    if behind or any(w["pending"] for w in waits):
        res.problems.append(f"burst: {len(behind)} clients never saw seq {final}; {waits}")
    records = people.records()
    votes = [c for r in records for c in r.commands]
    out.ack_ms = [1000 * (acked - sent) for _, sent, acked, _ in votes]
    out.rejected = [a for *_, a in votes if not a.get("ok")]
    out.send_lag_ms = max(1000 * (sent - scheduled) for scheduled, sent, _, _ in votes)
    for r in records:
        if (t := r.arrival(final)) is not None:
            out.settle_ms.append(1000 * (t - t0))
        out.messages.append(sum(1 for _, first, last in r.messages
                                if last > open_seq and first <= final))
    res.problems.extend(check_order(records, final))
    people.ask_all("clear")
    return out
