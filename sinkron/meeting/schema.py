"""A small, strict payload schema: each field says its type and limits once.

Anything that does not fit answers `invalid`, never an exception of another kind."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, Callable

from .errors import N_, CommandError


def _invalid(message: str, **params) -> CommandError:
    return CommandError("invalid", message, **params)


@dataclass(frozen=True)
class Field:
    """One payload field. `check` turns the raw JSON value into a clean one or raises."""
    check: Callable[[str, Any], Any]
    required: bool = False
    nullable: bool = True


def has_control_characters(value: str) -> bool:
    """Control characters (other than line breaks and tabs) show as nothing on
    screens and break the XML inside DOCX and XLSX minutes."""
    return any(ord(c) < 32 and c not in "\n\r\t" or 127 <= ord(c) < 160 for c in value)


def text(max_len: int, min_len: int = 0, required: bool = False, nullable: bool = True) -> Field:
    def check(name: str, value: Any) -> str:
        if not isinstance(value, str):
            raise _invalid(N_("'%(field)s' must be text."), field=name)
        value = value.strip()
        if has_control_characters(value):
            raise _invalid(N_("'%(field)s' contains characters that cannot be shown."), field=name)
        if len(value) < min_len:
            raise _invalid(N_("'%(field)s' must not be empty."), field=name)
        if len(value) > max_len:
            raise _invalid(N_("'%(field)s' is longer than %(max)s characters."), field=name, max=max_len)
        return value
    return Field(check, required, nullable)


def integer(low: int, high: int, required: bool = False, nullable: bool = True) -> Field:
    def check(name: str, value: Any) -> int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise _invalid(N_("'%(field)s' must be a whole number."), field=name)
        if not low <= value <= high:
            raise _invalid(N_("'%(field)s' must be between %(low)s and %(high)s."),
                           field=name, low=low, high=high)
        return value
    return Field(check, required, nullable)


def ident(required: bool = False, nullable: bool = True) -> Field:
    """A server id from the snapshot."""
    return integer(1, 2**53, required, nullable)


def boolean(required: bool = False, nullable: bool = True) -> Field:
    def check(name: str, value: Any) -> bool:
        if not isinstance(value, bool):
            raise _invalid(N_("'%(field)s' must be true or false."), field=name)
        return value
    return Field(check, required, nullable)


def choice(options: tuple[str, ...], required: bool = False, nullable: bool = True,
           canonical: Callable[[str], str | None] | None = None) -> Field:
    def check(name: str, value: Any) -> str:
        if isinstance(value, str):
            found = canonical(value) if canonical else (value if value in options else None)
            if found is not None:
                return found
        raise _invalid(N_("'%(field)s' must be one of: %(options)s."),
                       field=name, options=", ".join(options))
    return Field(check, required, nullable)


def id_list(required: bool = False, max_items: int = 5000) -> Field:
    def check(name: str, value: Any) -> list[int]:
        if not isinstance(value, list) or len(value) > max_items:
            raise _invalid(N_("'%(field)s' must be a list of ids."), field=name)
        item = ident().check
        return [item(name, v) for v in value]
    return Field(check, required, nullable=False)


def date(required: bool = False, nullable: bool = True) -> Field:
    def check(name: str, value: Any) -> dt.date:
        try:
            if not isinstance(value, str) or len(value) != 10:
                raise ValueError
            return dt.date.fromisoformat(value)
        except ValueError:
            raise _invalid(N_("'%(field)s' must be a date as YYYY-MM-DD."), field=name) from None
    return Field(check, required, nullable)


def clock_time(required: bool = False, nullable: bool = True) -> Field:
    """A local time of day as HH:MM."""
    def check(name: str, value: Any) -> str:
        try:
            if not isinstance(value, str) or len(value) != 5:
                raise ValueError
            dt.time.fromisoformat(value)
            return value
        except ValueError:
            raise _invalid(N_("'%(field)s' must be a time as HH:MM."), field=name) from None
    return Field(check, required, nullable)


def nip(required: bool = False, nullable: bool = True) -> Field:
    """A civil servant's number (NIP), as printed: digits, spaces and dots."""
    plain = text(40).check

    def check(name: str, value: Any) -> str:
        value = plain(name, value)
        if any(c not in "0123456789 ." for c in value):
            raise _invalid(N_("'%(field)s' may only hold digits and spaces."), field=name)
        return " ".join(value.split())
    return Field(check, required, nullable)


def obj_list(fields: dict[str, Field], max_items: int = 100, required: bool = False) -> Field:
    def check(name: str, value: Any) -> list[dict]:
        if not isinstance(value, list) or len(value) > max_items:
            raise _invalid(N_("'%(field)s' must be a list of at most %(max)s objects."),
                           field=name, max=max_items)
        return [parse(fields, item, prefix=f"{name}.") for item in value]
    return Field(check, required, nullable=False)


def obj(fields: dict[str, Field], required: bool = False, nullable: bool = True) -> Field:
    def check(name: str, value: Any) -> dict:
        return parse(fields, value, prefix=f"{name}.")
    return Field(check, required, nullable)


def parse(fields: dict[str, Field], payload: Any, prefix: str = "",
          ignore: frozenset[str] = frozenset()) -> dict:
    """Check a payload against its fields. Fields left out or null are absent
    from the result unless required; unknown fields are refused."""
    if not isinstance(payload, dict):
        raise _invalid(N_("'%(field)s' must be an object."), field=prefix.rstrip(".") or "payload")
    unknown = sorted(str(k) for k in payload if k not in fields and k not in ignore)
    if unknown:
        raise _invalid(N_("Unknown field: %(field)s."), field=prefix + unknown[0])
    clean: dict = {}
    for name, spec in fields.items():
        value = payload.get(name)
        if value is None:
            if spec.required and (name not in payload or not spec.nullable):
                raise _invalid(N_("'%(field)s' is required."), field=prefix + name)
            if name in payload and spec.nullable:
                clean[name] = None
            continue
        clean[name] = spec.check(prefix + name, value)
    return clean


@dataclass
class Schema:
    """The fields of one command; `at_least_one` for partial updates."""
    fields: dict[str, Field] = field(default_factory=dict)
    at_least_one: tuple[str, ...] = ()
