"""Finding 8 of the hardening issue: `flask --app app backup FILE` makes a
consistent backup of a live database (SQLite's online backup API, pg_dump
for PostgreSQL), and restoring it as the README says brings every event back."""
from __future__ import annotations

import shutil
import sqlite3
import subprocess
import uuid

import psycopg
import pytest
from sqlalchemy import func, select

from sinkron import create_app
from sinkron.extensions import db
from sinkron.models import Event
from tests.services import PG_ADMIN_URL, postgres_url  # noqa: F401  (fixture)
from tests.test_postgres import pg_app  # noqa: F401  (fixture)


def _play(live, demo, join, comments: int) -> int:
    """Commands through the real pipeline; returns the last seq."""
    participant = live(join(1)["token"])
    last = 0
    for i in range(comments):
        ack = participant.send("comment.add", kind="masukan", text=f"masukan {i}")
        assert ack["ok"], ack
        last = ack["seq"]
    return last


def _events(path) -> int:
    with sqlite3.connect(path) as con:
        try:
            return con.execute("SELECT count(*) FROM event").fetchone()[0]
        except sqlite3.OperationalError:  # the tables themselves may be only in the WAL
            return 0


def test_sqlite_backup_includes_what_is_still_in_the_wal_and_restores(app, runner, live, demo, join, tmp_path):
    app.extensions["sinkron"].limiter.burst = 10_000
    last_seq = _play(live, demo, join, 60)
    database = app.config["SQLALCHEMY_DATABASE_URI"].removeprefix("sqlite:///")
    wal = database + "-wal"
    assert shutil.os.path.getsize(wal) > 0, "the server's writes are still in the WAL"
    # What a plain copy of the file gets: not everything.
    shutil.copy(database, tmp_path / "copied.db")
    assert _events(tmp_path / "copied.db") < last_seq

    target = tmp_path / "backup" / "sinkron-backup.db"
    target.parent.mkdir()
    result = runner.invoke(args=["backup", str(target)])
    assert result.exit_code == 0, result.output
    assert "SQLite online backup" in result.output
    assert _events(target) == last_seq
    assert runner.invoke(args=["backup", str(target)]).exit_code == 1  # no silent overwrite

    # Restore (README): stop the server, put the backup in place of the
    # database, remove the old -wal and -shm files, start again.
    restored_dir = tmp_path / "restored"
    restored_dir.mkdir()
    shutil.copy(target, restored_dir / "sinkron.db")
    restored = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{restored_dir / 'sinkron.db'}",
                           "SINKRON_ASYNC_MODE": "threading"})
    with restored.app_context():
        assert db.session.scalar(select(func.max(Event.seq))) == last_seq
        db.session.remove()
        db.engine.dispose()


@pytest.mark.postgres
def test_postgres_backup_with_pg_dump_restores_every_event(pg_app, tmp_path):  # noqa: F811
    from sinkron.demo import create_demo
    with pg_app.app_context():
        create_demo(db.session, "http://sinkron.test")
        db.session.commit()
        events = db.session.scalar(select(func.count()).select_from(Event))
        db.session.remove()
    target = tmp_path / "sinkron.dump"
    result = pg_app.test_cli_runner().invoke(args=["backup", str(target)])
    assert result.exit_code == 0, result.output
    assert "pg_dump" in result.output

    # Restore (README): into a new, empty database with pg_restore.
    name = f"sinkron_restore_{uuid.uuid4().hex[:10]}"
    base = PG_ADMIN_URL.rsplit("/", 1)[0]
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        done = subprocess.run(["pg_restore", "--no-owner", "--dbname", f"{base}/{name}", str(target)],
                              capture_output=True, text=True)
        assert done.returncode == 0, done.stderr
        with psycopg.connect(f"{base}/{name}") as con:
            assert con.execute("SELECT count(*) FROM event").fetchone()[0] == events > 0
            assert con.execute("SELECT version_num FROM alembic_version").fetchone()
    finally:
        with psycopg.connect(PG_ADMIN_URL, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
