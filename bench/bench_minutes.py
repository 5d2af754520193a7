"""Minutes export benchmark: a large meeting, every format, median seconds.

    python bench/bench_minutes.py [--runs 5] [--proposals 200] [--participants 300]
                                  [--comments 2000] [--votes 3000]

The meeting is written straight into a temporary SQLite database (bulk
inserts, not the command pipeline: this measures the export, not the
writer). Each timed run is what a download does: build the minutes from the
database, then render one format. Not a test: it prints numbers to record in
docs/performance.md ("Minutes export")."""
from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import random
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import insert  # noqa: E402

FORMATS = ("docx", "pdf", "xlsx", "csv", "md")
STATUSES = ("terakomodir_kab", "terakomodir_prov", "terakomodir_sebagian", "belum_terakomodir",
            "dialihkan", "tidak_dapat_diakomodir", "perlu_klarifikasi")
CATEGORIES = ("OPD", "LSM", "Akademisi", "Tokoh Agama", "Tokoh Perempuan", "Tokoh Masyarakat",
              "Pemuda", "Perbankan", "HIMASPI", "Lainnya")
WORDS = ("air bersih desa pesisir petani garam nelayan mangrove irigasi embung sekolah lapang "
         "iklim benih toleran kekeringan jalan usaha tani puskesmas posyandu kelompok perempuan "
         "pemuda koperasi kredit usaha rakyat drainase banjir rob tanggul abrasi").split()


# One comment in ten ends with an emoji: phones type them, and the PDF draws
# them in a fallback font (per-font runs), which must stay within the target.
EMOJI = ("\U0001f30a", "\U0001f44d", "\U0001f64f", "\U0001f331")


def sentence(rng: random.Random, low: int, high: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(rng.randint(low, high))).capitalize()


class Seq:
    """Event sequence numbers and times, one minute of meeting per 50 events."""

    def __init__(self, meeting_id: int, start: dt.datetime):
        self.meeting_id, self.start, self.n, self.rows = meeting_id, start, 0, []

    def add(self, type_: str, data: dict, actor: dict | None = None) -> None:
        self.n += 1
        self.rows.append({"meeting_id": self.meeting_id, "seq": self.n, "type": type_,
                          "at": self.start + dt.timedelta(seconds=self.n * 1.2),
                          "actor_id": actor["participant_id"] if actor else None,
                          "actor": actor, "data": data})


