"""The phone page's snapshot holds the latest comments of each proposal; the
page loads the earlier ones on request (the `comments` message)."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from sinkron.meeting.snapshot import LATEST_COMMENTS
from tests.browser.helpers import PHONE, WAIT_MS, join, open_screen
from tests.e2e_client import Peer
from tests.server import Server


@pytest.fixture
def own_server(tmp_path):
    s = Server(tmp_path / "instance").start()
    yield s
    s.stop()


def test_the_phone_page_loads_earlier_comments(browser, own_server):
    links = own_server.demo_links()
    site = links["sites"][1]
    writer = Peer(own_server.url, own_server.join(site["join_code"], "Penulis")["token"])
    try:
        focus = writer.wait_snapshot()["focus"]
        for i in range(12):
            assert writer.send("comment.add", kind="masukan", text=f"Masukan lama {i}", proposal_id=focus)["ok"]
    finally:
        writer.close()
    screen = open_screen(browser, f"{own_server.url}/j/{site['join_code']}", PHONE)
    try:
        join(screen, "Pembaca", "LSM")
        page = screen.page
        items = page.locator("#comments ul.comments > li")
        expect(items.filter(has_text="Masukan lama")).to_have_count(LATEST_COMMENTS, timeout=WAIT_MS)
        page.get_by_role("button", name=f"Tampilkan {12 - LATEST_COMMENTS} masukan sebelumnya").click()
        expect(items.filter(has_text="Masukan lama")).to_have_count(12, timeout=WAIT_MS)
        expect(page.get_by_role("button", name="masukan sebelumnya")).to_have_count(0)
        assert not screen.errors and not screen.alerts
    finally:
        screen.close()
