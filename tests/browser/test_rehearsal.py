"""What a full rehearsal found, in real browsers: repeatable imports with a
preview, withdrawing and restoring during an open round, screens that show a
closed meeting, the speaker's own phone, the projector's agenda paging by
itself, and a console whose panels hold their content at 1366×768.

Each test has a meeting of its own on the shared server, so none depends on
another or on tests/browser/test_screens.py."""
from __future__ import annotations

import json
import re
import subprocess
import sys

from playwright.sync_api import expect

from tests.browser.helpers import PHONE, PROJECTOR, WAIT_MS, join, open_screen
from tests.e2e_client import Peer
from tests.server import ROOT

SAMPLE = (ROOT / "sinkron" / "data" / "usulan-contoh.csv").read_bytes()
CONSOLE_SMALL = {"width": 1366, "height": 768}

_EMPTY_MEETING = """
import json
from app import app
from sinkron.extensions import db
from sinkron.meetings import DEFAULT_SITES, create_meeting
with app.app_context():
    meeting, links = create_meeting(db.session, app.config["PUBLIC_URL"], title="Rapat gladi",
                                    status="live", sites=[{"name": n} for n in DEFAULT_SITES],
                                    facilitator={"name": "Fasilitator"})
    db.session.commit()
    print(json.dumps(links.as_dict()))
"""


def demo_meeting(server) -> dict:
    out = server.flask("demo", "--json")
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout)


def empty_meeting(server) -> dict:
    out = subprocess.run([sys.executable, "-c", _EMPTY_MEETING], cwd=ROOT, env=server.env(),
                         capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout.strip().splitlines()[-1])


def ok(ack):
    assert ack.get("ok"), ack
    return ack


def upload(form, data: bytes, name="usulan.csv"):
    form.locator("input[type=file]").set_input_files(
        files=[{"name": name, "mimeType": "text/csv", "buffer": data}])
    form.get_by_role("button", name="Periksa berkas").click()


def test_an_empty_agenda_leads_to_the_import_and_the_same_csv_twice_stays_16(browser, server):
    links = empty_meeting(server)
    fac = open_screen(browser, links["facilitator_url"], CONSOLE_SMALL)
    page = fac.page
    try:
        empty = page.locator("#agenda .empty-agenda")
        expect(empty).to_contain_text("Agenda masih kosong", timeout=WAIT_MS)
        expect(empty.get_by_role("link", name=re.compile("Lembar BAPPEDA"))).to_have_count(2)
        # The import controls are on the first screen, not below six panels.
        form = page.locator("#import form[data-kind=proposals]")
        box = form.locator("input[type=file]").bounding_box()
        assert box and box["y"] + box["height"] <= CONSOLE_SMALL["height"], box
        upload(form, SAMPLE)
        expect(form.locator(".preview-counts")).to_have_text(
            "Jika diimpor: 16 baru, 0 diperbarui, 0 tidak berubah, 0 ditolak", timeout=WAIT_MS)
        # Nothing is stored before the facilitator confirms.
        expect(page.locator("#agenda li[data-proposal-id]")).to_have_count(0)
        form.get_by_role("button", name="Impor sekarang").click()
        expect(form.locator(".message.ok")).to_contain_text("Tersimpan: 16 baru", timeout=WAIT_MS)
        expect(page.locator("#agenda li[data-proposal-id]")).to_have_count(16, timeout=WAIT_MS)
        expect(empty).to_be_hidden()

        upload(form, SAMPLE)
        expect(form.locator(".preview-counts")).to_have_text(
            "Jika diimpor: 0 baru, 0 diperbarui, 16 tidak berubah, 0 ditolak", timeout=WAIT_MS)
        expect(form.get_by_role("button", name="Impor sekarang")).to_be_disabled()
        # Sent anyway (a second console, a retry): still 16.
        answer = page.evaluate("""async ([id, csrf, text]) => {
            const data = new FormData();
            data.append("file", new Blob([text], {type: "text/csv"}), "usulan.csv");
            const res = await fetch(`/meetings/${id}/import/proposals`,
                                    {method: "POST", body: data, headers: {"X-CSRF-Token": csrf}});
            return await res.json();
        }""", [links["meeting_id"], page.locator("#app").get_attribute("data-csrf"), SAMPLE.decode()])
        assert answer["result"]["counts"] == {"new": 0, "updated": 0, "unchanged": 16, "refused": 0}
        page.wait_for_timeout(300)
        expect(page.locator("#agenda li[data-proposal-id]")).to_have_count(16)
        assert not fac.errors, fac.errors
    finally:
        fac.close()


