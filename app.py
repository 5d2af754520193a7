"""Sinkron's production entry: `python app.py`.

eventlet must patch the standard library before anything else is imported,
and only when this file runs as a script: `flask --app app ...` commands
import it too, and must not be patched."""
if __name__ == "__main__":
    import os

    # psycopg's default wait function blocks the whole process under eventlet;
    # its select-based one yields to other green threads once select is patched.
    os.environ.setdefault("PSYCOPG_WAIT_FUNC", "wait_select")
    import eventlet

    eventlet.monkey_patch()

import os  # noqa: E402

from sinkron import create_app  # noqa: E402
from sinkron.extensions import socketio  # noqa: E402

if __name__ == "__main__":
    os.environ.setdefault("SINKRON_ASYNC_MODE", "eventlet")

app = create_app()


def main() -> None:
    from sinkron.startup import prepare
    prepare(app)
    socketio.run(app, host=app.config["HOST"], port=app.config["PORT"])


if __name__ == "__main__":
    from eventlet import tpool

    app.extensions["sinkron"].run_blocking = tpool.execute
    main()
