"""The shipped nginx site file, for real: Debian's nginx terminates TLS on
loopback (a self-signed certificate made here) in front of the eventlet
server (SINKRON_TRUSTED_PROXIES=1, a low join limit). Chromium joins both
sites, comments and votes over wss://, both projectors update, cookies are
Secure; join limits follow the real client address, whatever
X-Forwarded-For a client sends.

Skips without nginx or openssl (scripts/test.sh installs them), fails on CI."""
from __future__ import annotations

import http.client
import json
import os
import shutil
import socket
import ssl
import subprocess
import time
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import PHONE, PROJECTOR_SMALL, ROOT, WAIT_MS, Screen, join, require
from tests.e2e_client import Peer
from tests.server import Server, free_port

SITE_FILE = ROOT / "docs" / "deploy" / "nginx-sinkron.conf"
JOINS_PER_MINUTE = 6


def _nginx() -> str | None:
    return shutil.which("nginx") or ("/usr/sbin/nginx" if os.path.exists("/usr/sbin/nginx") else None)


def _fill_in(text: str, replacements: dict[str, str]) -> str:
    """The shipped file with only these strings replaced; each must be there."""
    for old, new in replacements.items():
        assert old in text, f"{SITE_FILE.name} no longer contains {old!r}"
        text = text.replace(old, new)
    return text


def _wait_port(port: int, proc: subprocess.Popen, log: Path, timeout: float = 10) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"nginx exited: {log.read_text() if log.exists() else ''}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError("nginx did not open its port")


