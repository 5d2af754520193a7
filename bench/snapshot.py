"""Snapshot size and build time for a big meeting, in-process.

The meeting is written straight into a temporary SQLite database (bulk
inserts; nothing here is timed but the build): 2 sites, 500 participants,
200 proposals, 2,000 comments, and, because a real meeting at that size has
them, about 4,000 supports, 2,500 marks, 50 plan items, 40 decisions and a
dots round with 1,000 votes. Then `sinkron.meeting.snapshot.build` runs for a
participant, a host and the facilitator, and the result is encoded the way
Socket.IO encodes it (stdlib json, compact separators)."""
from __future__ import annotations

import gzip
import json
import os
import random
import tempfile
import time

from bench.stats import median

SIZES = {"participants": 500, "proposals": 200, "comments": 2000, "supports": 4000,
         "marks": 2500, "plan_items": 50, "decisions": 40, "votes": 1000}
STATUSES = ("terakomodir_kab", "terakomodir_prov", "belum_terakomodir", "perlu_klarifikasi")


def _fill(session, meeting, sites, rng: random.Random) -> None:
    from sinkron.models import (
        Comment, CommentSupport, Decision, Mark, Participant, PlanItem, Proposal, Vote,
        VotingRound, utcnow,
    )
    now = utcnow()
    site_ids = [s.id for s in sites]
    people = [Participant(meeting_id=meeting.id, site_id=site_ids[i % 2], name=f"Peserta {i}",
                          category="LSM", organisation=f"Lembaga {i % 40}", gender="LP"[i % 2],
                          role="participant", token_hash=f"{i:064x}", joined_at=now)
              for i in range(SIZES["participants"])]
    proposals = [Proposal(meeting_id=meeting.id, position=i + 1, code=f"U-{i + 1:03}",
                          title=f"Usulan kegiatan adaptasi nomor {i + 1} di desa pesisir",
                          problem="Abrasi pantai dan banjir rob merusak tambak warga. " * 3,
                          proposer="HIMASPI", kecamatan="Keruak", desa="Tanjung Luar",
                          volume="1", unit="paket", cost=250_000_000, sector="Lingkungan Hidup",
                          target_agency="Dinas Lingkungan Hidup", authority="Kabupaten")
                 for i in range(SIZES["proposals"])]
    plan = [PlanItem(meeting_id=meeting.id, document="RKPD Kab. Lombok Timur 2021",
                     agency="Dinas PUPR", code=f"1.03.{i:02}", programme="Program pengelolaan SDA",
                     activity="Pembangunan tanggul", sub_activity="Tanggul pantai",
                     location="Keruak", budget=1_000_000_000) for i in range(SIZES["plan_items"])]
    session.add_all(people + proposals + plan)
    session.flush()
    comments = [Comment(meeting_id=meeting.id, participant_id=(p := rng.choice(people)).id,
                        site_id=p.site_id,
                        proposal_id=rng.choice(proposals).id if i % 10 else None,
                        kind=rng.choice(("masukan", "tanggapan", "pertanyaan")),
                        text="Mohon kegiatan ini dipadukan dengan program desa. " * rng.randint(1, 4),
                        hidden=(i % 100 == 0), created_at=now)
                for i in range(SIZES["comments"])]
    session.add_all(comments)
    session.flush()
    pairs = {(rng.choice(comments).id, rng.choice(people).id) for _ in range(SIZES["supports"])}
    session.add_all(CommentSupport(comment_id=c, participant_id=p) for c, p in pairs)
    marked = {(rng.choice(proposals), rng.choice(people)) for _ in range(SIZES["marks"])}
    session.add_all(Mark(meeting_id=meeting.id, proposal_id=pr.id, participant_id=pe.id,
                         site_id=pe.site_id, status=rng.choice(STATUSES), note="", updated_at=now)
                    for pr, pe in marked)
    session.add_all(Decision(proposal_id=pr.id, meeting_id=meeting.id, status="terakomodir_kab",
                             reason="", decided_at=now) for pr in proposals[:SIZES["decisions"]])
    r = VotingRound(meeting_id=meeting.id, number=1, mode="dots", budget=5, max_per_proposal=3,
                    is_open=True, opened_at=now)
    session.add(r)
    session.flush()
    voted = {(rng.choice(people), rng.choice(proposals)) for _ in range(SIZES["votes"])}
    session.add_all(Vote(round_id=r.id, participant_id=pe.id, proposal_id=pr.id,
                         site_id=pe.site_id, value=rng.randint(1, 3)) for pe, pr in voted)
    session.flush()


def measure(repeats: int = 20) -> dict:
    """{role: {bytes, gzip_bytes, build_ms, build_cpu_ms, encode_ms}}, medians."""
    with tempfile.TemporaryDirectory(prefix="sinkron-snap-") as tmp:
        os.environ["SINKRON_INSTANCE"] = tmp
        from sinkron import create_app
        from sinkron.extensions import db
        from sinkron.meeting import snapshot
        from sinkron.meeting.permissions import Actor
        from sinkron.meetings import create_meeting
        from sinkron.models import Participant
        from sqlalchemy import select

        app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp}/snap.db",
                          "SINKRON_ASYNC_MODE": "threading"})
        out = {}
        with app.app_context():
            db.create_all()
            meeting, _ = create_meeting(
                db.session, "http://bench", title="Bench", status="live",
                sites=[{"name": "BAPPEDA Provinsi NTB"}, {"name": "BAPPEDA Kab. Lombok Timur"}],
                facilitator={"name": "Fasilitator"})
            _fill(db.session, meeting, list(meeting.sites), random.Random(7))
            db.session.commit()
            staff = {p.role: p for p in db.session.scalars(
                select(Participant).where(Participant.meeting_id == meeting.id,
                                          Participant.role != "participant"))}
            someone = db.session.scalars(select(Participant).where(
                Participant.role == "participant")).first()
            db.session.remove()
            for role, p in (("participant", someone), ("host", staff["host"]),
                            ("facilitator", staff["facilitator"])):
                actor = Actor(meeting.id, role, p.site_id, p.id, p.name)
                builds, cpu, encodes = [], [], []
                for _ in range(repeats):
                    # A fresh session each time, as a connecting client gets.
                    t, c = time.perf_counter(), time.process_time()
                    state = snapshot.build(db.session, actor)
                    builds.append(time.perf_counter() - t)
                    # CPU time too: on a shared machine wall time includes waiting for a core.
                    cpu.append(time.process_time() - c)
                    db.session.remove()
                    t = time.perf_counter()
                    wire = json.dumps(state, separators=(",", ":")).encode()
                    encodes.append(time.perf_counter() - t)
                out[role] = {"bytes": len(wire), "gzip_bytes": len(gzip.compress(wire)),
                             "build_ms": 1000 * median(builds), "build_cpu_ms": 1000 * median(cpu),
                             "encode_ms": 1000 * median(encodes)}
            db.engine.dispose()
        return out


if __name__ == "__main__":
    for role, m in measure().items():
        print(f"{role:12} {m['bytes']:>9,} B  gzip {m['gzip_bytes']:>8,} B  "
              f"build {m['build_ms']:6.1f} ms (CPU {m['build_cpu_ms']:5.1f} ms)  "
              f"encode {m['encode_ms']:5.1f} ms")
