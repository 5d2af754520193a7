"""When the broadcaster sends: the rule alone, on times it is given, so that
it can be tested without a clock.

A lone event goes out at once. After each send, one window passes before
the next; whatever commits meanwhile shares one message. While a burst goes
on, windows stretch (BURST_STRETCH, then BURST_GROWTH each) up to
BURST_WINDOW_MAX: every message costs a frame per connection, the largest
share of the server's work in a burst once commands are cheap, and a burst
that lasts longer (a slow machine, a long debate of marks) does not send
proportionally more. A commit that comes soon after a window ended (within
the next, longer window) still belongs to the burst: it goes at once, but
the windows keep growing, or a busy machine, whose commits come further
apart, would send every one of them alone.

So that long windows do not hold back a burst's last events (the final
tallies), pending events also go once commits have been quiet for
QUIET_SECONDS: longer than the writer's gather under a crowd
(writer.CROWD_GATHER_SECONDS, 50 ms), so a burst in progress is not cut into
extra messages; and on a busy machine at least QUIET_GAPS times the longest
gap between two commits of the burst so far."""
from __future__ import annotations

BURST_STRETCH = 2.5
BURST_GROWTH = 2.0
BURST_WINDOW_MAX = 0.5
QUIET_SECONDS = 0.08
QUIET_GAPS = 1.5


class Pacing:
    def __init__(self, window: float):
        self.window = window
        self.next_send = -1e9        # no send before this moment
        self.last_publish = -1e9     # when events were last queued
        self.burst_window = window * BURST_STRETCH
        self.longest_gap = 0.0       # between two commits of this burst
        self.in_burst = False

    def published(self, now: float) -> bool:
        """Events were queued at `now`. True if they go at once (no window is
        open); the caller then sends and calls sent()."""
        self.in_burst = now < self.next_send + self.burst_window
        if self.in_burst:
            self.longest_gap = max(self.longest_gap, now - self.last_publish)
        else:
            self.burst_window = self.window * BURST_STRETCH
            self.longest_gap = 0.0
        self.last_publish = now
        return now >= self.next_send

    def due(self) -> float:
        """When pending events go: the window's end, or earlier if commits
        went quiet."""
        quiet = max(QUIET_SECONDS, QUIET_GAPS * self.longest_gap)
        return min(self.next_send, self.last_publish + quiet)

    def sent(self, now: float) -> None:
        """Events went out at `now`: the next window opens, longer in a burst."""
        if not self.in_burst:
            self.next_send = now + self.window
            return
        self.next_send = now + self.burst_window
        self.burst_window = min(self.burst_window * BURST_GROWTH,
                                max(BURST_WINDOW_MAX, self.window))
