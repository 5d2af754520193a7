"""Which language a request or a connection speaks, and translating the
core's message ids into it."""
from __future__ import annotations

from flask import request, session
from flask_babel import force_locale, gettext

from .labels import LANGUAGES

DEFAULT = "id"


def pick_language(value) -> str:
    return value if isinstance(value, str) and value in LANGUAGES else DEFAULT


def select_locale() -> str:
    """?lang= switches and is remembered in the session; otherwise Indonesian."""
    chosen = request.args.get("lang")
    if chosen in LANGUAGES:
        session["lang"] = chosen
        return chosen
    if session.get("lang") in LANGUAGES:
        return session["lang"]
    if request.path.startswith("/api/"):
        # The JSON API uses no cookies: the caller's Accept-Language decides.
        return request.accept_languages.best_match(list(LANGUAGES)) or DEFAULT
    return DEFAULT


def translate(message: str, params: dict | None = None, lang: str | None = None) -> str:
    """Translate an English message id from the meeting core (marked with N_)."""
    def render() -> str:
        text = gettext(message)
        return text % params if params else text
    if lang is None:
        return render()
    with force_locale(pick_language(lang)):
        return render()