def test_withdraw_and_restore_during_an_open_round_returns_the_dots(browser, server):
    links = demo_meeting(server)
    lotim = links["sites"][1]
    fac = open_screen(browser, links["facilitator_url"], CONSOLE_SMALL)
    phone = open_screen(browser, lotim["join_url"], PHONE)
    proj = open_screen(browser, lotim["projector_url"], PROJECTOR)
    try:
        join(phone, "Baiq Lestari", "Tokoh Perempuan")
        page = fac.page
        page.locator("#voting").get_by_role("button", name="Buka penilaian").click()
        third = page.locator("#agenda li[data-proposal-id]").nth(2)
        pid = int(third.get_attribute("data-proposal-id"))
        title = third.locator("button.linkish").inner_text()
        plus = phone.page.locator(f"[data-key=p{pid}]")
        for left in (4, 3, 2):
            plus.click()
            expect(phone.page.locator(".budget")).to_contain_text(f"Sisa titik: {left} dari 5", timeout=WAIT_MS)

        third.locator("button.linkish").click()
        detail = page.locator("#detail")
        detail.locator("summary", has_text="Tarik dari agenda").click()
        detail.get_by_label("Alasan penarikan").fill("Digabung dengan HMS-02")
        button = detail.get_by_role("button", name="Tarik dari agenda")
        button.click()
        # The confirmation stands next to the panel's controls, not at the top of the page.
        confirmation = detail.locator(".note.ok").first
        expect(confirmation).to_have_text("Usulan ditarik dari agenda.", timeout=WAIT_MS)
        expect(detail).to_contain_text("Digabung dengan HMS-02")
        # Its dots went back to the voter, and it left every agenda.
        expect(phone.page.locator(".budget")).to_contain_text("Sisa titik: 5 dari 5", timeout=WAIT_MS)
        expect(phone.page.locator(f"[data-key=p{pid}]")).to_have_count(0)
        expect(page.locator(f"#agenda .agenda-rows li[data-proposal-id='{pid}']")).to_have_count(0)
        expect(page.locator("#agenda .withdrawn-box summary")).to_have_text("Ditarik dari agenda (1)")
        expect(phone.page.locator("#agenda-all li")).to_have_count(15)

        detail.get_by_role("button", name=f"Kembalikan {title} ke agenda").click()
        expect(detail.locator(".note.ok").first).to_have_text("Usulan dikembalikan ke agenda.", timeout=WAIT_MS)
        expect(page.locator("#agenda .agenda-rows li[data-proposal-id]").nth(2)).to_have_attribute(
            "data-proposal-id", str(pid), timeout=WAIT_MS)
        expect(phone.page.locator(f"[data-key=p{pid}]")).to_have_count(1, timeout=WAIT_MS)
        expect(phone.page.locator("#agenda-all li")).to_have_count(16)
        for s in (fac, phone, proj):
            assert not s.errors, s.errors
    finally:
        for s in (fac, phone, proj):
            s.close()


