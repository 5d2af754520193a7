"""JSON from clients, with a bound on nesting.

Python's json module recurses once per level, so a body of 50,000 brackets
raises RecursionError wherever it is parsed. Nothing Sinkron accepts nests
deeper than a few levels, so anything deeper is refused before parsing:
cheaply, with regular expressions (C speed), whatever the size."""
from __future__ import annotations

import json
import re

MAX_DEPTH = 10  # a Socket.IO frame ["command", {..., "follow_up": {...}}] needs 3

_STRING = re.compile(r'"(?:[^"\\]|\\.)*"', re.DOTALL)
_NOT_BRACKET = re.compile(r"[^\[\]{}]")
_EMPTY_PAIR = re.compile(r"\[\]|\{\}")


class TooDeep:
    """Stands for a value that was nested too deeply to parse."""

    def __repr__(self) -> str:
        return "<too deep>"


TOO_DEEP = TooDeep()


def too_deep(text: str | bytes, limit: int = MAX_DEPTH) -> bool:
    """True when the JSON text nests deeper than `limit` (or its brackets do not pair up)."""
    if isinstance(text, (bytes, bytearray)):
        text = bytes(text).decode("utf-8", errors="replace")
    if text.count("[") + text.count("{") <= limit:  # the common case: a few brackets
        return False
    brackets = _NOT_BRACKET.sub("", _STRING.sub("", text))
    for _ in range(limit):  # each pass removes the innermost level
        brackets, removed = _EMPTY_PAIR.subn("", brackets)
        if not brackets or not removed:
            break
    return bool(brackets)


_EVENT_NAME = re.compile(r'\s*\[\s*("(?:[^"\\]|\\.)*")')


def loads(text, *args, **kwargs):
    """json.loads for Socket.IO packets. A frame nested too deeply keeps its
    event name, so the handler (and the acknowledgement) still run, and its
    arguments become TOO_DEEP for the handler to refuse."""
    if too_deep(text):
        if isinstance(text, (bytes, bytearray)):
            text = bytes(text).decode("utf-8", errors="replace")
        name = _EVENT_NAME.match(text)
        return [json.loads(name.group(1)), TOO_DEEP] if name else TOO_DEEP
    return json.loads(text, *args, **kwargs)


def dumps(obj, *args, **kwargs):
    return json.dumps(obj, *args, **kwargs)
