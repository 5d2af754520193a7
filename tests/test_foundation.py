"""The app factory, configuration, models, tokens, joining and the pages."""
import io
import json
import re

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from sinkron import create_app
from sinkron.extensions import db
from sinkron.meetings import authenticate
from sinkron.models import AcceptedOp, Event, Meeting, Participant, PlanItem, Proposal, Site
from sinkron.security import hash_token, new_join_code

# --- factory and configuration ------------------------------------------------

def test_config_defaults(tmp_path, monkeypatch):
    for name in ("SECRET_KEY", "DATABASE_URL", "SOCKETIO_MESSAGE_QUEUE", "SINKRON_ASYNC_MODE",
                 "PUBLIC_URL", "PORT", "HOST"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("SINKRON_INSTANCE", str(tmp_path))
    monkeypatch.setattr("sinkron.public_url.default_route_address", lambda: "192.168.1.10")
    app = create_app()
    assert app.config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path / 'sinkron.db'}"
    assert app.config["SOCKETIO_MESSAGE_QUEUE"] is None
    assert app.config["SINKRON_ASYNC_MODE"] == "threading"
    assert app.config["PUBLIC_URL"] == "http://192.168.1.10:5000"
    assert app.config["SESSION_COOKIE_SECURE"] is False
    assert app.config["BABEL_DEFAULT_LOCALE"] == "id"
    # The secret key is generated once, kept, and reused by the next start.
    key = app.config["SECRET_KEY"]
    assert len(key) >= 32 and (tmp_path / "secret_key").read_text() == key
    assert create_app().config["SECRET_KEY"] == key


