"""Property tests (Hypothesis): random sequences of commands from random roles
at both sites, through the real pipeline (Socket.IO test clients -> events ->
writer -> engine). After every step:

- seq is gap-free (every accepted command's seq is the next one, and the
  stored events are exactly 1..last_seq);
- the facilitator's tallies equal a recount of the stored ballots;
- no dots budget, per-proposal maximum or score range is exceeded;
- nothing forbidden by DESIGN.md's permission table is accepted;
- the event log, applied from seq 0 by sinkron/meeting/reducer.py, equals
  snapshot.build for the facilitator.

Derandomised under CI (tests/conftest.py loads the "ci" profile)."""
from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from sinkron import create_app
from sinkron.extensions import db, socketio
from sinkron.meeting import reducer, snapshot, tallies
from sinkron.meeting.engine import event_wire, jsonable
from sinkron.meeting.permissions import Actor
from sinkron.meeting.vocab import STATUSES
from sinkron.meetings import create_meeting
from sinkron.models import Event, Meeting, Participant, Vote, VotingRound

STEPS = 30

# DESIGN.md's permission table, written out independently of permissions.py.
FACILITATOR_ONLY = {"meeting.start", "meeting.close", "meeting.reopen", "meeting.update", "agenda.focus",
                    "agenda.reorder", "proposal.withdraw", "proposal.restore",
                    "projector.view", "proposal.add", "proposal.update", "proposal.decide",
                    "voting.open", "voting.close", "floor.grant", "floor.end"}
MODERATION = {"comment.hide", "attendance.add", "participant.revoke"}
TAKING_PART = ["proposal.mark", "vote.cast", "comment.add", "comment.support", "voting.open"]
TYPES = sorted(FACILITATOR_ONLY | MODERATION | {"proposal.mark", "vote.cast", "comment.add",
                                                 "comment.support", "floor.request", "floor.withdraw"})


class Meet:
    """One meeting with people at both sites, each on a Socket.IO test client."""

    def __init__(self, folder: Path):
        self.app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder / 'p.db'}",
                               "SINKRON_ASYNC_MODE": "threading", "PUBLIC_URL": "http://sinkron.test",
                               "SINKRON_BATCH_WINDOW_MS": 5,
                               "SINKRON_CONNECTS_PER_SECOND": 0})
        self.app.extensions["sinkron"].limiter.burst = 10**9
        with self.app.app_context():
            db.create_all()
            meeting, links = create_meeting(
                db.session, "http://sinkron.test", title="Rapat", status="draft",
                sites=[{"name": "Mataram"}, {"name": "Selong"}],
                facilitator={"name": "Fasilitator", "site_index": 1})
            db.session.commit()
            self.meeting_id = meeting.id
            self.sites = [s.id for s in meeting.sites]
            self.facilitator_actor = self._actor(links.facilitator_token)
            # The state at seq 0: creating a meeting stores rows, not events.
            self.state = reducer.start(snapshot.build(db.session, self.facilitator_actor))
            db.session.rollback()
        self.clients: dict[str, object] = {}
        self.roles: dict[str, tuple[str, int | None, int | None]] = {}
        self._connect("facilitator", links.facilitator_token)
        for i, site in enumerate(links.sites):
            self._connect(f"host{i}", site.host_token)
            self._connect(f"projector{i}", site.projector_token)
        http = self.app.test_client()
        for i, site in enumerate(links.sites):
            for n in range(2):
                answer = http.post("/api/join", json={"code": site.join_code, "name": f"Peserta {i}{n}",
                                                      "category": "LSM"}).get_json()
                self._connect(f"participant{i}{n}", answer["token"])
        self.applied = 0

    def _actor(self, token: str) -> Actor:
        from sinkron.meetings import authenticate
        return authenticate(db.session, token)

    def _connect(self, name: str, token: str) -> None:
        client = socketio.test_client(self.app, auth={"token": token, "lang": "en"})
        assert client.is_connected()
        with self.app.app_context():
            actor = self._actor(token)
            db.session.rollback()
        self.clients[name] = client
        self.roles[name] = (actor.role, actor.site_id, actor.participant_id)

    def close(self) -> None:
        for c in self.clients.values():
            if c.is_connected():
                c.disconnect()
        with self.app.app_context():
            db.session.remove()
            db.engine.dispose()

    # --- what the meeting holds now ---------------------------------------------

    def ids(self) -> dict:
        s = self.state
        return {"proposal": [p["id"] for p in s["proposals"]], "comment": [c["id"] for c in s["comments"]],
                "participant": [a["id"] for a in s["attendees"]], "plan_item": [p["id"] for p in s["plan_items"]]}


