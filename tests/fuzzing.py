"""Fuzzing the real server over Socket.IO and HTTP: seeded random cases, then
the server's log is searched for tracebacks. Whatever is sent, the answer is
well-formed and nothing is logged as an unhandled exception.

The suite runs a few hundred cases (tests/test_fuzz_server.py); the long run
is a command, its last result in docs/performance.md:

    python -m tests.fuzzing --cases 10000 --seed 13

Socket.IO cases go over a raw Engine.IO websocket (websocket-client), so
frames can be malformed, deeply nested, or name reserved events; HTTP cases
hit every route with random methods, bodies, tokens and headers."""
from __future__ import annotations

import argparse
import json
import random
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import requests
import websocket

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from sinkron.meeting.commands import REGISTRY  # noqa: E402
from tests.server import Server  # noqa: E402

VALUES = [None, True, False, 0, 1, -1, 2**63, 10**30, 1.5, float("1e308"), "", "x", "a" * 3000,
          "<script>alert(1)</script>", "\ud800", "a\udfffb", "\x00", "\u202e", "'; DROP TABLE event;--",
          [], [1, "a"], {}, {"a": {"b": [None]}}, "2020-02-30", "dots", "masukan", "belum_dibahas",
          [[[[[[[[[[[[1]]]]]]]]]]]], {"op_id": "x", "type": "floor.end"}]
EVENTS = ["command", "sync", "shown", "comments", "connect", "disconnect", "message", "", "x" * 300]


@dataclass
class Tally:
    socket_cases: int = 0
    http_cases: int = 0
    answers: dict = field(default_factory=dict)
    server_errors: list = field(default_factory=list)
    malformed_answers: list = field(default_factory=list)


def _value(rng: random.Random):
    return rng.choice(VALUES + [rng.randint(-5, 10**6), "".join(rng.choice("ab\n\"\\{[") for _ in range(8))])


def _command(rng: random.Random) -> dict:
    type_ = rng.choice(sorted(REGISTRY))
    payload = {"op_id": f"fz-{rng.random()}" if rng.random() < 0.9 else _value(rng),
               "type": type_ if rng.random() < 0.95 else _value(rng)}
    names = list(REGISTRY[type_].fields) + ["extra", "proposal_id"]
    for name in rng.sample(names, k=rng.randint(0, min(3, len(names)))):
        payload[name] = _value(rng)
    return payload


def socket_frame(rng: random.Random, ack_id: int) -> str:
    """One Socket.IO EVENT frame as text ("42<id>[...]"), sometimes broken."""
    roll = rng.random()
    if roll < 0.05:
        return f'42{ack_id}["command",' + "[" * rng.choice([50, 5000, 60000]) + "]"
    if roll < 0.10:
        return f'42{ack_id}' + rng.choice(['["command",{', '["command"', "{}", "[1,2]", '["\\ud800",1]', "null",
                                          '["command",{"op_id":"a","type":"comment.add","text":"\\udc00"}]'])
    event = rng.choice(EVENTS)
    if event == "command":
        args = [_command(rng)] + [_value(rng) for _ in range(rng.choice([0, 0, 0, 1, 2]))]
    else:
        args = [_value(rng) for _ in range(rng.randint(0, 3))]
    return f"42{ack_id}" + json.dumps([event, *args])


class RawSocket:
    """A minimal Engine.IO v4 / Socket.IO v5 websocket client."""

    def __init__(self, url: str, token: str):
        self.ws = websocket.create_connection(
            url.replace("http", "ws", 1) + "/socket.io/?EIO=4&transport=websocket", timeout=15)
        assert self.ws.recv().startswith("0")
        self.ws.send("40" + json.dumps({"token": token, "lang": "en"}))
        self.ack_id = 0

    def ask(self, frame_for) -> tuple[bool, str | None]:
        """Send a frame, then a marker that is always answered. Returns (the
        socket is still open, the frame's acknowledgement text or None: some
        events have no answer)."""
        self.ack_id += 2
        case, marker = self.ack_id - 1, self.ack_id
        self.ws.send(frame_for(case))
        self.ws.send(f'42{marker}["comments",{{}}]')
        answer = None
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            message = self.ws.recv()
            if message == "2":
                self.ws.send("3")
            elif message.startswith(f"43{case}["):
                answer = message[len(f"43{case}"):]
            elif message.startswith(f"43{marker}["):
                return True, answer
            elif message.startswith(("41", "44")) or message == "":
                return False, answer
        return False, answer

    def close(self) -> None:
        try:
            self.ws.close()
        except Exception:  # noqa: BLE001 - closing what may be closed
            pass


