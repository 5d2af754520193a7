"""The writer's CPU for a 500-vote burst, in-process, without sockets: steady
on a shared machine, where the live bench's numbers move with the load.

    python bench/writer_cpu.py                       # this checkout
    python bench/writer_cpu.py --repo /tmp/before    # another checkout (e.g. a worktree
                                                     # of the commit before issue 14)

500 participants of the demo meeting (temporary SQLite database, as the
server uses it) each cast one vote in an open dots round; the votes are
applied in batches of --run (as the writer gathers them under a burst) and
each batch is committed. Printed: CPU seconds (process time, so the fsync's
system time counts) for the 500, per repetition. A checkout whose engine has
execute_crowd applies each batch set-based; an older one, command by command
in savepoints, as its writer did."""
from __future__ import annotations

import argparse
import inspect
import os
import random
import sys
import tempfile
import time


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--repo", default=os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    p.add_argument("--run", type=int, default=12, help="votes per batch (default 12: 25 ms of a "
                                                       "one-second, 500-vote burst)")
    p.add_argument("--repeats", type=int, default=3)
    args = p.parse_args(argv)
    sys.path.insert(0, args.repo)
    tmp = tempfile.mkdtemp(prefix="sinkron-writer-")
    os.environ["SINKRON_INSTANCE"] = tmp
    from sinkron import create_app
    from sinkron.demo import create_demo
    from sinkron.extensions import db
    from sinkron.meeting import engine, views
    from sinkron.meetings import authenticate, join

    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp}/writer.db",
                      "SINKRON_ASYNC_MODE": "threading"})
    with app.app_context():
        db.create_all()
        links = create_demo(db.session, "http://bench")
        db.session.commit()
        codes = [s.join_code for s in links.sites]
        actors = []
        for i in range(500):
            _, token, _ = join(db.session, {"code": codes[i % 2], "name": f"P{i}", "category": "LSM"})
            db.session.commit()
            actors.append(authenticate(db.session, token))
        fac = authenticate(db.session, links.facilitator_token)
        proposals = views.agenda_ids(db.session, links.meeting_id)
        seconds = []
        for rep in range(args.repeats):
            engine.execute(db.session, fac, {"op_id": f"open{rep}", "type": "voting.open",
                                             "mode": "dots"})
            db.session.commit()
            rng = random.Random(rep)
            votes = [(a, {"op_id": f"v{rep}-{i}", "type": "vote.cast",
                          "proposal_id": rng.choice(proposals), "value": rng.randint(1, 3)})
                     for i, a in enumerate(actors)]
            # A checkout whose writer keeps the crowd's standing between runs
            # gets it kept here too, as its writer does.
            keeps = hasattr(engine, "execute_crowd") and \
                "kept" in inspect.signature(engine.execute_crowd).parameters
            extra = ({},) if keeps else ()
            started = time.process_time()
            for k in range(0, len(votes), args.run):
                batch = votes[k:k + args.run]
                if hasattr(engine, "execute_crowd"):
                    with db.session.begin_nested():
                        out = engine.execute_crowd(db.session, links.meeting_id,
                                                   [(a, v, engine.utcnow()) for a, v in batch],
                                                   *extra)
                    assert all(hasattr(o, "seq") for o in out), out
                else:
                    for a, v in batch:
                        with db.session.begin_nested():
                            engine.execute(db.session, a, v)
                db.session.commit()
                db.session.remove()
            seconds.append(time.process_time() - started)
            engine.execute(db.session, fac, {"op_id": f"close{rep}", "type": "voting.close"})
            db.session.commit()
    print(f"{args.repo}: batches of {args.run}: CPU for 500 votes (s): "
          + " ".join(f"{s:.3f}" for s in seconds))
    return 0


if __name__ == "__main__":
    sys.exit(main())
