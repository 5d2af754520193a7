"""PUBLIC_URL, the one source of every link: its default on a LAN, the CLI
printing the running server's links, and what HTTPS and proxies change."""
import json
import os

import pytest

from sinkron import create_app
from sinkron.public_url import (
    default_public_url, forget_server, is_loopback_url, record_server, running_server_url,
)


def test_default_is_the_default_route_address(monkeypatch):
    monkeypatch.setattr("sinkron.public_url.default_route_address", lambda: "10.20.30.40")
    assert default_public_url("0.0.0.0", 5000) == "http://10.20.30.40:5000"
    # Listening on one address: that address.
    assert default_public_url("192.168.1.10", 8080) == "http://192.168.1.10:8080"


def test_without_a_route_the_host_name(monkeypatch):
    monkeypatch.setattr("sinkron.public_url.default_route_address", lambda: None)
    monkeypatch.setattr("socket.gethostname", lambda: "laptop-bappeda")
    assert default_public_url("0.0.0.0", 5000) == "http://laptop-bappeda:5000"


def test_the_route_lookup_sends_nothing_and_answers_an_address():
    from sinkron.public_url import default_route_address
    address = default_route_address()
    assert address is None or address.count(".") == 3


@pytest.mark.parametrize("url,loopback", [("http://localhost:5000", True), ("http://127.0.0.1:5000", True),
                                          ("http://127.9.9.9", True), ("http://[::1]:5000", True),
                                          ("http://192.168.1.10:5000", False),
                                          ("https://sinkron.example.org", False)])
def test_loopback_urls(url, loopback):
    assert is_loopback_url(url) is loopback


def test_cli_prints_the_running_servers_links(tmp_path, monkeypatch, demo, app, runner):
    record_server(app.instance_path, "http://192.0.2.44:8123")
    try:
        app.config["PUBLIC_URL_FROM_ENV"] = False
        result = runner.invoke(args=["links", str(demo.meeting_id), "--json"])
        assert json.loads(result.output)["facilitator_url"].startswith("http://192.0.2.44:8123/f/")
        # PUBLIC_URL set for the command wins.
        app.config["PUBLIC_URL_FROM_ENV"] = True
        result = runner.invoke(args=["links", str(demo.meeting_id), "--json"])
        assert json.loads(result.output)["facilitator_url"].startswith("http://sinkron.test/f/")
    finally:
        forget_server(app.instance_path)
    assert running_server_url(app.instance_path) is None


def test_a_stopped_servers_record_is_ignored(tmp_path):
    (tmp_path / "server.json").write_text(json.dumps({"public_url": "http://x:1", "pid": 2 ** 22 + 12345}))
    assert running_server_url(str(tmp_path)) is None
    record_server(str(tmp_path), "http://y:2")
    assert running_server_url(str(tmp_path)) == "http://y:2"
    assert json.loads((tmp_path / "server.json").read_text())["pid"] == os.getpid()


def test_https_public_url_makes_cookies_secure_and_sends_hsts(tmp_path, monkeypatch):
    monkeypatch.setenv("SINKRON_INSTANCE", str(tmp_path))
    monkeypatch.setenv("PUBLIC_URL", "https://sinkron.example.org")
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'x.db'}"})
    assert app.config["SESSION_COOKIE_SECURE"] is True
    client = app.test_client()
    r = client.get("/?lang=en")
    assert r.headers["Strict-Transport-Security"].startswith("max-age=")
    assert "Secure" in r.headers["Set-Cookie"] and "HttpOnly" in r.headers["Set-Cookie"]
    # Socket.IO accepts the public URL's origin only (and this server's loopback).
    ok = client.get("/socket.io/?EIO=4&transport=polling", headers={"Origin": "https://sinkron.example.org"})
    assert ok.status_code == 200
    bad = client.get("/socket.io/?EIO=4&transport=polling", headers={"Origin": "http://sinkron.example.org"})
    assert bad.status_code == 400


@pytest.mark.parametrize("trusted,expected", [("0", "127.0.0.1"), ("1", "203.0.113.9")])
def test_forwarded_headers_only_with_trusted_proxies(tmp_path, monkeypatch, trusted, expected):
    monkeypatch.setenv("SINKRON_INSTANCE", str(tmp_path))
    monkeypatch.setenv("SINKRON_TRUSTED_PROXIES", trusted)
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'x.db'}"})
    seen = []
    app.extensions["sinkron"].join_limiter.allow = lambda key: seen.append(key) or True
    app.test_client().post("/api/join", json={}, headers={"X-Forwarded-For": "198.51.100.1, 203.0.113.9"},
                           environ_base={"REMOTE_ADDR": "127.0.0.1"})
    assert seen == [expected]
