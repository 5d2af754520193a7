"""Crowd commands applied set-based, a run at a time (meeting/crowd.py), answer
and store exactly what applying them one by one does: the same acks, error
codes and messages, seqs, events and rows, whatever the mix of votes, marks,
supports, raised hands, repeats and mistakes in the run."""
import datetime as dt
import random

import pytest
from sqlalchemy import select

from sinkron.extensions import db
from sinkron.meeting import engine
from sinkron.meeting.errors import CommandError
from sinkron.meetings import authenticate
from sinkron.models import (
    AcceptedOp, CommentSupport, Event, FloorRequest, Mark, Meeting, Participant, Vote,
)


@pytest.fixture
def world(app, live, demo, join):
    """The demo meeting with six participants over both sites (one revoked),
    a visible and a hidden comment, some earlier votes, marks and supports,
    a raised hand, an open dots round, and a proposal withdrawn from the
    agenda with a comment on it."""
    people = [join(i % 2, name=f"P{i}") for i in range(6)]
    fac = live(demo.facilitator_token)
    host = live(demo.sites[0].host_token)
    clients = [live(p["token"]) for p in people]
    proposals = [p["id"] for p in fac.snapshot["proposals"]]
    plan = fac.snapshot["plan_items"][0]["id"]
    # Visible, hidden, and on the proposal withdrawn below.
    acks = [clients[i].send("comment.add", kind="masukan", text=text, proposal_id=proposals[pid])
            for i, (text, pid) in enumerate((("terlihat", 0), ("disembunyikan", 1), ("ditarik", 3)))]
    comments = [fac.wait_seq(a["seq"])["data"]["comment"]["id"] for a in acks]
    assert fac.send("comment.hide", comment_id=comments[1], hidden=True)["ok"]
    assert fac.send("voting.open", mode="dots", budget=5, max_per_proposal=3)["ok"]
    for i, c in enumerate(clients[:4]):
        assert c.send("vote.cast", proposal_id=proposals[i % 3], value=1 + i % 3)["ok"]
        assert c.send("proposal.mark", proposal_id=proposals[i % 2], status="terakomodir_kab")["ok"]
    assert host.send("floor.request")["ok"]
    assert clients[2].send("comment.support", comment_id=comments[0], on=True)["ok"]
    assert clients[3].send("floor.request")["ok"]
    assert fac.send("participant.revoke", participant_id=people[5]["participant_id"])["ok"]
    ack = fac.send("proposal.withdraw", proposal_id=proposals[3], reason="Sudah didanai desa")
    assert ack["ok"], ack
    with app.app_context():
        actors = [authenticate(db.session, t) for t in
                  [demo.facilitator_token, demo.sites[0].host_token, demo.sites[1].host_token]
                  + [p["token"] for p in people[:5]]]
        db.session.rollback()
    return {"actors": actors, "people": people, "proposals": proposals, "plan": plan,
            "comments": comments, "revoked_id": people[5]["participant_id"], "demo": demo}


def random_run(rng: random.Random, w: dict, length: int) -> list:
    from sinkron.meeting.permissions import Actor
    actors = list(w["actors"])
    # A revoked participant's commands (their connection would be closed, but
    # one may be queued already).
    gone = Actor(actors[-1].meeting_id, "participant", actors[-1].site_id, w["revoked_id"], "P5")
    ids = w["proposals"][:4] + [999_999]
    run, used = [], []
    for i in range(length):
        actor = rng.choice(actors + [gone])
        kind = rng.choice(["vote.cast"] * 4 + ["proposal.mark"] * 2 + ["comment.support", "floor.request"])
        if kind == "vote.cast":
            payload = {"proposal_id": rng.choice(ids), "value": rng.choice([0, 1, 2, 3, 3, 4])}
        elif kind == "proposal.mark":
            payload = {"proposal_id": rng.choice(ids),
                       "status": rng.choice([None, "terakomodir_kab", "dialihkan", "perlu_klarifikasi"]),
                       "plan_item_id": rng.choice([None, None, w["plan"], 424_242]),
                       "note": rng.choice([None, "", "  catatan  "])}
        elif kind == "comment.support":
            payload = {"comment_id": rng.choice(w["comments"] + [77_777]), "on": rng.choice([True, False])}
        else:
            payload = {}
            if rng.random() < 0.3:
                payload["participant_id"] = rng.choice([p["participant_id"] for p in w["people"]])
            if rng.random() < 0.3:
                payload["proposal_id"] = rng.choice(ids)
        if rng.random() < 0.05:
            payload["unknown"] = 1
        if rng.random() < 0.1 and used:
            who, op_id = rng.choice(used)  # a resend, possibly by the same person
            if who == actor.participant_id:
                run.append((actor, {"op_id": op_id, "type": kind, **payload}))
                continue
        op_id = f"r{i}"
        used.append((actor.participant_id, op_id))
        run.append((actor, {"op_id": op_id, "type": kind, **payload}))
    return run


