"""Connections and snapshots at a bounded rate, so that a reconnect storm
never starves live traffic.

Building and sending a snapshot is the costliest thing a connection asks
for (milliseconds to tenths of a second of the one process's time). When
dozens of clients reconnect at once (a room's Wi-Fi comes back), building
all their snapshots back to back stops everyone else's events and
acknowledgements for seconds. Here each snapshot first takes a token from a
bucket; without one it waits (the connecting client waits, nobody else
does), and the process yields between them. Every authenticated connect is
gated (its replay costs too; a made-up token is refused before the gate, so
a flood of them takes no turn); a `sync` only when it needs a snapshot.

A connection that must wait is accepted first and waits in a task of its
own (events.on_connect): python-socketio runs the connect handler on the
socket's reader, so a connection held there for its turn (up to max_wait)
read nothing meanwhile, not even its pongs."""
from __future__ import annotations

import threading
import time
from typing import Callable


class Admission:
    def __init__(self, per_second: float, burst: int, sleep: Callable[[float], None],
                 clock: Callable[[], float] = time.monotonic, max_wait: float = 30.0):
        self.per_second, self.burst = per_second, burst
        self.sleep, self.clock, self.max_wait = sleep, clock, max_wait
        self._tokens, self._last = float(burst), clock()
        self._lock = threading.Lock()
        self.waiting = 0  # how many connections wait now (for the soak's report)

    def _refilled(self) -> float:
        """The bucket brought up to now (caller holds the lock); returns now."""
        now = self.clock()
        self._tokens = min(self.burst, self._tokens + (now - self._last) * self.per_second)
        self._last = now
        return now

    def try_take(self) -> bool:
        """Take a token if one is there now; never waits."""
        if self.per_second <= 0:
            return True
        with self._lock:
            self._refilled()
            if self._tokens >= 1 - 1e-9:
                self._tokens -= 1
                return True
            return False

    def wait(self, wanted: Callable[[], bool] = lambda: True) -> float | None:
        """Take a token, waiting for one if needed; returns the seconds waited.
        A rate of 0 admits everyone at once (benchmarks compare with it).
        `wanted` is asked before each try: when it says no (the connection
        left while it waited), no token is taken and None is returned. In a
        storm, phones that give up and reconnect would otherwise spend turns
        on sockets that are gone, and the ones still there wait longer."""
        if self.per_second <= 0:
            return 0.0
        started = self.clock()
        with self._lock:
            self.waiting += 1
        try:
            while True:
                if not wanted():
                    return None
                with self._lock:
                    now = self._refilled()
                    if self._tokens >= 1 - 1e-9 or now - started >= self.max_wait:
                        self._tokens -= 1
                        return now - started
                    short = (1 - self._tokens) / self.per_second
                    short = min(short, self.max_wait - (now - started))
                self.sleep(max(short, 0.001))
        finally:
            with self._lock:
                self.waiting -= 1
