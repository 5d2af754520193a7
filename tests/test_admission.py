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


def test_a_waiter_that_is_no_longer_wanted_leaves_without_a_turn():
    t = FakeTime()
    gate = Admission(per_second=1, burst=1, sleep=t.sleep, clock=t.clock)
    gate.wait()                                    # the bucket is empty now
    asked = []

    def wanted():
        asked.append(t.now)
        return len(asked) < 2                      # gone after its first try

    assert gate.wait(wanted) is None
    assert gate.waiting == 0 and t.now == 1.0
    assert gate.wait() == 0.0   # the turn that came as it left is the next one's


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


def _names(client):
    return [m["name"] for m in client.get_received()]


def _until(condition, what, timeout=10.0):
    import time
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, what
        time.sleep(0.01)


def test_a_connection_that_must_wait_is_accepted_at_once_and_gets_its_state_when_admitted(app, demo):
    """Held in the connect handler, a waiting connection's socket was not
    read (pongs included) for up to max_wait; now it is accepted, and its
    snapshot follows its turn."""
    import threading

    from sinkron.extensions import socketio
    from sinkron.live.events import sessions
    from sinkron.services import services
    released = threading.Event()
    with app.app_context():
        gate = services().admission = Admission(per_second=0.0001, burst=1, max_wait=60,
                                                sleep=lambda s: released.wait(5))
    first = socketio.test_client(app, auth={"token": demo.facilitator_token})
    assert "snapshot" in _names(first)                     # the turn there was
    waiting = socketio.test_client(app, auth={"token": demo.sites[0].projector_token})
    leaving = socketio.test_client(app, auth={"token": demo.sites[1].projector_token})
    assert waiting.is_connected() and leaving.is_connected()
    _until(lambda: gate.waiting == 2, "both wait for a turn")
    assert "snapshot" not in _names(waiting)
    leaving_sid = next(sid for sid, s in sessions.items()
                       if s.actor.role == "projector" and s.actor.site_id == demo.sites[1].id)
    leaving.disconnect()
    with gate._lock:
        gate.per_second = 1000.0                           # turns come at once now
    released.set()
    _until(lambda: gate.waiting == 0, "both were admitted")
    _until(lambda: "snapshot" in _names(waiting), "the admitted connection gets its snapshot")
    # It is in its rooms: the facilitator's next change reaches it live.
    ack = first.emit("command", {"op_id": "adm-1", "type": "agenda.focus",
                                 "proposal_id": None}, callback=True)
    assert ack["ok"], ack
    _until(lambda: "events" in _names(waiting), "a live event after admission")
    # The one that left joined nothing on its turn.
    rooms = socketio.server.manager.rooms.get("/", {})
    assert all(leaving_sid not in members for members in rooms.values()), {k: list(v) for k, v in rooms.items()}
    first.disconnect()
    waiting.disconnect()