def _answer(outcome) -> tuple:
    if isinstance(outcome, CommandError):
        return ("refused", outcome.code, outcome.message, outcome.params)
    return ("accepted", outcome.seq, outcome.event)


def _state(session, meeting_id: int) -> dict:
    def rows(*cols, where):
        return sorted(tuple(r) for r in session.execute(select(*cols).where(where)))
    return {
        "votes": rows(Vote.round_id, Vote.participant_id, Vote.proposal_id, Vote.site_id, Vote.value,
                      where=Vote.id > 0),
        "marks": rows(Mark.proposal_id, Mark.participant_id, Mark.site_id, Mark.status,
                      Mark.plan_item_id, Mark.note, Mark.updated_at,
                      where=Mark.meeting_id == meeting_id),
        "supports": rows(CommentSupport.comment_id, CommentSupport.participant_id,
                         where=CommentSupport.comment_id > 0),
        "floor": rows(FloorRequest.id, FloorRequest.participant_id, FloorRequest.site_id,
                      FloorRequest.proposal_id, FloorRequest.state,
                      where=FloorRequest.meeting_id == meeting_id),
        "events": rows(Event.seq, Event.type, Event.actor_id, where=Event.meeting_id == meeting_id),
        "ops": rows(AcceptedOp.participant_id, AcceptedOp.op_id, AcceptedOp.seq,
                    where=AcceptedOp.meeting_id == meeting_id),
        "last_seq": session.scalar(select(Meeting.last_seq).where(Meeting.id == meeting_id)),
    }


@pytest.mark.parametrize("seed", range(8))
def test_a_run_answers_and_stores_what_one_by_one_does(app, world, seed):
    rng = random.Random(seed)
    run = random_run(rng, world, 60)
    # Each command its own moment, as the writer gives them.
    moments = [dt.datetime(2020, 5, 12, 2, 0, 0) + dt.timedelta(milliseconds=i)
               for i in range(len(run))]
    meeting_id = world["demo"].meeting_id
    with app.app_context():
        together = [_answer(o) for o in engine.execute_crowd(
            db.session, meeting_id, [(a, p, now) for (a, p), now in zip(run, moments)])]
        db.session.flush()
        after_run = _state(db.session, meeting_id)
        db.session.rollback()

        one_by_one = []
        for (actor, payload), now in zip(run, moments):
            try:
                with db.session.begin_nested():
                    one_by_one.append(_answer(engine.execute(db.session, actor, payload, now)))
            except CommandError as exc:
                one_by_one.append(_answer(exc))
        after_each = _state(db.session, meeting_id)
        db.session.rollback()

    assert together == one_by_one
    assert after_run == after_each
    # The run was a real mix: accepted and refused, several kinds, some repeats.
    kinds = {a[2]["type"] for a in together if a[0] == "accepted" and a[2]}
    assert {"vote.cast", "proposal.mark"} <= kinds
    assert any(a[0] == "refused" for a in together)
    assert any(a[0] == "refused" and a[1] == "conflict" and "withdrawn" in a[2] for a in together)


