"""Fixtures: an app over a temporary SQLite database (threading mode), its
HTTP client and CLI runner, the demo meeting, and Socket.IO test clients."""
from __future__ import annotations

import itertools
import os
import time

import pytest
from flask_migrate import stamp
from hypothesis import settings

from sinkron import create_app
from sinkron.demo import create_demo
from sinkron.extensions import db, socketio

# Property tests: the same examples on every CI run, no example database.
settings.register_profile("ci", derandomize=True, database=None, deadline=None)
if os.environ.get("CI") == "true":
    settings.load_profile("ci")


@pytest.fixture
def app(tmp_path, monkeypatch):
    monkeypatch.setenv("SINKRON_INSTANCE", str(tmp_path / "instance"))
    app = create_app({
        "TESTING": True,
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'test.db'}",
        "SINKRON_ASYNC_MODE": "threading",
        "PUBLIC_URL": "http://sinkron.test",
        "SINKRON_BATCH_WINDOW_MS": 20,
        # Unit tests connect many clients at once; the gate has its own tests.
        "SINKRON_CONNECTS_PER_SECOND": 0,
        # No background computation of suggested plan items (a child process
        # appending events while a test counts them); tests/test_suggestions*.py
        # turn it on.
        "SINKRON_SUGGESTIONS": False,
    })
    with app.app_context():
        db.create_all()
        # The tables are the models' (head): say so, as the CLI checks.
        stamp()
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def client(app):
    return app.test_client()


ORGANISER_PASSWORD = "kata sandi rahasia"


def form_token(client, path: str = "/sign-in", name: str = "csrf_token") -> str:
    """A hidden field's value on a page (the CSRF token by default)."""
    import re
    page = client.get(path).get_data(as_text=True)
    return re.search(rf'name="{name}" value="([^"]+)"', page).group(1)


@pytest.fixture
def organiser(app, client):
    """An organiser ("Rina"), signed in on `client`; returns its id."""
    from sinkron import organisers
    with app.app_context():
        rina = organisers.add(db.session, "Rina", ORGANISER_PASSWORD)
        db.session.commit()
        organiser_id = rina.id
    r = client.post("/sign-in", data={"csrf_token": form_token(client), "name": "Rina",
                                      "password": ORGANISER_PASSWORD})
    assert r.status_code == 303, r.get_data(as_text=True)
    return organiser_id


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def demo(app):
    """The demo meeting's links (live, with the sample proposals and plan items)."""
    with app.app_context():
        links = create_demo(db.session, app.config["PUBLIC_URL"])
        db.session.commit()
    return links


_ops = itertools.count(1)


class Live:
    """A Socket.IO test client with helpers for the live protocol."""

    def __init__(self, app, token, last_seq=None, lang="en", compact=False):
        auth = {"token": token, "lang": lang}
        if compact:  # totals instead of every crowd event, as the screens ask
            auth["compact"] = True
        if last_seq is not None:
            auth["last_seq"] = last_seq
        self.sio = socketio.test_client(app, auth=auth)
        self.seen: list[dict] = []
        self.snapshot: dict | None = None
        self.drain()

    @property
    def connected(self) -> bool:
        return self.sio.is_connected()

    def send(self, type_: str, op_id: str | None = None, **fields) -> dict:
        payload = {"op_id": op_id or f"op-{next(_ops)}", "type": type_, **fields}
        return self.sio.emit("command", payload, callback=True)

    def raw(self, payload) -> dict:
        return self.sio.emit("command", payload, callback=True)

    def drain(self) -> list[dict]:
        """Everything received since the last drain; events are also kept in .seen."""
        received = self.sio.get_received()
        for msg in received:
            if msg["name"] == "snapshot":
                self.snapshot = msg["args"][0]
            elif msg["name"] == "events":
                self.seen.extend(msg["args"][0])
        return received

    def wait_events(self, count: int, timeout: float = 5.0) -> list[dict]:
        """Wait until at least `count` events have been seen in total."""
        deadline = time.monotonic() + timeout
        while len(self.seen) < count and time.monotonic() < deadline:
            time.sleep(0.01)
            self.drain()
        return self.seen

    def _wait_event(self, matches, missing: str, timeout: float) -> dict:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            self.drain()
            for e in self.seen:
                if matches(e):
                    return e
            time.sleep(0.01)
        raise AssertionError(f"{missing}; saw {[(e['seq'], e['type']) for e in self.seen]}")

    def wait_seq(self, seq: int, timeout: float = 5.0) -> dict:
        """The event with this seq (e.g. from an ack), once it arrived."""
        return self._wait_event(lambda e: e["seq"] == seq, f"event {seq} did not arrive", timeout)

    def wait_for(self, type_: str, timeout: float = 5.0) -> dict:
        """The first event of this type seen so far, once one arrived."""
        return self._wait_event(lambda e: e["type"] == type_, f"no {type_} event arrived", timeout)


@pytest.fixture
def live(app):
    clients: list[Live] = []

    def connect(token, **kw) -> Live:
        c = Live(app, token, **kw)
        clients.append(c)
        return c
    yield connect
    for c in clients:
        if c.connected:
            c.sio.disconnect()


@pytest.fixture
def join(client, demo):
    """Join a demo site over the API; returns the JSON answer."""
    def do(site_index=0, name="Peserta", category="LSM", **extra):
        r = client.post("/api/join", json={"code": demo.sites[site_index].join_code,
                                           "name": name, "category": category, **extra})
        assert r.status_code == 201, r.get_json()
        return r.get_json()
    return do
