"""A meeting in two rooms, in real browsers: the facilitator's console, a
projector per site, participants at both sites and a site host.

The tests in this module share one meeting and run in file order: each
builds on what the previous ones did (focus, voting, comments)."""
from __future__ import annotations

import re
from types import SimpleNamespace

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import (
    LAPTOP, PHONE, PROJECTOR, PROJECTOR_SMALL, SCREENSHOTS, WAIT_MS, join, open_screen, run_axe,
)

XSS = "<img src=x onerror=alert(1)>"


@pytest.fixture(scope="module")
def room(browser, server, links):
    prov, lotim = links["sites"]
    fac = open_screen(browser, links["facilitator_url"], LAPTOP)
    projectors = [open_screen(browser, s["projector_url"], PROJECTOR) for s in (prov, lotim)]
    p_lotim = open_screen(browser, lotim["join_url"], PHONE)
    join(p_lotim, "Baiq Lestari", "Tokoh Perempuan", "PKK Desa Ketapang Raya")
    p_prov = open_screen(browser, prov["join_url"], PHONE)
    join(p_prov, "Lalu Hasan", "OPD", "Dinas Lingkungan Hidup dan Kehutanan")
    host = open_screen(browser, lotim["host_url"], PHONE)
    for s in (fac, *projectors, host):
        expect(s.page.locator(".conn[data-status=online], .conn-dot[data-status=online]")).to_have_count(
            1, timeout=WAIT_MS)
    ns = SimpleNamespace(fac=fac, prov_projector=projectors[0], lotim_projector=projectors[1],
                         lotim=p_lotim, prov=p_prov, host=host, links=links, server=server)
    yield ns
    for s in (fac, *projectors, p_lotim, p_prov, host):
        assert not s.errors, f"script errors: {s.errors}"
        assert not s.alerts, f"alerts ran: {s.alerts}"
        s.close()


def agenda_row(room, index):
    return room.fac.page.locator("#agenda li[data-proposal-id]").nth(index)


def focused_id(room, index=2):
    return int(agenda_row(room, index).get_attribute("data-proposal-id"))


def test_pages_send_a_strict_csp(room, server, links):
    import requests
    for url in (links["facilitator_url"], links["sites"][0]["join_url"], links["sites"][0]["projector_url"]):
        csp = requests.get(url, timeout=10).headers["Content-Security-Policy"]
        assert "script-src 'self'" in csp and "unsafe-inline" not in csp


def test_focus_reaches_both_projectors_and_phones(room):
    row = agenda_row(room, 2)
    title = row.locator("button.linkish").inner_text().split(" · ", 1)[1]
    row.locator("[data-key^=focus-]").click()
    expect(row.locator("[data-key^=focus-]")).to_have_attribute("aria-pressed", "true", timeout=WAIT_MS)
    for s in (room.prov_projector, room.lotim_projector):
        expect(s.page.locator(".view-item .title")).to_have_text(title, timeout=WAIT_MS)
    for s in (room.lotim, room.prov):
        expect(s.page.locator("#now .title")).to_have_text(title, timeout=WAIT_MS)


def test_comment_and_vote_at_lombok_timur_reach_the_provinsi_projector(room):
    fac = room.fac.page
    fac.locator("#voting").get_by_role("button", name="Buka penilaian").click()
    expect(fac.locator("#voting").get_by_role("button", name="Tutup penilaian")).to_be_visible(timeout=WAIT_MS)

    phone = room.lotim.page
    text = "Mohon keramba diprioritaskan untuk nelayan Tanjung Luar."
    phone.get_by_label("Masukan Anda").fill(text)
    phone.locator("#comments").get_by_role("button", name="Kirim").click()

    pid = focused_id(room)
    plus = phone.locator(f"[data-key=p{pid}]")
    expect(plus).to_be_visible(timeout=WAIT_MS)
    plus.click()
    expect(phone.locator(".budget")).to_contain_text("Sisa titik: 4 dari 5", timeout=WAIT_MS)
    plus.click()
    expect(phone.locator(".budget")).to_contain_text("Sisa titik: 3 dari 5", timeout=WAIT_MS)

    proj = room.prov_projector.page
    expect(proj.locator(".latest .comment-text").first).to_have_text(text, timeout=WAIT_MS)
    lotim_row = proj.locator(".votes .chart-row.site-1 .chart-value")
    expect(lotim_row).to_have_text("2 titik", timeout=WAIT_MS)
    expect(proj.locator(".votes .chart-row.combined .chart-value")).to_have_text("2 titik", timeout=WAIT_MS)
    # The facilitator's agenda shows the tally too.
    expect(agenda_row(room, 2)).to_contain_text("2 titik", timeout=WAIT_MS)


