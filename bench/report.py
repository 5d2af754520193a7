"""The results table: batched beside naive, their ratio, and the issue's targets.

Printed as a Markdown pipe table, so the terminal output can be pasted into
docs/performance.md as it is."""
from __future__ import annotations

import os
import platform
import subprocess

import psutil

from bench.stats import median, percentile



def _bursts(get, combine=median):
    """A burst metric over a run's bursts: the median burst by default, so one
    slow second on a shared machine does not make the row; `max` where the
    target is a bound that every burst must keep."""
    def over(r):
        values = [v for v in (get(b, r) for b in r.bursts) if v is not None]
        return combine(values) if values else None
    return over


def _server_s(b):
    """Server CPU seconds over one burst (older JSON results: from % and wall)."""
    cpu = b.cpu
    if "server_s" in cpu:
        return cpu["server_s"]
    return cpu["server"] * cpu["wall"] / 100 if "server" in cpu else None


def _settled(b, r):
    """When the last client showed the final tallies (None if one never did)."""
    return max(b.settle_ms) if len(b.settle_ms) == r.n else None


# (label, function of a Result, format, target for the batched server or None)
# Targets are the issue's, for 500 clients on 2 cores; shown for every N.
ROWS = [
    ("fan-out p50 (ms)", lambda r: percentile(r.fanout_ms, 50), "{:.1f}", None),
    ("fan-out p99 (ms)", lambda r: percentile(r.fanout_ms, 99), "{:.1f}", "≤ naive"),
    ("fan-out max (ms)", lambda r: max(r.fanout_ms, default=None), "{:.1f}", None),
    ("facilitator's focus ack p50 (ms)", lambda r: median(r.focus_ack_ms), "{:.1f}", None),
    ("vote ack p50 (ms)", _bursts(lambda b, r: percentile(b.ack_ms, 50)), "{:.0f}", None),
    ("vote ack p99 (ms)", _bursts(lambda b, r: percentile(b.ack_ms, 99)), "{:.0f}", 250),
    ("final tallies, p50 client (ms)", _bursts(lambda b, r: median(b.settle_ms)), "{:.0f}", None),
    ("final tallies, every client (ms)", _bursts(_settled), "{:.0f}", 1300),
    ("final tallies, every client, worst burst (ms)", _bursts(_settled, max), "{:.0f}", None),
    ("final tallies at the facilitator (own process) (ms)", _bursts(lambda b, r: b.probe_ms),
     "{:.0f}", None),
    ("`events` messages per client, max", _bursts(lambda b, r: max(b.messages, default=None), max),
     "{}", 15),
    # CPU seconds (not %): steady on a shared machine, where a slow burst
    # lasts longer and so shows a lower percentage for the same work.
    ("server CPU per burst (s)", _bursts(lambda b, r: _server_s(b)), "{:.2f}", None),
    ("server CPU in burst (% of a core)", _bursts(lambda b, r: b.cpu.get("server")), "{:.0f}", None),
    ("clients CPU in burst (% of a core)", _bursts(lambda b, r: b.cpu.get("clients")), "{:.0f}",
     None),
    ("server CPU idle before the burst (%)", _bursts(lambda b, r: b.idle_cpu), "{:.1f}", None),
    ("other processes' CPU in burst (%)", _bursts(lambda b, r: b.cpu.get("others")), "{:.0f}", None),
    ("late vote sends, max (ms)", _bursts(lambda b, r: b.send_lag_ms, max), "{:.0f}", None),
    ("server CPU in fan-out (%)", lambda r: r.fanout_cpu.get("server"), "{:.0f}", None),
    ("clients CPU in fan-out (%)", lambda r: r.fanout_cpu.get("clients"), "{:.0f}", None),
    ("RSS idle (MB)", lambda r: r.rss_mb.get("idle"), "{:.0f}", None),
    ("RSS N connected (MB)", lambda r: r.rss_mb.get("connected"), "{:.0f}", 200),
    ("RSS after bursts (MB)", lambda r: r.rss_mb.get("after burst"), "{:.0f}", 200),
    ("RSS after leaving (MB)", lambda r: r.rss_mb.get("after leaving"), "{:.0f}", None),
    ("rejected votes", lambda r: sum(len(b.rejected) for b in r.bursts), "{}", 0),
    ("protocol problems (gaps, order)", lambda r: len(r.problems), "{}", 0),
]


def _fmt(fmt: str, value) -> str:
    return "–" if value is None else fmt.format(value)


def _met(target, value, naive_value) -> str:
    if target is None or value is None:
        return ""
    if target == "≤ naive":
        ok = naive_value is None or value <= naive_value
    else:
        ok = value <= target
    return " ✓" if ok else " ✗"


def results_table(results: list) -> str:
    """One row per metric and N; columns batched, naive, batched ÷ naive, target."""
    by = {(r.mode, r.n): r for r in results}
    ns = sorted({r.n for r in results})
    lines = ["| metric | N | batched | naive | batched ÷ naive | target |",
             "|---|---:|---:|---:|---:|---|"]
    for label, get, fmt, target in ROWS:
        for n in ns:
            b, nv = by.get(("batched", n)), by.get(("naive", n))
            bv = get(b) if b else None
            nvv = get(nv) if nv else None
            ratio = f"{bv / nvv:.2f}" if bv is not None and nvv else "–"
            shown_target = "" if target is None else (
                target if isinstance(target, str) else f"≤ {target}")
            lines.append(f"| {label} | {n} | {_fmt(fmt, bv)}{_met(target, bv, nvv)} | "
                         f"{_fmt(fmt, nvv)} | {ratio} | {shown_target} |")
    return "\n".join(lines)


def snapshot_table(snap: dict) -> str:
    lines = ["| snapshot for | bytes (JSON) | gzip bytes | build p50 (ms) | build CPU p50 (ms) "
             "| JSON encode p50 (ms) |", "|---|---:|---:|---:|---:|---:|"]
    for role, m in snap.items():
        lines.append(f"| {role} | {m['bytes']:,} | {m['gzip_bytes']:,} | "
                     f"{m['build_ms']:.1f}{' ✓' if m['build_ms'] <= 50 else ' ✗'} | "
                     f"{m['build_cpu_ms']:.1f} | {m['encode_ms']:.1f} |")
    return "\n".join(lines)


def machine() -> str:
    cpu = "unknown"
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    try:
        commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True,
                                text=True, cwd=os.path.dirname(__file__)).stdout.strip()
    except OSError:
        commit = "?"
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    return (f"nproc {os.cpu_count()}, {cpu}, RAM {psutil.virtual_memory().total / 2**30:.1f} GiB, "
            f"Python {platform.python_version()}, {platform.system()} {platform.release()}, "
            f"commit {commit}, load average at start {load}")
