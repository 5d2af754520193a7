"""Organisers: sign-in (CSRF, backoff), the pages behind it, creating a
meeting once per form, fresh links per role, the CLI and the first-run
account of `python app.py`."""
import os
import re
import stat

import pytest
import requests
from sqlalchemy import select

from sinkron import organisers
from sinkron.extensions import db
from sinkron.meetings import authenticate
from sinkron.models import Event, Meeting, Organiser
from tests.conftest import ORGANISER_PASSWORD, form_token
from tests.server import Server

MEETING_FORM = {"title": "Sinkronisasi 2026", "number": "050/1/2026", "date": "2026-12-01",
                "start_time": "09:00", "end_time": "12:00", "timezone": "Asia/Makassar",
                "place": "Mataram", "purpose": "Menyepakati prioritas", "facilitator_name": "Rina",
                "site_0_name": "BAPPEDA Provinsi NTB", "site_0_chair": "Kabid",
                "site_1_name": "BAPPEDA Kabupaten Lombok Timur", "site_1_chair": "Kepala"}


def _add_organiser(app, name="Budi", password=ORGANISER_PASSWORD) -> int:
    with app.app_context():
        o = organisers.add(db.session, name, password)
        db.session.commit()
        return o.id


def _sign_in(client, name, password, **extra):
    return client.post("/sign-in" + extra.pop("query", ""),
                       data={"csrf_token": form_token(client), "name": name, "password": password, **extra})


# --- behind sign-in ---------------------------------------------------------------

@pytest.mark.parametrize("method,path", [("get", "/meetings/new"), ("get", "/meetings"),
                                         ("post", "/meetings/new"), ("get", "/meetings/1")])
def test_organiser_pages_send_anonymous_requests_to_sign_in(client, method, path):
    r = getattr(client, method)(path)
    assert r.status_code == 302
    assert r.headers["Location"] == "/sign-in?next=" + path


def test_sign_in_then_back_where_one_was_going(client, app):
    _add_organiser(app)
    r = _sign_in(client, "  budi ", ORGANISER_PASSWORD, next="/meetings/new")
    assert r.status_code == 303 and r.headers["Location"] == "/meetings/new"
    assert client.get("/meetings/new").status_code == 200
    # Another site is never a destination.
    client.post("/sign-out", data={"csrf_token": form_token(client, "/meetings")})
    r = _sign_in(client, "Budi", ORGANISER_PASSWORD, next="//evil.example/x")
    assert r.headers["Location"] == "/meetings"


def test_session_holds_the_organiser_id_only_and_sign_out_ends_it(client, app, organiser):
    with client.session_transaction() as s:
        assert s["organiser_id"] == organiser
        with app.app_context():  # which password, as a digest of its salted hash
            assert ORGANISER_PASSWORD not in s["organiser_pw"]
            assert db.session.get(Organiser, organiser).password_hash not in s["organiser_pw"]
        assert not any(ORGANISER_PASSWORD in str(v) for v in s.values())
    r = client.post("/sign-out", data={"csrf_token": form_token(client, "/meetings")})
    assert r.status_code == 303
    assert client.get("/meetings").status_code == 302


def test_a_password_change_signs_out_the_sessions_opened_with_the_old_one(client, app, organiser):
    assert client.get("/meetings").status_code == 200
    with app.app_context():
        organisers.set_password(db.session.get(Organiser, organiser), "a new long password 2026")
        db.session.commit()
    assert client.get("/meetings").status_code == 302
    r = _sign_in(client, "Rina", "a new long password 2026")
    assert r.status_code == 303 and client.get("/meetings").status_code == 200


def test_a_removed_organiser_is_signed_out(client, app, organiser):
    with app.app_context():
        db.session.delete(db.session.get(Organiser, organiser))
        db.session.commit()
    assert client.get("/meetings").status_code == 302


