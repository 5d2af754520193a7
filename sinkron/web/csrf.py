"""Cross-site request protection for HTML forms that change state.

A random token in the session must come back in the form; the JSON join API
uses no cookies and needs none."""
from __future__ import annotations

import hmac
import secrets

from flask import abort, request, session


def csrf_token() -> str:
    if "csrf" not in session:
        session["csrf"] = secrets.token_urlsafe(32)
    return session["csrf"]


def check_csrf() -> None:
    sent = request.form.get("csrf_token") or request.headers.get("X-CSRF-Token") or ""
    if not session.get("csrf") or not hmac.compare_digest(sent, session["csrf"]):
        abort(400)
