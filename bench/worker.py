"""A load-generator process: many LiveClients on one asyncio loop.

The coordinator (bench/pool.py) drives it over a multiprocessing Pipe, one
request and one reply at a time. Requests are awaited on the loop, so clients
keep receiving while a request waits. One process per core-ish: a single
Python process decoding 500 copies of every broadcast would measure itself,
not the server."""
from __future__ import annotations

import asyncio
import gc
import os
import random
import time

from bench.client import LiveClient

CONNECT_CONCURRENCY = 20
_VOTING: dict = {}  # {"round_id": id} while a round is open: the soak's clients vote then


async def _connect_all(url: str, people: list[tuple[str, str]], clients: list[LiveClient],
                       compact: bool) -> dict:
    """Connect a share of people, a few at a time; clients keep the given order,
    so the coordinator can address them by index."""
    gate = asyncio.Semaphore(CONNECT_CONCURRENCY)
    fresh = [LiveClient(url, token, name, compact) for token, name in people]

    async def one(c: LiveClient) -> str | None:
        async with gate:
            try:
                await c.connect()
            except Exception as exc:
                return f"{c.rec.name}: {exc!r}"
        return None

    outcomes = await asyncio.gather(*(one(c) for c in fresh))
    failed = [o for o in outcomes if o]
    clients.extend(c for c, o in zip(fresh, outcomes) if o is None)
    # Connected is not ready: wait for each client's snapshot.
    deadline = time.monotonic() + 60
    while any(c.rec.snapshot_seq is None for c in clients) and time.monotonic() < deadline:
        await asyncio.sleep(0.02)
    missing = [c.rec.name for c in clients if c.rec.snapshot_seq is None]
    return {"connected": len(clients), "failed": failed, "no_snapshot": missing}