def test_a_comment_with_markup_shows_as_text(room):
    phone = room.lotim.page
    phone.get_by_label("Masukan Anda").fill(XSS)
    phone.locator("#comments").get_by_role("button", name="Kirim").click()
    for page in (room.prov_projector.page, room.fac.page, room.prov.page, phone):
        expect(page.locator(".comment-text", has_text=XSS).first).to_be_visible(timeout=WAIT_MS)
        assert page.locator(".comment-text img, .comment img").count() == 0
    room.prov_projector.page.wait_for_timeout(300)  # an onerror would have fired by now
    for s in (room.prov_projector, room.fac, room.prov, room.lotim):
        assert not s.alerts


def test_marks_side_by_side_with_disagreement(room):
    for s, status in ((room.lotim, "terakomodir_kab"), (room.prov, "belum_terakomodir")):
        page = s.page
        page.get_by_label("Status", exact=True).select_option(status)
        page.get_by_role("button", name="Simpan penandaan").click()
        expect(page.locator(".my-mark .chip")).to_have_class(f"chip st-{status}", timeout=WAIT_MS)
    proj = room.prov_projector.page
    expect(proj.locator(".marks.disagree")).to_be_visible(timeout=WAIT_MS)
    expect(proj.locator(".marks .site-marks")).to_have_count(2)
    expect(proj.locator(".marks .site-marks.disagree")).to_have_count(2)
    expect(room.fac.page.locator("#agenda li.current .tag.warn")).to_be_visible(timeout=WAIT_MS)


def test_the_facilitator_marks_from_their_own_phone_page(room, browser):
    """The facilitator is a participant too: their mark counts at their site (Lombok Timur)."""
    link = room.fac.page.get_by_role("link", name=re.compile("halaman peserta saya"))
    own = open_screen(browser, room.server.url + link.get_attribute("href"), PHONE)
    try:
        page = own.page
        page.get_by_label("Status", exact=True).select_option("terakomodir_kab")
        page.get_by_role("button", name="Simpan penandaan").click()
        expect(page.locator(".my-mark .chip")).to_have_class("chip st-terakomodir_kab", timeout=WAIT_MS)
        lotim_marks = room.prov_projector.page.locator(".marks .site-marks").nth(1)
        expect(lotim_marks).to_contain_text("2 penandaan", timeout=WAIT_MS)
        assert not own.errors, own.errors
    finally:
        own.close()


def test_support_and_host_moderation(room):
    prov = room.prov.page
    support = prov.locator("#comments [data-key^=support-]").first
    support.click()
    expect(support).to_have_attribute("aria-pressed", "true", timeout=WAIT_MS)

    host = room.host.page
    expect(host.locator("#host")).to_be_visible(timeout=WAIT_MS)
    # Check in someone without a phone, and raise a hand for them.
    host.locator("#host").get_by_label("Nama", exact=True).fill("Inaq Raehan")
    host.locator("#host").get_by_label("Unsur").select_option("Tokoh Masyarakat")
    host.locator("#host").get_by_role("button", name="Daftarkan").click()
    person = host.locator("#host .people li", has_text="Inaq Raehan")
    expect(person).to_contain_text("tanpa ponsel", timeout=WAIT_MS)
    person.get_by_role("button", name="Angkat tangan untuk Inaq Raehan").click()
    expect(room.fac.page.locator("#floor .queue")).to_contain_text("Inaq Raehan", timeout=WAIT_MS)

    # Hide the markup comment at the host's own site: gone from the other room.
    hide = host.locator("#comments li", has_text=XSS).get_by_role("button", name="Sembunyikan")
    hide.click()
    expect(room.prov.page.locator(".comment-text", has_text=XSS)).to_have_count(0, timeout=WAIT_MS)
    expect(host.locator("#comments li.is-hidden", has_text=XSS)).to_be_visible()
    host.locator("#comments li", has_text=XSS).get_by_role("button", name="Tampilkan lagi").click()
    expect(room.prov.page.locator(".comment-text", has_text=XSS)).to_have_count(1, timeout=WAIT_MS)