def test_the_speakers_own_phone_and_a_closed_meeting_on_every_screen(browser, server):
    links = demo_meeting(server)
    prov = links["sites"][0]
    phone = open_screen(browser, prov["join_url"], PHONE)
    proj = open_screen(browser, prov["projector_url"], PROJECTOR)
    host = open_screen(browser, prov["host_url"], PHONE)
    facilitator = Peer(server.url, links["facilitator_token"])
    try:
        join(phone, "Lalu Hasan", "OPD")
        page = phone.page
        expect(page.locator(".topbar .where")).to_have_text("Ponsel Lalu Hasan · BAPPEDA Provinsi NTB",
                                                             timeout=WAIT_MS)
        page.get_by_role("button", name="Angkat tangan").click()
        expect(page.locator("#floor")).to_contain_text("urutan ke-1", timeout=WAIT_MS)
        me = page.evaluate(f"JSON.parse(localStorage.getItem('sinkron:join:{prov['join_code']}')).participant_id")
        ok(facilitator.send("floor.grant", participant_id=me))
        expect(page.locator("#floor .speaker.me")).to_contain_text("Anda sedang berbicara", timeout=WAIT_MS)
        lower = page.get_by_role("button", name="Turunkan tangan (selesai bicara)")
        expect(lower).to_be_visible()
        expect(page.get_by_role("button", name="Angkat tangan")).to_have_count(0)
        lower.click()
        expect(page.locator("#floor")).to_contain_text("Belum ada yang bicara.", timeout=WAIT_MS)

        expect(proj.page.locator("img.qr")).to_have_count(1, timeout=WAIT_MS)
        ok(facilitator.send("meeting.close"))
        expect(proj.page.locator(".closed-badge")).to_have_text("Rapat sudah ditutup", timeout=WAIT_MS)
        expect(proj.page.locator("img.qr, img.qr-big")).to_have_count(0)
        expect(proj.page.locator(".stage")).not_to_contain_text(prov["join_code"])
        # The full-screen join view of a closed meeting has nothing to scan either.
        ok(facilitator.send("meeting.reopen"))
        ok(facilitator.send("projector.view", view="join"))
        expect(proj.page.locator("img.qr-big")).to_have_count(1, timeout=WAIT_MS)
        ok(facilitator.send("meeting.close"))
        expect(proj.page.locator(".view-join")).to_contain_text("Rapat sudah ditutup", timeout=WAIT_MS)
        expect(proj.page.locator("img")).to_have_count(0)
        expect(proj.page.locator(".stage")).not_to_contain_text(prov["join_code"])
        for s in (phone, host):
            expect(s.page.locator("#mark .form-closed")).to_contain_text("Rapat sudah ditutup", timeout=WAIT_MS)
            controls = s.page.locator(
                "form :is(input, select, textarea, button):enabled, #floor button:enabled, "
                "[data-key^=support-]:enabled, #host button:enabled")
            expect(controls).to_have_count(0)
        for s in (phone, proj, host):
            assert not s.errors, s.errors
    finally:
        facilitator.close()
        for s in (phone, proj, host):
            s.close()


def test_the_projector_agenda_pages_through_40_proposals(browser, server, tmp_path):
    links = demo_meeting(server)
    rows = ["Kode,Usulan,Pengusul"] + [
        f"GL-{n:02d},Usulan tambahan nomor {n} dengan judul yang cukup panjang untuk dua baris di layar "
        f"proyektor ruang rapat,Kelompok {n}" for n in range(17, 41)]
    path = tmp_path / "tambahan.csv"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    out = server.flask("import", "proposals", str(links["meeting_id"]), str(path))
    assert out.returncode == 0, out.stderr
    facilitator = Peer(server.url, links["facilitator_token"])
    ok(facilitator.send("projector.view", view="agenda"))
    ctx = browser.new_context(viewport=PROJECTOR)
    page = ctx.new_page()
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.clock.install()
    page.goto(links["sites"][0]["projector_url"])
    try:
        label = page.locator(".view-agenda .page-range")
        expect(label).to_have_text(re.compile(r"^· 1–\d+ dari 40$"), timeout=WAIT_MS)
        seen = []
        for _ in range(10):
            text = label.inner_text()
            seen.append(text)
            if text.endswith("–40 dari 40"):
                break
            page.clock.run_for(8000)
            expect(label).not_to_have_text(text, timeout=WAIT_MS)
        assert seen[-1].endswith("–40 dari 40"), seen
        last = page.locator(".agenda-table tbody tr").last
        expect(last).to_contain_text("GL-40")
        # Titles wrap to two lines instead of being cut at one.
        height = last.locator(".t2").evaluate("el => el.getBoundingClientRect().height / "
                                               "parseFloat(getComputedStyle(el).lineHeight)")
        assert 1.8 < height < 2.2, height
        # ... and it starts again from the top.
        page.clock.run_for(8000)
        expect(label).to_have_text(re.compile(r"^· 1–"), timeout=WAIT_MS)
        assert not errors, errors
    finally:
        facilitator.close()
        ctx.close()


