"""Sinkron's production entry: `python app.py`.

eventlet must patch the standard library before anything else is imported,
and only when this file runs as a script: `flask --app app ...` commands
import it too, and must not be patched."""
if __name__ == "__main__":
    import os

    # psycopg's default wait function blocks the whole process under eventlet;
    # its select-based one yields to other green threads once select is patched.
    os.environ.setdefault("PSYCOPG_WAIT_FUNC", "wait_select")
    import warnings

    # The stack is given (see README); its deprecation notice, printed on
    # every start, would only alarm the facilitator. Only that one is hidden.
    warnings.filterwarnings("ignore", message=r"\s*Eventlet is deprecated")
    import eventlet

    eventlet.monkey_patch()

import os  # noqa: E402

from sinkron import create_app  # noqa: E402
from sinkron.extensions import socketio  # noqa: E402

if __name__ == "__main__":
    os.environ.setdefault("SINKRON_ASYNC_MODE", "eventlet")

app = create_app()


def _under_flask_run() -> bool:
    """`flask --app app run` serves too: it gets the schema, the first
    organiser and the demo as `python app.py` does."""
    import click
    ctx = click.get_current_context(silent=True)
    return ctx is not None and ctx.info_name == "run"


if __name__ != "__main__" and _under_flask_run():
    from sinkron.startup import prepare
    prepare(app)


def main() -> None:
    import gc
    import logging

    from sinkron.logs import configure_logging
    from sinkron.startup import prepare
    configure_logging()
    prepare(app)
    # Each connection keeps a few hundred long-lived objects: 500 clients make
    # ~250,000. With CPython's default thresholds (700, 10, 10) a vote burst's
    # allocations set off full collections that walk all of them and stop
    # every connection for 100-300 ms (docs/performance.md). A larger young
    # generation makes them rare; acyclic garbage is still freed at once.
    gc.set_threshold(50_000, 10, 10)
    if app.config["SINKRON_REPORT_STRUCTURES_SECONDS"]:
        from sinkron.live.structures import start_reporting
        start_reporting(app, socketio, app.config["SINKRON_REPORT_STRUCTURES_SECONDS"])
    serve(listen(app.config["HOST"], app.config["PORT"]), logging.getLogger("eventlet.wsgi"))


def listen(host: str, port: int):
    """The server's listening socket, as socketio.run makes it, with
    TCP_NODELAY, which the connections it accepts inherit. Without it the
    kernel holds a small frame (an acknowledgement) while the frame sent just
    before it (an event) is unacknowledged, and the client acknowledges that
    one up to 40 ms late (delayed ACK): a facilitator's focus right after
    another event took ~45 ms instead of ~5 (docs/performance.md)."""
    import socket

    import eventlet
    import eventlet.green.socket
    family, _, _, _, address = eventlet.green.socket.getaddrinfo(host, port)[0]
    sock = eventlet.listen(address, family)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return sock


def unmask(data, mask, length=None, offset=0) -> bytes:
    """RFC 6455's unmasking (5.3): byte i of the payload XOR byte (offset + i)
    % 4 of the mask, as eventlet's RFC6455WebSocket._apply_mask computes it,
    but on whole integers: eventlet builds a bytes object per byte, ~46 us for
    a 200-byte vote, ~3 % of the server's busy samples in a 500-vote burst
    (docs/performance.md)."""
    if length is None:
        length = len(data)
    shift = offset % 4
    key = bytes(mask[shift:4]) + bytes(mask[:shift])
    key = (key * (length // 4 + 1))[:length]
    return (int.from_bytes(data[:length], "little")
            ^ int.from_bytes(key, "little")).to_bytes(length, "little")


def serve(sock, access_log) -> None:
    """socketio.run's eventlet server on our socket; the access log goes
    through logging too, in the same format."""
    import eventlet.wsgi
    eventlet.wsgi.server(sock, app, log=access_log, log_output=app.debug)


if __name__ == "__main__":
    from eventlet import tpool
    from eventlet.websocket import RFC6455WebSocket

    app.extensions["sinkron"].run_blocking = tpool.execute
    RFC6455WebSocket._apply_mask = staticmethod(unmask)
    main()