def test_a_run_that_fails_whole_is_applied_one_by_one(app, live, world, monkeypatch):
    """Not a refusal but a failure (a bug, a constraint): the run is rolled
    back and its commands applied one by one, so only what fails alone fails."""
    from sinkron.meeting import crowd
    real_write = crowd.Crowd.write

    def fail_for_runs(self):
        if len({actor.participant_id for actor in self._runners}) > 1:
            raise RuntimeError("as if the run broke a constraint")
        return real_write(self)
    monkeypatch.setattr(crowd.Crowd, "_runners", [], raising=False)
    original_init = crowd.Crowd.__init__

    def remember(self, conn, meeting_id, turn_seconds, standing, requests):
        original_init(self, conn, meeting_id, turn_seconds, standing, requests)
        self._runners = [actor for _, actor, _ in requests]
    monkeypatch.setattr(crowd.Crowd, "__init__", remember)
    monkeypatch.setattr(crowd.Crowd, "write", fail_for_runs)

    writer = app.extensions["sinkron"].writer
    actors = world["actors"][3:7]
    pid = world["proposals"][0]
    with app.app_context():
        from sinkron.live.writer import _Item
        queue = [_Item(None, _Done(), (a, {"op_id": f"w{i}", "type": "vote.cast",
                                           "proposal_id": pid, "value": 1}))
                 for i, a in enumerate(actors)]
        assert writer._process(queue) == len(queue)
    assert all(item.error is None for item in queue), [item.error for item in queue]
    seqs = [item.result.seq for item in queue]
    assert seqs == list(range(seqs[0], seqs[0] + len(queue)))
    with app.app_context():
        assert db.session.scalar(select(Vote.value).where(
            Vote.participant_id == actors[-1].participant_id, Vote.proposal_id == pid)) >= 1
        assert {e.seq for e in db.session.scalars(select(Event))} >= set(seqs)
        assert db.session.scalar(select(Participant.revoked).where(
            Participant.id == world["revoked_id"])) is True


class _Done:
    def set(self):
        pass


def test_prior_ops_are_found_by_their_pairs_however_many(app, world):
    """The repeat check of a run: every (participant, op_id) pair asked for
    that was accepted before, and no other, for runs longer than one
    statement's pairs, with repeats and pairs never accepted."""
    meeting_id = world["demo"].meeting_id
    rng = random.Random(5)
    with app.app_context():
        stored = {(p, o): s for p, o, s in db.session.execute(
            select(AcceptedOp.participant_id, AcceptedOp.op_id, AcceptedOp.seq)
            .where(AcceptedOp.meeting_id == meeting_id))}
        assert len(stored) > 10
        conn = db.session.connection()
        for length in (1, 2, 3, 17, 256, 257, 600):
            asked = [rng.choice(list(stored)) if rng.random() < 0.5
                     else (rng.choice(list(stored))[0], f"never{k}") for k in range(length)]
            found = engine._priors(conn, meeting_id, asked)
            assert found == {pair: stored[pair] for pair in asked if pair in stored}
        # Another meeting's ops are not this one's.
        assert engine._priors(conn, meeting_id + 1, list(stored)) == {}


def test_the_prior_lookup_probes_the_primary_key_per_pair(app, world):
    """Not a scan of every op the meeting ever accepted, which grew all day."""
    with app.app_context():
        conn = db.session.connection()
        statement = engine._PRIORS[4].statement
        sql = str(statement.compile(dialect=conn.dialect))
        params = {"m": 1, **{f"p{k}": k for k in range(4)}, **{f"o{k}": "x" for k in range(4)}}
        compiled = statement.compile(dialect=conn.dialect)
        ordered = [params[name] for name in compiled.positiontup]
        plan = " ".join(str(row) for row in conn.exec_driver_sql(
            "EXPLAIN QUERY PLAN " + sql, tuple(ordered)))
    assert "meeting_id=? AND participant_id=? AND op_id=?" in plan, plan
    assert "LIST SUBQUERY" not in plan and "SCAN" not in plan, plan


