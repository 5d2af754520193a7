"""The benchmark's machinery, small, against the real server: 30 clients over
both sites (facilitator, two hosts, two projectors, 25 participants, five of
whom join while the others are connected), a few commands, then a vote burst.

Correctness only, no timing: every client applies every event after its
snapshot exactly once, in seq order, without gaps or duplicates, and every
command is acknowledged ok."""
from __future__ import annotations

import time

import pytest

from bench.pool import Pool
from bench.scenario import check_order, join_all
from tests.server import Server

pytestmark = pytest.mark.e2e

FACILITATOR, HOST_A, HOST_B = 0, 1, 2  # client indexes in the staff pool


def _ok(reply) -> dict:
    _, _, _, ack = reply  # (scheduled, sent, acked, ack)
    assert ack.get("ok"), ack
    return ack


def test_thirty_clients_see_every_event_in_order(tmp_path):
    server = Server(tmp_path / "instance", env={"SINKRON_JOIN_PER_MINUTE": "100000"}).start()
    staff = people = None
    try:
        links = server.demo_links()
        codes = [s["join_code"] for s in links["sites"]]
        first = join_all(server, codes, 20)

        staff = Pool(server.url, 1)
        people = Pool(server.url, 2)
        tokens = [(links["facilitator_token"], "facilitator")]
        tokens += [(s["host_token"], f"host {i}") for i, s in enumerate(links["sites"])]
        tokens += [(s["projector_token"], f"projector {i}") for i, s in enumerate(links["sites"])]
        assert staff.connect(tokens) == {"connected": 5, "failed": [], "no_snapshot": []}
        assert people.connect(first) == {"connected": 20, "failed": [], "no_snapshot": []}

        # Five more join while everyone is connected: their joins are live events.
        late = join_all(server, codes, 5, start=20)
        assert people.connect(late)["connected"] == 25

        proposals = staff.records()[FACILITATOR].proposals
        _ok(staff.ask(0, "command", FACILITATOR, "agenda.focus", {"proposal_id": proposals[1]}))
        _ok(staff.ask(0, "command", FACILITATOR, "projector.view", {"view": "results"}))
        # Worker 0 holds participants 0, 2, 4 ... (site A), worker 1 the odd ones (site B).
        _ok(people.ask(0, "command", 0, "proposal.mark",
                       {"proposal_id": proposals[1], "status": "terakomodir_kab"}))
        _ok(people.ask(1, "command", 0, "proposal.mark",
                       {"proposal_id": proposals[1], "status": "perlu_klarifikasi"}))
        # Participant 3 (site B) comments; site B's host hides it and shows it again.
        seq = _ok(people.ask(1, "command", 1, "comment.add",
                             {"kind": "masukan", "text": "Mohon dipadukan dengan dana desa."}))["seq"]
        assert staff.wait_seq(seq) == []
        comment_id = staff.records()[HOST_B].latest["comment.add"]["comment"]["id"]
        for hidden in (True, False):
            _ok(staff.ask(0, "command", HOST_B, "comment.hide",
                          {"comment_id": comment_id, "hidden": hidden}))
        _ok(staff.ask(0, "command", FACILITATOR, "voting.open", {"mode": "dots"}))

        # Everyone votes inside half a second; the burst is batched by the server.
        t0 = time.monotonic() + 0.3
        for i, conn in enumerate(people.conns):
            conn.send(("vote_burst", t0, 0.5, i, 3))
        assert [conn.recv() for conn in people.conns] == [13, 12]
        assert all(w["pending"] == 0 for w in people.ask_all("wait_tasks", 30))
        final = _ok(staff.ask(0, "command", FACILITATOR, "voting.close", {}))["seq"]

        assert people.wait_seq(final, 30) == []
        assert staff.wait_seq(final, 30) == []
        records = people.records() + staff.records()
        assert check_order(records, final) == []
        acks = [c[3] for r in people.records() for c in r.commands]
        assert len(acks) == 2 + 1 + 25  # marks, comment, votes
        assert all(a.get("ok") for a in acks), [a for a in acks if not a.get("ok")]
        # Every participant saw the last tallies; projectors saw the closed round.
        assert all(r.latest["voting.close"]["round"]["open"] is False for r in records)
    finally:
        for pool in (people, staff):
            if pool is not None:
                pool.close()
        server.stop()
