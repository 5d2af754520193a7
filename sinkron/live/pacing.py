"""When the broadcaster sends: the rule alone, on times it is given, so that
it can be tested without a clock.

Anything that is not the crowd's goes at once (a facilitator's focus, the
server's own suggestions; whatever is pending goes with it): only the
crowd's commands (votes, marks, supports, raised hands) come in bursts
worth pacing, and one person's actions in a row (a facilitator stepping
through the agenda every 200 ms) would otherwise be taken for a burst and
held.

A crowd's event after a pause waits one window (SINKRON_BATCH_WINDOW_MS, 60
ms): a vote alone still reaches every screen at once to the eye, and if it
was a burst's first, it goes with what follows. A burst is commits that
follow each other closer than LONE_GAP (a crowd's commits, even on a busy
machine, come well within it; a person acting alone takes longer). Once one
shows, its first message goes BURST_STRETCH windows after its first commit,
and after each send the next window grows (BURST_GROWTH each) up to
BURST_WINDOW_MAX; whatever commits meanwhile shares one message. Every
message costs a frame per connection, the largest share of the server's
work in a burst once commands are cheap (~20 ms per message at 500
clients, docs/performance.md), so a one-second burst is two messages (the
tallies at 0.3 s, the final ones) and a longer one (a slow machine, a long
debate of marks) updates the screens once a second, not more. Within a
burst, a commit that comes after a window ended goes at once, but the
windows keep growing: a busy machine's commits come further apart, and
would otherwise each go alone.

So that long windows do not hold back a burst's last events (the final
tallies), pending events go as soon as the writer finds nothing queued for
writer.CROWD_STOPPED_SECONDS (25 ms) after a crowd's batch (crowd_stopped),
and in any case once commits have been quiet for
QUIET_SECONDS: longer than the writer's gather under a crowd
(writer.CROWD_GATHER_SECONDS, 50 ms), so a burst in progress is not cut into
extra messages; and on a busy machine at least QUIET_GAPS times the longest
gap between two commits of the burst so far. An event after a pause is not
held by the long windows of the burst before it (it would have been by up
to BURST_WINDOW_MAX), only by its own first window."""
from __future__ import annotations

BURST_STRETCH = 5.0
BURST_GROWTH = 4.0
BURST_WINDOW_MAX = 1.0
QUIET_SECONDS = 0.08
QUIET_GAPS = 1.5
LONE_GAP = 0.25


class Pacing:
    def __init__(self, window: float):
        self.window = window
        self.next_send = -1e9        # no send before this moment
        self.first_publish = -1e9    # the first commit after the last pause
        self.last_publish = -1e9     # when events were last queued
        self.burst_window = window * BURST_STRETCH
        self.longest_gap = 0.0       # between two commits of this burst
        self.in_burst = False
        self.quiet_at = -1e9         # when the writer last said the crowd stopped

    def published(self, now: float, crowd: bool = True) -> bool:
        """Events were queued at `now`; `crowd` when they are all the
        crowd's. True if they go at once; the caller then sends and calls
        sent()."""
        if not crowd:
            return True  # the burst's state is the crowd's: left as it is
        gap = now - self.last_publish
        if gap >= LONE_GAP:  # after a pause: one window, in case a burst begins
            self.in_burst = False
            self.first_publish = now
            self.burst_window = self.window * BURST_STRETCH
            self.longest_gap = 0.0
            self.next_send = now + self.window
        else:
            if not self.in_burst:  # it has: its first message after a burst window
                self.in_burst = True
                self.next_send = max(self.next_send, self.first_publish + self.burst_window)
                self._grow()
            self.longest_gap = max(self.longest_gap, gap)
        self.last_publish = now
        return now >= self.next_send

    def due(self) -> float:
        """When pending events go: the window's end, or earlier if commits
        went quiet (or the writer said the crowd stopped since the last)."""
        quiet = max(QUIET_SECONDS, QUIET_GAPS * self.longest_gap)
        due = min(self.next_send, self.last_publish + quiet)
        return min(due, self.quiet_at) if self.quiet_at >= self.last_publish else due

    def crowd_stopped(self, now: float) -> None:
        """The writer found nothing queued for a while after a crowd's
        batch: what is pending is a burst's last, and goes now. Commits after
        this wait for their own window or quiet again."""
        self.quiet_at = now

    def sent(self, now: float) -> None:
        """Events went out at `now`: the next window opens, longer in a burst."""
        if not self.in_burst:
            self.next_send = now + self.window
            return
        self.next_send = now + self.burst_window
        self._grow()

    def _grow(self) -> None:
        self.burst_window = min(self.burst_window * BURST_GROWTH,
                                max(BURST_WINDOW_MAX, self.window))
