"""Translation for the builder, remembered for the length of one build.

A large meeting asks for the same few dozen phrases and labels ten thousand
times; looking each up through Flask-Babel costs more than the rest of the
build. `remembering()` keeps what one build looked up, per language, in a
context variable (safe with threads and green threads)."""
from __future__ import annotations

from contextlib import contextmanager
from contextvars import ContextVar

from flask_babel import gettext as _gettext
from flask_babel import ngettext as _ngettext

_memo: ContextVar[dict | None] = ContextVar("sinkron_minutes_words", default=None)


@contextmanager
def remembering():
    token = _memo.set({})
    try:
        yield
    finally:
        _memo.reset(token)


def _(msgid: str, **params) -> str:
    """gettext with Flask-Babel's behaviour: %-formatting only when given params."""
    memo = _memo.get()
    if memo is None:
        text = _gettext(msgid)
    else:
        text = memo.get(msgid)
        if text is None:
            text = memo[msgid] = _gettext(msgid)
    return text % params if params else text


def ngettext(singular: str, plural: str, num: int, **params) -> str:
    return _ngettext(singular, plural, num, **params)


def resolved(lazy) -> str:
    """A lazy label (sinkron.labels) as text in the current language."""
    memo = _memo.get()
    if memo is None:
        return str(lazy)
    key = id(lazy)  # label objects live as long as the process
    text = memo.get(key)
    if text is None:
        text = memo[key] = str(lazy)
    return text
