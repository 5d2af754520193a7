"""How well the matcher finds each proposal's plan item in a labelled folder.

    python bench/matching.py tests/data/matching            # the three figures
    python bench/matching.py DIR --ablation                 # ... with each step switched off
    python bench/matching.py DIR --misses                   # which proposals it gets wrong

DIR holds proposals.csv, plan_items.csv and labels.csv (proposal code, the
exact Sub Kegiatan of the right plan item or empty), optionally heldout.txt
(proposal codes kept out of tuning, reported on their own). The folder is
imported into a new meeting through the real import code, in a temporary
SQLite database made by the app factory, and scored with the same code as
`flask --app app matches`."""
from __future__ import annotations

import argparse
import csv
import logging
import os
import sys
import tempfile
from dataclasses import dataclass, fields, replace
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from sinkron.matching import Steps  # noqa: E402

TOP = 5


@dataclass
class Figures:
    top1: float          # share of proposals with a plan item that get it first
    top5: float          # ... among the first five
    no_plan: float       # share of proposals without a plan item that get no strong suggestion
    strong_right: float  # share of proposals with a plan item whose right first suggestion is strong
    with_plan: int       # how many proposals have a plan item
    without_plan: int
    misses: list         # (code, label, first suggestion) of the proposals with a plan item missed first

    def line(self) -> str:
        return (f"top-1 {self.top1:6.1%}   top-5 {self.top5:6.1%}   no plan, no strong "
                f"{self.no_plan:6.1%}   (right and strong {self.strong_right:6.1%}; "
                f"{self.with_plan} with a plan item, {self.without_plan} without)")


def read_labels(folder: Path) -> dict[str, str]:
    with open(folder / "labels.csv", encoding="utf-8-sig", newline="") as fh:
        return {row["proposal"].strip(): (row["plan_item_sub_kegiatan"] or "").strip()
                for row in csv.DictReader(fh)}


def read_heldout(folder: Path) -> set[str]:
    path = folder / "heldout.txt"
    if not path.exists():
        return set()
    return {line.strip() for line in path.read_text(encoding="utf-8").splitlines() if line.strip()}


class Meeting:
    """A labelled folder imported into a temporary database."""

    def __init__(self, folder: Path):
        self._tmp = tempfile.TemporaryDirectory(prefix="sinkron-matching-")
        self._instance = os.environ.get("SINKRON_INSTANCE")
        os.environ["SINKRON_INSTANCE"] = str(Path(self._tmp.name) / "instance")
        from flask_migrate import upgrade
        from sinkron import create_app
        from sinkron.extensions import db
        from sinkron.imports.store import ImportRejected, read, store
        from sinkron.meetings import create_meeting
        self.app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{self._tmp.name}/bench.db",
                               "SINKRON_ASYNC_MODE": "threading", "PUBLIC_URL": "http://sinkron.test"})
        with self.app.app_context():
            upgrade()
            for name in ("alembic", "bm25s"):   # upgrade() configures logging anew
                logging.getLogger(name).setLevel(logging.WARNING)
            meeting, _ = create_meeting(db.session, "http://sinkron.test", title="matching",
                                        sites=[{"name": "A"}, {"name": "B"}],
                                        facilitator={"name": "F"})
            self.meeting_id = meeting.id
            for kind, name in (("proposals", "proposals.csv"), ("plan-items", "plan_items.csv")):
                try:
                    store(db.session, meeting.id, None, kind, read(kind, name, (folder / name).read_bytes()))
                except ImportRejected as exc:
                    problems = "; ".join(p.message % p.params for p in exc.problems[:5])
                    raise SystemExit(f"{folder / name} was not imported: {problems}") from None
            db.session.commit()

    def suggestions(self, steps: Steps = Steps(), top: int = TOP) -> list[dict]:
        from sinkron.extensions import db
        from sinkron.suggestions_query import meeting_suggestions
        with self.app.app_context():
            try:
                return meeting_suggestions(db.session, self.meeting_id, top, steps)
            finally:
                db.session.remove()

    def close(self):
        from sinkron.extensions import db
        with self.app.app_context():
            db.engine.dispose()
        self._tmp.cleanup()
        if self._instance is None:
            os.environ.pop("SINKRON_INSTANCE", None)
        else:
            os.environ["SINKRON_INSTANCE"] = self._instance


