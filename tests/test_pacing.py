"""The broadcaster's and the writer's timing rules, on given times (no clock)."""
import random

from sinkron.live import pacing
from sinkron.live.pacing import QUIET_GAPS, QUIET_SECONDS, Pacing
from sinkron.live.writer import CROWD_BATCH, CROWD_GATHER_SECONDS, GATHER_SECONDS, gather_seconds


def _sends(p: Pacing, commits: list[float]) -> list[float]:
    """What the broadcaster does with commits at these moments: the moments
    messages go out."""
    sends, pending = [], False
    for t in commits:
        if pending and p.due() <= t:       # the sending task woke first
            sends.append(p.due())
            p.sent(sends[-1])
            pending = False
        if p.published(t):                 # at once, with anything pending
            sends.append(t)
            p.sent(t)
            pending = False
        else:
            pending = True
    if pending:
        sends.append(p.due())
        p.sent(sends[-1])
    return sends


def _every(step: float, until: float, start: float = 0.0) -> list[float]:
    return [round(start + i * step, 6) for i in range(int((until - start) / step) + 1)]


def test_a_lone_crowd_event_waits_one_window_in_case_a_burst_begins():
    p = Pacing(0.06)
    assert not p.published(10.0)
    assert p.due() == 10.06
    p.sent(10.06)
    assert p.next_send == 10.06 + 0.06 and not p.in_burst


def test_with_no_window_a_lone_event_goes_at_once():
    assert Pacing(0).published(10.0)


def test_a_second_crowd_commit_soon_after_starts_a_burst_window_from_the_first():
    p = Pacing(0.06)
    assert not p.published(10.0)
    assert not p.published(10.03)          # a burst shows: waits ...
    assert p.in_burst
    assert p.next_send == 10.0 + 0.06 * pacing.BURST_STRETCH  # ... a burst window from its start
    assert p.due() == 10.03 + QUIET_SECONDS  # unless commits go quiet first
    assert not p.published(10.08)
    assert p.due() == 10.08 + QUIET_SECONDS


def test_lone_events_apart_each_go_after_their_window():
    p = Pacing(0.06)
    sends = _sends(p, [0.0, 0.5, 1.0, 1.5])
    assert sends == [0.06, 0.56, 1.06, 1.56]


def test_windows_grow_in_a_burst_up_to_the_maximum():
    p = Pacing(0.06)
    sends = _sends(p, _every(0.01, 5.0))
    assert sends[0] == 0.06 * pacing.BURST_STRETCH
    windows = [round(b - a, 6) for a, b in zip(sends, sends[1:])]
    assert all(b >= a for a, b in zip(windows, windows[1:-1]))
    assert max(windows) == pacing.BURST_WINDOW_MAX


def test_a_one_second_burst_is_few_messages_and_its_end_is_not_held_back():
    # The writer commits every 50 ms under a crowd, for a second or a little more.
    for until in (1.0, 1.2):
        p = Pacing(0.06)
        sends = _sends(p, _every(0.05, until))
        assert len(sends) <= 2
        # The last commit goes once commits are quiet, not at its window's end.
        assert until <= sends[-1] <= until + QUIET_SECONDS


def test_commits_closer_than_the_quiet_do_not_cut_a_window():
    p = Pacing(0.06)
    sends = _sends(p, _every(0.05, 0.6))
    # Between the sends, windows only: none came from a quiet before the end.
    assert sends[:-1] == sorted(set(sends[:-1]))
    assert all(b - a >= 0.06 - 1e-9 for a, b in zip(sends, sends[1:-1]))
    assert len(sends) <= 6


def test_on_a_busy_machine_slow_commits_still_share_growing_windows():
    # Commits 100-140 ms apart (the server waiting for a core), or irregular,
    # for three seconds: with a fixed quiet, or windows starting over after
    # each commit that came after a window's end, most would go alone.
    for step in (0.1, 0.14):
        assert len(_sends(Pacing(0.06), _every(step, 3.0))) <= 12
    rng = random.Random(1)
    t, commits = 0.0, []
    while t < 3.0:
        commits.append(round(t, 6))
        t += rng.uniform(0.02, 0.2)
    assert len(_sends(Pacing(0.06), commits)) <= 12


def test_a_lone_event_after_a_burst_is_not_held_back_by_its_long_windows():
    p = Pacing(0.06)
    burst = _sends(p, _every(0.05, 2.0))
    assert p.next_send - burst[-1] >= 0.3   # the windows had grown
    after = burst[-1] + pacing.LONE_GAP
    assert not p.published(after)
    assert p.due() == after + 0.06         # its own first window only
    assert p.burst_window == 0.06 * pacing.BURST_STRETCH  # and if a new burst, its first


def test_what_is_not_the_crowds_goes_at_once_and_leaves_the_burst_as_it_was():
    p = Pacing(0.06)
    _sends(p, _every(0.05, 1.0))           # a vote burst: windows have grown
    window, burst_window, last = p.next_send, p.burst_window, p.last_publish
    assert not p.published(last + 0.01)    # a vote within the window: held
    assert p.published(last + 0.02, crowd=False)  # a focus: at once, the vote with it
    assert p.last_publish == last + 0.01 and p.burst_window == burst_window
    # A facilitator stepping through the agenda 200 ms apart: never held.
    p = Pacing(0.06)
    assert all(p.published(t, crowd=False) for t in _every(0.2, 2.0))
    assert window > last


