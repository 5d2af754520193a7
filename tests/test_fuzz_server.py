"""The short fuzz run: a few hundred seeded Socket.IO and HTTP cases against
the real eventlet server, then no traceback in its log, no 5xx, no
`unavailable`, every acknowledgement well-formed. The long run (10,000
cases) is `python -m tests.fuzzing`, its last result in docs/performance.md."""
import pytest

from tests.fuzzing import run, tracebacks
from tests.server import Server

pytestmark = pytest.mark.e2e


def test_short_fuzz_run_gives_no_tracebacks(tmp_path):
    server = Server(tmp_path / "instance", env={"SINKRON_RATE_BURST": "1000000",
                                                 "SINKRON_JOIN_PER_MINUTE": "1000000"}).start()
    try:
        tally = run(server, cases=800, seed=20260512)
    finally:
        server.stop()
    log = server.log_path.read_text(errors="replace")
    assert tally.socket_cases >= 400 and tally.http_cases >= 390
    assert tracebacks(log) == 0, log[-3000:]
    assert not tally.server_errors and not tally.malformed_answers, (tally.server_errors, tally.malformed_answers)
    assert tally.answers.get("invalid", 0) > 100  # the cases did reach the handlers