def test_sign_in_needs_the_csrf_token(client, app):
    _add_organiser(app)
    r = client.post("/sign-in", data={"name": "Budi", "password": ORGANISER_PASSWORD})
    assert r.status_code == 400
    with client.session_transaction() as s:
        assert "organiser_id" not in s


def test_a_wrong_password_is_refused_and_slowed(client, app):
    _add_organiser(app)
    now = [1000.0]
    for backoff in app.extensions["sinkron"].sign_in_backoff.values():
        backoff.clock = lambda: now[0]
    for _ in range(5):
        r = _sign_in(client, "Budi", "wrong password!")
        assert r.status_code == 401
        assert "Nama atau kata sandi salah." in r.get_data(as_text=True)
    # Slowed: even the right password waits, and the page says for how long.
    r = _sign_in(client, "Budi", ORGANISER_PASSWORD, query="?lang=en")
    assert r.status_code == 429
    assert "Too many failed sign-ins. Try again in 1 seconds." in r.get_data(as_text=True)
    now[0] += 1.5
    assert _sign_in(client, "Budi", "wrong again!!").status_code == 401
    r = _sign_in(client, "Budi", ORGANISER_PASSWORD)
    assert r.status_code == 429 and "2 seconds" in r.get_data(as_text=True)
    # A wait, never a lockout: after it, the right password works.
    now[0] += 2.5
    r = _sign_in(client, "Budi", ORGANISER_PASSWORD)
    assert r.status_code == 303


def test_backoff_is_per_address_too(client, app):
    _add_organiser(app)
    per_address = app.extensions["sinkron"].sign_in_backoff["address"]
    for i in range(per_address.free):  # as many names as an address may fail freely
        assert _sign_in(client, f"nobody{i}", "x" * 12).status_code == 401
    r = _sign_in(client, "Budi", ORGANISER_PASSWORD)
    assert r.status_code == 429
    # Another address is not slowed by this one.
    other = app.test_client()
    r = other.post("/sign-in", data={"csrf_token": form_token(other), "name": "Budi",
                                     "password": ORGANISER_PASSWORD},
                   environ_base={"REMOTE_ADDR": "192.0.2.77"})
    assert r.status_code == 303


def test_backoff_wait_doubles_up_to_a_cap():
    from sinkron.live.ratelimit import Backoff
    now = [0.0]
    b = Backoff(free=2, cap=30, clock=lambda: now[0])
    waits = []
    for _ in range(9):
        b.fail("k")
        waits.append(b.wait("k"))
    assert waits == [0, 1, 2, 4, 8, 16, 30, 30, 30]
    now[0] += 31
    assert b.wait("k") == 0
    now[0] += 3600
    b.fail("k")
    assert b.wait("k") == 0  # forgotten after an hour without failures


# --- creating a meeting -------------------------------------------------------------------

def _creation_form(client) -> dict:
    return {**MEETING_FORM, "csrf_token": form_token(client, "/meetings/new"),
            "form_key": form_token(client, "/meetings/new", "form_key")}


def test_create_meeting_records_its_organiser(client, app, organiser):
    r = client.post("/meetings/new", data=_creation_form(client))
    assert r.status_code == 201
    fac_url = re.search(r'http://sinkron.test/f/[\w-]+', r.get_data(as_text=True)).group(0)
    # The facilitator's token link works, without an organiser's sign-in.
    assert app.test_client().get(fac_url.replace("http://sinkron.test", "")).status_code == 200
    with app.app_context():
        m = db.session.scalars(select(Meeting)).one()
        assert m.status == "draft" and [s.chair_name for s in m.sites] == ["Kabid", "Kepala"]
        assert m.created_by == organiser
    listing = client.get("/meetings").get_data(as_text=True)
    assert "Sinkronisasi 2026" in listing and "Rina" in listing