async def _wait_seq(clients: list[LiveClient], seq: int, timeout: float) -> dict:
    """Until every client has applied `seq`, or the timeout. A client whose
    connection dropped is not waited for (it is reported, with its error)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        behind = [c for c in clients if (c.last_seq or 0) < seq and c.sio.connected]
        if not behind:
            break
        await asyncio.sleep(0.01)
    behind = [(c.rec.name, c.last_seq) for c in clients if (c.last_seq or 0) < seq]
    return {"ok": not behind, "behind": behind}


async def _vote(c: LiveClient, at: float, proposal_id: int, value: int) -> None:
    await asyncio.sleep(max(0.0, at - time.monotonic()))
    await c.command("vote.cast", scheduled=at, proposal_id=proposal_id, value=value)


def _vote_burst(clients: list[LiveClient], t0: float, window: float, seed: int,
                max_value: int, tasks: list) -> int:
    """Each client casts one vote at a random moment in [t0, t0 + window)."""
    rng = random.Random(seed)
    for c in clients:
        at = t0 + rng.uniform(0, window)
        tasks.append(asyncio.ensure_future(
            _vote(c, at, rng.choice(c.rec.proposals), rng.randint(1, max_value))))
    return len(clients)


STATUSES = ("terakomodir_kab", "terakomodir_prov", "belum_terakomodir", "perlu_klarifikasi", None)


async def _mix(c: LiveClient, until: float, rng: random.Random, voting: dict, mean_pause: float) -> None:
    """What a person on a phone does in a meeting, until `until`: marks,
    comments, supports, votes while a round is open, a raised hand now and
    then, and sometimes a dropped connection (back with last_seq)."""
    spent: dict = {}
    while True:
        await asyncio.sleep(rng.expovariate(1 / mean_pause))
        if time.monotonic() >= until:
            return
        roll = rng.random()
        try:
            if roll < 0.02:
                await c.reconnect()
            elif roll < 0.35:
                await c.command("proposal.mark", proposal_id=rng.choice(c.rec.proposals),
                                status=rng.choice(STATUSES))
            elif roll < 0.55:
                await c.command("comment.add", kind="masukan", proposal_id=rng.choice(c.rec.proposals),
                                text=f"Masukan {rng.randrange(10**6)} dari {c.rec.name}")
            elif roll < 0.7:
                newest = c.rec.latest.get("comment.add")
                if newest:
                    await c.command("comment.support", comment_id=newest["comment"]["id"],
                                    on=rng.random() < 0.8)
            elif roll < 0.95:
                round_id = voting.get("round_id")
                if round_id:
                    mine = spent.setdefault(round_id, {})
                    pid = rng.choice(c.rec.proposals)
                    if sum(mine.values()) < 5 and mine.get(pid, 0) < 3:
                        mine[pid] = mine.get(pid, 0) + 1
                        await c.command("vote.cast", proposal_id=pid, value=mine[pid])
            else:
                await c.command(rng.choice(["floor.request", "floor.withdraw"]))
        except Exception as exc:  # recorded, reported as an error by the soak
            c.rec.errors.append(f"mix: {exc!r}")


async def _serve(conn, url: str, compact: bool) -> None:
    loop = asyncio.get_running_loop()
    clients: list[LiveClient] = []
    tasks: list[asyncio.Future] = []
    while True:
        op, *args = await loop.run_in_executor(None, conn.recv)
        if op == "connect":
            reply = await _connect_all(url, args[0], clients, compact)
        elif op == "command":
            index, type_, fields = args
            await clients[index].command(type_, **fields)
            reply = clients[index].rec.commands[-1]  # (scheduled, sent, acked, ack)
        elif op == "wait_seq":
            reply = await _wait_seq(clients, *args)
        elif op == "vote_burst":
            reply = _vote_burst(clients, *args, tasks)
        elif op == "wait_tasks":
            done, pending = await asyncio.wait(tasks, timeout=args[0]) if tasks else ((), ())
            reply = {"done": len(done), "pending": len(pending)}
            tasks = list(pending)
        elif op == "mix":
            until, seed, mean_pause = args
            rng = random.Random(seed)
            tasks.extend(asyncio.ensure_future(_mix(c, until, random.Random(rng.random()), _VOTING, mean_pause))
                         for c in clients)
            reply = len(clients)
        elif op == "voting":  # the coordinator opened or closed a round
            _VOTING.clear()
            _VOTING.update(args[0])
            reply = True
        elif op == "summary":
            # Small, for long runs: counts instead of every record.
            reply = [{"name": c.rec.name, "errors": c.rec.errors[-5:], "gaps": c.rec.gaps,
                      "duplicates": c.rec.duplicates, "last_seq": c.last_seq, "snapshots": c.rec.snapshots,
                      "acks": [a[3] for a in c.rec.commands], "connected": c.sio.connected}
                     for c in clients]
            for c in clients:
                c.rec.commands.clear()
                c.rec.applied.clear()
                c.rec.messages.clear()
                c.rec.seqs.clear()
        elif op == "report":
            reply = [c.rec for c in clients]
        elif op == "clear":
            # Forget what was recorded so far (keep seq tracking): reports stay small.
            for c in clients:
                c.rec.applied.clear()
                c.rec.messages.clear()
                c.rec.commands.clear()
            reply = True
        elif op == "disconnect":
            await asyncio.gather(*(c.disconnect() for c in clients), return_exceptions=True)
            reply = len(clients)
        elif op == "exit":
            await asyncio.gather(*(c.disconnect() for c in clients), return_exceptions=True)
            conn.send(True)
            return
        else:
            reply = {"error": f"unknown op {op}"}
        conn.send(reply)


def main(conn, url: str, compact: bool = True) -> None:
    """Process entry point (multiprocessing 'spawn')."""
    # Like the server (app.py): 125 clients' long-lived objects would
    # otherwise set off full collections that stall all of them at once, a
    # delay no phone, holding one connection, would have.
    gc.set_threshold(50_000, 10, 10)
    # Phones do not share the server's CPU; on one machine, the server should at
    # least win when both want a core (BENCH_WORKER_NICE=0 to compare).
    os.nice(int(os.environ.get("BENCH_WORKER_NICE", "10")))
    out = os.environ.get("BENCH_WORKER_PROFILE")  # a path prefix: profile the load generator
    if not out:
        asyncio.run(_serve(conn, url, compact))
        return
    import cProfile
    with cProfile.Profile() as prof:
        asyncio.run(_serve(conn, url, compact))
    prof.dump_stats(f"{out}-{os.getpid()}.prof")