@pytest.mark.parametrize("seed", range(4))
def test_runs_that_keep_their_standing_answer_as_fresh_runs_do(app, world, seed):
    """The writer keeps what one run read and changed for the next while the
    meeting's last_seq has not moved: a sequence of runs, with the
    facilitator's commands between some of them (which move last_seq: a new
    round, a withdrawn proposal, a revoked participant), answers and stores
    exactly what the same runs each reading afresh do."""
    rng = random.Random(100 + seed)
    runs = [random_run(rng, world, 25) for _ in range(6)]
    for k, run in enumerate(runs):  # op_ids unique across the runs
        runs[k] = [(a, {**p, "op_id": f"k{k}-{p['op_id']}"}) for a, p in run]
    fac, proposals = world["actors"][0], world["proposals"]
    between = {1: {"type": "voting.close"}, 2: {"type": "voting.open", "mode": "dots", "budget": 4,
                                               "max_per_proposal": 2},
               3: {"type": "proposal.withdraw", "proposal_id": proposals[1], "reason": "Selesai"},
               4: {"type": "participant.revoke",
                   "participant_id": world["actors"][4].participant_id}}
    meeting_id = world["demo"].meeting_id
    moment = iter(dt.datetime(2020, 5, 12, 2, 0, 0) + dt.timedelta(milliseconds=i)
                  for i in range(10_000))

    def play(kept):
        answers = []
        for k, run in enumerate(runs):
            if k in between:
                engine.execute(db.session, fac, {"op_id": f"between{k}", **between[k]}, next(moment))
            answers += [_answer(o) for o in engine.execute_crowd(
                db.session, meeting_id, [(a, p, next(moment)) for a, p in run], kept)]
            db.session.flush()
        return answers

    with app.app_context():
        kept = {}
        with_kept = play(kept)
        assert kept[meeting_id].seq == db.session.scalar(
            select(Meeting.last_seq).where(Meeting.id == meeting_id))
        state_kept = _state(db.session, meeting_id)
        db.session.rollback()
        moment = iter(dt.datetime(2020, 5, 12, 2, 0, 0) + dt.timedelta(milliseconds=i)
                      for i in range(10_000))
        fresh = play(None)
        state_fresh = _state(db.session, meeting_id)
        db.session.rollback()
    assert with_kept == fresh
    assert state_kept == state_fresh
    assert sum(a[0] == "accepted" for a in fresh) > 20


def _vote(actor, op_id, proposal_id, value):
    from sinkron.live.writer import _Item
    return _Item(None, _Done(), (actor, {"op_id": op_id, "type": "vote.cast",
                                         "proposal_id": proposal_id, "value": value}))


def test_a_failed_commit_drops_what_the_writer_kept(app, world, monkeypatch):
    """A run's changes are in the kept state before its commit; if the commit
    fails they were never stored, and the next run must not count them: the
    voter's three dots, lost, leave room for three elsewhere in a budget of 5."""
    writer = app.extensions["sinkron"].writer
    voter, proposals = world["actors"][5], world["proposals"]
    with app.app_context():
        assert writer._process([_vote(voter, "warm", proposals[2], 1)]) == 1
        assert writer._process([_vote(voter, "unwarm", proposals[2], 0)]) == 1
        assert writer._kept, "the writer keeps the standing between runs"
        real_commit = writer._commit

        def fail(session):
            raise RuntimeError("disk full")
        monkeypatch.setattr(writer, "_commit", fail)
        lost = _vote(voter, "lost", proposals[0], 3)
        writer._process([lost])
        assert lost.error is not None and not writer._kept
        monkeypatch.setattr(writer, "_commit", real_commit)
        after = _vote(voter, "after", proposals[1], 3)
        writer._process([after])
    assert after.error is None, after.error


def test_a_job_between_runs_drops_what_the_writer_kept(app, world):
    """A job changes rows without a seq of its own (here it clears a voter's
    ballot, as no command does): the next run reads afresh and sees it."""
    from sinkron.live.writer import _Item
    writer = app.extensions["sinkron"].writer
    voter, proposals = world["actors"][5], world["proposals"]
    with app.app_context():
        assert writer._process([_vote(voter, "first", proposals[0], 3)]) == 1
        assert writer._kept

        def clear_ballot(session):
            session.execute(Vote.__table__.delete().where(
                Vote.participant_id == voter.participant_id))
            return None, []
        assert writer._process([_Item(clear_ballot, _Done())]) == 1
        after = _vote(voter, "after", proposals[1], 3)
        writer._process([after])
    assert after.error is None, after.error
