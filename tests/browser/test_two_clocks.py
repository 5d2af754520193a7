"""Two rooms, two wrong clocks: one projector 90 s ahead, the other 45 s
behind (Playwright's clock control). Both count the speaker's time down by
the server's clock, so they agree; the sync panel shows both offsets."""
from __future__ import annotations

import datetime as dt
import re
import time

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import LAPTOP, PROJECTOR_SMALL, WAIT_MS, Screen, open_screen
from tests.e2e_client import Peer
from tests.server import Server


@pytest.fixture
def own_server(tmp_path):
    """Its own meeting: the test gives someone the floor."""
    s = Server(tmp_path / "instance").start()
    yield s
    s.stop()


def projector_with_clock(browser, url: str, skew_seconds: float) -> Screen:
    ctx = browser.new_context(viewport=PROJECTOR_SMALL)
    ctx.clock.install(time=dt.datetime.now() + dt.timedelta(seconds=skew_seconds))
    page = ctx.new_page()
    screen = Screen(page)
    page.on("pageerror", lambda exc: screen.errors.append(str(exc)))
    page.goto(url)
    return screen


def seconds(text: str) -> int:
    m = re.fullmatch(r"(−?)(\d+):(\d\d)", text.strip())
    assert m, text
    value = int(m.group(2)) * 60 + int(m.group(3))
    return -value if m.group(1) else value


def test_projectors_with_wrong_clocks_show_the_same_speaking_time(browser, own_server):
    links = own_server.demo_links()
    prov, lotim = links["sites"]
    ahead = projector_with_clock(browser, prov["projector_url"], +90)
    behind = projector_with_clock(browser, lotim["projector_url"], -45)
    console = open_screen(browser, links["facilitator_url"], LAPTOP)
    fac = Peer(own_server.url, links["facilitator_token"])
    try:
        # Each projector measured its clock and reported it: the sync panel shows both.
        panel = console.page.locator("#sync")
        for site, skew in ((prov, 90), (lotim, -45)):
            note = panel.locator(f".sync-site[data-site-id='{site['id']}'] .clock[data-offset-ms]")
            expect(note).to_have_count(1, timeout=WAIT_MS)
            offset = int(note.get_attribute("data-offset-ms"))
            assert abs(offset + skew * 1000) < 1500, (site["name"], offset)
            expect(note).to_have_class(re.compile(r"\bwarn\b"))  # more than 2 s off
        # The words, with the offset as measured: a loaded machine adds a
        # tenth of a second or so to the round trip it is measured over.
        for skew, words in ((90, "lebih cepat"), (45, "lebih lambat")):
            pattern = re.compile(rf"jam (\d+\.\d) dtk {words} dari server")
            expect(panel).to_contain_text(pattern, timeout=WAIT_MS)
            shown = float(pattern.search(panel.inner_text()).group(1))
            assert abs(shown - skew) < 1.5, (words, shown)

        speaker = own_server.join(lotim["join_code"], "Inaq Sumiati", "Tokoh Masyarakat")
        ack = fac.send("floor.grant", participant_id=speaker["participant_id"])
        assert ack["ok"], ack
        granted = time.monotonic()
        countdowns = [s.page.locator(".countdown") for s in (ahead, behind)]
        for c in countdowns:
            expect(c).to_have_text(re.compile(r"^\d+:\d\d$"), timeout=WAIT_MS)
        ahead.page.wait_for_timeout(1500)  # a tick or two after the first render
        left = [seconds(c.inner_text()) for c in countdowns]
        elapsed = time.monotonic() - granted
        # The same remaining time in both rooms (each device's own clock would
        # put them 135 s apart), and it is the server's: 3 minutes less what passed.
        assert abs(left[0] - left[1]) <= 1, left
        for value in left:
            assert 180 - elapsed - 2 <= value <= 180, (left, elapsed)
        for s in (ahead, behind, console):
            assert not s.errors, s.errors
    finally:
        fac.close()
        for s in (ahead, behind, console):
            s.close()