@pytest.fixture(scope="module")
def proxied(tmp_path_factory):
    nginx, openssl = _nginx(), shutil.which("openssl")
    require(nginx is not None, "nginx is missing: apt-get install -y nginx-light (scripts/test.sh does)")
    require(openssl is not None, "openssl is missing: apt-get install -y openssl")
    tmp = tmp_path_factory.mktemp("nginx")
    cert, key = tmp / "cert.pem", tmp / "key.pem"
    subprocess.run([openssl, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
                    "-keyout", str(key), "-out", str(cert), "-subj", "/CN=127.0.0.1",
                    "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost"],
                   check=True, capture_output=True)
    https_port, http_port = free_port(), free_port()
    public_url = f"https://127.0.0.1:{https_port}"
    server = Server(tmp / "instance", env={
        "SINKRON_TRUSTED_PROXIES": "1", "SINKRON_JOIN_PER_MINUTE": str(JOINS_PER_MINUTE),
        "PUBLIC_URL": public_url}).start()
    site = _fill_in(SITE_FILE.read_text(), {
        "listen 80;": f"listen {http_port};",
        "listen [::]:80;": f"listen [::]:{http_port};",
        "listen 443 ssl": f"listen {https_port} ssl",
        "listen [::]:443 ssl": f"listen [::]:{https_port} ssl",
        "server 127.0.0.1:5000;": f"server 127.0.0.1:{server.port};",
        "/etc/letsencrypt/live/sinkron.example.org/fullchain.pem": str(cert),
        "/etc/letsencrypt/live/sinkron.example.org/privkey.pem": str(key),
    })
    (tmp / "sinkron.conf").write_text(site)
    for d in ("body", "proxy", "fastcgi", "uwsgi", "scgi"):
        (tmp / d).mkdir()
    (tmp / "nginx.conf").write_text(f"""
{'user root;' if os.geteuid() == 0 else ''}
worker_processes 1;
pid {tmp}/nginx.pid;
error_log {tmp}/error.log;
events {{ worker_connections 512; }}
http {{
    access_log {tmp}/access.log;
    client_body_temp_path {tmp}/body;
    proxy_temp_path {tmp}/proxy;
    fastcgi_temp_path {tmp}/fastcgi;
    uwsgi_temp_path {tmp}/uwsgi;
    scgi_temp_path {tmp}/scgi;
    include {tmp}/sinkron.conf;
}}
""")
    check = subprocess.run([nginx, "-t", "-p", str(tmp), "-c", str(tmp / "nginx.conf")],
                           capture_output=True, text=True)
    assert check.returncode == 0, check.stderr
    proc = subprocess.Popen([nginx, "-p", str(tmp), "-c", str(tmp / "nginx.conf"), "-g", "daemon off;"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        _wait_port(https_port, proc, tmp / "error.log")
        yield {"url": public_url, "port": https_port, "server": server, "links": server.demo_links()}
    finally:
        proc.terminate()
        proc.wait(10)
        server.stop()


def _join(port: int, source: str, code: str, name: str, forwarded_for: str | None = None) -> int:
    """POST /api/join through nginx from a given loopback address."""
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    conn = http.client.HTTPSConnection("127.0.0.1", port, source_address=(source, 0),
                                       context=context, timeout=10)
    headers = {"Content-Type": "application/json"}
    if forwarded_for:
        headers["X-Forwarded-For"] = forwarded_for
    try:
        conn.request("POST", "/api/join", body=json.dumps({"code": code, "name": name, "category": "LSM"}),
                     headers=headers)
        return conn.getresponse().status
    finally:
        conn.close()


def _open(browser, url: str, viewport: dict) -> tuple[Screen, list[str]]:
    """A page whose WebSocket URLs are recorded from the first request on."""
    ctx = browser.new_context(viewport=viewport, ignore_https_errors=True)
    page = ctx.new_page()
    screen, sockets = Screen(page), []
    page.on("pageerror", lambda exc: screen.errors.append(str(exc)))
    page.on("websocket", lambda ws: sockets.append(ws.url))
    page.goto(url)
    return screen, sockets


def test_two_sites_through_nginx_over_wss(browser, proxied):
    links, url = proxied["links"], proxied["url"]
    prov, lotim = links["sites"]
    assert links["facilitator_url"].startswith(url + "/f/")
    fac = Peer(url, links["facilitator_token"], ssl_verify=False)
    assert fac.send("voting.open", mode="dots")["ok"]
    screens = []
    try:
        projectors = [_open(browser, s["projector_url"], PROJECTOR_SMALL) for s in (prov, lotim)]
        phones = [_open(browser, s["join_url"], PHONE) for s in (prov, lotim)]
        screens = [s for s, _ in projectors + phones]
        for (screen, _), name in zip(phones, ("Lalu Hasan", "Baiq Lestari")):
            join(screen, name, "OPD")
            # The live state is in (the focused proposal shows): comments go to it.
            expect(screen.page.locator("#now .title")).to_be_visible(timeout=WAIT_MS)
        focus = fac.wait_snapshot()["focus"]
        for (screen, _), text in zip(phones, ("Masukan dari Mataram", "Masukan dari Selong")):
            page = screen.page
            page.get_by_label("Masukan Anda").fill(text)
            page.locator("#comments").get_by_role("button", name="Kirim").click()
            page.locator(f"[data-key=p{focus}]").click()
            expect(page.locator(".budget")).to_contain_text("Sisa titik: 4 dari 5", timeout=WAIT_MS)
        for screen, _ in projectors:
            page = screen.page
            for text in ("Masukan dari Mataram", "Masukan dari Selong"):
                expect(page.locator(".latest .comment-text", has_text=text)).to_be_visible(timeout=WAIT_MS)
            expect(page.locator(".votes .chart-row.combined .chart-value")).to_have_text("2 titik",
                                                                                        timeout=WAIT_MS)
        # Every live connection went over wss:// through nginx.
        for _, sockets in projectors + phones:
            assert sockets and all(s.startswith(f"wss://127.0.0.1:{proxied['port']}/socket.io/") for s in sockets)
        # The projector's link signed its browser in: that cookie is Secure (and HttpOnly).
        cookies = projectors[0][0].page.context.cookies()
        assert cookies and all(c["secure"] for c in cookies), cookies
        assert any(c["name"] == "session" and c["httpOnly"] for c in cookies)
        response = projectors[0][0].page.request.get(url + "/")
        assert response.headers["strict-transport-security"].startswith("max-age=")
        for screen in screens:
            assert not screen.errors, screen.errors
    finally:
        fac.close()
        for screen in screens:
            screen.close()


def test_join_limits_follow_the_real_client_address(proxied):
    port, code = proxied["port"], proxied["links"]["sites"][0]["join_code"]
    statuses = [_join(port, "127.0.0.2", code, f"A{i}", forwarded_for=f"198.51.100.{i}")
                for i in range(JOINS_PER_MINUTE)]
    assert statuses == [201] * JOINS_PER_MINUTE  # a forged address changes nothing...
    assert _join(port, "127.0.0.2", code, "A-over") == 429
    # ...and neither does claiming to be the other client.
    assert _join(port, "127.0.0.2", code, "A-forged", forwarded_for="127.0.0.3") == 429
    # 127.0.0.3 has its own limit, even when it claims to be 127.0.0.2.
    statuses = [_join(port, "127.0.0.3", code, f"B{i}", forwarded_for="127.0.0.2")
                for i in range(JOINS_PER_MINUTE)]
    assert statuses == [201] * JOINS_PER_MINUTE
    assert _join(port, "127.0.0.3", code, "B-over") == 429
