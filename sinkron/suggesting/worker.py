"""The child process of child.py: computes one meeting's suggestions at a
low priority and answers JSON on stdout.

Run as a script, it registers the `sinkron` package without running its
__init__ (Flask, Socket.IO): it needs SQLAlchemy, the models and the matcher.
The database address comes in the environment (SINKRON_SUGGEST_DATABASE_URL),
not on the command line, where `ps` would show a password."""
from __future__ import annotations

import json
import os
import sys
import types


def main() -> None:
    meeting_id, top, nice = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
    # Below the server's priority: on a small machine matching must not take
    # the cores that serve the meeting.
    os.nice(nice)
    from sqlalchemy import create_engine
    from sqlalchemy.orm import Session

    from sinkron.suggesting.compute import compute

    engine = create_engine(os.environ["SINKRON_SUGGEST_DATABASE_URL"])
    try:
        with Session(engine) as session:
            computed = compute(session, meeting_id, top)
    finally:
        engine.dispose()
    if computed is None:
        answer = {"unchanged": True}
    else:
        answer = {"fingerprint": computed.fingerprint, "seq": computed.seq, "base": computed.base,
                  "suggestions": {str(k): v for k, v in computed.suggestions.items()}}
    sys.stdout.write(json.dumps(answer, ensure_ascii=False))


if __name__ == "__main__":
    if "sinkron" not in sys.modules:
        package = types.ModuleType("sinkron")
        package.__path__ = [os.path.dirname(os.path.dirname(os.path.abspath(__file__)))]
        sys.modules["sinkron"] = package
    main()