def test_sync_panel_shows_both_projectors_in_step(room):
    sync = room.fac.page.locator("#sync")
    for site in room.links["sites"]:
        block = sync.locator(f".sync-site[data-site-id='{site['id']}']")
        expect(block.locator(".projectors li.ok")).to_have_count(1, timeout=WAIT_MS)
        expect(block.locator(".projectors")).to_contain_text("Sesuai", timeout=WAIT_MS)
    expect(sync).to_contain_text("Peserta", timeout=WAIT_MS)


def test_decision_with_a_plan_item_found_by_search(room):
    fac = room.fac.page
    detail = fac.locator("#detail")
    detail.get_by_label("Status yang disepakati").select_option("terakomodir_kab")
    detail.get_by_label("Cari kegiatan (RKPD / Renja)").fill("lobster")
    plan = detail.get_by_label("Kegiatan", exact=True)
    expect(plan.locator("option")).to_have_count(2)  # "none" and the one match
    plan.select_option(index=1)
    detail.get_by_label("Apa", exact=True).fill("Masukkan ke Renja DKP 2022")
    detail.get_by_label("Oleh siapa").fill("DKP Kab. Lombok Timur")
    detail.get_by_label("Paling lambat").fill("2021-03-31")
    detail.get_by_role("button", name="Simpan kesepakatan").click()
    expect(fac.locator("#agenda li.current")).to_contain_text("Disepakati", timeout=WAIT_MS)
    expect(room.lotim_projector.page.locator(".view-item .decision")).to_contain_text(
        "Terakomodir (Kabupaten)", timeout=WAIT_MS)
    # A status that needs a reason is refused without one, before anything is sent.
    detail.get_by_label("Status yang disepakati").select_option("dialihkan")
    detail.get_by_role("button", name="Simpan kesepakatan").click()
    expect(detail.locator(".decision-form .note")).to_contain_text("memerlukan alasan")


def test_floor_given_shows_on_both_projectors(room):
    fac = room.fac.page
    fac.locator("#floor").get_by_role("button", name="Beri giliran kepada Inaq Raehan").click()
    for s in (room.prov_projector, room.lotim_projector):
        expect(s.page.locator(".floor .speaker")).to_contain_text("Inaq Raehan", timeout=WAIT_MS)
        expect(s.page.locator(".floor .countdown")).to_have_text(re.compile(r"^[23]:[0-5][0-9]$"), timeout=WAIT_MS)
    fac.locator("#floor").get_by_role("button", name="Akhiri giliran").click()
    expect(room.prov_projector.page.locator(".floor")).to_have_count(0, timeout=WAIT_MS)


