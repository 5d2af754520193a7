"""Every `flask --app app` command on a new, empty database either brings the
schema up to date and goes on, or exits non-zero with one line saying what
to do. Never a traceback.

Each command runs on its own empty database: in-process for the whole list
(an unhandled exception is what prints a traceback), and a few as real
`flask --app app` subprocesses, as an IT officer would run them."""
from __future__ import annotations

import logging
import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

import pytest

from sinkron import create_app
from sinkron.demo import DATA
from tests.server import ROOT

# (arguments, standard input, expected exit code, text expected in the output)
COMMANDS = [
    (["demo"], None, 0, "Facilitator (keep private)"),
    (["links", "1"], None, 1, "No meeting with id 1."),
    (["links", "1", "--role", "facilitator", "--json"], None, 1, "No meeting with id 1."),
    (["import", "proposals", "1", str(DATA / "usulan-contoh.csv")], None, 1, "No meeting with id 1."),
    (["import", "plan-items", "1", str(DATA / "rkpd-contoh.csv")], None, 1, "No meeting with id 1."),
    (["minutes", "1", "--format", "md"], None, 1, "No meeting with id 1."),
    (["organiser", "add", "Rina"], "kata sandi rahasia\nkata sandi rahasia\n", 0, "Added the organiser Rina."),
    (["organiser", "add", "Rina", "--password-stdin"], "pendek\n", 1, "10 to 200 characters"),
    (["organiser", "list"], None, 0, "No organisers yet"),
    (["organiser", "remove", "Rina"], None, 1, "No organiser named Rina."),
    (["organiser", "password", "Rina", "--password-stdin"], "kata sandi rahasia\n", 1, "No organiser named Rina."),
    (["db", "upgrade"], None, 0, ""),
    (["db", "current"], None, 0, ""),
    (["db", "heads"], None, 0, ""),
    (["db", "check"], None, 1, ""),
    (["db", "downgrade"], None, 1, ""),
]


def _said(stderr: str) -> list[str]:
    """What a command said on stderr, apart from the schema upgrade's own
    lines (Alembic's INFO log lines and ours announcing it)."""
    return [line for line in stderr.splitlines()
            if line.strip() and " INFO " not in f" {line}" and not line.startswith("Bringing the database")]


@pytest.mark.parametrize("args,stdin,code,text", COMMANDS, ids=[" ".join(c[0][:2]) for c in COMMANDS])
def test_each_command_on_an_empty_database(tmp_path, monkeypatch, capfd, caplog, args, stdin, code, text):
    monkeypatch.setenv("SINKRON_INSTANCE", str(tmp_path))
    monkeypatch.chdir(tmp_path)  # minutes write here
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'empty.db'}",
                      "PUBLIC_URL": "http://192.0.2.10:5000"})
    result = app.test_cli_runner().invoke(args=args, input=stdin)
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    # Alembic and Flask-Migrate print and log past the runner, to the process's streams.
    printed = capfd.readouterr()
    logged = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
    assert result.exit_code == code, (result.output, printed, logged)
    assert text in "\n".join([result.output, printed.out, printed.err, *logged])
    if code != 0:
        said = set(_said(result.stderr) + _said(printed.err)) | set(logged)
        assert len(said) == 1, said


def _flask(tmp, *args: str, **env_changes) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SINKRON_", "FLASK_"))}
    env.pop("DATABASE_URL", None)
    env.update({"SINKRON_INSTANCE": str(tmp), "PUBLIC_URL": "http://192.0.2.10:5000", **env_changes})
    return subprocess.run([sys.executable, "-m", "flask", "--app", "app", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120)


@pytest.mark.e2e
def test_the_real_command_line_on_an_empty_database(tmp_path):
    runs = [(tmp_path / "a", ("links", "1"), {}),
            (tmp_path / "b", ("organiser", "list"), {}),
            (tmp_path / "c", ("links", "1"), {"DATABASE_URL": "postgresql://nobody@127.0.0.1:1/none"})]
    with ThreadPoolExecutor(max_workers=3) as pool:
        links, listed, unreachable = pool.map(lambda run: _flask(run[0], *run[1], **run[2]), runs)
    for r in (links, listed, unreachable):
        assert "Traceback" not in r.stdout + r.stderr
    assert links.returncode == 1 and _said(links.stderr) == ["No meeting with id 1."]
    assert "Running upgrade" in links.stderr  # the schema was brought up to date first
    assert listed.returncode == 0 and "No organisers yet" in listed.stdout
    assert unreachable.returncode == 1
    assert len(_said(unreachable.stderr)) == 1
    assert _said(unreachable.stderr)[0].startswith("Cannot open the database")
