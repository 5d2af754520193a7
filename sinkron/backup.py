"""Backing up a live database, consistently, while the server runs.

Copying SQLite's file is not a backup: committed transactions may still be
in the write-ahead log beside it. SQLite's online backup API copies a
consistent snapshot including them; PostgreSQL's own pg_dump does the same."""
from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from contextlib import closing
from pathlib import Path

from sqlalchemy.engine import Engine


class BackupError(Exception):
    pass


def backup(engine: Engine, target: Path) -> str:
    """Write a backup of the engine's database to `target`; returns how."""
    tmp = target.with_name(target.name + ".part")
    tmp.unlink(missing_ok=True)
    try:
        if engine.dialect.name == "sqlite":
            _sqlite(engine, tmp)
            how = "SQLite online backup"
        elif engine.dialect.name == "postgresql":
            _pg_dump(engine, tmp)
            how = "pg_dump (custom format)"
        else:
            raise BackupError(f"No backup method for {engine.dialect.name} databases.")
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)
    return how


def _sqlite(engine: Engine, tmp: Path) -> None:
    source = engine.url.database
    if not source or source == ":memory:":
        raise BackupError("An in-memory database cannot be backed up.")
    # A connection of its own: the backup reads a consistent snapshot while
    # the server keeps writing (readers never block the writer in WAL mode).
    with closing(sqlite3.connect(source, timeout=30)) as src, closing(sqlite3.connect(tmp)) as dst:
        src.backup(dst, pages=1024)


def _pg_dump(engine: Engine, tmp: Path) -> None:
    if shutil.which("pg_dump") is None:
        raise BackupError("pg_dump is not installed (Debian: apt-get install postgresql-client).")
    url = engine.url.set(drivername="postgresql")
    env = {**os.environ}
    if url.password:
        env["PGPASSWORD"] = url.password
        url = url.set(password=None)
    done = subprocess.run(["pg_dump", "--format=custom", "--no-owner", "--file", str(tmp),
                           url.render_as_string(hide_password=False)],
                          env=env, capture_output=True, text=True)
    if done.returncode != 0:
        raise BackupError(f"pg_dump failed: {done.stderr.strip()}")