def _command(draw, meet: Meet, type_: str) -> dict:
    ids = meet.ids()

    def some(kind):
        known = ids[kind]
        return draw(st.sampled_from(known + [987_654]) if known else st.just(987_654))

    def maybe(strategy):
        return draw(st.one_of(st.none(), strategy))

    text = st.one_of(st.text(alphabet="abc xyz\n", min_size=1, max_size=12), st.just(""))
    c: dict = {"type": type_}
    if type_ == "agenda.focus":
        c["proposal_id"] = maybe(st.just(some("proposal")))
    elif type_ == "agenda.reorder":
        c["proposal_ids"] = draw(st.permutations(ids["proposal"])) if draw(st.booleans()) else [some("proposal")]
    elif type_ == "projector.view":
        c["view"] = draw(st.sampled_from(["item", "agenda", "results", "join", "bogus"]))
    elif type_ == "proposal.add":
        c["title"] = draw(text)
        if draw(st.booleans()):
            c["cost"] = draw(st.integers(-5, 10**9))
    elif type_ == "proposal.update":
        c["proposal_id"] = some("proposal")
        c[draw(st.sampled_from(["title", "kecamatan", "code"]))] = draw(text)
    elif type_ == "proposal.withdraw":
        c["proposal_id"] = some("proposal")
        c["reason"] = draw(text)
    elif type_ == "proposal.restore":
        known = [p["id"] for p in meet.state["withdrawn"]]
        c["proposal_id"] = draw(st.sampled_from(known)) if known else some("proposal")
    elif type_ == "meeting.update":
        c[draw(st.sampled_from(["title", "place"]))] = draw(text)
    elif type_ == "proposal.mark":
        c["proposal_id"] = some("proposal")
        c["status"] = draw(st.sampled_from(list(STATUSES) + [None, "bogus"]))
    elif type_ == "proposal.decide":
        c["proposal_id"] = some("proposal")
        c["status"] = draw(st.sampled_from(list(STATUSES)))
        if draw(st.booleans()):
            c["reason"] = draw(text)
    elif type_ == "voting.open":
        c["mode"] = draw(st.sampled_from(["dots", "score"]))
        c["budget"] = draw(st.sampled_from([None, 1, 3, 5]))
        c["max_per_proposal"] = draw(st.sampled_from([None, 1, 2, 3, 9]))
        c["hide_results"] = draw(st.booleans())
    elif type_ == "vote.cast":
        c["proposal_id"] = some("proposal")
        c["value"] = draw(st.integers(-1, 6))
    elif type_ == "comment.add":
        c["kind"] = draw(st.sampled_from(["masukan", "tanggapan", "pertanyaan"]))
        c["text"] = draw(text)
        c["proposal_id"] = maybe(st.just(some("proposal")))
    elif type_ == "comment.support":
        c["comment_id"] = some("comment")
        c["on"] = draw(st.booleans())
    elif type_ == "comment.hide":
        c["comment_id"] = some("comment")
        c["hidden"] = draw(st.booleans())
    elif type_ == "attendance.add":
        c["name"] = draw(text)
        c["category"] = "OPD"
        c["site_id"] = draw(st.sampled_from(meet.sites + [None]))
    elif type_ == "participant.revoke":
        c["participant_id"] = some("participant")
    elif type_ in ("floor.request", "floor.withdraw"):
        if draw(st.booleans()):
            c["participant_id"] = some("participant")
    elif type_ == "floor.grant":
        c["participant_id"] = some("participant")
    return c


def _forbidden(meet: Meet, name: str, c: dict) -> bool:
    """What DESIGN.md's permission table says no to, whatever the state."""
    role, site, me = meet.roles[name]
    if role == "projector":
        return True
    if c["type"] in FACILITATOR_ONLY:
        return role != "facilitator"
    if c["type"] in MODERATION:
        if role == "participant":
            return True
        if role == "host":
            s = meet.state
            if c["type"] == "comment.hide":
                target = next((x for x in s["comments"] if x["id"] == c["comment_id"]), None)
                return target is not None and target["site_id"] != site
            if c["type"] == "participant.revoke":
                target = next((x for x in s["attendees"] if x["id"] == c["participant_id"]), None)
                return target is not None and (target["site_id"] != site or target["role"] != "participant")
            if c["type"] == "attendance.add":
                return c.get("site_id") not in (None, site)
    if c["type"] in ("floor.request", "floor.withdraw") and c.get("participant_id") not in (None, me):
        target = next((x for x in meet.state["attendees"] if x["id"] == c["participant_id"]), None)
        return role == "participant" or (target is not None and role == "host" and target["site_id"] != site)
    return False


