"""Start the real server the way `python app.py` does (eventlet, a free port,
a temporary database) in a subprocess, for end-to-end tests and benchmarks."""
from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """One server process over one instance folder; restartable on the same
    database and port (to test what survives a kill)."""

    def __init__(self, instance: Path, port: int | None = None, env: dict | None = None):
        self.instance = Path(instance)
        self.instance.mkdir(parents=True, exist_ok=True)
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.extra_env = env or {}
        self.proc: subprocess.Popen | None = None
        self.log_path = self.instance / "server.log"

    def env(self) -> dict:
        env = {k: v for k, v in os.environ.items() if not k.startswith("SINKRON_")}
        env.update({
            "SINKRON_INSTANCE": str(self.instance),
            "HOST": "127.0.0.1",
            "PORT": str(self.port),
            "PUBLIC_URL": self.url,
            "PYTHONUNBUFFERED": "1",
        })
        env.pop("DATABASE_URL", None)
        env.update(self.extra_env)
        return env

    def start(self, timeout: float = 30) -> "Server":
        log = open(self.log_path, "ab")
        self.proc = subprocess.Popen([sys.executable, str(ROOT / "app.py")], cwd=ROOT,
                                     env=self.env(), stdout=log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"server exited: {self.log_path.read_text()[-3000:]}")
            try:
                if requests.get(self.url + "/", timeout=1).status_code == 200:
                    return self
            except requests.RequestException:
                pass
            time.sleep(0.1)
        raise RuntimeError(f"server did not start: {self.log_path.read_text()[-3000:]}")

    def kill(self) -> None:
        """SIGKILL: no chance to flush or clean up."""
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait(10)

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.kill()

    def flask(self, *args: str) -> subprocess.CompletedProcess:
        """Run `flask --app app ...` against this server's database."""
        return subprocess.run([sys.executable, "-m", "flask", "--app", "app", *args], cwd=ROOT,
                              env=self.env(), capture_output=True, text=True, timeout=120)

    def demo_links(self) -> dict:
        """Fresh links for the demo meeting that `python app.py` created (meeting 1)."""
        out = self.flask("links", "1", "--json")
        if out.returncode != 0:
            raise RuntimeError(out.stderr)
        return json.loads(out.stdout)

    def join(self, code: str, name: str, category: str = "LSM", **extra) -> dict:
        r = requests.post(self.url + "/api/join", json={"code": code, "name": name,
                                                        "category": category, **extra}, timeout=10)
        r.raise_for_status()
        return r.json()
