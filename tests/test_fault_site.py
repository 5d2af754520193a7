"""One site's network goes bad: its clients reach the real server through a
proxy that adds 400 +/- 200 ms latency each way, resets connections on a
seeded schedule, and then cuts the site off (SINKRON_FAULT_CUT_SECONDS,
10 s by default and in CI) while everyone keeps working. At the end every
client's state (kept by sinkron/meeting/reducer.py) equals a fresh snapshot
for it and the shared part is identical on every client (canonical JSON),
and every acknowledged command, including those queued during the cut, was
applied exactly once."""
from __future__ import annotations

import os
import random
import sqlite3
import threading
import time

import pytest

from sinkron.meeting import reducer
from sinkron.meeting.snapshot import LATEST_COMMENTS
from tests.e2e_client import Peer
from tests.fault_proxy import FaultyProxy
from tests.resilient_client import ResilientClient
from tests.server import Server

pytestmark = pytest.mark.e2e

CUT_SECONDS = float(os.environ.get("SINKRON_FAULT_CUT_SECONDS", "10"))
SEED = 1305
SHARED = ("seq", "meeting", "sites", "proposals", "plan_items", "floor", "focus", "projector_view")


def comparable(state: dict) -> dict:
    """A state as a snapshot for the same client would be: participants'
    snapshots hold the latest comments of each proposal, so only those count."""
    state = {k: v for k, v in state.items() if k not in ("presence", "comments_earlier")}
    by_proposal: dict = {}
    for c in sorted(state["comments"], key=lambda c: c["id"]):
        by_proposal.setdefault(c["proposal_id"], []).append(c)
    state["comments"] = sorted((c for cs in by_proposal.values() for c in cs[-LATEST_COMMENTS:]),
                               key=lambda c: c["id"])
    return state


def shared(state: dict) -> dict:
    s = comparable(state)
    out = {k: s[k] for k in SHARED}
    out["voting"] = {k: v for k, v in s["voting"].items() if k != "my_votes"}
    out["comments"] = [{k: v for k, v in c.items() if k != "supported"} for c in s["comments"]]
    return out


