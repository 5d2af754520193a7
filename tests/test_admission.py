"""Reconnects are admitted at a bounded rate (finding 11): the gate itself,
on a fake clock, and its place after authentication. Its effect under a
real storm is measured in bench/storm.py."""
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


def test_made_up_tokens_are_refused_before_the_gate_and_take_no_turn(app, demo):
    # A gate with a single turn and no refill to speak of: only a real
    # connection may take it.
    from sinkron.extensions import socketio
    from sinkron.services import services
    with app.app_context():
        gate = services().admission = Admission(per_second=0.0001, burst=1, sleep=lambda s: None,
                                                max_wait=0)
    for _ in range(5):
        bogus = socketio.test_client(app, auth={"token": "made-up-token-" + "x" * 20})
        assert not bogus.is_connected()
    assert gate._tokens >= 1 - 1e-6  # the turn is still there
    real = socketio.test_client(app, auth={"token": demo.facilitator_token})
    assert real.is_connected()
    assert gate._tokens < 1 - 1e-6   # ... and the real connection took it
    real.disconnect()