def _key(text: str) -> str:
    return " ".join(text.split()).casefold()


def score(found: list[dict], labels: dict[str, str], only: set[str] | None = None) -> Figures:
    top1 = top5 = with_plan = without = quiet = strong_right = 0
    misses = []
    for entry in found:
        code = entry["proposal_code"]
        if code not in labels or (only is not None and code not in only):
            continue
        label = _key(labels[code])
        ranked = [_key(s["sub_activity"]) for s in entry["suggestions"]]
        if label:
            with_plan += 1
            top1 += bool(ranked) and ranked[0] == label
            strong_right += bool(ranked) and ranked[0] == label and entry["suggestions"][0]["strong"]
            top5 += label in ranked[:TOP]
            if not ranked or ranked[0] != label:
                misses.append((code, labels[code], entry["suggestions"][:3]))
        else:
            without += 1
            strong = [s for s in entry["suggestions"] if s["strong"]]
            quiet += not strong
            if strong:
                misses.append((code, "", strong[:3]))
    share = lambda a, b: a / b if b else 1.0  # noqa: E731
    return Figures(share(top1, with_plan), share(top5, with_plan), share(quiet, without),
                   share(strong_right, with_plan), with_plan, without, misses)


def evaluate(folder: Path, steps: Steps = Steps()) -> Figures:
    meeting = Meeting(folder)
    try:
        return score(meeting.suggestions(steps), read_labels(folder))
    finally:
        meeting.close()


ABLATIONS = [
    ("everything", {}),
    ("no abbreviations", {"abbreviations": False}),
    ("no stop words", {"stop_words": False}),
    ("no stemming", {"stemming": False}),
    ("no synonyms", {"synonyms": False}),
    ("no fuzzy words", {"fuzzy": False}),
    ("no agency", {"agency": False}),
    ("no programme code", {"code": False}),
    ("no location", {"location": False}),
    ("no level", {"level": False}),
    ("no town/village, build/repair", {"setting": False}),
    ("words only (BM25 + IDF cover)", {f.name: False for f in fields(Steps)}),
]


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("folder", type=Path)
    parser.add_argument("--ablation", action="store_true", help="Also with each step switched off.")
    parser.add_argument("--misses", action="store_true",
                        help="List the tuning proposals it gets wrong (held-out ones stay hidden).")
    args = parser.parse_args(argv)
    logging.getLogger("alembic").setLevel(logging.WARNING)
    logging.getLogger("bm25s").setLevel(logging.WARNING)
    labels = read_labels(args.folder)
    heldout = read_heldout(args.folder)
    meeting = Meeting(args.folder)
    try:
        found = meeting.suggestions()
        print(f"all        {score(found, labels).line()}")
        if heldout:
            tuning = set(labels) - heldout
            print(f"tuning     {score(found, labels, tuning).line()}")
            print(f"held out   {score(found, labels, heldout).line()}")
        if args.misses:
            for code, label, suggestions in score(found, labels, set(labels) - heldout).misses:
                print(f"\n{code}: {label or '(no plan item)'}")
                for s in suggestions:
                    why = "; ".join(f"{r['kind']}: {r['detail']}" for r in s["reasons"])
                    print(f"   {'*' if s['strong'] else ' '} {s['score']:.3f} {s['sub_activity']} [{why}]")
        if args.ablation:
            print("\n| steps | top-1 | top-5 | no plan, no strong | right and strong |"
                  + (" held out: top-1 / top-5 / no strong |" if heldout else ""))
            print("|---|---|---|---|---|" + ("---|" if heldout else ""))
            for name, off in ABLATIONS:
                found = meeting.suggestions(replace(Steps(), **off))
                f = score(found, labels)
                row = f"| {name} | {f.top1:.1%} | {f.top5:.1%} | {f.no_plan:.1%} | {f.strong_right:.1%} |"
                if heldout:
                    h = score(found, labels, heldout)
                    row += f" {h.top1:.1%} / {h.top5:.1%} / {h.no_plan:.1%} |"
                print(row)
    finally:
        meeting.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
