"""End to end: the real server as `python app.py` runs it (eventlet, a free
port, a temporary database) in a subprocess, driven by python-socketio
clients at both sites."""
import time

import pytest
import requests

from tests.e2e_client import Peer
from tests.server import Server

pytestmark = pytest.mark.e2e


@pytest.fixture
def server(tmp_path):
    s = Server(tmp_path / "instance").start()
    yield s
    s.stop()


@pytest.fixture
def meeting(server):
    links = server.demo_links()
    prov, lotim = links["sites"]
    return {"links": links, "prov": prov, "lotim": lotim}


@pytest.fixture
def peers():
    made = []

    def connect(*args, **kw):
        p = Peer(*args, **kw)
        made.append(p)
        return p
    yield connect
    for p in made:
        p.close()


def test_two_sites_stay_in_sync(server, meeting, peers):
    fac = peers(server.url, meeting["links"]["facilitator_token"])
    proj_prov = peers(server.url, meeting["prov"]["projector_token"])
    proj_lotim = peers(server.url, meeting["lotim"]["projector_token"])
    lotim_person = server.join(meeting["lotim"]["join_code"], "Baiq", "Tokoh Perempuan", gender="P")
    prov_person = server.join(meeting["prov"]["join_code"], "Made", "OPD")
    baiq = peers(server.url, lotim_person["token"])
    made = peers(server.url, prov_person["token"])
    snap = fac.wait_snapshot()
    proposals = [p["id"] for p in snap["proposals"]]

    # The facilitator focuses an item: both projectors have it.
    ack = fac.send("agenda.focus", proposal_id=proposals[3])
    assert ack["ok"]
    for proj in (proj_prov, proj_lotim):
        focused = proj.wait_seq(ack["seq"])["data"]
        # With the focus come its top suggested plan items (the demo's, computed at start).
        assert focused["proposal_id"] == proposals[3] and len(focused["suggestions"]) <= 3

    # Lombok Timur marks, comments and votes; Provinsi sees summaries and tallies.
    ack = baiq.send("proposal.mark", proposal_id=proposals[3], status="belum_terakomodir")
    summary = proj_prov.wait_seq(ack["seq"])["data"]["summary"]
    assert summary["sites"][str(meeting["lotim"]["id"])]["top"] == "belum_terakomodir"
    ack = made.send("proposal.mark", proposal_id=proposals[3], status="terakomodir_prov")
    assert proj_lotim.wait_seq(ack["seq"])["data"]["summary"]["disagreement"] is True
    ack = baiq.send("comment.add", kind="masukan", text="Libatkan kelompok perempuan pesisir",
                    proposal_id=proposals[3])
    comment = proj_prov.wait_seq(ack["seq"])["data"]["comment"]
    assert comment["text"] == "Libatkan kelompok perempuan pesisir"
    assert comment["site_id"] == meeting["lotim"]["id"]
    assert fac.send("voting.open", mode="dots")["ok"]
    ack = baiq.send("vote.cast", proposal_id=proposals[3], value=3)
    tally = proj_prov.wait_seq(ack["seq"])["data"]["tally"]
    assert tally["total"] == 3 and tally["sites"][str(meeting["lotim"]["id"])]["total"] == 3
    for p in (fac, proj_prov, proj_lotim, baiq, made):
        assert p.gaps == 0 and p.duplicates == 0


def test_reconnect_gets_exactly_the_missed_events(server, meeting, peers):
    fac = peers(server.url, meeting["links"]["facilitator_token"])
    proj = peers(server.url, meeting["prov"]["projector_token"])
    seq = proj.wait_snapshot()["seq"]
    proposals = [p["id"] for p in fac.wait_snapshot()["proposals"]]
    proj.close()
    missed = [fac.send("agenda.focus", proposal_id=pid)["seq"] for pid in proposals[:4]]
    back = peers(server.url, meeting["prov"]["projector_token"], last_seq=seq)
    deadline = time.monotonic() + 10
    while len(back.events) < 4 and time.monotonic() < deadline:
        time.sleep(0.02)
    assert back.snapshot is None
    assert [e["seq"] for e in back.events] == missed
    assert [e["data"]["proposal_id"] for e in back.events] == proposals[:4]
    later = fac.send("projector.view", view="results")["seq"]
    back.wait_seq(later)
    time.sleep(0.2)
    assert [e["seq"] for e in back.events] == missed + [later]
    assert back.gaps == 0 and back.duplicates == 0


