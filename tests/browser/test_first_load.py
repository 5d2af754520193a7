"""The participant page on a phone: what its first load transfers, and the
language switch."""
from __future__ import annotations

from playwright.sync_api import expect

from tests.browser.helpers import PHONE, WAIT_MS, open_screen

BUDGET = 60 * 1024


def test_participant_first_load_is_at_most_60_kb(browser, links):
    """HTML, scripts, styles, icons and labels, compressed as sent; not the live
    snapshot (Socket.IO traffic) nor the join request itself."""
    ctx = browser.new_context(viewport=PHONE)
    page = ctx.new_page()
    finished = []
    page.on("requestfinished", lambda request: finished.append(request))
    page.goto(links["sites"][1]["join_url"])
    page.get_by_label("Nama Anda").wait_for(timeout=WAIT_MS)
    page.wait_for_timeout(300)
    counted = [r for r in finished if "/socket.io/" not in r.url and "/api/join" not in r.url]
    sizes = {r.url.split("/", 3)[-1]: r.sizes()["responseBodySize"] for r in counted}
    total = sum(sizes.values())
    report = "\n".join(f"{size:7d}  {url}" for url, size in sorted(sizes.items(), key=lambda x: -x[1]))
    print(f"participant first load: {total} bytes\n{report}")
    assert any(url.endswith("socket.io.esm.min.js") for url in sizes), report
    assert total <= BUDGET, f"first load {total} B > {BUDGET} B:\n{report}"
    # Text is compressed on the way.
    for r in counted:
        if r.url.endswith((".js", ".css")) or r.resource_type == "document":
            assert r.response().header_value("content-encoding") in ("gzip", "br", "zstd"), r.url
    ctx.close()


def test_english_by_a_switch_and_remembered(browser, links):
    s = open_screen(browser, links["sites"][0]["join_url"], PHONE)
    page = s.page
    expect(page.get_by_label("Nama Anda")).to_be_visible(timeout=WAIT_MS)
    page.get_by_role("link", name="English").click()
    expect(page.get_by_label("Your name")).to_be_visible(timeout=WAIT_MS)
    expect(page.locator("html")).to_have_attribute("lang", "en")
    # Category labels come from /api/labels in the same language.
    expect(page.get_by_label("Category").locator("option[value=OPD]")).to_have_text("Government agency (OPD)")
    # The server remembers the choice: the plain address stays English.
    page.goto(links["sites"][0]["join_url"])
    expect(page.get_by_label("Your name")).to_be_visible(timeout=WAIT_MS)
    page.get_by_label("Your name").fill("Guest Reviewer")
    page.get_by_label("Category").select_option("Akademisi")
    page.get_by_role("button", name="Join").click()
    expect(page.locator("#now-h")).to_have_text("Now discussed", timeout=WAIT_MS)
    # Back to Indonesian.
    page.get_by_role("link", name="Bahasa Indonesia").click()
    expect(page.locator("#now-h")).to_have_text("Sedang dibahas", timeout=WAIT_MS)
    assert not s.errors
    s.close()