def _check(meet: Meet, name: str, c: dict, ack: dict, last_seq: int) -> int:
    with meet.app.app_context():
        session = db.session
        meeting = session.get(Meeting, meet.meeting_id)
        accepted = meeting.last_seq > last_seq
        if ack is None:  # the joins before the first step
            accepted = False
        elif accepted:
            assert ack["ok"] and ack["seq"] == last_seq + 1 == meeting.last_seq, (ack, last_seq)
        elif ack["ok"]:
            assert isinstance(ack.get("ok"), bool) and ack["seq"] <= last_seq  # a repeated op_id: the first answer, nothing new
        if ack is not None and _forbidden(meet, name, c):
            assert not accepted, (name, c, ack)
        seqs = list(session.scalars(select(Event.seq).where(Event.meeting_id == meet.meeting_id)
                                    .order_by(Event.seq)))
        assert seqs == list(range(1, meeting.last_seq + 1)), "seq has a gap"

        # The reducer, fed the stored log from where it was, equals the snapshot.
        new = session.scalars(select(Event).where(Event.meeting_id == meet.meeting_id,
                                                  Event.seq > meet.state["seq"]).order_by(Event.seq))
        reducer.apply_all(meet.state, (jsonable(event_wire(e)) for e in new))
        if ack is not None:
            event(f"{c['type']} {'accepted' if accepted else 'refused'}")
        if accepted and name == "facilitator":
            reducer.note_accepted(meet.state, c)
        built = reducer.start(snapshot.build(session, meet.facilitator_actor))
        assert reducer.canonical(meet.state) == reducer.canonical(built), (name, c)

        # Tallies equal a recount of the stored ballots; no limit is exceeded.
        r = session.scalars(select(VotingRound).where(VotingRound.meeting_id == meet.meeting_id)
                            .order_by(VotingRound.number.desc())).first()
        if r is not None:
            ballots = session.execute(select(Vote.participant_id, Vote.site_id, Vote.proposal_id, Vote.value)
                                      .where(Vote.round_id == r.id)).all()
            recount = jsonable(tallies.tally_votes(r.mode, [(b.site_id, b.proposal_id, b.value) for b in ballots],
                                                   meet.sites))
            assert meet.state["voting"]["tallies"] == recount
            spent: dict[int, int] = {}
            for b in ballots:
                if r.mode == "dots":
                    assert 1 <= b.value <= r.max_per_proposal
                    spent[b.participant_id] = spent.get(b.participant_id, 0) + b.value
                else:
                    assert 1 <= b.value <= 5
            assert all(total <= r.budget for total in spent.values()), spent
            revoked = set(session.scalars(select(Participant.id).where(Participant.revoked.is_(True))))
            if r.is_open:
                assert not revoked & {b.participant_id for b in ballots}, "a revoked participant's vote counts"
        last = meeting.last_seq
        session.rollback()
    return last


@settings(max_examples=int(os.environ.get("SINKRON_PROPERTY_EXAMPLES", 12)), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_random_commands_from_random_roles_keep_every_invariant(data):
    with tempfile.TemporaryDirectory() as folder, contextlib.ExitStack() as stack:
        meet = Meet(Path(folder))
        stack.callback(meet.close)
        last_seq = _check(meet, "facilitator", {"type": "none"}, None, 0)
        # A prelude through the same pipeline (so in the log): the meeting
        # starts with a few proposals; everything after is random.
        for i, c in enumerate([{"type": "meeting.start"}] + [
                {"type": "proposal.add", "title": f"Usulan {n}"} for n in range(3)]):
            ack = meet.clients["facilitator"].emit("command", {"op_id": f"pre-{i}", **c}, callback=True)
            assert ack["ok"], ack
            last_seq = _check(meet, "facilitator", c, ack, last_seq)
        for step in range(STEPS):
            # Revoked participants' sockets are closed: the others go on.
            names = sorted(n for n, client in meet.clients.items() if client.is_connected())
            name = data.draw(st.one_of(st.sampled_from(names), st.just("facilitator")), label="who")
            type_ = data.draw(st.one_of(st.sampled_from(TYPES), st.sampled_from(TAKING_PART)), label="type")
            c = _command(data.draw, meet, type_)
            op_id = f"op-{step}" if not data.draw(st.integers(0, 9), label="repeat") == 0 else "op-0"
            ack = meet.clients[name].emit("command", {"op_id": op_id, **c}, callback=True)
            last_seq = _check(meet, name, c, ack, last_seq)


def test_the_reducer_refuses_an_event_type_it_does_not_know():
    import pytest
    state = {"seq": 4}
    with pytest.raises(reducer.UnknownEvent, match="'proposal.teleport'.*seq 5.*reducer.py"):
        reducer.apply(state, {"seq": 5, "type": "proposal.teleport", "data": {}})
    with pytest.raises(ValueError, match="does not follow"):
        reducer.apply(state, {"seq": 7, "type": "floor.end", "data": {}})