def test_a_site_with_a_bad_network_ends_identical_and_exactly_once(tmp_path):
    server = Server(tmp_path / "instance")
    proxy = FaultyProxy(server.port, seed=SEED)
    # The far site's pages come from the proxy's address: an origin of their own.
    server.extra_env["CORS_ALLOWED_ORIGINS"] = f"http://127.0.0.1:{proxy.port}"
    server.start()
    clients: list[ResilientClient] = []
    try:
        links = server.demo_links()
        near, far = links["sites"]
        far_url = f"http://127.0.0.1:{proxy.port}"
        facilitator = ResilientClient(server.url, links["facilitator_token"])
        clients.append(facilitator)
        tokens = {}
        for i in range(2):
            tokens[f"near{i}"] = (server.url, server.join(near["join_code"], f"Dekat {i}")["token"])
        for i in range(3):
            tokens[f"far{i}"] = (far_url, server.join(far["join_code"], f"Jauh {i}")["token"])
        tokens["far-host"] = (far_url, far["host_token"])
        tokens["far-projector"] = (far_url, far["projector_token"])
        people: dict[str, ResilientClient] = {}

        def open_client(name, url, token):
            people[name] = ResilientClient(url, token)
        openers = [threading.Thread(target=open_client, args=(n, u, t)) for n, (u, t) in tokens.items()]
        for t in openers:
            t.start()
        for t in openers:
            t.join(60)
        people = {name: people[name] for name in tokens}  # a stable order
        clients += people.values()
        deadline = time.monotonic() + 30
        while any(c.state is None for c in clients) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert all(c.state is not None for c in clients)
        proposals = [p["id"] for p in facilitator.state["proposals"]]
        facilitator.command("voting.open", mode="dots", budget=5, max_per_proposal=3)

        rng = random.Random(SEED)
        actors = [c for name, c in people.items() if name != "far-projector"] + [facilitator]
        far_clients = [c for name, c in people.items() if name.startswith("far") and name != "far-projector"]
        cut_ops: list[str] = []
        texts: dict[str, str] = {}

        def act(who: ResilientClient) -> str:
            roll = rng.random()
            if roll < 0.45:
                text = f"masukan {len(texts)} dari {who.name}"
                op = who.command("comment.add", kind="masukan", text=text, proposal_id=rng.choice(proposals))
                texts[op] = text
                return op
            if roll < 0.7:
                return who.command("proposal.mark", proposal_id=rng.choice(proposals),
                                   status=rng.choice(["terakomodir_kab", "belum_terakomodir", None]))
            if roll < 0.9:
                return who.command("vote.cast", proposal_id=rng.choice(proposals), value=rng.randint(0, 2))
            with who.lock:
                comments = [c["id"] for c in who.state["comments"]]
            if comments:
                return who.command("comment.support", comment_id=rng.choice(comments), on=rng.random() < 0.7)
            return who.command("floor.request")

        # Latency and resets.
        phase_end = time.monotonic() + 8
        next_reset = time.monotonic() + rng.uniform(1, 2)
        while time.monotonic() < phase_end:
            act(rng.choice(actors))
            if time.monotonic() >= next_reset:
                proxy.reset_one()
                next_reset = time.monotonic() + rng.uniform(1, 2)
            time.sleep(0.15)
        # The cut: the far site keeps working, offline.
        proxy.set_cut(True)
        cut_end = time.monotonic() + CUT_SECONDS
        while time.monotonic() < cut_end:
            who = rng.choice(actors)
            op = act(who)
            if who in far_clients:
                cut_ops.append(op)
            time.sleep(0.4)  # each queued command costs a round trip (~1 s) after the cut
        proxy.set_cut(False)
        # A little more traffic after the cut, then let everything settle.
        for _ in range(10):
            act(rng.choice(actors))
            time.sleep(0.15)

        def settled() -> bool:
            with sqlite3.connect(server.instance / "sinkron.db") as con:
                last_seq, = con.execute("SELECT last_seq FROM meeting WHERE id = ?",
                                        (links["meeting_id"],)).fetchone()
            return all(not c.outbox and c.seq == last_seq for c in clients)
        deadline = time.monotonic() + 90
        while not settled() and time.monotonic() < deadline:
            for c in clients:
                if c.outbox:
                    threading.Thread(target=c.flush, daemon=True).start()
            time.sleep(0.5)
        assert settled(), [(c.name, len(c.outbox), c.seq) for c in clients]
        assert proxy.resets >= 4
        assert all(c.reconnects >= 2 for c in far_clients), [c.reconnects for c in far_clients]

        # Every acknowledged command applied exactly once; those queued during the cut too.
        acked = {op: ack for c in clients for op, ack in c.acked.items()}
        with sqlite3.connect(server.instance / "sinkron.db") as con:
            for op, text in texts.items():
                count, = con.execute("SELECT count(*) FROM comment WHERE text = ?", (text,)).fetchone()
                assert count == (1 if op in acked else 0), (op, text, count)
            ops = dict(con.execute("SELECT op_id, count(*) FROM accepted_op GROUP BY op_id").fetchall())
        assert all(ops.get(op) == 1 for op in acked), "an acknowledged command is missing or doubled"
        assert set(ops) >= set(acked)
        queued = [op for op in cut_ops if op in acked]
        assert len(queued) >= 5, (len(cut_ops), len(queued))

        # Every client's state is what a fresh snapshot says, and the shared part is identical.
        for c in clients:
            fresh = Peer(server.url, c.token)
            try:
                expected = reducer.start(fresh.wait_snapshot())
            finally:
                fresh.close()
            assert reducer.canonical(comparable(c.state)) == reducer.canonical(comparable(expected)), c.name
        common = {reducer.canonical(shared(c.state)) for c in clients}
        assert len(common) == 1
    finally:
        for c in clients:
            c.close()
        proxy.close()
        server.stop()
