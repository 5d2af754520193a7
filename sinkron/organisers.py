"""Organisers: the accounts that create meetings. Shared by the sign-in
page, the CLI and start-up.

Passwords are hashed by werkzeug (scrypt, salted). Names are matched without
regard to case or surrounding spaces."""
from __future__ import annotations

import os
import secrets
import sys
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from .meeting.errors import N_
from .meeting.schema import has_control_characters
from .models import Organiser, utcnow

NAME_MAX = 80
PASSWORD_MIN = 10
PASSWORD_MAX = 200
FIRST_NAME = "admin"
FIRST_PASSWORD_FILE = "first-organiser.txt"
# Checked when the name is unknown, so that a wrong name costs as long as a
# wrong password and does not tell which names exist.
_DUMMY_HASH = generate_password_hash("not a password of anyone")


class OrganiserError(Exception):
    def __init__(self, message: str, **params):
        super().__init__(message)
        self.message, self.params = message, params


def name_key(name: str) -> str:
    return " ".join(name.split()).casefold()


def check_name(name: str) -> str:
    name = " ".join((name or "").split())
    if not name:
        raise OrganiserError(N_("Please give a name."))
    if len(name) > NAME_MAX or has_control_characters(name):
        raise OrganiserError(N_("A name is at most %(max)s plain characters."), max=NAME_MAX)
    return name


def check_password(password: str) -> str:
    if not PASSWORD_MIN <= len(password or "") <= PASSWORD_MAX:
        raise OrganiserError(N_("A password needs %(min)s to %(max)s characters."),
                             min=PASSWORD_MIN, max=PASSWORD_MAX)
    return password


def find(session: Session, name: str) -> Organiser | None:
    if not isinstance(name, str):
        return None
    return session.scalars(select(Organiser).where(Organiser.name_key == name_key(name))).first()


def count(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(Organiser)) or 0


def add(session: Session, name: str, password: str) -> Organiser:
    """Raises OrganiserError (bad name or password, name taken)."""
    name = check_name(name)
    check_password(password)
    if find(session, name) is not None:
        raise OrganiserError(N_("An organiser named %(name)s exists already."), name=name)
    organiser = Organiser(name=name, name_key=name_key(name),
                          password_hash=generate_password_hash(password))
    session.add(organiser)
    session.flush()
    return organiser


def set_password(organiser: Organiser, password: str) -> None:
    organiser.password_hash = generate_password_hash(check_password(password))


def verify(session: Session, name, password) -> Organiser | None:
    """The organiser when name and password match, else None (in about the
    same time either way)."""
    organiser = find(session, name) if isinstance(name, str) else None
    ok = check_password_hash(organiser.password_hash if organiser else _DUMMY_HASH,
                             password if isinstance(password, str) else "")
    if organiser is None or not ok:
        return None
    organiser.last_sign_in_at = utcnow()
    return organiser


def ensure_first(session: Session, instance_path: str, out=None) -> bool:
    """On a database without organisers, create one with a random password and
    hand the password over once: on the terminal when there is one, else in a
    file only its owner can read. Never through logging. Returns whether one
    was created."""
    if count(session):
        return False
    password = secrets.token_urlsafe(12)
    try:
        add(session, FIRST_NAME, password)
        session.commit()
    except IntegrityError:  # another process started at the same moment and made it
        session.rollback()
        return False
    out = out or sys.stdout
    if out.isatty():
        out.write(f"Created the organiser '{FIRST_NAME}' with the password: {password}\n"
                  "It is shown only this once. Sign in at /sign-in; change it with "
                  f"`flask --app app organiser password {FIRST_NAME}`.\n")
    else:
        path = Path(instance_path) / FIRST_PASSWORD_FILE
        _write_private(path, f"organiser: {FIRST_NAME}\npassword: {password}\n")
        out.write(f"Created the organiser '{FIRST_NAME}'; its password is in {path} "
                  "(readable by this user only). Delete the file once you have noted it.\n")
    out.flush()
    return True


def _write_private(path: Path, text: str) -> None:
    """Create `path` readable and writable by its owner only, from the start."""
    try:
        path.unlink()
    except FileNotFoundError:
        pass
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(text)