def test_every_organiser_sees_every_meeting(client, app, organiser):
    client.post("/meetings/new", data=_creation_form(client))
    other = app.test_client()
    _add_organiser(app, "Budi")
    _sign_in(other, "Budi", ORGANISER_PASSWORD)
    assert "Sinkronisasi 2026" in other.get("/meetings").get_data(as_text=True)


def test_a_reload_of_the_creation_creates_nothing(client, app, organiser):
    form = _creation_form(client)
    first = client.post("/meetings/new", data=form)
    assert first.status_code == 201
    links = re.findall(r'http://sinkron.test/[fph]/[\w-]+', first.get_data(as_text=True))
    again = client.post("/meetings/new", data=form)  # the browser's reload, or a second click
    assert again.status_code == 200
    page = again.get_data(as_text=True)
    assert "nothing new was created" in client.post("/meetings/new?lang=en", data=form).get_data(as_text=True)
    # The same meeting, with the same links: the first ones keep working.
    assert re.findall(r'http://sinkron.test/[fph]/[\w-]+', page) == links
    with app.app_context():
        assert db.session.query(Meeting).count() == 1
        for url in links:
            assert authenticate(db.session, url.rsplit("/", 1)[1]) is not None
    assert client.get(links[0].replace("http://sinkron.test", "")).status_code == 200


def test_a_new_form_makes_a_new_meeting_and_a_bad_key_makes_none(client, app, organiser):
    client.post("/meetings/new", data=_creation_form(client))
    assert client.post("/meetings/new", data=_creation_form(client)).status_code == 201
    bad = {**_creation_form(client), "form_key": "short"}
    assert client.post("/meetings/new", data=bad).status_code == 400
    with app.app_context():
        assert db.session.query(Meeting).count() == 2


def test_a_form_with_errors_keeps_its_key_and_creates_nothing(client, app, organiser):
    form = _creation_form(client)
    r = client.post("/meetings/new?lang=en", data={**form, "title": "", "facilitator_name": "",
                                                   "date": "31-12-2026", "timezone": "Mars/Base"})
    assert r.status_code == 400
    page = r.get_data(as_text=True)
    assert "Please give the meeting a title." in page and "Unknown time zone." in page
    assert f'value="{form["form_key"]}"' in page
    with app.app_context():
        assert db.session.query(Meeting).count() == 0
    assert client.post("/meetings/new", data=form).status_code == 201


def test_creation_needs_csrf(client, app, organiser):
    form = _creation_form(client)
    del form["csrf_token"]
    assert client.post("/meetings/new", data=form).status_code == 400


# --- fresh links per role ------------------------------------------------------------------------------

def test_organiser_replaces_one_projector_link(client, app, organiser, demo, live):
    old_projector = live(demo.sites[0].projector_token)
    other_projector = live(demo.sites[1].projector_token)
    token = form_token(client, f"/meetings/{demo.meeting_id}")
    r = client.post(f"/meetings/{demo.meeting_id}/links",
                    data={"csrf_token": token, "role": "projector", "site_id": demo.sites[0].id})
    assert r.status_code == 200 and r.headers["Cache-Control"] == "no-store"
    new_url = re.search(r'http://sinkron.test/p/[\w-]+', r.get_data(as_text=True)).group(0)
    with app.app_context():
        assert authenticate(db.session, new_url.rsplit("/", 1)[1]).role == "projector"
        assert authenticate(db.session, demo.sites[0].projector_token) is None
        # Only that link changed.
        assert authenticate(db.session, demo.sites[1].projector_token).role == "projector"
        assert authenticate(db.session, demo.facilitator_token).role == "facilitator"
        assert authenticate(db.session, demo.sites[0].host_token).role == "host"
        e = db.session.scalars(select(Event).where(Event.type == "link.replace")).one()
        assert e.data == {"role": "projector", "site_id": demo.sites[0].id}
        assert new_url.rsplit("/", 1)[1] not in str(e.data)
    # The old link's open connection is closed; the other projector stays.
    _wait(lambda: not old_projector.connected)
    assert other_projector.connected


