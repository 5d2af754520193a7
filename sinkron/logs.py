"""Logging, configured once for the whole process: the time, the full level
name, the logger and the message, on standard error.

`python app.py` calls it before anything logs; Alembic's env.py calls it too
(for `flask db ...`), and a second call changes nothing."""
from __future__ import annotations

import logging

FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
# Loggers that say something worth reading at start-up and during a meeting.
INFO_LOGGERS = ("sinkron", "alembic", "eventlet.wsgi")


class _Handler(logging.StreamHandler):
    """Marks the handler this module installed, so it is installed once."""


def configure_logging() -> None:
    root = logging.getLogger()
    if any(isinstance(h, _Handler) for h in root.handlers):
        return
    handler = _Handler()
    handler.setFormatter(logging.Formatter(FORMAT))
    root.addHandler(handler)
    root.setLevel(logging.WARNING)
    for name in INFO_LOGGERS:
        logging.getLogger(name).setLevel(logging.INFO)
