"""An organiser in a real browser: sign in with the first-run password,
create a meeting with the form, open its console, and replace links from
the console. axe-core checks every organiser page."""
from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.browser.helpers import LAPTOP, WAIT_MS, open_screen, run_axe


def test_organiser_creates_a_meeting_and_replaces_links_from_its_console(browser, server):
    password = re.search(r"password: (\S+)", (server.instance / "first-organiser.txt").read_text()).group(1)
    # axe is injected as a script: the CSP is bypassed for it (test_screens checks the CSP).
    s = open_screen(browser, server.url + "/meetings/new", LAPTOP, bypass_csp=True)
    page = s.page
    try:
        # Anonymous: sent to sign in first, and back to the form afterwards.
        expect(page).to_have_url(re.compile(r"/sign-in\?next=/meetings/new$"))
        assert run_axe(page) == []
        page.get_by_label("Nama").fill("admin")
        page.get_by_label("Kata sandi").fill(password)
        page.get_by_role("button", name="Masuk").click()
        expect(page).to_have_url(re.compile(r"/meetings/new$"))
        assert run_axe(page) == []

        page.get_by_label("Judul").fill("Rapat uji penyelenggara")
        page.get_by_label("Fasilitator", exact=True).fill("Rina")
        page.get_by_role("button", name="Buat pertemuan").click()
        console = page.get_by_role("link", name="Buka konsol")
        expect(console).to_be_visible(timeout=WAIT_MS)
        console_url = console.get_attribute("href")
        assert run_axe(page) == []

        page.goto(server.url + "/meetings")
        expect(page.get_by_role("link", name="Rapat uji penyelenggara")).to_be_visible()
        assert run_axe(page) == []
        page.get_by_role("link", name="Rapat uji penyelenggara").click()
        expect(page.get_by_role("heading", name="Rapat uji penyelenggara")).to_be_visible()
        assert run_axe(page) == []

        page.goto(console_url)
        expect(page.locator(".conn[data-status=online]")).to_have_count(1, timeout=WAIT_MS)
        old_console = page.url
        # A new projector link for one site, shown in the card (the confirm is accepted).
        page.locator("#links [data-key^=link-projector-]").first.click()
        expect(page.locator("#links .fresh-link input")).to_have_value(re.compile(r"/p/[\w-]{32}$"),
                                                                       timeout=WAIT_MS)
        # A new facilitator link: the console moves to it and is online again.
        page.locator("#links [data-key='link-facilitator-']").click()
        expect(page).not_to_have_url(old_console, timeout=WAIT_MS)
        expect(page).to_have_url(re.compile(r"/f/[\w-]{32}$"))
        expect(page.locator(".conn[data-status=online]")).to_have_count(1, timeout=WAIT_MS)
        # The old console link is refused.
        assert page.request.get(old_console).status == 403
        assert not s.errors, s.errors
        assert not s.alerts, s.alerts
    finally:
        s.close()
