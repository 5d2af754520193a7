"""The soak: many clients for a long time with a realistic mix, against the
real server (`python app.py`, eventlet, a temporary SQLite database).

    python bench/soak.py                          # 300 clients, 10 minutes
    python bench/soak.py --clients 50 --minutes 2 # a quick look

Participants join over both sites and connect from worker processes
(bench/worker.py); each then acts every ~20 s on average (marks, comments,
supports, votes while a round is open, raised hands, and 2% of actions a
dropped connection that comes back with last_seq). The facilitator changes
the focus every 20 s and opens and closes a dots round every minute.

Reported: errors (client errors, dropped connections, gaps, duplicates,
command timeouts, `unavailable` answers, tracebacks or 5xx in the server's
log), refusals by code (expected ones: e.g. a vote that lands as a round
closes), the server's RSS every 30 s and its growth after the warm-up
(target: under 10%), and every in-memory structure that could grow, as the
server logs them (sinkron/live/structures.py), at the end of the warm-up and
at the end."""
from __future__ import annotations

import argparse
import json
import os
import random
import re
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.pool import Pool  # noqa: E402
from bench.scenario import join_all  # noqa: E402
from tests.e2e_client import Peer  # noqa: E402
from tests.server import Server  # noqa: E402

TARGET_GROWTH = 0.10


def structures(log: str) -> list[dict]:
    return [json.loads(m) for m in re.findall(r"structures (\{.*\})", log)]


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--clients", type=int, default=300)
    p.add_argument("--minutes", type=float, default=10)
    p.add_argument("--warmup", type=float, default=2, help="minutes before RSS growth is counted")
    p.add_argument("--workers", type=int, default=4)
    p.add_argument("--pause", type=float, default=20, help="mean seconds between one client's actions")
    p.add_argument("--seed", type=int, default=13)
    p.add_argument("--keep-log", metavar="PATH", help="copy the server's log here")
    args = p.parse_args(argv)
    rng = random.Random(args.seed)
    with tempfile.TemporaryDirectory() as folder:
        server = Server(Path(folder) / "instance", env={
            "SINKRON_REPORT_STRUCTURES_SECONDS": "30", "SINKRON_JOIN_PER_MINUTE": "100000"}).start()
        pool = None
        try:
            links = server.demo_links()
            codes = [s["join_code"] for s in links["sites"]]
            people = join_all(server, codes, args.clients)
            pool = Pool(server.url, args.workers)
            connected = pool.connect(people)
            facilitator = Peer(server.url, links["facilitator_token"])
            proposals = [p["id"] for p in facilitator.wait_snapshot()["proposals"]]
            proc = psutil.Process(server.proc.pid)
            load_start = os.getloadavg()
            start = time.monotonic()
            until = start + args.minutes * 60
            for i, _ in enumerate(pool.conns):
                pool.ask(i, "mix", until, args.seed + i, args.pause)
            rss: list[tuple[float, float]] = []
            refusals: Counter = Counter()
            errors: list[str] = []
            acks = 0
            next_focus = next_round = next_sample = start
            round_open = None
            while time.monotonic() < until:
                now = time.monotonic()
                if now >= next_sample:
                    rss.append((now - start, proc.memory_info().rss / 2**20))
                    next_sample += 30
                if now >= next_focus:
                    facilitator.send("agenda.focus", proposal_id=rng.choice(proposals))
                    next_focus += 20
                if now >= next_round:
                    if round_open:
                        facilitator.send("voting.close")
                        round_open = None
                        pool.ask_all("voting", {})
                    else:
                        ack = facilitator.send("voting.open", mode="dots", budget=5, max_per_proposal=3)
                        if ack.get("ok"):
                            round_open = facilitator.wait_seq(ack["seq"])["data"]["round"]["id"]
                            pool.ask_all("voting", {"round_id": round_open})
                    next_round += 60
                if int(now - start) % 60 == 0:  # collect as we go: records stay small
                    for part in pool.ask_all("summary"):
                        for rec in part:
                            for ack in rec["acks"]:
                                acks += 1
                                if not ack.get("ok"):
                                    refusals[ack["error"]["code"]] += 1
                time.sleep(0.5)
            pool.ask_all("wait_tasks", 120)
            rss.append((time.monotonic() - start, proc.memory_info().rss / 2**20))
            behind = pool.wait_seq(facilitator.seq or 0, timeout=60)
            summary = [rec for part in pool.ask_all("summary") for rec in part]
            for rec in summary:
                for ack in rec["acks"]:
                    acks += 1
                    if not ack.get("ok"):
                        refusals[ack["error"]["code"]] += 1
                errors += [f"{rec['name']}: {e}" for e in rec["errors"]]
                if rec["gaps"] or rec["duplicates"]:
                    errors.append(f"{rec['name']}: {rec['gaps']} gaps, {rec['duplicates']} duplicates")
                if not rec["connected"]:
                    errors.append(f"{rec['name']}: not connected at the end")
            errors += [f"behind at the end: {b}" for b in behind]
            errors += [f"{refusals[c]} answers '{c}'" for c in ("client", "unavailable") if refusals[c]]
            load_end = os.getloadavg()
            facilitator.close()
        finally:
            if pool:
                pool.close()
            server.stop()
        log = server.log_path.read_text(errors="replace")
        if args.keep_log:
            Path(args.keep_log).write_text(log)
    tracebacks = log.count("Traceback (most recent call last)")
    if tracebacks:
        errors.append(f"{tracebacks} tracebacks in the server log")
    warm = [mb for t, mb in rss if t >= args.warmup * 60]
    growth = (rss[-1][1] - warm[0]) / warm[0] if warm else None
    seen = structures(log)
    warm_structures = seen[int(args.warmup * 2) - 1] if len(seen) >= args.warmup * 2 else (seen[0] if seen else {})
    print(f"Soak: {args.clients} clients ({connected['connected']} connected), {args.minutes:g} min, "
          f"mean pause {args.pause:g} s, {args.workers} workers, seed {args.seed}")
    print(f"load average at start {load_start[0]:.1f}, at end {load_end[0]:.1f} (2 cores; shared machine)")
    print(f"commands answered: {acks}; refusals by code: {dict(refusals)}")
    print(f"errors: {len(errors)}")
    for e in errors[:20]:
        print("  ", e)
    print("RSS (MiB) every 30 s: " + ", ".join(f"{mb:.0f}" for _, mb in rss))
    if growth is not None:
        print(f"RSS growth after {args.warmup:g} min warm-up: {growth:+.1%} "
              f"({'within' if growth < TARGET_GROWTH else 'OVER'} the {TARGET_GROWTH:.0%} target)")
    print("in-memory structures (after warm-up -> end):")
    for key in (seen[-1] if seen else {}):
        print(f"  {key}: {warm_structures.get(key)} -> {seen[-1][key]}")
    return 0 if not errors and growth is not None and growth < TARGET_GROWTH else 1


if __name__ == "__main__":
    sys.exit(main())