def test_the_quiet_grows_with_the_gaps_of_the_burst_and_starts_over_after_it():
    p = Pacing(0.06)
    _sends(p, [0.0, 0.05, 0.25])          # a 200 ms gap within the burst
    assert p.longest_gap == 0.2
    p.published(0.3)
    assert p.due() == min(p.next_send, 0.3 + QUIET_GAPS * 0.2)
    p.published(10.0)                      # long after: a new start
    assert p.longest_gap == 0.0 and p.burst_window == 0.06 * pacing.BURST_STRETCH
    assert p.due() == 10.06


def test_the_writer_gathers_only_under_a_crowd_and_longer_under_a_large_one():
    assert gather_seconds(0) == 0 and gather_seconds(1) == 0   # a lone command goes at once
    assert gather_seconds(2) == GATHER_SECONDS
    assert gather_seconds(CROWD_BATCH - 1) == GATHER_SECONDS
    assert gather_seconds(CROWD_BATCH) == CROWD_GATHER_SECONDS
    assert gather_seconds(400) == CROWD_GATHER_SECONDS
    # The broadcaster's quiet must outlast the writer's gather, or a burst in
    # progress would be cut into extra messages.
    assert QUIET_SECONDS > CROWD_GATHER_SECONDS


def _focus(seq):
    return (1, {"seq": seq, "type": "agenda.focus", "data": {"proposal_id": seq}})


def _vote(seq):
    return (1, {"seq": seq, "type": "vote.cast", "actor": None, "at": "2020-05-12T02:05:41Z",
                "data": {"round_id": 1, "hide_results": False, "voters": seq, "proposal_id": 1,
                         "tally": {"dots": seq}}})


class _Clock:
    def __init__(self):
        self.now = 1000.0

    def monotonic(self):
        return self.now


def test_the_broadcaster_holds_the_crowds_events_and_sends_the_facilitators_at_once(app, monkeypatch):
    """The real broadcaster (threading mode) on a clock the test moves: what
    it sends at once, from the committing call, is known when publish returns."""
    from sinkron.live import broadcast
    clock = _Clock()
    monkeypatch.setattr(broadcast, "time", clock)
    b = app.extensions["sinkron"].broadcaster
    b.window = 0.06
    sent = []
    b.on_sent(lambda meeting_id, events: sent.append([e["seq"] for e in events]))

    with app.app_context(), b.exclusive():
        b.publish([_vote(1)])                   # lone: waits one window, for the task to send
        assert sent == []
        clock.now += 0.01
        b.publish([_vote(2)])                   # a burst begins: held
        assert sent == []
        clock.now += 0.01
        b.publish([_focus(3)])                  # the facilitator's focus: at once, the votes with it
        assert sent == [[1, 2, 3]]
        b.window = 0                           # no window: a crowd's lone event goes at once too
        clock.now += pacing.LONE_GAP
        b.publish([_vote(4)])
        assert sent == [[1, 2, 3], [4]]


def test_when_the_writer_says_the_crowd_stopped_its_last_events_go_at_once():
    p = Pacing(0.06)
    _sends(p, _every(0.05, 0.95))          # a burst, its first message sent
    assert not p.published(1.0)            # its last commit: held ...
    assert p.due() > 1.05                  # ... by the quiet rule, or longer
    p.crowd_stopped(1.05)                  # the writer: nothing queued for 25 ms
    assert p.due() == 1.05
    assert not p.published(1.12)           # a straggler after it waits its own turn
    assert p.due() > 1.12


class _SpyBroadcaster:
    def __init__(self, queue):
        self.queue, self.quiet = queue, 0

    def crowd_quiet(self):
        self.quiet += 1
        self.queue.put("after the crowd")  # so that the writer's wait ends


def _bare_writer():
    import queue as stdlib_queue

    from sinkron.live.writer import Writer
    writer = Writer.__new__(Writer)         # its loop alone, without a task
    writer._queue, writer._empty = stdlib_queue.Queue(), stdlib_queue.Empty
    writer.broadcaster = _SpyBroadcaster(writer._queue)
    writer._crowd = False
    return writer


def test_the_writer_tells_the_broadcaster_once_a_crowd_has_stopped_sending():
    writer = _bare_writer()
    writer._queue.put("a command")
    assert writer._take_first() == "a command" and writer.broadcaster.quiet == 0
    writer._crowd = True                    # after a crowd's batch, while it still sends
    writer._queue.put("a vote")
    assert writer._take_first() == "a vote" and writer.broadcaster.quiet == 0
    assert writer._take_first() == "after the crowd"   # nothing came in CROWD_STOPPED_SECONDS
    assert writer.broadcaster.quiet == 1 and not writer._crowd
    writer._queue.put("a lone command")     # not a crowd any more: no second word
    assert writer._take_first() == "a lone command" and writer.broadcaster.quiet == 1


def test_the_broadcasters_task_sends_a_bursts_last_events_when_told_the_crowd_stopped(app, monkeypatch):
    """With a window and a quiet far off, only the writer's word can send
    what the burst left pending, and it must wake the task that sleeps
    towards them."""
    import threading

    from sinkron.live import broadcast
    clock = _Clock()
    monkeypatch.setattr(broadcast, "time", clock)
    b = app.extensions["sinkron"].broadcaster
    b.window = 100.0
    sent = threading.Event()
    b.on_sent(lambda meeting_id, events: sent.set())
    with app.app_context(), b.exclusive():
        b.publish([_vote(1)])                  # held for its window
        b._pacing.longest_gap = 1000.0         # and no quiet before it ends
    assert not sent.wait(0.3)                  # the task sleeps towards them
    b.crowd_quiet()
    assert sent.wait(10), "the pending vote went once the crowd stopped"
