"""Two server processes over one PostgreSQL database and one Redis queue,
as DESIGN.md's scale section promises: clients on either process receive
every event, in seq order, without gaps or duplicates."""
import threading
import uuid

import pytest

from tests.e2e_client import Peer
from tests.server import Server
from tests.services import postgres_url, redis_url  # noqa: F401  (fixtures)

pytestmark = [pytest.mark.e2e, pytest.mark.postgres, pytest.mark.redis]


@pytest.fixture
def two_servers(tmp_path, postgres_url, redis_url):  # noqa: F811
    env = {"DATABASE_URL": postgres_url, "SOCKETIO_MESSAGE_QUEUE": redis_url,
           "SOCKETIO_CHANNEL": f"sinkron-test-{uuid.uuid4().hex[:8]}",
           # A killed process's connections leave the sync panel within 2 s.
           "SINKRON_PRESENCE_TTL": "2"}
    a = Server(tmp_path / "a", env=env).start()  # creates the schema and the demo
    b = Server(tmp_path / "b", env=env).start()
    yield a, b
    for s in (a, b):
        s.stop()


def test_events_reach_both_processes_in_order(two_servers):
    a, b = two_servers
    links = a.demo_links()
    prov, lotim = links["sites"]
    fac = Peer(a.url, links["facilitator_token"])
    watchers = [Peer(a.url, prov["projector_token"]), Peer(b.url, lotim["projector_token"])]
    people = [Peer(srv.url, srv.join(site["join_code"], f"P{i}")["token"])
              for i, (srv, site) in enumerate([(a, prov), (b, lotim), (a, lotim), (b, prov)] * 2)]
    everyone = [fac, *watchers, *people]
    for p in everyone:
        p.wait_snapshot()
    start = max(p.snapshot["seq"] for p in everyone)
    acks = []

    def talk(peer, n):
        for i in range(n):
            acks.append(peer.send("comment.add", kind="masukan", text=f"{id(peer)}-{i}"))
    threads = [threading.Thread(target=talk, args=(p, 6)) for p in people]
    threads.append(threading.Thread(target=lambda: [acks.append(fac.send("projector.view", view=v))
                                                    for v in ("agenda", "item", "results", "item")]))
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert all(ack["ok"] for ack in acks), acks
    last = max(ack["seq"] for ack in acks)
    assert sorted(ack["seq"] for ack in acks) == list(range(start + 1, last + 1))
    for p in everyone:
        p.wait_seq(last, timeout=15)
        seqs = [e["seq"] for e in p.events if e["seq"] > start]
        assert seqs == list(range(start + 1, last + 1))
        assert p.gaps == 0 and p.duplicates == 0
    for p in everyone:
        p.close()


def _connections(presence: dict | None) -> int:
    return presence["total"] if presence else -1


def test_presence_and_revoke_span_processes_and_a_killed_process_leaves(two_servers):
    a, b = two_servers
    links = a.demo_links()
    prov, lotim = links["sites"]
    fac = Peer(a.url, links["facilitator_token"])
    projectors = [Peer(a.url, prov["projector_token"]), Peer(b.url, lotim["projector_token"])]
    joined = b.join(lotim["join_code"], "Baiq", "Tokoh Perempuan")
    phone = Peer(b.url, joined["token"])
    for p in (fac, *projectors, phone):
        p.wait_snapshot()

    # One list, whichever process each connection is on: the facilitator
    # (a, sitting in Selong), two projectors (a, b) and the phone (b).
    fac.wait_until(lambda f: _connections(f.presence) == 4, "the panel does not list both processes")
    sites = fac.presence["sites"]
    assert sites[str(lotim["id"])]["roles"] == {"projector": 1, "participant": 1, "facilitator": 1}
    assert sites[str(prov["id"])]["roles"] == {"projector": 1}
    assert sorted(p["site_id"] for p in fac.presence["projectors"]) == [prov["id"], lotim["id"]]

    # A revoke sent to process a closes the phone's socket on process b.
    ack = fac.send("participant.revoke", participant_id=joined["participant_id"])
    assert ack["ok"], ack
    phone.wait_until(lambda p: p.disconnected, "the revoked phone's socket on b stayed open")
    fac.wait_until(lambda f: _connections(f.presence) == 3, "the revoked phone stayed listed")

    # A projector link replaced from the command line: its connection on b closes too.
    replaced = a.flask("links", "1", "--role", "projector", "--site", "2")
    assert replaced.returncode == 0, replaced.stderr
    projectors[1].wait_until(lambda p: p.disconnected, "the replaced projector link's socket stayed open")
    fac.wait_until(lambda f: _connections(f.presence) == 2, "the replaced projector stayed listed")
    assert [p["site_id"] for p in fac.presence["projectors"]] == [prov["id"]]
    reconnected = Peer(b.url, replaced.stdout.strip().rsplit("/", 1)[1])
    reconnected.wait_snapshot()
    fac.wait_until(lambda f: _connections(f.presence) == 3, "the new projector link is not listed")

    # SIGKILL: b cannot say goodbye; its connections leave within the TTL (2 s).
    b.kill()
    fac.wait_until(lambda f: _connections(f.presence) == 2, "the killed process's connections stayed",
                   timeout=2 + 8)
    assert [p["site_id"] for p in fac.presence["projectors"]] == [prov["id"]]
    for p in (fac, projectors[0]):
        p.close()


def test_compacting_clients_on_both_processes_end_with_the_same_totals(two_servers):
    """A vote burst through both processes: compacting screens on either see
    no gap, no duplicate, and end with the tallies a plain client computes."""
    a, b = two_servers
    links = a.demo_links()
    prov, lotim = links["sites"]
    fac = Peer(a.url, links["facilitator_token"])
    plain = Peer(b.url, prov["projector_token"])
    squeezed = [Peer(a.url, prov["projector_token"], compact=True),
                Peer(b.url, lotim["projector_token"], compact=True)]
    people = [Peer(srv.url, srv.join(site["join_code"], f"V{i}")["token"])
              for i, (srv, site) in enumerate([(a, prov), (b, lotim)] * 6)]
    for p in [fac, plain, *squeezed, *people]:
        p.wait_snapshot()
    focus = fac.snapshot["focus"]
    assert fac.send("voting.open", mode="dots", budget=5, max_per_proposal=3)["ok"]
    acks = []
    threads = [threading.Thread(target=lambda p=p, i=i: acks.append(
        p.send("vote.cast", proposal_id=focus, value=1 + i % 3))) for i, p in enumerate(people)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert all(ack["ok"] for ack in acks), acks
    last = max(ack["seq"] for ack in acks)
    final = plain.wait_seq(last, timeout=15)["data"]["tally"]
    assert final["total"] == sum(1 + i % 3 for i in range(12))
    for s in squeezed:
        item = s.wait_seq(last, timeout=15)
        tally = item["data"]["tally"] if item["type"] == "vote.cast" else \
            item["data"]["votes"]["tallies"][str(focus)]
        assert tally == final
        assert s.gaps == 0 and s.duplicates == 0
    for p in [fac, plain, *squeezed, *people]:
        p.close()
