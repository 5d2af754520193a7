"""Percentiles and CPU accounting, kept tiny and dependency-free."""
from __future__ import annotations

import math
import time

import psutil


def percentile(values: list[float], p: float) -> float | None:
    """Nearest-rank percentile: an observed value, never an interpolation."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, math.ceil(p / 100 * len(ordered)))
    return ordered[rank - 1]


def median(values: list[float]) -> float | None:
    return percentile(values, 50)


def _busy_seconds() -> float:
    """CPU seconds the whole machine spent busy, over all cores, since boot."""
    t = psutil.cpu_times()
    return sum(t) - t.idle - getattr(t, "iowait", 0.0)


class CpuMeter:
    """CPU seconds used by some processes over a stretch of wall time, as a
    percentage of one core (200 % = both cores of a 2-core machine)."""

    def __init__(self, processes: list[psutil.Process]):
        self.processes = processes

    def _total(self) -> float:
        total = 0.0
        for p in self.processes:
            try:
                t = p.cpu_times()
                total += t.user + t.system
            except psutil.NoSuchProcess:
                pass
        return total

    def __enter__(self) -> "CpuMeter":
        self._cpu0, self._t0, self._busy0 = self._total(), time.monotonic(), _busy_seconds()
        return self

    def __exit__(self, *exc) -> None:
        self.seconds = self._total() - self._cpu0
        self.wall = time.monotonic() - self._t0
        self.percent = 100 * self.seconds / self.wall if self.wall > 0 else 0.0
        # The whole machine, to tell a slow server from a busy neighbour.
        self.machine_percent = 100 * (_busy_seconds() - self._busy0) / self.wall if self.wall else 0.0