def http_case(rng: random.Random, url: str, links: dict, tally: Tally) -> None:
    site = rng.choice(links["sites"])
    token = rng.choice([links["facilitator_token"], site["host_token"], site["projector_token"],
                        "x" * rng.choice([1, 32, 5000]), "%00", "..%2f..%2f"])
    mid = rng.choice([links["meeting_id"], 0, -1, 2**40, "abc"])
    method, path, kwargs = rng.choice([
        ("POST", "/api/join", {"json": {"code": rng.choice([site["join_code"], _value(rng)]), "name": _value(rng),
                                        "category": rng.choice(["LSM", _value(rng)]), "gender": _value(rng)}}),
        ("POST", "/api/join", {"data": rng.choice(["{", "[]", "null", '{"code":' + "[" * 5000 + "]" * 5000 + "}",
                                                   '{"name":"\\ud800"}', "\xff\xfe"]),
                               "headers": {"Content-Type": "application/json"}}),
        ("GET", f"/f/{token}", {}), ("GET", f"/h/{token}", {}), ("GET", f"/p/{token}", {}),
        ("GET", f"/f/{token}/phone", {}),
        ("GET", f"/j/{rng.choice([site['join_code'], _value(rng)])}", {}),
        ("GET", f"/j/{site['join_code']}/qr.svg", {}), ("GET", f"/j/{site['join_code']}/sheet", {}),
        ("GET", f"/meetings/{mid}/minutes.{rng.choice(['md', 'csv', 'pdf', 'docx', 'xlsx', 'exe'])}",
         {"headers": {"Authorization": f"Bearer {token}"}}),
        ("POST", f"/meetings/{mid}/import/{rng.choice(['proposals', 'plan-items', 'x'])}",
         {"files": {"file": ("a.csv", rng.choice([b"Usulan\nJalan\n", b"PK\x03\x04junk", b"\xff" * 100]))},
          "headers": {"Authorization": f"Bearer {token}", "X-CSRF-Token": rng.choice(["x", ""])}}),
        ("POST", "/meetings/new", {"data": {"title": rng.choice(["x", ""]), "csrf_token": "bad"}}),
        ("GET", "/meetings/new", {}), ("GET", f"/api/labels?lang={rng.choice(['id', 'en', 'xx', '%00'])}", {}),
        ("GET", f"/?code={rng.choice(['', ' ', 'abc', '%00'])}", {}),
        (rng.choice(["PUT", "DELETE", "PATCH"]), "/api/join", {}),
        ("GET", "/socket.io/?EIO=4&transport=polling&sid=" + rng.choice(["x", "", "%00"]), {}),
    ])
    try:
        r = requests.request(method, url + path, timeout=30, allow_redirects=False, **kwargs)
    except requests.RequestException as exc:
        tally.server_errors.append(f"{method} {path[:80]}: {exc}")
        return
    tally.http_cases += 1
    tally.answers[r.status_code] = tally.answers.get(r.status_code, 0) + 1
    if r.status_code >= 500:
        tally.server_errors.append(f"{method} {path[:80]} -> {r.status_code}")


def run(server: Server, cases: int, seed: int) -> Tally:
    links = server.demo_links()
    joined = server.join(links["sites"][0]["join_code"], "Fuzz", "LSM")
    tokens = [links["facilitator_token"], links["sites"][1]["host_token"],
              links["sites"][0]["projector_token"], joined["token"]]
    rng = random.Random(seed)
    tally = Tally()
    sockets = [RawSocket(server.url, t) for t in tokens]
    for i in range(cases):
        if i % 2:
            http_case(rng, server.url, links, tally)
            continue
        k = rng.randrange(len(sockets))
        open_, answer = False, None
        try:
            open_, answer = sockets[k].ask(lambda ack_id: socket_frame(rng, ack_id))
        except (websocket.WebSocketException, OSError):
            pass
        tally.socket_cases += 1
        if answer is not None:
            _judge(answer, tally)
        if not open_:
            sockets[k].close()  # closed (or an event without an answer): a fresh socket goes on
            try:
                sockets[k] = RawSocket(server.url, tokens[k])
            except (websocket.WebSocketException, OSError, AssertionError) as exc:
                if k == 3:  # the participant may have been revoked by a random command
                    joined = server.join(links["sites"][0]["join_code"], "Fuzz", "LSM")
                    tokens[k] = joined["token"]
                    sockets[k] = RawSocket(server.url, tokens[k])
                else:
                    tally.server_errors.append(f"reconnect failed: {exc}")
                    raise
    for s in sockets:
        s.close()
    return tally


def _judge(answer: str, tally: Tally) -> None:
    body = json.loads(answer)
    ack = body[0] if body else None
    if not (ack is None or isinstance(ack, dict) and isinstance(ack.get("ok"), bool)):
        tally.malformed_answers.append(answer[:200])
    elif ack:
        code = "ok" if ack["ok"] else ack["error"]["code"]
        tally.answers[code] = tally.answers.get(code, 0) + 1
        if code == "unavailable":
            tally.server_errors.append(f"unavailable: {answer[:200]}")


def tracebacks(log: str) -> int:
    return log.count("Traceback (most recent call last)")


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--cases", type=int, default=10_000)
    p.add_argument("--seed", type=int, default=13)
    args = p.parse_args(argv)
    import tempfile
    with tempfile.TemporaryDirectory() as folder:
        server = Server(Path(folder) / "instance", env={"SINKRON_RATE_BURST": "1000000",
                                                         "SINKRON_JOIN_PER_MINUTE": "1000000"}).start()
        started = time.monotonic()
        try:
            tally = run(server, args.cases, args.seed)
        finally:
            server.stop()
        log = server.log_path.read_text(errors="replace")
    print(f"{tally.socket_cases} Socket.IO and {tally.http_cases} HTTP cases in "
          f"{time.monotonic() - started:.0f} s (seed {args.seed})")
    print(f"answers: {dict(sorted(tally.answers.items(), key=str))}")
    print(f"tracebacks in the server log: {tracebacks(log)}; 5xx or unavailable: {len(tally.server_errors)}; "
          f"malformed answers: {len(tally.malformed_answers)}")
    for line in tally.server_errors[:10] + tally.malformed_answers[:10]:
        print("  ", line)
    for block in log.split("Traceback (most recent call last)")[1:4]:
        print("--- a traceback, its last lines:\n" + "\n".join(block.strip().splitlines()[-4:]))
    return 0 if not (tracebacks(log) or tally.server_errors or tally.malformed_answers) else 1


if __name__ == "__main__":
    sys.exit(main())
