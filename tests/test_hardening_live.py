"""Findings 2, 3, 4 and 10 of the hardening issue, over the Socket.IO test
client: lifecycle events a client cannot fake, every handler checking its
arguments first, text the database cannot store, and projector reports
checked against the meeting."""
from __future__ import annotations

import logging
import time

from sinkron.extensions import socketio


def _wait_disconnected(client, timeout=5.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not client.connected:
            return True
        time.sleep(0.02)
    return False


def _raw_frame(client, text: str) -> dict | None:
    """Send an encoded Socket.IO frame as-is (the test client would encode it
    with json.dumps, which cannot even write 50,000 levels)."""
    client.sio.acks = None
    socketio.server._handle_eio_message(client.sio.eio_sid, text)
    deadline = time.monotonic() + 5
    while client.sio.acks is None and time.monotonic() < deadline:
        time.sleep(0.01)
    return client.sio.acks["args"][0] if client.sio.acks else None


def test_a_client_sent_disconnect_changes_nothing_and_revocation_still_closes(live, demo, join):
    facilitator = live(demo.facilitator_token)
    joined = join(1, name="Pengelak")
    dodger = live(joined["token"])
    ack = dodger.sio.emit("disconnect", callback=True)
    assert ack["ok"] is False and ack["error"]["code"] == "invalid", ack
    assert "disconnect" in ack["error"]["message"]
    assert dodger.connected
    assert facilitator.send("participant.revoke", participant_id=joined["participant_id"])["ok"]
    assert _wait_disconnected(dodger), "a revoked participant's socket must close"


def test_a_client_sent_connect_cannot_take_another_role(live, demo, join):
    participant = live(join(1)["token"])
    ack = participant.sio.emit("connect", None, {"token": demo.sites[1].projector_token}, callback=True)
    assert ack["ok"] is False and ack["error"]["code"] == "invalid", ack
    # Still the participant it connected as: a projector could not comment.
    assert participant.send("comment.add", kind="masukan", text="masih peserta")["ok"]


def test_extra_or_missing_arguments_are_invalid_without_a_traceback(live, demo, caplog):
    facilitator = live(demo.facilitator_token)
    projector = live(demo.sites[0].projector_token)
    caplog.set_level(logging.INFO)
    answers = [facilitator.sio.emit("command", {"op_id": "x1", "type": "floor.end"}, "extra", callback=True),
               facilitator.sio.emit("command", callback=True),
               facilitator.sio.emit("sync", {"last_seq": 0}, 1, 2, callback=True),
               projector.sio.emit("shown", {"proposal_id": None, "seq": 0}, "extra", callback=True)]
    for ack in answers:
        assert ack["ok"] is False and ack["error"]["code"] == "invalid", ack
        assert "argument" in ack["error"]["message"]
    assert not [r for r in caplog.records if r.exc_info], "no tracebacks"
    assert len([r for r in caplog.records if "refused" in r.getMessage()]) == len(answers)


def test_a_flood_of_bad_calls_is_rate_limited_with_bounded_logging(live, demo, caplog):
    facilitator = live(demo.facilitator_token)
    caplog.set_level(logging.INFO)
    codes = [facilitator.sio.emit("command", {}, "extra", callback=True)["error"]["code"]
             for _ in range(200)]
    assert codes[0] == "invalid" and codes[-1] == "rate_limited", codes
    refused_lines = [r for r in caplog.records if "refused" in r.getMessage()]
    assert len(refused_lines) == codes.count("invalid") < 60
    assert not [r for r in caplog.records if r.exc_info]
    assert sum(len(r.getMessage()) for r in caplog.records) < 10_000


def test_lone_surrogates_are_invalid_not_unavailable(live, demo, join):
    participant = live(join(1)["token"])
    for payload in ({"op_id": "s1", "type": "comment.add", "kind": "masukan", "text": "a\ud800b"},
                    {"op_id": "\udfff", "type": "comment.add", "kind": "masukan", "text": "ok"},
                    {"op_id": "s2", "type": "comment.add", "kind": "masukan", "text": "ok", "\ud800": 1}):
        ack = participant.raw(payload)
        assert ack["ok"] is False and ack["error"]["code"] == "invalid", ack
    assert participant.send("comment.add", kind="masukan", text="setelahnya")["ok"]


def test_deep_nesting_is_invalid_and_the_connection_lives_on(live, demo):
    facilitator = live(demo.facilitator_token)
    deep = "[" * 50_000 + "]" * 50_000
    ack = _raw_frame(facilitator, f'27["command",{{"op_id":"d1","type":"agenda.reorder","proposal_ids":{deep}}}]')
    assert ack and ack["ok"] is False and ack["error"]["code"] == "invalid", ack
    assert "nested" in ack["error"]["message"]
    ack = facilitator.raw({"op_id": "d2", "type": "comment.add", "kind": "masukan",
                           "text": "x", "proposal_id": [[[[[[[[[[[[1]]]]]]]]]]]]})
    assert ack["error"]["code"] == "invalid", ack
    assert facilitator.connected
    assert facilitator.send("projector.view", view="agenda")["ok"]


def test_shown_reports_are_checked_against_the_meeting(app, live, demo):
    facilitator = live(demo.facilitator_token)
    projector = live(demo.sites[0].projector_token)
    presence = app.extensions["sinkron"].presence
    seq = facilitator.snapshot["seq"]
    proposal_id = facilitator.snapshot["proposals"][0]["id"]

    def reported():
        return next(c.shown for c in presence.connections.values() if c.role == "projector")

    for bad in ({"proposal_id": 999_999, "seq": seq}, {"proposal_id": proposal_id, "seq": 10**15},
                {"proposal_id": proposal_id, "seq": -1}, {"proposal_id": 10**30, "seq": seq}):
        ack = projector.sio.emit("shown", bad, callback=True)
        assert ack and ack["ok"] is False and ack["error"]["code"] == "invalid", (bad, ack)
        assert reported() is None, bad
    projector.sio.emit("shown", {"proposal_id": proposal_id, "seq": seq}, callback=True)
    assert reported() == {"proposal_id": proposal_id, "seq": seq}