def test_config_from_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("SINKRON_INSTANCE", str(tmp_path))
    monkeypatch.setenv("SECRET_KEY", "from-env")
    monkeypatch.setenv("DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/test")
    monkeypatch.setenv("PUBLIC_URL", "http://192.0.2.10:8000/")
    monkeypatch.setenv("PORT", "8000")
    app = create_app()
    assert app.config["SECRET_KEY"] == "from-env"
    assert app.config["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://postgres@127.0.0.1:5432/test"
    assert app.config["PUBLIC_URL"] == "http://192.0.2.10:8000"
    assert app.config["PORT"] == 8000


def test_sqlite_runs_in_wal_mode(app):
    with app.app_context():
        assert db.session.execute(db.text("PRAGMA journal_mode")).scalar() == "wal"


# --- models and constraints ---------------------------------------------------

def test_event_seq_is_unique_per_meeting(app, demo):
    with app.app_context():
        e = db.session.scalars(select(Event).where(Event.meeting_id == demo.meeting_id)).first()
        db.session.add(Event(meeting_id=e.meeting_id, seq=e.seq, type="x", data={}))
        with pytest.raises(IntegrityError):
            db.session.commit()


def test_accepted_op_is_unique_per_meeting_participant_op(app, demo):
    with app.app_context():
        fac = db.session.scalars(select(Participant).where(Participant.role == "facilitator")).one()
        db.session.add(AcceptedOp(meeting_id=demo.meeting_id, participant_id=fac.id, op_id="a", seq=1))
        db.session.commit()
        db.session.add(AcceptedOp(meeting_id=demo.meeting_id, participant_id=fac.id, op_id="a", seq=2))
        with pytest.raises(IntegrityError):
            db.session.commit()


def test_only_one_open_voting_round_per_meeting(app, demo):
    from sinkron.models import VotingRound
    with app.app_context():
        db.session.add(VotingRound(meeting_id=demo.meeting_id, number=1, mode="dots", is_open=True))
        db.session.add(VotingRound(meeting_id=demo.meeting_id, number=2, mode="dots", is_open=False))
        db.session.commit()
        db.session.add(VotingRound(meeting_id=demo.meeting_id, number=3, mode="score", is_open=True))
        with pytest.raises(IntegrityError):
            db.session.commit()


def test_demo_meeting(app, demo):
    with app.app_context():
        m = db.session.get(Meeting, demo.meeting_id)
        assert m.status == "live" and m.timezone == "Asia/Makassar"
        assert [s.name for s in m.sites] == ["BAPPEDA Provinsi NTB", "BAPPEDA Kabupaten Lombok Timur"]
        assert db.session.query(Proposal).count() == 16
        assert db.session.query(PlanItem).count() == 12
        roles = sorted(p.role for p in db.session.query(Participant))
        assert roles == ["facilitator", "host", "host"]


# --- tokens -------------------------------------------------------------------

def test_tokens_are_random_and_stored_hashed(app, demo):
    tokens = [demo.facilitator_token] + [t for s in demo.sites for t in (s.projector_token, s.host_token)]
    assert len(set(tokens)) == len(tokens)
    assert all(len(t) >= 22 for t in tokens)  # >= 128 bits in URL-safe base64
    with app.app_context():
        stored = [p.token_hash for p in db.session.query(Participant)] + \
                 [s.projector_token_hash for s in db.session.query(Site)]
        for t in tokens:
            assert t not in stored
            assert hash_token(t) in stored


def test_authenticate_roles_and_refusals(app, demo):
    with app.app_context():
        s = db.session
        assert authenticate(s, demo.facilitator_token).role == "facilitator"
        assert authenticate(s, demo.sites[1].host_token).role == "host"
        projector = authenticate(s, demo.sites[1].projector_token)
        assert projector.role == "projector" and projector.site_id == demo.sites[1].id
        wrong = demo.facilitator_token[:-1] + ("A" if demo.facilitator_token[-1] != "A" else "B")
        for bad in (wrong, "", None, 123, "x" * 500):
            assert authenticate(s, bad) is None


def test_fresh_links_replace_old_ones(app, demo, runner):
    result = runner.invoke(args=["links", str(demo.meeting_id), "--json"])
    assert result.exit_code == 0, result.output
    fresh = json.loads(result.output)
    with app.app_context():
        assert authenticate(db.session, demo.facilitator_token) is None
        assert authenticate(db.session, demo.sites[0].projector_token) is None
        assert authenticate(db.session, fresh["facilitator_token"]).role == "facilitator"
    assert fresh["sites"][0]["join_code"] == demo.sites[0].join_code
    assert fresh["sites"][0]["join_url"] == f"http://sinkron.test/j/{demo.sites[0].join_code}"


def test_join_codes_avoid_ambiguous_characters():
    for _ in range(200):
        code = new_join_code()
        assert len(code) == 6 and not set(code) & set("0O1I")


# --- joining --------------------------------------------------------------------

def test_join_api(client, demo, app):
    code = demo.sites[1].join_code.lower()  # matched case-insensitively
    r = client.post("/api/join", json={"code": f" {code} ", "name": "  Baiq  Nurul ",
                                       "category": "tokoh perempuan", "organisation": "PKK", "gender": "P"})
    assert r.status_code == 201
    body = r.get_json()
    assert set(body) == {"token", "participant_id", "site_id", "meeting_id"}
    assert body["site_id"] == demo.sites[1].id and body["meeting_id"] == demo.meeting_id
    with app.app_context():
        p = db.session.get(Participant, body["participant_id"])
        assert (p.name, p.category, p.gender, p.role) == ("Baiq Nurul", "Tokoh Perempuan", "P", "participant")
        assert p.token_hash == hash_token(body["token"])
    assert "Set-Cookie" not in r.headers


BAD_JOINS = [
    ("unknown code", {"code": "ZZZZZZ", "name": "A", "category": "LSM"}),
    ("code not text", {"code": 123, "name": "A", "category": "LSM"}),
    ("empty name", {"code": None, "name": "   ", "category": "LSM"}),
    ("no name", {"code": None, "category": "LSM"}),
    ("long name", {"code": None, "name": "x" * 201, "category": "LSM"}),
    ("control characters", {"code": None, "name": "A\x00\x07", "category": "LSM"}),
    ("name not text", {"code": None, "name": ["A"], "category": "LSM"}),
    ("unknown category", {"code": None, "name": "A", "category": "Nelayan"}),
    ("no category", {"code": None, "name": "A"}),
    ("bad gender", {"code": None, "name": "A", "category": "LSM", "gender": "X"}),
    ("long organisation", {"code": None, "name": "A", "category": "LSM", "organisation": "o" * 201}),
    ("unknown field", {"code": None, "name": "A", "category": "LSM", "role": "facilitator"}),
]


@pytest.mark.parametrize("name,payload", BAD_JOINS, ids=[b[0] for b in BAD_JOINS])
def test_join_api_refuses_bad_input(client, demo, app, name, payload):
    payload = {k: (demo.sites[0].join_code if k == "code" and v is None else v) for k, v in payload.items()}
    with app.app_context():
        before = db.session.query(Participant).count()
    r = client.post("/api/join", json=payload, headers={"Accept-Language": "en"})
    assert r.status_code == 400
    error = r.get_json()["error"]
    assert error["code"] == "invalid" and error["message"]
    with app.app_context():
        assert db.session.query(Participant).count() == before


@pytest.mark.parametrize("body,ctype", [("not json", "application/json"), ("[1,2]", "application/json"),
                                        ("null", "application/json"), ("a=b", "application/x-www-form-urlencoded"),
                                        ("\xff\xfe", "application/json"), ("", "application/json")])
def test_join_api_refuses_non_objects(client, demo, body, ctype):
    r = client.post("/api/join", data=body, content_type=ctype)
    assert r.status_code == 400
    assert r.get_json()["error"]["code"] == "invalid"


def test_join_api_speaks_indonesian_by_default(client, demo):
    r = client.post("/api/join", json={"code": "ZZZZZZ", "name": "A", "category": "LSM"})
    assert r.get_json()["error"]["message"] == "Kode bergabung ini tidak dikenal. Periksa kode di layar."
    r = client.post("/api/join?lang=en", json={"code": "ZZZZZZ", "name": "A", "category": "LSM"})
    assert r.get_json()["error"]["message"] == "This join code is not known. Check the code on the screen."


def test_a_whole_room_can_join_from_one_address(client, demo):
    for i in range(150):
        r = client.post("/api/join", json={"code": demo.sites[0].join_code, "name": f"P{i}",
                                           "category": "LSM"})
        assert r.status_code == 201, (i, r.get_json())


def test_join_page_and_qr(client, demo):
    r = client.get(f"/j/{demo.sites[0].join_code.lower()}")
    assert r.status_code == 200
    assert "participant.js" in r.get_data(as_text=True)
    qr = client.get(f"/j/{demo.sites[0].join_code}/qr.svg")
    assert qr.status_code == 200 and qr.mimetype == "image/svg+xml"
    assert qr.data.lstrip().startswith(b"<svg")
    assert client.get("/j/NOPE00").status_code == 404
    assert client.get("/j/NOPE00/qr.svg").status_code == 404


def test_private_links_open_their_screens(client, demo):
    assert client.get(f"/f/{demo.facilitator_token}").status_code == 200
    assert client.get(f"/p/{demo.sites[0].projector_token}").status_code == 200
    assert client.get(f"/h/{demo.sites[0].host_token}").status_code == 200
    # The facilitator's own phone page, for their marks and votes.
    phone = client.get(f"/f/{demo.facilitator_token}/phone")
    assert phone.status_code == 200 and "participant.js" in phone.get_data(as_text=True)
    # A link of one role does not open another role's screen.
    assert client.get(f"/f/{demo.sites[0].host_token}").status_code == 403
    assert client.get(f"/f/{demo.sites[0].host_token}/phone").status_code == 403
    assert client.get("/f/not-a-token").status_code == 403


# --- imports over HTTP and the CLI ---------------------------------------------

def _signed_in(client, demo) -> str:
    """The facilitator's console signs the browser in; its CSRF token is on the page."""
    page = client.get(f"/f/{demo.facilitator_token}").get_data(as_text=True)
    return re.search(r'data-csrf="([^"]+)"', page).group(1)


def test_import_upload_and_event(client, demo, app, live):
    projector = live(demo.sites[1].projector_token)
    token = _signed_in(client, demo)
    data = "Usulan;Kelurahan/Desa;SKPD Tujuan;Anggaran\nEmbung desa;Sakra;Dinas PUPR;Rp 400.000.000\n"
    r = client.post(f"/meetings/{demo.meeting_id}/import/proposals", headers={"X-CSRF-Token": token},
                    data={"file": (io.BytesIO(data.encode()), "baru.csv")})
    assert r.status_code == 200, r.get_json()
    body = r.get_json()
    assert body["imported"] == 1 and body["result"]["counts"] == {
        "new": 1, "updated": 0, "unchanged": 0, "refused": 0}
    assert len(body["result"]["not_in_file"]) == 16  # the demo's proposals, left alone
    e = projector.wait_for("proposal.import")
    assert e["data"]["proposals"][0]["title"] == "Embung desa"
    assert e["data"]["proposals"][0]["cost"] == 400_000_000
    with app.app_context():
        assert db.session.query(Proposal).count() == 17


def test_import_upload_with_bad_rows_stores_nothing(client, demo, app):
    token = _signed_in(client, demo)
    data = "Usulan,Anggaran\nBaik,100\n,200\nJuga baik,seratus\n"
    r = client.post(f"/meetings/{demo.meeting_id}/import/proposals?lang=en", headers={"X-CSRF-Token": token},
                    data={"file": (io.BytesIO(data.encode()), "x.csv")})
    assert r.status_code == 400
    problems = r.get_json()["error"]["problems"]
    assert [p["row"] for p in problems] == [3, 4]
    with app.app_context():
        assert db.session.query(Proposal).count() == 16


def test_import_upload_refuses_non_spreadsheets_and_strangers(client, demo):
    assert client.post(f"/meetings/{demo.meeting_id}/import/proposals",
                       data={"file": (io.BytesIO(b"x"), "x.csv")}).status_code == 401
    token = _signed_in(client, demo)
    r = client.post(f"/meetings/{demo.meeting_id}/import/proposals", headers={"X-CSRF-Token": token},
                    data={"file": (io.BytesIO(b"%PDF-1.4 \x00\x01binary"), "x.pdf")})
    assert r.status_code == 400 and r.get_json()["error"]["code"] == "invalid"
    r = client.post(f"/meetings/{demo.meeting_id}/import/proposals", headers={"X-CSRF-Token": token},
                    data={"file": (io.BytesIO(b""), "kosong.csv")})
    assert r.status_code == 400
    r = client.post(f"/meetings/{demo.meeting_id}/import/proposals", headers={"X-CSRF-Token": "wrong"},
                    data={"file": (io.BytesIO(b"Usulan\nA\n"), "a.csv")})
    assert r.status_code == 400
    r = client.post(f"/meetings/{demo.meeting_id}/import/whatever", headers={"X-CSRF-Token": token})
    assert r.status_code == 404


def test_cli_import(runner, demo, app, tmp_path):
    from sinkron.demo import DATA
    # The demo imported the same file already: a repeat adds nothing.
    ok = runner.invoke(args=["import", "plan-items", str(demo.meeting_id), str(DATA / "rkpd-contoh.csv")])
    assert ok.exit_code == 0 and "0 new, 0 updated, 12 unchanged, 0 refused" in ok.output
    bad = tmp_path / "bad.csv"
    bad.write_text("Usulan,Kewenangan\nA,Kecamatan\n")
    result = runner.invoke(args=["import", "proposals", str(demo.meeting_id), str(bad)])
    assert result.exit_code == 1 and "row 2" in result.output and "Traceback" not in result.output
    missing = runner.invoke(args=["import", "proposals", str(demo.meeting_id), str(tmp_path / "none.csv")])
    assert missing.exit_code != 0 and "Traceback" not in missing.output
    nope = runner.invoke(args=["import", "proposals", "999", str(DATA / "usulan-contoh.csv")])
    assert nope.exit_code == 1
    with app.app_context():
        assert db.session.query(PlanItem).count() == 12


def test_cli_demo_json(runner):
    result = runner.invoke(args=["demo", "--json"])
    assert result.exit_code == 0
    links = json.loads(result.output)
    assert set(links) == {"meeting_id", "facilitator_token", "facilitator_url", "sites"}
    assert set(links["sites"][0]) == {"id", "name", "join_code", "join_url", "projector_token",
                                      "projector_url", "host_token", "host_url"}


# --- security headers and bad requests ------------------------------------------

def test_security_headers(client):
    r = client.get("/")
    csp = r.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert r.headers["X-Content-Type-Options"] == "nosniff"


def test_socketio_refuses_other_origins(client):
    r = client.get("/socket.io/?EIO=4&transport=polling", headers={"Origin": "http://evil.example"})
    assert r.status_code == 400
    # The public URL's origin is allowed, whatever Host or X-Forwarded-Host says.
    ok = client.get("/socket.io/?EIO=4&transport=polling", headers={"Origin": "http://sinkron.test"})
    assert ok.status_code == 200
    forged = client.get("/socket.io/?EIO=4&transport=polling",
                        headers={"Origin": "http://evil.example", "Host": "evil.example",
                                 "X-Forwarded-Host": "evil.example"})
    assert forged.status_code == 400


@pytest.mark.parametrize("method,path", [
    ("get", "/meetings/abc/import/proposals"), ("post", "/api/labels"), ("get", "/api/join"),
    ("get", "/nothing/here"), ("post", "/meetings/new"), ("get", "/j/%00%ff"), ("get", "/f/" + "x" * 5000),
    ("post", "/meetings/1/import/proposals"), ("get", "/p/"), ("get", "/?code=%20"),
])
def test_no_route_answers_500(client, method, path):
    r = getattr(client, method)(path)
    assert r.status_code < 500