def test_import_from_the_console(room):
    fac = room.fac.page
    before = fac.locator("#agenda li[data-proposal-id]").count()
    csv = ("Kode,Usulan,Kecamatan,Desa,OPD Tujuan\n"
           "HMS-17,Pelatihan pengolahan ikan asin,Keruak,Tanjung Luar,Dinas Kelautan dan Perikanan\n")
    fac.locator("#agenda").get_by_role("button", name="Impor", exact=True).click()
    form = fac.locator("#import form[data-kind=proposals]")
    form.locator("input[type=file]").set_input_files(
        files=[{"name": "tambahan.csv", "mimeType": "text/csv", "buffer": csv.encode()}])
    form.get_by_role("button", name="Periksa berkas").click()
    expect(form.locator(".preview-counts")).to_contain_text(
        "1 baru, 0 diperbarui, 0 tidak berubah, 0 ditolak", timeout=WAIT_MS)
    form.get_by_role("button", name="Impor sekarang").click()
    expect(form.locator(".message.ok")).to_contain_text("Tersimpan: 1 baru", timeout=WAIT_MS)
    expect(fac.locator("#agenda li[data-proposal-id]")).to_have_count(before + 1, timeout=WAIT_MS)
    expect(room.prov.page.locator("#agenda-all li")).to_have_count(before + 1, timeout=WAIT_MS)
    # Rows that cannot be read are reported and nothing is imported.
    form.locator("input[type=file]").set_input_files(
        files=[{"name": "rusak.csv", "mimeType": "text/csv", "buffer": b"Kode,Kecamatan\nX,Y\n"}])
    form.get_by_role("button", name="Periksa berkas").click()
    expect(form.locator(".message.error")).to_be_visible(timeout=WAIT_MS)
    expect(fac.locator("#agenda li[data-proposal-id]")).to_have_count(before + 1)


def test_revoked_participant_is_sent_back_to_the_join_form(browser, room):
    lotim = room.links["sites"][1]
    s = open_screen(browser, lotim["join_url"], PHONE)
    join(s, "Peserta Uji Cabut", "Lainnya")
    host = room.host.page
    host.locator("#host").get_by_role("button", name="Cabut akses Peserta Uji Cabut").click()
    expect(host.locator("#host .people li.revoked", has_text="Peserta Uji Cabut")).to_be_visible(timeout=WAIT_MS)
    expect(s.page.get_by_label("Nama Anda")).to_be_visible(timeout=WAIT_MS)
    # The refusal's message, in the page's language (not a Python repr of it).
    expect(s.page.locator(".message.error")).to_have_text(
        "Tautan ini tidak (lagi) berlaku. Mintalah tautan baru kepada fasilitator.")
    assert not s.errors
    s.close()


def test_close_reopen_and_a_hidden_score_round(room):
    fac = room.fac.page
    fac.get_by_role("button", name="Tutup rapat").click()  # confirm() is accepted
    expect(fac.locator(".topbar .chip")).to_have_class(re.compile("meeting-closed"), timeout=WAIT_MS)
    # A closed meeting's phone forms are read-only and say why, rather than refusing on submit.
    phone = room.lotim.page
    expect(phone.get_by_label("Masukan Anda")).to_be_disabled(timeout=WAIT_MS)
    expect(phone.locator("#comments .form-closed")).to_contain_text("Rapat sudah ditutup")
    expect(phone.locator(".banner")).to_be_hidden()
    expect(phone.locator("#now .message")).to_have_text("Rapat sudah ditutup.")
    fac.get_by_role("button", name="Buka kembali").click()
    expect(phone.locator("#now .message")).to_have_count(0, timeout=WAIT_MS)
    expect(phone.get_by_label("Masukan Anda")).to_be_enabled()
    expect(fac.locator(".topbar .chip")).to_have_class(re.compile("meeting-live"), timeout=WAIT_MS)

    voting = fac.locator("#voting")
    voting.get_by_label("Cara menilai").select_option("score")
    voting.get_by_label("Sembunyikan hasil sampai ditutup").check()
    voting.get_by_role("button", name="Buka penilaian").click()
    pid = focused_id(room)
    prov = room.prov.page
    four = prov.locator(f"[data-key='s{pid}-4']")
    four.click()
    expect(four).to_have_attribute("aria-pressed", "true", timeout=WAIT_MS)
    expect(prov.locator(".budget")).to_contain_text("Sudah dinilai: 1 dari", timeout=WAIT_MS)
    # Hidden until closed: projectors count voters, the facilitator sees the tally.
    proj = room.lotim_projector.page
    expect(proj.locator(".votes")).to_contain_text("1 orang sudah memilih", timeout=WAIT_MS)
    expect(proj.locator(".votes .chart-row")).to_have_count(0)
    expect(agenda_row(room, 2)).to_contain_text("4 (1)", timeout=WAIT_MS)
    voting.get_by_role("button", name="Tutup penilaian").click()
    expect(proj.locator(".votes .chart-row.combined .chart-value")).to_have_text("4 (1)", timeout=WAIT_MS)

    # A new dots round for the rest of the tests and the screenshots.
    voting.get_by_label("Cara menilai").select_option("dots")
    voting.get_by_label("Sembunyikan hasil sampai ditutup").uncheck()
    voting.get_by_role("button", name="Buka penilaian").click()
    rows = fac.locator("#agenda li[data-proposal-id]")
    ids = [int(rows.nth(i).get_attribute("data-proposal-id")) for i in range(4)]
    for page, picks in ((room.lotim.page, [ids[2], ids[2], ids[0], ids[3]]),
                        (room.prov.page, [ids[2], ids[1], ids[1], ids[0], ids[3]])):
        for n, pid in enumerate(picks, 1):
            page.locator(f"[data-key=p{pid}]").click()
            expect(page.locator(".budget")).to_contain_text(f"Sisa titik: {5 - n} dari 5", timeout=WAIT_MS)
    expect(room.prov_projector.page.locator(".votes .chart-row.combined .chart-value")).to_have_text(
        "3 titik", timeout=WAIT_MS)


