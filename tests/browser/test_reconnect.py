"""Weak connections: the server goes away while a participant comments; the
comment waits in the outbox (local storage) and arrives exactly once."""
from __future__ import annotations

import sqlite3

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import PHONE, PROJECTOR, WAIT_MS, join, open_screen
from tests.server import Server

# Reconnecting: the server needs a moment to start, the client retries every ≤ 3 s.
RECONNECT_MS = 20_000


@pytest.fixture
def own_server(tmp_path):
    """This test stops and restarts its server, so it has its own."""
    s = Server(tmp_path / "instance").start()
    yield s
    s.stop()


def comments_in_db(server: Server, text: str) -> int:
    with sqlite3.connect(server.instance / "sinkron.db") as db:
        return db.execute("SELECT count(*) FROM comment WHERE text = ?", (text,)).fetchone()[0]


OUTBOX = """() => Object.keys(localStorage).filter(k => k.startsWith("sinkron:outbox:"))
    .flatMap(k => JSON.parse(localStorage.getItem(k)))"""


def outbox(page) -> list:
    return page.evaluate(OUTBOX)


def wait_outbox_empty(page) -> None:
    page.wait_for_function(f"() => ({OUTBOX})().length === 0", timeout=WAIT_MS)


def comment_while_down(page, server: Server, text: str) -> None:
    """Stop the server, comment, and see the comment wait in the outbox."""
    server.stop()
    expect(page.locator(".banner")).to_have_attribute("data-kind", "offline", timeout=WAIT_MS)
    page.get_by_label("Masukan Anda").fill(text)
    page.locator("#comments").get_by_role("button", name="Kirim").click()
    expect(page.locator(".banner")).to_contain_text("1 tindakan menunggu dikirim")


def test_comment_while_the_server_is_down_arrives_exactly_once(browser, own_server):
    links = own_server.demo_links()
    prov, lotim = links["sites"]
    fac = open_screen(browser, links["facilitator_url"], {"width": 1280, "height": 800})
    focus = fac.page.locator("#agenda [data-key^=focus-]").nth(1)  # not the demo's first
    focus.click()
    expect(focus).to_have_attribute("aria-pressed", "true", timeout=WAIT_MS)
    projector = open_screen(browser, prov["projector_url"], PROJECTOR)
    phone = open_screen(browser, lotim["join_url"], PHONE)
    join(phone, "Lalu Pratama", "Pemuda")
    page = phone.page
    expect(page.locator("#now .title")).not_to_be_empty(timeout=WAIT_MS)
    expect(projector.page.locator(".view-item .title")).not_to_be_empty(timeout=WAIT_MS)

    first = "Ditulis saat jaringan putus: perlu data pasang surut."
    comment_while_down(page, own_server, first)
    assert [c["text"] for c in outbox(page)] == [first]

    own_server.start()
    expect(projector.page.locator(".latest .comment-text", has_text=first)).to_have_count(1, timeout=RECONNECT_MS)
    expect(page.locator("#comments .comment-text", has_text=first)).to_have_count(1, timeout=WAIT_MS)
    expect(page.locator(".banner")).to_be_hidden(timeout=WAIT_MS)
    wait_outbox_empty(page)
    assert comments_in_db(own_server, first) == 1

    # Again, and this time the page is reloaded as soon as the server is back:
    # the outbox survives in local storage and the stored token rejoins silently.
    second = "Kedua: dikirim lagi setelah halaman dimuat ulang."
    comment_while_down(page, own_server, second)
    own_server.start()
    page.reload()
    expect(page.get_by_label("Nama Anda")).to_have_count(0)
    expect(page.locator("#comments .comment-text", has_text=second)).to_have_count(1, timeout=RECONNECT_MS)
    expect(projector.page.locator(".latest .comment-text", has_text=second)).to_have_count(1, timeout=RECONNECT_MS)
    assert comments_in_db(own_server, second) == 1
    assert comments_in_db(own_server, first) == 1
    wait_outbox_empty(page)
    expect(page.locator("#comments .comment-text", has_text=second)).to_have_count(1)

    for s in (fac, projector, phone):
        assert not s.errors, s.errors
        s.close()
