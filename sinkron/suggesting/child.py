"""Computing a meeting's suggestions in a child process (worker.py).

Matching hundreds of proposals against thousands of plan items takes the
CPU for a second or more. In the server's process that would hold the
event loop (eventlet: one thread serves every connection), so it runs in a
child at a lower priority; under eventlet `subprocess` is cooperative and
the server keeps serving while it waits."""
from __future__ import annotations

import json
import logging
import os
import subprocess
import sys

from ..meeting.suggestions import TOP, Computed

log = logging.getLogger(__name__)

WORKER = os.path.join(os.path.dirname(os.path.abspath(__file__)), "worker.py")
# The lowest priority: the server's event loop comes first on a small machine.
NICE = 19
# Numeric libraries start a thread per core; one is enough for the child,
# and leaves the other core to the server.
ONE_THREAD = {name: "1" for name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS",
                                     "NUMEXPR_NUM_THREADS")}


class Failed(Exception):
    """The child did not answer; the stored suggestions stay as they were."""


def run(database_url: str, meeting_id: int, seconds: float, top: int = TOP) -> Computed | None:
    """The meeting's suggestions, or None when the stored ones are current."""
    env = {**os.environ, **ONE_THREAD, "SINKRON_SUGGEST_DATABASE_URL": database_url}
    try:
        done = subprocess.run([sys.executable, "-I", WORKER, str(meeting_id), str(top), str(NICE)],
                              capture_output=True, timeout=seconds, env=env)
    except subprocess.TimeoutExpired as exc:
        raise Failed(f"computing suggestions took longer than {seconds} s") from exc
    if done.returncode != 0 or not done.stdout:
        raise Failed(done.stderr.decode(errors="replace")[-2000:] or f"exit {done.returncode}")
    answer = json.loads(done.stdout)
    if answer.get("unchanged"):
        return None
    return Computed(answer["fingerprint"], answer["seq"],
                    {int(k): v for k, v in answer["suggestions"].items()}, partial=True, base=answer["base"])


def refresh_now(session, database_url: str, meeting_id: int, seconds: float,
                announce: bool = True) -> dict | None:
    """Compute in a child and store, waiting for it: for the CLI and for the
    demo before the server starts. The caller committed what the child must
    read, and commits afterwards. With `announce` the change is a
    `suggestions.update` event (returned); without, the rows are stored as a
    new meeting's are, at its creation."""
    from ..meeting.suggestions import Stale, store, store_and_announce
    from ..models import utcnow
    computed = run(database_url, meeting_id, seconds)
    if computed is None:
        return None
    try:
        if announce:
            return store_and_announce(session, meeting_id, computed, utcnow())
        store(session, meeting_id, computed, utcnow())
    except Stale:
        # A server stored a newer answer meanwhile: its own is current.
        pass
    return None