def test_the_console_replaces_a_leaked_facilitator_link_and_projectors_keep_working(client, app, demo, live):
    projector = live(demo.sites[1].projector_token)
    page = client.get(f"/f/{demo.facilitator_token}").get_data(as_text=True)
    csrf = re.search(r'data-csrf="([^"]+)"', page).group(1)
    r = client.post(f"/meetings/{demo.meeting_id}/links", json={"role": "facilitator"},
                    headers={"X-CSRF-Token": csrf})
    assert r.status_code == 200, r.get_json()
    body = r.get_json()
    assert body["role"] == "facilitator" and body["url"] == f"http://sinkron.test/f/{body['token']}"
    with app.app_context():
        assert authenticate(db.session, demo.facilitator_token) is None
        assert authenticate(db.session, body["token"]).role == "facilitator"
    assert projector.connected
    assert projector.send("comment.add", kind="masukan", text="x")["ok"] is False  # still a projector
    # A new join code shows on the projectors.
    r = client.post(f"/meetings/{demo.meeting_id}/links",
                    json={"role": "join_code", "site_id": demo.sites[1].id}, headers={"X-CSRF-Token": csrf})
    assert r.status_code == 401  # the old facilitator session is gone with its link
    fresh = app.test_client()
    page = fresh.get(f"/f/{body['token']}").get_data(as_text=True)
    csrf = re.search(r'data-csrf="([^"]+)"', page).group(1)
    r = fresh.post(f"/meetings/{demo.meeting_id}/links",
                   json={"role": "join_code", "site_id": demo.sites[1].id}, headers={"X-CSRF-Token": csrf})
    code = r.get_json()["join_code"]
    assert code != demo.sites[1].join_code and len(code) == 6
    expected = {"role": "join_code", "site_id": demo.sites[1].id, "join_code": code}
    _wait(lambda: projector.drain() is not None and any(e["data"] == expected for e in projector.seen))
    assert client.get(f"/j/{demo.sites[1].join_code}").status_code == 404
    assert client.get(f"/j/{code}").status_code == 200


@pytest.mark.parametrize("fields", [{"role": "mayor"}, {"role": "projector"}, {"role": "host", "site_id": 999},
                                    {"role": "join_code", "site_id": True}, {"role": None}])
def test_fresh_links_refuse_bad_input(client, demo, fields):
    page = client.get(f"/f/{demo.facilitator_token}").get_data(as_text=True)
    csrf = re.search(r'data-csrf="([^"]+)"', page).group(1)
    r = client.post(f"/meetings/{demo.meeting_id}/links?lang=en", json=fields, headers={"X-CSRF-Token": csrf})
    assert r.status_code == 400 and r.get_json()["error"]["code"] == "invalid"


def test_fresh_links_are_for_the_facilitator_and_organisers_only(client, demo):
    assert client.post(f"/meetings/{demo.meeting_id}/links", json={"role": "facilitator"}).status_code == 401
    client.get(f"/h/{demo.sites[0].host_token}")
    assert client.post(f"/meetings/{demo.meeting_id}/links", json={"role": "facilitator"}).status_code == 403
    page = client.get(f"/f/{demo.facilitator_token}").get_data(as_text=True)
    csrf = re.search(r'data-csrf="([^"]+)"', page).group(1)
    assert client.post(f"/meetings/{demo.meeting_id}/links", json={"role": "facilitator"}).status_code == 400
    assert client.post(f"/meetings/{demo.meeting_id}/links", json={"role": "facilitator"},
                       headers={"X-CSRF-Token": csrf}).status_code == 200


def _wait(condition, timeout=5.0):
    import time
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "condition not met in time"
        time.sleep(0.02)


# --- the CLI ------------------------------------------------------------------------------------------------

