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
           "SOCKETIO_CHANNEL": f"sinkron-test-{uuid.uuid4().hex[:8]}"}
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