def test_keyboard_only(room):
    """Comment and vote with the keyboard; focus stays on the control after the page redraws."""
    page = room.lotim.page
    box = page.get_by_label("Masukan Anda")
    box.focus()
    page.keyboard.type("Lewat papan ketik saja.")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Kirim"
    page.keyboard.press("Enter")
    expect(room.prov_projector.page.locator(".latest .comment-text").first).to_have_text(
        "Lewat papan ketik saja.", timeout=WAIT_MS)
    minus = page.locator(f"[data-key=m{focused_id(room)}]")
    minus.focus()
    before = page.locator(".budget strong").inner_text()
    page.keyboard.press("Enter")
    expect(page.locator(".budget strong")).not_to_have_text(before, timeout=WAIT_MS)
    assert page.evaluate("document.activeElement.dataset.key") == f"m{focused_id(room)}"
    page.keyboard.press("Tab")  # to "+" for the same proposal
    page.keyboard.press("Enter")
    expect(page.locator(".budget strong")).to_have_text(before, timeout=WAIT_MS)


def test_projector_type_sizes(room):
    """At 1920×1080 the title is at least 48 px and all other text at least 28 px."""
    page = room.prov_projector.page
    sizes = page.evaluate("""() => {
        const out = [];
        const walk = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
        while (walk.nextNode()) {
            const node = walk.currentNode;
            if (!node.textContent.trim()) continue;
            const el = node.parentElement;
            const r = el.getBoundingClientRect();
            if (!r.width || !r.height || el.closest("[hidden]")) continue;
            out.push({text: node.textContent.trim().slice(0, 40), cls: el.className,
                      size: parseFloat(getComputedStyle(el).fontSize)});
        }
        return {texts: out, title: parseFloat(getComputedStyle(document.querySelector(".view-item .title")).fontSize)};
    }""")
    assert sizes["title"] >= 48
    small = [t for t in sizes["texts"] if t["size"] < 28]
    assert not small, small


@pytest.mark.parametrize("view", ["agenda", "results", "join", "item"])
def test_projector_views_fit_both_screen_sizes(room, view):
    fac = room.fac.page
    fac.locator("#projector-view").locator(f"input[value={view}]").check()
    for s in (room.prov_projector, room.lotim_projector):
        expect(s.page.locator(f".view-{view}")).to_be_visible(timeout=WAIT_MS)
    page = room.lotim_projector.page
    for viewport in (PROJECTOR_SMALL, PROJECTOR):
        page.set_viewport_size(viewport)
        page.wait_for_timeout(100)
        cut = page.evaluate("""() => [...document.querySelectorAll(
                ".stage, .view, .view > *, .side > *, .view-agenda tr, .results li")]
            .filter(el => el.scrollHeight > el.clientHeight + 2 || el.scrollWidth > el.clientWidth + 2
                          || el.getBoundingClientRect().bottom > innerHeight + 1)
            .map(el => `${el.tagName}.${el.className}`)""")
        assert not cut, f"{view} at {viewport['width']}x{viewport['height']}: content cut off in {cut}"
    if view == "results":
        # Equal results share a rank: 3 dots, then three proposals with 2, then the rest.
        ranks = page.locator(".results .rank").all_inner_texts()
        assert ranks[:5] == ["1", "2", "2", "2", "5"], ranks
        # Titles wrap to two lines rather than being cut after a few words.
        cut_titles = page.evaluate("""() => [...document.querySelectorAll(".results .t")]
            .filter(el => el.scrollHeight > el.clientHeight + 2 || el.scrollWidth > el.clientWidth + 2)
            .map(el => el.textContent)""")
        assert not cut_titles, cut_titles
    if view == "join":
        expect(page.locator(".view-join img.qr-big")).to_have_attribute("src", f"/j/{room.links['sites'][1]['join_code']}/qr.svg")
        assert page.locator(".view-join img.qr-big").evaluate("img => img.complete && img.naturalWidth > 0")