def test_acknowledged_commands_survive_sigkill(server, meeting, peers):
    person = server.join(meeting["lotim"]["join_code"], "Lalu", "Pemuda")
    p = peers(server.url, person["token"])
    p.wait_snapshot()
    acks = {}
    for i in range(20):
        acks[f"keep-{i}"] = p.send("comment.add", op_id=f"keep-{i}", kind="masukan", text=f"Masukan {i}")
        assert acks[f"keep-{i}"]["ok"]
    server.kill()
    p.close()
    server.start()
    fresh = peers(server.url, person["token"])
    fresh.wait_snapshot()
    # The facilitator's snapshot holds every comment (a participant's only the latest few).
    console = peers(server.url, meeting["links"]["facilitator_token"])
    comments = {c["text"] for c in console.wait_snapshot()["comments"]}
    assert {f"Masukan {i}" for i in range(20)} <= comments
    # A repeated op_id answers its first answer and adds nothing, also after the restart.
    assert fresh.send("comment.add", op_id="keep-7", kind="masukan", text="Masukan 7") == acks["keep-7"]
    again = peers(server.url, meeting["links"]["facilitator_token"]).wait_snapshot()
    assert sorted(c["text"] for c in again["comments"]).count("Masukan 7") == 1
    assert again["seq"] == fresh.snapshot["seq"]


def test_refused_connection_and_pages(server, meeting):
    r = requests.get(server.url + f"/j/{meeting['prov']['join_code']}", timeout=5)
    assert r.status_code == 200 and "Content-Security-Policy" in r.headers
    import socketio
    sio = socketio.Client(reconnection=False)
    with pytest.raises(socketio.exceptions.ConnectionError):
        sio.connect(server.url, auth={"token": "not-a-real-token-at-all"}, transports=["websocket"],
                    wait_timeout=5)


def test_start_up_prints_no_eventlet_deprecation_notice(server, meeting):
    # The facilitator reads this terminal for the links and the password.
    log = server.log_path.read_text()
    assert "Sinkron is running" in log
    assert "Eventlet is deprecated" not in log


def _python_beside_app_py(tmp_path, script: str) -> str:
    """Run `script` in a fresh interpreter at the repository's root, as
    `python app.py` would be started (its own instance folder, no test
    settings); return what it printed."""
    import os
    import subprocess
    import sys
    from pathlib import Path
    env = {k: v for k, v in os.environ.items() if not k.startswith("SINKRON_") and k != "DATABASE_URL"}
    env["SINKRON_INSTANCE"] = str(tmp_path)
    root = Path(__file__).resolve().parent.parent
    out = subprocess.run([sys.executable, "-W", r"ignore:\s*Eventlet is deprecated", "-c", script],
                         cwd=root, env=env, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    return out.stdout


def test_the_servers_connections_send_small_frames_at_once(tmp_path):
    """TCP_NODELAY on the listener, inherited by each accepted connection:
    otherwise an acknowledgement sent right after an event waits for the
    client's delayed ACK (~40 ms). Checked on a connection app.py's own
    listener accepted, in a child process as `python app.py` would run."""
    script = (
        "import socket, app\n"
        "listener = app.listen('127.0.0.1', 0)\n"
        "client = socket.create_connection(listener.getsockname()[:2])\n"
        "accepted, _ = listener.accept()\n"
        "print(listener.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY),"
        " accepted.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY))\n"
    )
    listener_flag, accepted_flag = _python_beside_app_py(tmp_path, script).split()
    assert listener_flag != "0" and accepted_flag != "0"


def test_unmasking_a_clients_frames_is_rfc_6455s(tmp_path):
    """app.py replaces eventlet's byte-by-byte unmasking with one on whole
    integers: byte i XOR byte (offset + i) % 4 of the mask, for every
    length (the 7-bit, 16-bit and 64-bit length forms) and every offset a
    frame read in pieces starts at."""
    script = (
        "import random, app\n"
        "def reference(data, mask, length, offset):\n"
        "    return bytes(data[i] ^ mask[(offset + i) % 4] for i in range(length))\n"
        "rng = random.Random(14)\n"
        "for length in [0, 1, 3, 4, 5, 125, 126, 200, 65535, 65536, 70001]:\n"
        "    data = rng.randbytes(length + rng.randint(0, 3))\n"
        "    for mask in (tuple(rng.randbytes(4)), rng.randbytes(4)):\n"
        "        for offset in range(6):\n"
        "            got = app.unmask(data, mask, length=length, offset=offset)\n"
        "            assert got == reference(data, mask, length, offset), (length, offset)\n"
        "    assert app.unmask(data[:length], mask) == reference(data, mask, length, 0)\n"
        "print('ok')\n"
    )
    assert _python_beside_app_py(tmp_path, script).split() == ["ok"]


def test_a_long_comment_crosses_the_real_server_intact(server, meeting, peers):
    """The server's unmasking on real frames: a comment of the longest length,
    in several scripts, arrives at the other site as it was typed."""
    from sinkron.meeting.vocab import COMMENT_MAX
    person = server.join(meeting["lotim"]["join_code"], "Baiq", "Tokoh Perempuan", gender="P")
    baiq = peers(server.url, person["token"])
    projector = peers(server.url, meeting["prov"]["projector_token"])
    projector.wait_snapshot()
    text = ("Libatkan perempuan pesisir — é ü ✓ 漁業 " * 100)[:COMMENT_MAX]
    ack = baiq.send("comment.add", kind="masukan", text=text)
    assert ack["ok"], ack
    assert projector.wait_seq(ack["seq"])["data"]["comment"]["text"] == text
