"""Benchmark the live path: fan-out, vote bursts, memory and snapshots.

    python bench/run.py --clients 100,300,500      # the full run (~5 minutes)
    python bench/run.py --quick                    # 50 clients, a minute or so

For every N it starts a fresh real server (`python app.py`: eventlet, a
temporary SQLite database) twice, once batched and once with
SINKRON_BROADCAST_MODE=naive, joins N participants over both sites through
POST /api/join, connects them from several client processes, and measures
(see bench/scenario.py for how). Then it builds a 500-participant snapshot
in-process (bench/snapshot.py). docs/performance.md explains the numbers."""
from __future__ import annotations

import argparse
import dataclasses
import json
import sys
import time
from pathlib import Path

# Run as a script from anywhere: the repository root holds bench/ and tests/.
ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


def parse_args(argv=None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--clients", default="100,300,500",
                   help="comma-separated participant counts (default 100,300,500)")
    p.add_argument("--quick", action="store_true",
                   help="50 clients, 5 focus changes, 1 burst, 5 snapshot builds")
    p.add_argument("--modes", default="batched,naive", help="broadcast modes to compare")
    p.add_argument("--workers", type=int, default=4, help="client processes (default 4)")
    p.add_argument("--fanout-reps", type=int, default=20,
                   help="focus changes per run; every client times every one (default 20)")
    p.add_argument("--bursts", type=int, default=3,
                   help="vote bursts per run; the table shows the median burst (default 3)")
    p.add_argument("--no-snapshot", action="store_true", help="skip the snapshot measurement")
    p.add_argument("--json", metavar="PATH", help="also write the raw results here")
    p.add_argument("--processes", type=int, default=1,
                   help="server processes (default 1). More share a fresh PostgreSQL database "
                        "and Redis, each on its own port, each site's clients on one of them")
    p.add_argument("--plain", action="store_true",
                   help="clients take every event (no auth.compact), as plain protocol clients do")
    p.add_argument("--profile", metavar="PREFIX",
                   help="py-spy the server during each burst into PREFIX-<mode>-<N>.txt")
    args = p.parse_args(argv)
    if args.quick:
        args.clients, args.fanout_reps, args.bursts = "50", 5, 1
    args.clients = [int(n) for n in args.clients.split(",")]
    args.modes = args.modes.split(",")
    return args


def main(argv=None) -> int:
    from bench import report, scenario, snapshot

    args = parse_args(argv)
    print(f"Machine: {report.machine()}", flush=True)
    results = []
    started = time.monotonic()
    for n in args.clients:
        # Modes alternate for each N, so a slow minute on a shared machine
        # hurts both sides of a ratio alike, not one of them.
        for mode in args.modes:
            print(f"{mode}, {n} clients ...", flush=True)
            results.append(scenario.run(mode, n, args.workers, args.fanout_reps, args.bursts,
                                        profile=args.profile, compact=not args.plain,
                                        processes=args.processes,
                                        log=lambda s: print(s, flush=True)))
    snap = None if args.no_snapshot else snapshot.measure(5 if args.quick else 20)

    print(f"\nFinished in {time.monotonic() - started:.0f} s; {args.workers} client processes; "
          f"{args.fanout_reps} focus changes and {args.bursts} vote burst(s) per run; "
          f"{args.processes} server process(es); clients "
          f"{'take every event' if args.plain else 'ask for totals (auth.compact)'}.\n")
    print(report.results_table(results))
    if snap:
        print()
        print(report.snapshot_table(snap))
    problems = [f"{r.mode} N={r.n}: {p}" for r in results for p in r.problems]
    if problems:
        print("\nProtocol problems:\n  " + "\n  ".join(problems[:20]))
    if args.json:
        Path(args.json).write_text(json.dumps({
            "machine": report.machine(), "snapshot": snap,
            "runs": [dataclasses.asdict(r) for r in results]}, indent=1))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