def test_no_serious_accessibility_violations(browser, room):
    """axe-core on every screen (own contexts: injecting axe needs the CSP bypassed)."""
    links = room.links
    lotim = links["sites"][1]
    screens = {
        "facilitator": (links["facilitator_url"], LAPTOP, "#agenda li"),
        "projector": (lotim["projector_url"], PROJECTOR, ".view"),
        "host": (lotim["host_url"], PHONE, "#host"),
        "join form": (lotim["join_url"], PHONE, "form"),
        "join sheet": (f"{room.server.url}/j/{lotim['join_code']}/sheet", PHONE, ".sheet-qr"),
    }
    problems = {}
    for name, (url, viewport, ready) in screens.items():
        s = open_screen(browser, url, viewport, bypass_csp=True)
        s.page.locator(ready).first.wait_for(timeout=WAIT_MS)
        s.page.wait_for_timeout(300)
        found = run_axe(s.page)
        if name == "join form":  # and the live page after joining
            join(s, "Pemeriksa Aksesibilitas", "Lainnya")
            s.page.locator("#vote .votes").wait_for(timeout=WAIT_MS)
            found += run_axe(s.page)
        if found:
            problems[name] = found
        s.close()
    assert not problems, problems


def test_screenshots_for_the_readme(room):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    fac = room.fac.page
    fac.locator("#projector-view input[value=item]").check()
    expect(room.prov_projector.page.locator(".view-item")).to_be_visible(timeout=WAIT_MS)
    fac.evaluate("document.getElementById('import').open = false")
    fac.screenshot(path=SCREENSHOTS / "facilitator.png")
    room.prov_projector.page.screenshot(path=SCREENSHOTS / "projector-item.png")
    phone = room.lotim.page
    phone.evaluate("scrollTo(0, 0)")
    phone.screenshot(path=SCREENSHOTS / "participant.png")
    phone.locator("#rooms").scroll_into_view_if_needed()
    phone.screenshot(path=SCREENSHOTS / "participant-rooms.png")
    phone.locator("#vote h2").evaluate("el => el.scrollIntoView()")
    phone.screenshot(path=SCREENSHOTS / "participant-vote.png")
    room.host.page.locator("#host").scroll_into_view_if_needed()
    room.host.page.screenshot(path=SCREENSHOTS / "host.png")
    for view in ("agenda", "results", "join"):
        fac.locator(f"#projector-view input[value={view}]").check()
        expect(room.prov_projector.page.locator(f".view-{view}")).to_be_visible(timeout=WAIT_MS)
        room.prov_projector.page.wait_for_timeout(200)  # the QR image
        room.prov_projector.page.screenshot(path=SCREENSHOTS / f"projector-{view}.png")
    fac.locator("#projector-view input[value=item]").check()
    sheet = room.fac.page.context.new_page()
    sheet.set_viewport_size({"width": 794, "height": 1123})  # A4 at 96 dpi
    sheet.goto(f"{room.server.url}/j/{room.links['sites'][0]['join_code']}/sheet")
    sheet.locator(".sheet-qr").wait_for()
    sheet.screenshot(path=SCREENSHOTS / "join-sheet.png")
