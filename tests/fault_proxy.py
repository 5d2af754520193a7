"""A small TCP proxy that makes one site's network bad on purpose: latency
(400 +/- 200 ms each way, order kept), connection resets on a seeded
schedule, and a cut (every connection reset, new ones refused) for as long
as the test says. asyncio in a thread of its own; loopback only."""
from __future__ import annotations

import asyncio
import random
import socket
import struct
import threading
import time


class FaultyProxy:
    def __init__(self, target_port: int, seed: int, latency: float = 0.4, jitter: float = 0.2):
        self.target_port = target_port
        self.rng = random.Random(seed)
        self.latency, self.jitter = latency, jitter
        self.cut = False
        self.resets = 0
        self.connections: list[tuple[asyncio.StreamWriter, asyncio.StreamWriter]] = []
        self.loop = asyncio.new_event_loop()
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        self._ready.wait(10)

    # --- control, from the test's thread ------------------------------------

    def reset_one(self) -> None:
        """Reset one open connection, chosen by the seeded generator."""
        def pick():
            if self.connections:
                self._reset(*self.connections[self.rng.randrange(len(self.connections))])
        self.loop.call_soon_threadsafe(pick)

    def set_cut(self, cut: bool) -> None:
        def apply():
            self.cut = cut
            if cut:
                for pair in list(self.connections):
                    self._reset(*pair)
        self.loop.call_soon_threadsafe(apply)

    def close(self) -> None:
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join(10)

    # --- the proxy -------------------------------------------------------------

    def _run(self) -> None:
        asyncio.set_event_loop(self.loop)
        server = self.loop.run_until_complete(asyncio.start_server(self._accept, "127.0.0.1", 0))
        self.port = server.sockets[0].getsockname()[1]
        self._ready.set()
        self.loop.run_forever()

    def _delay(self) -> float:
        return max(0.0, self.latency + self.rng.uniform(-self.jitter, self.jitter))

    def _reset(self, a: asyncio.StreamWriter, b: asyncio.StreamWriter) -> None:
        """Close both sides with RST (SO_LINGER 0), as a dropped mobile link does."""
        self.resets += 1
        for w in (a, b):
            sock = w.get_extra_info("socket")
            try:
                if sock is not None:
                    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                w.transport.abort()
            except OSError:
                pass
        if (a, b) in self.connections:
            self.connections.remove((a, b))

    async def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        if self.cut:
            self._reset(writer, writer)
            return
        try:
            up_reader, up_writer = await asyncio.open_connection("127.0.0.1", self.target_port)
        except OSError:
            writer.transport.abort()
            return
        pair = (writer, up_writer)
        self.connections.append(pair)
        await asyncio.gather(self._pump(reader, up_writer, pair), self._pump(up_reader, writer, pair),
                             return_exceptions=True)
        if pair in self.connections:
            self.connections.remove(pair)
            for w in pair:
                w.transport.abort()

    async def _pump(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, pair) -> None:
        """Forward chunks, each delayed, never overtaking the one before."""
        queue: asyncio.Queue = asyncio.Queue()

        async def deliver():
            while True:
                due, chunk = await queue.get()
                if chunk is None:
                    return
                await asyncio.sleep(max(0.0, due - time.monotonic()))
                if writer.is_closing():
                    return
                writer.write(chunk)
                await writer.drain()
        sender = asyncio.ensure_future(deliver())
        last_due = 0.0
        try:
            while True:
                chunk = await reader.read(65536)
                if not chunk:
                    break
                last_due = max(last_due, time.monotonic() + self._delay())
                queue.put_nowait((last_due, chunk))
        finally:
            queue.put_nowait((0, None))
            try:
                await sender
            except (ConnectionError, OSError):
                pass
            if pair in self.connections:
                self._reset(*pair)
