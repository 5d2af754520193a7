"""Finding the proposal in the plan, in the browser: a participant taps one of
the focused proposal's suggested plan items and their mark carries it; the
facilitator sees the attached item with its count per site and adopts it
into the decision in one click."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import LAPTOP, PHONE, WAIT_MS, join, open_screen
from tests.e2e_client import Peer
from tests.server import Server


def first_event(peer: Peer, type_: str) -> dict:
    peer.wait_until(lambda p: any(e["type"] == type_ for e in p.events), f"no {type_} event")
    return next(e for e in peer.events if e["type"] == type_)


@pytest.fixture
def own_server(tmp_path):
    """Its own meeting: a decision would change what test_screens.py shows."""
    s = Server(tmp_path / "instance").start()
    yield s
    s.stop()


def test_a_tapped_suggestion_reaches_the_decision_in_one_click(browser, own_server):
    links = own_server.demo_links()
    prov = links["sites"][0]
    console = open_screen(browser, links["facilitator_url"], LAPTOP)
    phone = open_screen(browser, f"{own_server.url}/j/{prov['join_code']}", PHONE)
    watcher = Peer(own_server.url, links["facilitator_token"])
    try:
        # A proposal the plan has (the demo opens on its salt house, which no
        # plan item fits and which therefore gets no suggestion).
        proposals = watcher.wait_snapshot()["proposals"]
        focus = next(p["id"] for p in proposals if p["code"] == "HMS-05")
        assert watcher.send("agenda.focus", proposal_id=focus)["ok"]
        join(phone, "Ani", "LSM")
        # The focused proposal's top suggestions came with the focus (the demo
        # computed them before the server started).
        first = phone.page.locator(".mark-suggest button[data-plan-item-id]").first
        expect(first).to_be_visible(timeout=WAIT_MS)
        assert phone.page.locator(".mark-suggest button[data-plan-item-id]").count() <= 3
        plan_item_id = int(first.get_attribute("data-plan-item-id"))
        first.click()
        expect(first).to_have_attribute("aria-pressed", "true", timeout=WAIT_MS)
        # The mark the server stored carries that plan item.
        mark = first_event(watcher, "proposal.mark")
        assert mark["data"]["proposal_id"] == focus
        assert mark["data"]["mark"]["plan_item_id"] == plan_item_id
        assert mark["data"]["mark"]["status"].startswith("terakomodir")
        assert mark["actor"]["name"] == "Ani"

        # The console shows it attached, one person at the provincial site.
        attached = console.page.locator(f".plan-list.attached li[data-plan-item-id='{plan_item_id}']")
        expect(attached).to_contain_text("1 orang", timeout=WAIT_MS)
        expect(attached).to_contain_text(f"{prov['name']}: 1")
        # One click: the decision records the plan item.
        attached.locator("button").click()
        decided = first_event(watcher, "proposal.decide")
        assert decided["data"]["proposal_id"] == focus
        assert decided["data"]["decision"]["plan_item_id"] == plan_item_id
        assert decided["data"]["decision"]["status"] == mark["data"]["mark"]["status"]
        expect(attached).to_contain_text("dalam kesepakatan", timeout=WAIT_MS)
        expect(console.page.locator(".decision-form select[name=plan_item_id]")).to_have_value(str(plan_item_id))
        # The suggestions are listed with their score and reasons too.
        expect(console.page.locator(".plan-list.suggestions li").first).to_contain_text("skor")
        assert not console.errors and not phone.errors, (console.errors, phone.errors)
    finally:
        watcher.close()
        console.close()
        phone.close()
