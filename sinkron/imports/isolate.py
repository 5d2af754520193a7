"""Parsing an uploaded spreadsheet in a child process with a memory and a
time limit, so that no file can stall or exhaust the server that runs every
meeting. The cheap checks (zip sizes and ratios, declared counts) run here
first: a hostile file is refused before any process starts.

Under eventlet `subprocess` is cooperative, so the server keeps serving
every other meeting while the child parses."""
from __future__ import annotations

import json
import os
import subprocess
import sys

from flask import current_app, has_app_context

from ..meeting.errors import N_
from .read import ImportFileError, ImportResult, RowProblem, check_limits

MEMORY_MB = 512
SECONDS = 20
WORKER = os.path.join(os.path.dirname(os.path.abspath(__file__)), "worker.py")


def read(kind: str, filename: str, data: bytes, memory_mb: int | None = None,
         seconds: float | None = None) -> ImportResult:
    config = current_app.config if has_app_context() else {}
    memory_mb = memory_mb or config.get("SINKRON_IMPORT_MEMORY_MB") or MEMORY_MB
    seconds = seconds or config.get("SINKRON_IMPORT_SECONDS") or SECONDS
    check_limits(filename, data)
    try:
        done = subprocess.run(
            [sys.executable, "-I", WORKER, kind, filename, str(memory_mb), str(seconds)],
            input=data, capture_output=True, timeout=seconds + 5)
    except subprocess.TimeoutExpired as exc:
        raise ImportFileError(N_("Reading the file took longer than %(max)s seconds."),
                              max=int(seconds)) from exc
    if done.returncode != 0 or not done.stdout:
        if b"MemoryError" in done.stderr or b"Cannot allocate memory" in done.stderr:
            raise ImportFileError(N_("Reading the file needed more than %(max)s MB of memory."),
                                  max=memory_mb)
        if done.returncode < 0 or b"CPU time" in done.stderr:
            raise ImportFileError(N_("Reading the file took longer than %(max)s seconds."),
                                  max=int(seconds))
        raise ImportFileError(N_("The file could not be read; it may be damaged."))
    answer = json.loads(done.stdout)
    if "error" in answer:
        raise ImportFileError(answer["error"]["message"], **answer["error"]["params"])
    answer["problems"] = [RowProblem(**p) for p in answer["problems"]]
    answer["columns"] = tuple(answer["columns"])
    return ImportResult(**answer)
