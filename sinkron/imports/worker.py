"""The child process of isolate.py: limits itself, reads one file from
stdin, answers JSON on stdout.

Run as a script (`python worker.py ...`), it registers the `sinkron` package
without running its __init__, which would import Flask, SQLAlchemy and
Socket.IO: the reader needs none of them, and starting takes a fraction of
the time."""
from __future__ import annotations

import json
import os
import resource
import sys
import types
from dataclasses import asdict


def main() -> None:
    kind, filename, memory_mb, seconds = sys.argv[1], sys.argv[2], int(sys.argv[3]), float(sys.argv[4])
    limit = memory_mb * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    cpu = max(1, int(seconds))
    resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 1))
    # openpyxl uses numpy when it can; numpy's OpenBLAS reserves hundreds of
    # MB of address space for its threads, which the limit above counts.
    sys.modules["numpy"] = None
    from sinkron.imports.read import ImportFileError, read_plan_items, read_proposals
    from sinkron.meeting.errors import N_

    data = sys.stdin.buffer.read()
    try:
        result = {"proposals": read_proposals, "plan-items": read_plan_items}[kind](filename, data)
        answer = asdict(result)  # every field of ImportResult, problems as dicts
    except ImportFileError as exc:
        answer = {"error": {"message": exc.message, "params": exc.params}}
    except MemoryError:
        answer = {"error": {"message": N_("Reading the file needed more than %(max)s MB of memory."),
                            "params": {"max": memory_mb}}}
    sys.stdout.write(json.dumps(answer, ensure_ascii=False))


if __name__ == "__main__":
    if "sinkron" not in sys.modules:
        package = types.ModuleType("sinkron")
        package.__path__ = [os.path.dirname(os.path.dirname(os.path.abspath(__file__)))]
        sys.modules["sinkron"] = package
    main()
