"""The first thing every Socket.IO handler does: check the shape of what
arrived, before any other work. Whatever a client sends, a refusal is an
`invalid` answer with a clear message, never an exception.

Only the frame is checked here (how many arguments, how deeply nested, text
that cannot be stored); each command's own fields are the registry's job."""
from __future__ import annotations

import logging
import threading
import time

from ..meeting.errors import N_
from ..safe_json import MAX_DEPTH, TooDeep


class Refusal(Exception):
    """What was sent cannot be handled; .message is an English message id."""

    def __init__(self, message: str, **params):
        super().__init__(message % params if params else message)
        self.message = message
        self.params = params


def check_arguments(args: tuple, least: int, most: int) -> None:
    if not least <= len(args) <= most:
        if least == most:
            raise Refusal(N_("This message takes %(count)s argument(s); %(sent)s were sent."),
                          count=most, sent=len(args))
        raise Refusal(N_("This message takes %(least)s to %(most)s argument(s); %(sent)s were sent."),
                      least=least, most=most, sent=len(args))
    for value in args:
        check_value(value)


def check_value(value) -> None:
    """No nesting deeper than MAX_DEPTH and no text the database cannot store.
    Iterative, so depth itself cannot exhaust the stack."""
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, TooDeep) or depth > MAX_DEPTH:
            raise Refusal(N_("The message is nested too deeply (at most %(max)s levels)."),
                          max=MAX_DEPTH)
        if isinstance(item, str):
            if has_surrogates(item):
                raise Refusal(N_("The message contains text that is not valid Unicode."))
        elif isinstance(item, dict):
            for key, inner in item.items():
                stack.append((key, depth + 1))
                stack.append((inner, depth + 1))
        elif isinstance(item, (list, tuple)):
            stack.extend((inner, depth + 1) for inner in item)


def has_surrogates(text: str) -> bool:
    """Lone surrogates (U+D800-U+DFFF) come from JSON escapes like "\\ud800";
    they cannot be encoded as UTF-8, so no database stores them."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


class OneLineFrameErrors(logging.Filter):
    """Frames the Socket.IO libraries cannot decode (broken JSON, an event
    that is not a list) make them log a traceback per frame. These are bad
    input, not faults of the server: one line each, at most `per_second`
    lines a second, the rest counted into the next line."""

    def __init__(self, per_second: float = 5):
        super().__init__()
        self.per_second = per_second
        self._window, self._lines, self._dropped = 0.0, 0, 0
        self._lock = threading.Lock()

    def filter(self, record: logging.LogRecord) -> bool:
        if not record.exc_info or not str(record.msg).endswith("handler error"):
            return True
        with self._lock:
            now = time.monotonic()
            if now - self._window >= 1:
                self._window, self._lines = now, 0
            if self._lines >= self.per_second:
                self._dropped += 1
                return False
            self._lines += 1
            dropped, self._dropped = self._dropped, 0
        kind, exc = record.exc_info[0], record.exc_info[1]
        record.msg = "refused a frame that could not be decoded (%s: %s)%s"
        record.args = (kind.__name__ if kind else "?", str(exc)[:200],
                       f"; {dropped} more not logged" if dropped else "")
        record.exc_info, record.exc_text = None, None
        record.levelno, record.levelname = logging.WARNING, "WARNING"
        return True


def quieten_frame_errors() -> None:
    for name in ("engineio.server", "socketio.server"):
        logger = logging.getLogger(name)
        if not any(isinstance(f, OneLineFrameErrors) for f in logger.filters):
            logger.addFilter(OneLineFrameErrors())
