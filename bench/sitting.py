"""Issue 14's "Done when" sitting, unattended, and its verdict.

    python bench/sitting.py                 # the whole sitting (~35 minutes)
    python bench/sitting.py --quick         # a trial: 100 clients, one run each way

In one sitting, on this machine:

- `bench/run.py --clients 100,300,500 --bursts 5` three times with the client
  workers at their default nice, and three times with BENCH_WORKER_NICE=0;
- between them, the commit before the issue (`--before`, default c7e30b2)
  measured the same way at 500 clients, batched, in a git worktree under the
  system's temporary folder, three times: its server CPU per burst is the
  baseline the CPU target divides;

then, at 500 clients, batched, the median over the three runs of each kind
against the targets: server CPU per 500-vote burst at most a third of
before's, vote acknowledgement p99 at most 250 ms and every screen final
within 1.3 s (both with the default nice and with nice 0), fan-out p99 no
worse than naive's in the same run, and at most 15 `events` messages per
client per burst. Raw results go to --out as JSON. The machine's load is
printed with each run: on a shared machine, say so with the numbers."""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench import report  # noqa: E402
from bench.scenario import Burst, Result  # noqa: E402
from bench.stats import median, percentile  # noqa: E402

BEFORE = "c7e30b2"


def parse_args(argv=None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--runs", type=int, default=3, help="runs of each kind (default 3)")
    p.add_argument("--clients", default="100,300,500")
    p.add_argument("--bursts", type=int, default=5)
    p.add_argument("--at", type=int, default=500, help="the client count the targets are for")
    p.add_argument("--before", default=BEFORE, help=f"the commit before the issue (default {BEFORE})")
    p.add_argument("--out", default=None, help="folder for the raw JSON (default: a new temporary one)")
    p.add_argument("--quick", action="store_true", help="a trial: 100 clients, one run of each kind")
    args = p.parse_args(argv)
    if args.quick:
        args.runs, args.clients, args.bursts, args.at = 1, "100", 2, 100
    return args


def _load(path: Path) -> list[Result]:
    runs = []
    for r in json.loads(path.read_text())["runs"]:
        bursts = [Burst(**{k: v for k, v in b.items() if k in Burst.__dataclass_fields__})
                  for b in r.pop("bursts")]
        runs.append(Result(**{k: v for k, v in r.items() if k in Result.__dataclass_fields__},
                           bursts=bursts))
    return runs


def _bench(cwd: Path, out: Path, args: list[str], env: dict | None = None) -> list[Result]:
    cmd = [sys.executable, "bench/run.py", *args, "--json", str(out)]
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    print(f"$ {' '.join(cmd[1:])}  (in {cwd}; {env or 'default nice'}; load {load})", flush=True)
    started = time.monotonic()
    done = subprocess.run(cmd, cwd=cwd, env={**os.environ, **(env or {})},
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    (out.with_suffix(".txt")).write_text(done.stdout)
    print(f"  {time.monotonic() - started:.0f} s, exit {done.returncode}", flush=True)
    if not out.exists():
        raise SystemExit(f"no results from {cmd}:\n{done.stdout[-3000:]}")
    return _load(out)


def _before_tree(commit: str) -> Path:
    tree = Path(tempfile.gettempdir()) / f"sinkron-before-{commit}"
    if not tree.exists():
        subprocess.run(["git", "worktree", "add", "--detach", str(tree), commit], cwd=ROOT,
                       check=True, capture_output=True)
    return tree


def _cpu_s(b: Burst):
    cpu = b.cpu
    return cpu.get("server_s", cpu["server"] * cpu["wall"] / 100) if cpu else None


def _summary(results: list[Result], n: int) -> dict:
    """One run's numbers at n clients (batched, with naive beside it)."""
    by = {(r.mode, r.n): r for r in results}
    b, nv = by.get(("batched", n)), by.get(("naive", n))
    out = {"cpu_s": median([_cpu_s(x) for x in b.bursts]),
           "ack_p99": median([percentile(x.ack_ms, 99) for x in b.bursts]),
           "final": median([max(x.settle_ms) if len(x.settle_ms) == b.n else float("inf")
                            for x in b.bursts]),
           "messages": max(max(x.messages, default=0) for x in b.bursts),
           "fanout_p99": percentile(b.fanout_ms, 99),
           "others": median([x.cpu.get("others") for x in b.bursts]),
           "problems": len(b.problems)}
    if nv is not None:
        out["naive_fanout_p99"] = percentile(nv.fanout_ms, 99)
        out["naive_cpu_s"] = median([_cpu_s(x) for x in nv.bursts])
    return out


def _fmt(v, spec="{:.0f}") -> str:
    return "–" if v is None else spec.format(v)


def main(argv=None) -> int:
    args = parse_args(argv)
    out = Path(args.out or tempfile.mkdtemp(prefix="sinkron-sitting-"))
    out.mkdir(parents=True, exist_ok=True)
    print(f"Machine: {report.machine()}\nResults in {out}\n", flush=True)
    before_tree = _before_tree(args.before)
    after_args = ["--clients", args.clients, "--bursts", str(args.bursts)]
    # run.py runs the modes in the order given at each N, so the first follows
    # the previous N's heavier run (the naive mode's bursts at 300 clients),
    # the second a lighter one. Every other run turns the order round, so that
    # neither mode always takes the first place (the fan-out comparison).
    orders = ["batched,naive", "naive,batched"]
    before_args = ["--clients", str(args.at), "--modes", "batched", "--bursts", str(args.bursts),
                   "--no-snapshot"]
    after = {"default": [], "nice 0": []}
    before = []
    started = time.monotonic()
    # Interleaved, so a busy stretch of the sitting hurts every kind alike.
    for i in range(args.runs):
        modes = ["--modes", orders[i % 2]]
        after["default"].append(_summary(_bench(ROOT, out / f"after-default-{i + 1}.json",
                                                 after_args + modes), args.at))
        before.append(_summary(_bench(before_tree, out / f"before-{i + 1}.json",
                                      before_args), args.at))
        modes = ["--modes", orders[(i + 1) % 2]]
        after["nice 0"].append(_summary(_bench(ROOT, out / f"after-nice0-{i + 1}.json",
                                               after_args + modes,
                                               {"BENCH_WORKER_NICE": "0"}), args.at))
    print(f"\nSitting: {time.monotonic() - started:.0f} s. At {args.at} clients, batched, "
          f"medians of {args.runs} run(s) of {args.bursts} bursts (each run's median burst; "
          f"messages: each run's worst burst).\n")

    before_cpu = median([r["cpu_s"] for r in before])
    rows = [("server CPU per burst (s)", "cpu_s", "{:.2f}"),
            ("vote ack p99 (ms)", "ack_p99", "{:.0f}"),
            ("every screen final (ms)", "final", "{:.0f}"),
            ("fan-out p99 (ms)", "fanout_p99", "{:.1f}"),
            ("naive fan-out p99, same runs (ms)", "naive_fanout_p99", "{:.1f}"),
            ("`events` messages per client per burst, max", "messages", "{}"),
            ("other processes' CPU in bursts (%)", "others", "{:.0f}"),
            ("protocol problems", "problems", "{}")]
    print(f"| metric | before ({args.before}) | after, default nice | after, nice 0 |")
    print("|---|---:|---:|---:|")
    for label, key, spec in rows:
        cells = [_fmt(median([r[key] for r in before if r.get(key) is not None]) if any(
            r.get(key) is not None for r in before) else None, spec)]
        cells += [_fmt(median([r[key] for r in after[k] if r.get(key) is not None]), spec)
                  for k in after]
        print(f"| {label} | {' | '.join(cells)} |")

    verdicts = []
    for kind, runs in after.items():
        cpu = median([r["cpu_s"] for r in runs])
        verdicts += [
            (f"{kind}: server CPU per burst ≤ 1/3 of before ({cpu:.2f} vs {before_cpu:.2f} s, "
             f"ratio {cpu / before_cpu:.2f})", cpu <= before_cpu / 3),
            (f"{kind}: vote ack p99 ≤ 250 ms ({median([r['ack_p99'] for r in runs]):.0f})",
             median([r["ack_p99"] for r in runs]) <= 250),
            (f"{kind}: every screen final ≤ 1.3 s ({median([r['final'] for r in runs]):.0f} ms)",
             median([r["final"] for r in runs]) <= 1300),
            (f"{kind}: fan-out p99 ≤ naive's in the same run "
             f"({[round(r['fanout_p99'], 1) for r in runs]} vs "
             f"{[round(r.get('naive_fanout_p99') or 0, 1) for r in runs]})",
             median([r["fanout_p99"] - (r.get("naive_fanout_p99") or 0) for r in runs]) <= 0),
            (f"{kind}: ≤ 15 messages per client per burst "
             f"({median([r['messages'] for r in runs])})",
             median([r["messages"] for r in runs]) <= 15),
            (f"{kind}: no gap, duplicate or reordering", all(r["problems"] == 0 for r in runs)),
        ]
    print()
    for text, ok in verdicts:
        print(f"{'met   ' if ok else 'MISSED'}  {text}")
    (out / "sitting.json").write_text(json.dumps({"before": before, "after": after}, indent=1))
    return 0 if all(ok for _, ok in verdicts) else 1


if __name__ == "__main__":
    sys.exit(main())