def test_console_panels_hold_their_content_at_1366x768(browser, server):
    links = demo_meeting(server)
    facilitator = Peer(server.url, links["facilitator_token"])
    people = [Peer(server.url, server.join(site["join_code"], name, "LSM")["token"])
              for site, name in zip(links["sites"], ("Inaq Raehan binti Amaq Sumenep", "Lalu Muhammad Zainul"))]
    try:
        proposals = facilitator.wait_snapshot()["proposals"]
        ok(facilitator.send("voting.open", mode="dots"))
        for n, p in enumerate(proposals[:6]):
            for who, status in zip(people, ("tidak_dapat_diakomodir", "terakomodir_sebagian")):
                ok(who.send("proposal.mark", proposal_id=p["id"], status=status))
            ok(facilitator.send("proposal.decide", proposal_id=p["id"], status="perlu_klarifikasi"))
        ok(people[0].send("vote.cast", proposal_id=proposals[1]["id"], value=3))
        ok(people[0].send("floor.request"))
        fac = open_screen(browser, links["facilitator_url"], CONSOLE_SMALL)
        try:
            page = fac.page
            expect(page.locator("#agenda li .tag.warn").first).to_be_visible(timeout=WAIT_MS)
            expect(page.locator("#voting .chart-row").first).to_be_visible(timeout=WAIT_MS)
            # The top-ranked list names proposals by title, not only by code.
            expect(page.locator("#voting .chart-label").first).to_contain_text(proposals[1]["title"])
            page.locator("#agenda li[data-proposal-id] button.linkish").nth(1).click()
            page.evaluate("document.querySelectorAll('main.console details').forEach((d) => { d.open = true; })")
            page.wait_for_timeout(300)
            overflow = page.evaluate("""() => {
                const out = [];
                for (const card of document.querySelectorAll("main.console .card")) {
                    const box = card.getBoundingClientRect();
                    for (const el of card.querySelectorAll("*")) {
                        if (el.closest(".sr-only, option, select")) continue;
                        const r = el.getBoundingClientRect();
                        if (!r.width || !r.height) continue;
                        if (r.left < box.left - 0.5 || r.right > box.right + 0.5) {
                            out.push(`${card.id}: ${el.tagName}.${el.className} ` +
                                     `[${Math.round(r.left)}, ${Math.round(r.right)}] outside ` +
                                     `[${Math.round(box.left)}, ${Math.round(box.right)}]`);
                        }
                    }
                }
                return out;
            }""")
            assert not overflow, "\n".join(overflow[:20])
            assert not fac.errors, fac.errors
        finally:
            fac.close()
    finally:
        for peer in (facilitator, *people):
            peer.close()


def test_the_server_log_has_one_format(server):
    """Logging is configured once: time, full level name, logger, message."""
    lines = [line for line in server.log_path.read_text().splitlines()
             if re.match(r"^\d{4}-\d\d-\d\d ", line) or re.match(r"^(INFO|WARNI|ERROR|DEBUG)\b", line)]
    assert lines, server.log_path.read_text()[:2000]
    pattern = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} (DEBUG|INFO|WARNING|ERROR|CRITICAL) "
                         r"[\w.]+: ")
    assert all(pattern.match(line) for line in lines), lines[:10]
    assert any("alembic" in line for line in lines), lines[:10]