def test_cli_organiser_add_list_password_remove(runner, app):
    r = runner.invoke(args=["organiser", "add", "Rina"], input="kata sandi baru\nkata sandi baru\n")
    assert r.exit_code == 0, r.output
    r = runner.invoke(args=["organiser", "add", "RINA", "--password-stdin"], input="another password\n")
    assert r.exit_code == 1 and "exists already" in r.output
    r = runner.invoke(args=["organiser", "add", "Budi", "--password-stdin"], input="short\n")
    assert r.exit_code == 1 and "10 to 200 characters" in r.output
    listed = runner.invoke(args=["organiser", "list"])
    assert listed.exit_code == 0 and "Rina" in listed.output and "Budi" not in listed.output
    with app.app_context():
        assert organisers.verify(db.session, "rina", "kata sandi baru") is not None
        stored = db.session.scalars(select(Organiser)).one().password_hash
        assert "kata sandi baru" not in stored and stored.startswith(("scrypt:", "pbkdf2:"))
    r = runner.invoke(args=["organiser", "password", "rina", "--password-stdin"], input="yang lebih baru\n")
    assert r.exit_code == 0
    with app.app_context():
        assert organisers.verify(db.session, "Rina", "yang lebih baru") is not None
    r = runner.invoke(args=["organiser", "remove", "Rina"])
    assert r.exit_code == 0 and "None is left" in r.output
    assert runner.invoke(args=["organiser", "remove", "Rina"]).exit_code == 1


def test_cli_replaces_one_role_and_keeps_the_others(runner, app, demo):
    r = runner.invoke(args=["links", str(demo.meeting_id), "--role", "host", "--site", "2", "--json"])
    assert r.exit_code == 0, r.output
    import json
    fresh = json.loads(r.output)
    assert fresh["url"] == f"http://sinkron.test/h/{fresh['token']}"
    with app.app_context():
        assert authenticate(db.session, fresh["token"]).role == "host"
        assert authenticate(db.session, demo.sites[1].host_token) is None
        assert authenticate(db.session, demo.sites[0].host_token) is not None
        assert authenticate(db.session, demo.facilitator_token) is not None
    assert runner.invoke(args=["links", str(demo.meeting_id), "--role", "host"]).exit_code == 2
    assert runner.invoke(args=["links", str(demo.meeting_id), "--role", "host", "--site", "9"]).exit_code == 1


# --- the first organiser of python app.py ----------------------------------------------------------------

@pytest.mark.e2e
def test_first_run_password_works_after_a_restart(tmp_path):
    server = Server(tmp_path / "instance").start()
    try:
        secret_file = tmp_path / "instance" / "first-organiser.txt"
        assert stat.S_IMODE(os.stat(secret_file).st_mode) == 0o600
        password = re.search(r"password: (\S+)", secret_file.read_text()).group(1)
        server.stop()
        server.start()  # a restart: no new organiser, the same password
        assert "first-organiser.txt" in server.log_path.read_text()
        assert password not in server.log_path.read_text()  # never in the log
        s = requests.Session()
        page = s.get(server.url + "/sign-in").text
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
        r = s.post(server.url + "/sign-in", data={"csrf_token": csrf, "name": "admin", "password": password},
                   allow_redirects=False)
        assert r.status_code == 303, r.text
        assert "Sinkronisasi Usulan" in s.get(server.url + "/meetings").text
        listed = server.flask("organiser", "list")
        assert listed.returncode == 0 and listed.stdout.count("admin") == 1
    finally:
        server.stop()


def test_first_organiser_is_shown_once_on_a_terminal(app, tmp_path):
    import io

    class Terminal(io.StringIO):
        def isatty(self):
            return True
    out = Terminal()
    with app.app_context():
        assert organisers.ensure_first(db.session, str(tmp_path), out) is True
        assert organisers.ensure_first(db.session, str(tmp_path), out) is False
        password = re.search(r"password: (\S+)", out.getvalue()).group(1)
        assert organisers.verify(db.session, "admin", password) is not None
    assert not (tmp_path / "first-organiser.txt").exists()
