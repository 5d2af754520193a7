"""The coordinator's side of the load-generator processes (bench/worker.py).

Participants are dealt round-robin over the workers. They join alternating
the sites, so with an even number of workers each worker holds one site's
people: with two server processes, worker k and site k % 2 go to server k % 2. Requests go to all workers first and the replies are
collected after, so the workers act in parallel."""
from __future__ import annotations

import multiprocessing

import psutil

from bench import worker


class Pool:
    def __init__(self, urls: str | list[str], workers: int, compact: bool = True):
        """urls: one server, or several: worker k talks to urls[k % len(urls)]."""
        urls = [urls] if isinstance(urls, str) else urls
        # spawn, not fork: a clean interpreter per worker, no copied sockets or threads.
        ctx = multiprocessing.get_context("spawn")
        self.conns, self.procs = [], []
        for k in range(workers):
            parent, child = ctx.Pipe()
            proc = ctx.Process(target=worker.main, args=(child, urls[k % len(urls)], compact),
                               daemon=True)
            proc.start()
            self.conns.append(parent)
            self.procs.append(proc)

    @property
    def processes(self) -> list[psutil.Process]:
        return [psutil.Process(p.pid) for p in self.procs]

    def ask(self, i: int, op: str, *args):
        self.conns[i].send((op, *args))
        return self.conns[i].recv()

    def ask_all(self, op: str, *args) -> list:
        for conn in self.conns:
            conn.send((op, *args))
        return [conn.recv() for conn in self.conns]

    def connect(self, people: list[tuple[str, str]]) -> dict:
        """people: (token, name); returns totals over the workers."""
        shares = [people[i::len(self.conns)] for i in range(len(self.conns))]
        for conn, share in zip(self.conns, shares):
            conn.send(("connect", share))
        replies = [conn.recv() for conn in self.conns]
        return {"connected": sum(r["connected"] for r in replies),
                "failed": [f for r in replies for f in r["failed"]],
                "no_snapshot": [n for r in replies for n in r["no_snapshot"]]}

    def wait_seq(self, seq: int, timeout: float = 60) -> list:
        """Names (and last seq) of clients still behind `seq` after the timeout."""
        return [b for r in self.ask_all("wait_seq", seq, timeout) for b in r["behind"]]

    def records(self) -> list:
        return [rec for part in self.ask_all("report") for rec in part]

    def close(self) -> None:
        for conn, proc in zip(self.conns, self.procs):
            try:
                conn.send(("exit",))
                conn.recv()
            except (EOFError, OSError, BrokenPipeError):
                pass
            proc.join(10)
            if proc.is_alive():
                proc.terminate()