def build_meeting(session, args) -> int:
    from sinkron.demo import create_demo
    from sinkron.models import (
        Comment, CommentSupport, Decision, Event, FloorRequest, Mark, Meeting, Participant,
        PlanItem, Proposal, Vote, VotingRound,
    )
    rng = random.Random(20200512)
    meeting_id = create_demo(session, "http://bench.local").meeting_id
    session.flush()
    meeting = session.get(Meeting, meeting_id)
    site_ids = [s.id for s in meeting.sites]
    start = dt.datetime(2020, 5, 12, 1, 0)   # 09:00 WITA
    events = Seq(meeting_id, start)
    # The demo's own proposals (and their import events) are replaced by the large set.
    session.query(Proposal).filter_by(meeting_id=meeting_id).delete()
    session.query(Event).filter_by(meeting_id=meeting_id).delete()

    session.execute(insert(PlanItem), [
        {"meeting_id": meeting_id, "document": "RKPD Kab. Lombok Timur 2021",
         "agency": f"Dinas {rng.choice(WORDS).capitalize()}", "code": f"3.{i // 10}.{i % 10:02d}",
         "programme": sentence(rng, 3, 6), "activity": sentence(rng, 3, 6),
         "sub_activity": sentence(rng, 4, 9), "location": f"Kec. {rng.choice(WORDS)}",
         "budget": rng.randrange(50, 900) * 1_000_000} for i in range(100)])
    plan_ids = [p.id for p in session.query(PlanItem.id).filter_by(meeting_id=meeting_id)]

    session.execute(insert(Proposal), [
        {"meeting_id": meeting_id, "position": i + 1, "code": f"HMS-{i + 1:03d}",
         "title": sentence(rng, 4, 10), "problem": sentence(rng, 8, 20),
         "proposer": f"HIMASPI {rng.choice(WORDS)}", "kecamatan": rng.choice(WORDS).capitalize(),
         "desa": rng.choice(WORDS).capitalize(), "volume": str(rng.randint(1, 20)), "unit": "unit",
         "cost": rng.randrange(10, 2000) * 1_000_000, "sector": rng.choice(WORDS),
         "target_agency": f"Dinas {rng.choice(WORDS).capitalize()}", "authority": "Kabupaten"}
        for i in range(args.proposals)])
    proposal_ids = [p.id for p in session.query(Proposal.id).filter_by(meeting_id=meeting_id)
                    .order_by(Proposal.position)]
    events.add("proposal.import", {"proposals": [{"id": pid} for pid in proposal_ids]})

    session.execute(insert(Participant), [
        {"meeting_id": meeting_id, "site_id": site_ids[i % 2], "name": f"Peserta {i + 1} {rng.choice(WORDS)}",
         "category": rng.choice(CATEGORIES), "organisation": f"Lembaga {rng.choice(WORDS)}",
         "gender": rng.choice(("L", "P", None)), "role": "participant", "revoked": i % 97 == 0,
         "joined_at": start} for i in range(args.participants)])
    people = [(p.id, p.site_id, p.name) for p in session.query(
        Participant.id, Participant.site_id, Participant.name)
        .filter_by(meeting_id=meeting_id, role="participant")]
    facilitator = session.query(Participant).filter_by(meeting_id=meeting_id, role="facilitator").one()
    boss = {"participant_id": facilitator.id, "name": facilitator.name,
            "site_id": facilitator.site_id, "role": "facilitator"}

    def actor(person) -> dict:
        return {"participant_id": person[0], "name": person[2], "site_id": person[1], "role": "participant"}

    for person in people:
        events.add("participant.join", {"participant": {"id": person[0]}}, actor(person))
    events.add("meeting.start", {"status": "live"}, boss)

    marks, seen = [], set()
    while len(marks) < args.marks:
        person, pid = rng.choice(people), rng.choice(proposal_ids)
        if (person[0], pid) not in seen:
            seen.add((person[0], pid))
            marks.append({"meeting_id": meeting_id, "proposal_id": pid, "participant_id": person[0],
                          "site_id": person[1], "status": rng.choice(STATUSES)})
    session.execute(insert(Mark), marks)

    comments = [{"meeting_id": meeting_id, "proposal_id": rng.choice(proposal_ids + [None]),
                 "participant_id": (p := rng.choice(people))[0], "site_id": p[1],
                 "kind": rng.choice(("masukan", "tanggapan", "pertanyaan")),
                 "text": sentence(rng, 6, 40) + (f" {EMOJI[i % len(EMOJI)]}" if i % 10 == 0 else ""),
                 "hidden": i % 50 == 0,
                 "created_at": start + dt.timedelta(seconds=i)} for i in range(args.comments)]
    session.execute(insert(Comment), comments)
    comment_ids = [c.id for c in session.query(Comment.id).filter_by(meeting_id=meeting_id)]
    supports = {(rng.choice(comment_ids), rng.choice(people)[0]) for _ in range(args.comments * 2)}
    session.execute(insert(CommentSupport), [{"comment_id": c, "participant_id": p} for c, p in supports])

    # Focus moves through the agenda; the crowd marks and comments in between.
    crowd = ([("proposal.mark", m["participant_id"]) for m in marks]
             + [("comment.add", c["participant_id"]) for c in comments]
             + [("comment.support", p) for _, p in supports])
    rng.shuffle(crowd)
    by_id = {p[0]: p for p in people}
    per_item = max(1, len(crowd) // len(proposal_ids))
    for i, pid in enumerate(proposal_ids):
        events.add("agenda.focus", {"proposal_id": pid}, boss)
        for type_, who in crowd[i * per_item:(i + 1) * per_item]:
            events.add(type_, {}, actor(by_id[who]))
        if i % 3 == 0:
            speaker = rng.choice(people)
            events.add("floor.request", {"participant_id": speaker[0]}, actor(speaker))
            events.add("floor.grant", {"participant_id": speaker[0]}, boss)
            events.add("floor.end", {}, boss)
        status = rng.choice(STATUSES)
        events.add("proposal.decide", {"proposal_id": pid, "decision": {"status": status}}, boss)

    session.execute(insert(FloorRequest), [
        {"meeting_id": meeting_id, "participant_id": (p := rng.choice(people))[0], "site_id": p[1],
         "state": "done", "requested_at": start, "granted_at": start + dt.timedelta(minutes=i),
         "ended_at": start + dt.timedelta(minutes=i, seconds=rng.randint(30, 240))}
        for i in range(len(proposal_ids) // 3)])

    session.execute(insert(Decision), [
        {"proposal_id": pid, "meeting_id": meeting_id, "status": (s := rng.choice(STATUSES)),
         "plan_item_id": rng.choice(plan_ids) if s.startswith("terakomodir") else None,
         "reason": sentence(rng, 5, 15) if s in ("dialihkan", "tidak_dapat_diakomodir") else "",
         "follow_up_action": sentence(rng, 4, 10) if i % 2 else "",
         "follow_up_owner": f"Dinas {rng.choice(WORDS)}" if i % 2 else "",
         "follow_up_due": dt.date(2020, 6, 1) + dt.timedelta(days=i % 60) if i % 2 else None,
         "decided_by": facilitator.id} for i, pid in enumerate(proposal_ids)])

    r = VotingRound(meeting_id=meeting_id, number=1, mode="dots", budget=10, max_per_proposal=3,
                    is_open=False, opened_at=start, closed_at=start + dt.timedelta(hours=2))
    session.add(r)
    session.flush()
    events.add("voting.open", {"round": {"number": 1, "mode": "dots"}}, boss)
    votes, used = [], set()
    while len(votes) < args.votes:
        person, pid = rng.choice(people), rng.choice(proposal_ids)
        if (person[0], pid) not in used:
            used.add((person[0], pid))
            votes.append({"round_id": r.id, "participant_id": person[0], "proposal_id": pid,
                          "site_id": person[1], "value": rng.randint(1, 3)})
            events.add("vote.cast", {"proposal_id": pid}, None)
    session.execute(insert(Vote), votes)
    events.add("voting.close", {"round": {"number": 1}}, boss)
    events.add("meeting.close", {"status": "closed"}, boss)

    session.execute(insert(Event), events.rows)
    meeting.last_seq = events.n
    meeting.status = "closed"
    return meeting_id


def machine() -> str:
    model = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        model = platform.processor() or "unknown"
    return (f"{os.cpu_count()} CPUs (nproc), {model}; Python {platform.python_version()}; "
            f"{platform.system()} {platform.release()}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--proposals", type=int, default=200)
    parser.add_argument("--participants", type=int, default=300)
    parser.add_argument("--comments", type=int, default=2000)
    parser.add_argument("--votes", type=int, default=3000)
    parser.add_argument("--marks", type=int, default=3000)
    parser.add_argument("--lang", default="id")
    args = parser.parse_args()

    load = " ".join(f"{x:.1f}" for x in os.getloadavg())
    tmp = tempfile.mkdtemp(prefix="sinkron-bench-minutes-")
    os.environ["SINKRON_INSTANCE"] = tmp
    from sinkron import create_app

    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp}/bench.db",
                      "PUBLIC_URL": "http://bench.local"})
    try:
        run(app, args, load)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def run(app, args, load: str) -> None:
    from sinkron.extensions import db
    from sinkron.minutes import build_minutes, render
    from sinkron.models import Event

    with app.app_context():
        db.create_all()
        t0 = time.perf_counter()
        meeting_id = build_meeting(db.session, args)
        db.session.commit()
        n_events = db.session.query(Event).filter_by(meeting_id=meeting_id).count()
        print(f"built meeting {meeting_id} in {time.perf_counter() - t0:.1f} s: "
              f"{args.proposals} proposals, {args.participants} participants, "
              f"{args.comments} comments, {args.votes} votes, {args.marks} marks, {n_events} events")

        build_times, sizes = [], {}
        times: dict[str, list[float]] = {fmt: [] for fmt in FORMATS}
        # CPU time as well: on a shared machine it moves less than wall time.
        cpu: dict[str, list[float]] = {fmt: [] for fmt in FORMATS}
        for _ in range(args.runs):
            for fmt in FORMATS:
                db.session.expire_all()
                t0, c0 = time.perf_counter(), time.process_time()
                minutes = build_minutes(db.session, meeting_id, args.lang)
                built = time.perf_counter()
                data = render(minutes, fmt)
                times[fmt].append(time.perf_counter() - t0)
                cpu[fmt].append(time.process_time() - c0)
                build_times.append(built - t0)
                sizes[fmt] = len(data)
                db.session.rollback()
        db.session.remove()
        db.engine.dispose()

    print(f"\nmachine: {machine()}; load average before: {load}")
    print(f"runs per format: {args.runs}; each run builds the minutes from the database, then renders\n")
    print("| format | median s | min s | max s | median CPU s | size |")
    print("|---|---:|---:|---:|---:|---:|")
    for fmt in FORMATS:
        t = times[fmt]
        print(f"| {fmt} | {statistics.median(t):.2f} | {min(t):.2f} | {max(t):.2f} | "
              f"{statistics.median(cpu[fmt]):.2f} | {sizes[fmt] / 1024:,.0f} KiB |")
    print(f"| (build only, all runs) | {statistics.median(build_times):.2f} | {min(build_times):.2f} | "
          f"{max(build_times):.2f} | | |")


if __name__ == "__main__":
    main()
