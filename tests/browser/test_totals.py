"""Screens ask for totals (auth.compact): a burst of votes and marks reaches a
projector as `totals` items, and it shows the final tallies and summaries."""
from __future__ import annotations

import threading

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import PROJECTOR, WAIT_MS, open_screen
from tests.e2e_client import Peer
from tests.server import Server


@pytest.fixture
def own_server(tmp_path):
    """Its own meeting: the burst would change what test_screens.py counts on."""
    s = Server(tmp_path / "instance", env={"SINKRON_JOIN_PER_MINUTE": "10000"}).start()
    yield s
    s.stop()


def test_a_burst_reaches_the_projector_as_totals(browser, own_server):
    links = own_server.demo_links()
    prov, lotim = links["sites"]
    screen = open_screen(browser, prov["projector_url"], PROJECTOR)
    fac = Peer(own_server.url, links["facilitator_token"])
    people = [Peer(own_server.url, own_server.join((prov, lotim)[i % 2]["join_code"], f"P{i}")["token"])
              for i in range(12)]
    watcher = Peer(own_server.url, lotim["projector_token"], compact=True)
    try:
        focus = fac.wait_snapshot()["focus"]
        # Connections are admitted a few a second: on a busy machine the
        # watcher's state could otherwise come after the burst, with no list
        # of it left to see.
        watcher.wait_snapshot()
        assert fac.send("voting.open", mode="dots", budget=5, max_per_proposal=3)["ok"]
        expect(screen.page.locator(".votes")).to_be_visible(timeout=WAIT_MS)
        acks = []

        def one(i, p):
            p.wait_snapshot()
            acks.append(p.send("vote.cast", proposal_id=focus, value=1 + i % 3))
            acks.append(p.send("proposal.mark", proposal_id=focus, status="belum_terakomodir"))
        threads = [threading.Thread(target=one, args=(i, p)) for i, p in enumerate(people)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert all(a["ok"] for a in acks), acks
        total = sum(1 + i % 3 for i in range(12))
        expect(screen.page.locator(".votes .chart-row.combined .chart-value")).to_have_text(
            f"{total} titik", timeout=WAIT_MS)
        expect(screen.page.locator(".marks .site-marks").first).to_contain_text(
            "6 penandaan", timeout=WAIT_MS)
        # The same lists went to this compacting protocol client: runs became totals.
        watcher.wait_seq(max(a["seq"] for a in acks))
        assert any(e["type"] == "totals" for e in watcher.events)
        assert watcher.gaps == 0 and watcher.duplicates == 0
        assert not screen.errors, screen.errors
    finally:
        for p in (fac, watcher, *people):
            p.close()
        screen.close()
