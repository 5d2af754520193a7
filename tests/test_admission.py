"""Reconnects are admitted at a bounded rate (finding 11): the gate itself,
on a fake clock. Its effect under a real storm is measured in bench/storm.py."""
from sinkron.live.admission import Admission


class FakeTime:
    def __init__(self):
        self.now = 0.0

    def clock(self):
        return self.now

    def sleep(self, seconds):
        self.now += seconds


def test_a_storm_is_admitted_at_the_configured_rate():
    t = FakeTime()
    gate = Admission(per_second=10, burst=5, sleep=t.sleep, clock=t.clock)
    waits = [gate.wait() for _ in range(45)]
    assert waits[:5] == [0.0] * 5            # the burst goes at once
    assert abs(t.now - 4.0) < 0.01           # the other 40 at 10 a second
    assert gate.waiting == 0


def test_no_one_waits_forever_and_zero_means_no_limit():
    t = FakeTime()
    gate = Admission(per_second=0.001, burst=1, sleep=t.sleep, clock=t.clock, max_wait=3)
    gate.wait()
    assert 3 <= gate.wait() < 4
    assert Admission(0, 0, sleep=t.sleep, clock=t.clock).wait() == 0.0
