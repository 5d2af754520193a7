"""A phone whose connection has not delivered its first snapshot cannot send
a comment or a mark: it does not yet know the focused proposal, and a comment
sent then used to land on the meeting instead of the proposal being discussed."""
from __future__ import annotations

from playwright.sync_api import expect

from tests.browser.helpers import PHONE, WAIT_MS, join, open_screen
from tests.e2e_client import Peer


def test_forms_wait_for_the_first_snapshot(browser, server, links):
    site = links["sites"][0]
    screen = open_screen(browser, f"{server.url}/j/{site['join_code']}", PHONE)
    page = screen.page
    try:
        # Joining is plain HTTP; hold the Socket.IO connection back.
        page.route("**/socket.io/**", lambda route: route.abort())
        join(screen, "Belum Tersambung", "LSM")
        # (Playwright judges form controls, not fieldsets.)
        comment_text = page.get_by_label("Masukan Anda")
        expect(comment_text).to_be_disabled()
        expect(page.get_by_role("button", name="Kirim", exact=True)).to_be_disabled()

        page.unroute("**/socket.io/**")
        expect(comment_text).to_be_enabled(timeout=WAIT_MS)
        comment_text.fill("Masukan setelah tersambung")
        page.get_by_role("button", name="Kirim", exact=True).click()

        expect(page.locator("#comments ul.comments")).to_contain_text(
            "Masukan setelah tersambung", timeout=WAIT_MS)
        watcher = Peer(server.url, links["facilitator_token"])
        try:
            snap = watcher.wait_snapshot()
            [comment] = [c for c in snap["comments"] if c["text"] == "Masukan setelah tersambung"]
            assert snap["focus"] is not None
            assert comment["proposal_id"] == snap["focus"]
        finally:
            watcher.close()
        assert not screen.errors and not screen.alerts
    finally:
        screen.close()
