"""`clock`: the server's time for clients measuring their offset, and their
reports in the facilitator's presence (the sync panel)."""
import time

import pytest


def test_clock_answers_the_server_time(live, demo):
    projector = live(demo.sites[0].projector_token)
    before = time.time() * 1000
    answer = projector.sio.emit("clock", {}, callback=True)
    assert before - 1 <= answer["now"] <= time.time() * 1000 + 1


def test_projector_offsets_reach_the_facilitator(app, live, demo):
    fac = live(demo.facilitator_token)
    prov = live(demo.sites[0].projector_token)
    lotim = live(demo.sites[1].projector_token)
    prov.sio.emit("clock", {"offset_ms": -90_012.4, "rtt_ms": 12}, callback=True)
    lotim.sio.emit("clock", {"offset_ms": 45_000, "rtt_ms": 30.5}, callback=True)
    deadline = time.monotonic() + 5
    offsets = {}
    while time.monotonic() < deadline and len(offsets) < 2:
        for msg in fac.sio.get_received():
            if msg["name"] == "presence":
                offsets = {p["site_id"]: p["clock_offset_ms"] for p in msg["args"][0]["projectors"]
                           if p["clock_offset_ms"] is not None}
        time.sleep(0.05)
    assert offsets == {demo.sites[0].id: -90_012, demo.sites[1].id: 45_000}


@pytest.mark.parametrize("payload", [None, [], "x", {"offset_ms": True, "rtt_ms": 1},
                                     {"offset_ms": float("nan"), "rtt_ms": 1}, {"offset_ms": 1e20, "rtt_ms": 1},
                                     {"offset_ms": 5, "rtt_ms": -1}, {"offset_ms": 5}, {"offset_ms": "5", "rtt_ms": 1}])
def test_bad_clock_reports_change_nothing(app, live, demo, payload):
    projector = live(demo.sites[0].projector_token)
    answer = projector.sio.emit("clock", payload, callback=True)
    assert isinstance(answer["now"], float)
    conns = app.extensions["sinkron"].presence.connections
    assert all(c.clock is None for c in conns.values())
