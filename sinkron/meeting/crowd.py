"""What a run of crowd commands (votes, marks, supports, raised hands) reads
and writes, set-based.

Everyone votes when a round opens: hundreds of commands a second, all of one
meeting, each touching a row or two. Run one by one, each cost a savepoint and
a dozen statements. Here a run of them loads what they need once (a handful
of statements whatever the run's length), the commands check and change that
state in Python, in order, as if run one after the other, and the changes
are written at the end with one `executemany` per table and kind.

Totals (tallies, voter counts, mark summaries, support counts) are kept as
sums and counts and updated as each command applies, so each event still
carries the totals as of that command, as the one-by-one path did."""
from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any, Iterable

from sqlalchemy import bindparam, delete, func, insert, select, update
from sqlalchemy.engine import Connection

from ..models import (
    Comment, CommentSupport, FloorRequest, Mark, Participant, PlanItem, Proposal, Vote,
    VotingRound,
)
from . import floor
from .bulk import BulkInsert

_vote = Vote.__table__
_mark = Mark.__table__
_support = CommentSupport.__table__
_floor = FloorRequest.__table__

_INSERT_VOTES = BulkInsert(_vote, ("round_id", "participant_id", "proposal_id", "site_id", "value"))
_UPDATE_VOTE = (update(_vote).where(_vote.c.round_id == bindparam("r"),
                                    _vote.c.participant_id == bindparam("me"),
                                    _vote.c.proposal_id == bindparam("p"))
                .values(value=bindparam("v")))
_DELETE_VOTE = delete(_vote).where(_vote.c.round_id == bindparam("r"),
                                   _vote.c.participant_id == bindparam("me"),
                                   _vote.c.proposal_id == bindparam("p"))
_INSERT_MARK = insert(_mark)
_UPDATE_MARK = (update(_mark).where(_mark.c.id == bindparam("mark_id"))
                .values(status=bindparam("s"), plan_item_id=bindparam("pi"),
                        note=bindparam("n"), updated_at=bindparam("at")))
_DELETE_MARK = delete(_mark).where(_mark.c.id == bindparam("mark_id"))
_INSERT_SUPPORT = insert(_support)
_DELETE_SUPPORT = delete(_support).where(_support.c.comment_id == bindparam("c"),
                                         _support.c.participant_id == bindparam("me"))
_INSERT_FLOOR = insert(_floor).returning(_floor.c.id, sort_by_parameter_order=True)

# The reads, built once: building a statement costs more than SQLite takes to
# run it, and a burst makes dozens of runs a second. "ids" lists are expanded.
_M, _IDS, _PEOPLE, _R = (bindparam("m"), bindparam("ids", expanding=True),
                         bindparam("people", expanding=True), bindparam("r"))
_PERSONS = select(Participant.id, Participant.meeting_id, Participant.site_id, Participant.role,
                  Participant.revoked, Participant.name, Participant.category).where(
    Participant.id.in_(_IDS))
_PROPOSALS = select(Proposal.id, Proposal.withdrawn_at).where(Proposal.id.in_(_IDS),
                                                              Proposal.meeting_id == _M)
_PLAN_ITEMS = select(PlanItem.id).where(PlanItem.id.in_(_IDS), PlanItem.meeting_id == _M)
_OPEN_ROUND = select(VotingRound.id, VotingRound.mode, VotingRound.budget,
                     VotingRound.max_per_proposal, VotingRound.hide_results).where(
    VotingRound.meeting_id == _M, VotingRound.is_open.is_(True))
_ROUND_VOTES = select(Vote.participant_id, Vote.proposal_id, Vote.site_id, Vote.value).where(
    Vote.round_id == _R)
_MARKS = select(Mark.id, Mark.participant_id, Mark.proposal_id, Mark.status, Mark.plan_item_id,
                Mark.note, Mark.site_id).where(Mark.proposal_id.in_(_IDS),
                                               Mark.participant_id.in_(_PEOPLE))
_MARK_COUNTS = (select(Mark.proposal_id, Mark.site_id, Mark.status, func.count())
                .where(Mark.proposal_id.in_(_IDS))
                .group_by(Mark.proposal_id, Mark.site_id, Mark.status))
_COMMENTS = select(Comment.id, Comment.hidden, Comment.proposal_id).where(
    Comment.id.in_(_IDS), Comment.meeting_id == _M)
_SUPPORTS = select(CommentSupport.comment_id, CommentSupport.participant_id).where(
    CommentSupport.comment_id.in_(_IDS), CommentSupport.participant_id.in_(_PEOPLE))
_SUPPORT_COUNTS = (select(CommentSupport.comment_id, func.count())
                   .where(CommentSupport.comment_id.in_(_IDS))
                   .group_by(CommentSupport.comment_id))


@dataclass
class Person:
    id: int
    meeting_id: int
    site_id: int
    role: str
    revoked: bool
    name: str
    category: str


@dataclass
class Mark_:
    """A participant's current mark on a proposal, as stored or as changed."""
    status: str
    plan_item_id: int | None
    note: str
    site_id: int
    updated_at: dt.datetime | None = None
    id: int | None = None  # None: not stored yet


@dataclass
class Ballots:
    """The open round, its votes, and the proposals' sums and counts per site."""
    round: Any  # a row: id, mode, budget, max_per_proposal, hide_results
    mine: dict[int, dict[int, int]]                     # participant -> proposal -> value
    sums: dict[int, dict[int, list[int]]]               # proposal -> site -> [sum, count]
    voters: Counter                                     # site -> people with a vote
    # The run's voters' ballots as stored when the run began, for write().
    stored: dict[int, dict[int, int]] = field(default_factory=dict)


_NOT_LOADED = object()


@dataclass
class Standing:
    """What a meeting's crowd commands read that only accepted commands
    change, as of the meeting's `seq`: its sites, its people, proposals and
    plan items met so far (by id, as runs name them), and the open round's
    ballots, whole.

    The writer keeps it from one run to the next while the meeting's
    last_seq is still `seq`: every accepted command moves last_seq in the
    transaction that makes its change, so an equal number, read under the
    meeting row's lock, means nothing has changed it since, in this process
    or another. The writer drops it whenever that reasoning could fail: a run
    or a commit that failed (its changes are in here but not stored), and any
    job or other command it applies (a join or an import changes rows
    without a seq of its own). Under a burst the run's half-dozen reads
    shrink to the ids not met before."""
    seq: int
    site_ids: list[int]
    people: dict[int, Person] = field(default_factory=dict)
    proposals: dict[int, Any] = field(default_factory=dict)   # id -> withdrawn_at
    plan_items: set[int] = field(default_factory=set)
    ballots: Any = _NOT_LOADED  # Ballots, or None: no round open


def _ids(args_list: Iterable[dict], name: str) -> set[int]:
    return {a[name] for a in args_list if a.get(name) is not None}


class Crowd:
    """The state a run of crowd commands of one meeting needs.

    `requests` is the run as (type, actor, args); only what its types need
    is loaded. Commands change this state through the methods below; write()
    stores the difference."""

    def __init__(self, conn: Connection, meeting_id: int, turn_seconds: int,
                 standing: Standing, requests: list[tuple[str, Any, dict]]):
        self.conn, self.meeting_id, self.site_ids = conn, meeting_id, standing.site_ids
        self.turn_seconds = turn_seconds
        by_type: dict[str, list] = defaultdict(list)
        for type_, actor, args in requests:
            by_type[type_].append((actor, args))
        everyone = {actor.participant_id for _, actor, _ in requests}
        everyone |= _ids((a for _, _, a in requests), "participant_id")
        self.people = standing.people
        missing = everyone - self.people.keys()
        if missing:
            self.people.update((p.id, Person(*p)) for p in conn.execute(_PERSONS, {"ids": list(missing)}))
        self._load_comments(by_type["comment.support"])
        # proposal id -> withdrawn_at (None: on the agenda), for this meeting's
        # proposals the run names, directly or as a comment's proposal.
        named = _ids((a for _, _, a in requests), "proposal_id")
        named |= {c.proposal_id for c in self.comments.values() if c.proposal_id is not None}
        self.proposals = standing.proposals
        missing = named - self.proposals.keys()
        if missing:
            self.proposals.update(conn.execute(_PROPOSALS, {"ids": list(missing), "m": meeting_id}).all())
        self.ballots = self._load_ballots(standing, by_type["vote.cast"]) if by_type["vote.cast"] \
            else None
        marks = by_type["proposal.mark"]
        self.plan_items = standing.plan_items
        missing = _ids((a for _, a in marks), "plan_item_id") - self.plan_items
        if missing:
            self.plan_items.update(conn.execute(_PLAN_ITEMS, {"ids": list(missing), "m": meeting_id})
                                   .scalars())
        self._load_marks(marks)
        self._load_supports(by_type["comment.support"])
        self._load_floor(bool(by_type["floor.request"]))

    # --- loading ---------------------------------------------------------------

    def _load_ballots(self, standing: Standing, votes: list) -> Ballots | None:
        if standing.ballots is _NOT_LOADED:
            standing.ballots = self._load_round()
        b = standing.ballots
        if b is not None:
            b.stored = {}
            for actor, _ in votes:
                b.stored[actor.participant_id] = dict(b.mine.setdefault(actor.participant_id, {}))
        return b

    def _load_round(self) -> Ballots | None:
        r = self.conn.execute(_OPEN_ROUND, {"m": self.meeting_id}).first()
        if r is None:
            return None
        mine: dict[int, dict[int, int]] = defaultdict(dict)
        sums: dict[int, dict[int, list[int]]] = defaultdict(dict)
        voting: dict[int, set[int]] = defaultdict(set)  # site -> participants with a vote
        for p, pid, sid, value in self.conn.execute(_ROUND_VOTES, {"r": r.id}):
            mine[p][pid] = value
            site = sums[pid].setdefault(sid, [0, 0])
            site[0] += value
            site[1] += 1
            if value > 0:
                voting[sid].add(p)
        return Ballots(r, dict(mine), sums, Counter({sid: len(ps) for sid, ps in voting.items()}))

    def _load_marks(self, marks: list) -> None:
        self.marks: dict[tuple[int, int], Mark_ | None] = {}
        self.mark_counts: dict[int, dict[int, Counter]] = {}
        self._stored_marks: dict[tuple[int, int], Mark_] = {}
        if not marks:
            return
        people = {actor.participant_id for actor, _ in marks}
        touched = _ids((a for _, a in marks), "proposal_id") & set(self.proposals)
        if not touched:
            return
        for m in self.conn.execute(_MARKS, {"ids": list(touched), "people": list(people)}):
            key = (m.participant_id, m.proposal_id)
            self.marks[key] = Mark_(m.status, m.plan_item_id, m.note, m.site_id, id=m.id)
            self._stored_marks[key] = self.marks[key]
        self.mark_counts = {pid: {} for pid in touched}
        for pid, sid, status, n in self.conn.execute(_MARK_COUNTS, {"ids": list(touched)}):
            self.mark_counts[pid].setdefault(sid, Counter())[status] = n

    def _load_comments(self, supports: list) -> None:
        ids = _ids((a for _, a in supports), "comment_id")
        # comment id -> (id, hidden, proposal_id), for this meeting's comments the run names
        self.comments: dict[int, Any] = {c.id: c for c in self.conn.execute(
            _COMMENTS, {"ids": list(ids), "m": self.meeting_id})} if ids else {}

    def _load_supports(self, supports: list) -> None:
        self.supported: dict[tuple[int, int], bool] = {}
        self.support_counts: dict[int, int] = {}
        self._stored_supports: set[tuple[int, int]] = set()
        if not self.comments:
            return
        people = {actor.participant_id for actor, _ in supports}
        self._stored_supports = {tuple(r) for r in self.conn.execute(
            _SUPPORTS, {"ids": list(self.comments), "people": list(people)})}
        self.supported = {k: True for k in self._stored_supports}
        self.support_counts = {cid: 0 for cid in self.comments}
        self.support_counts.update(self.conn.execute(_SUPPORT_COUNTS,
                                                     {"ids": list(self.comments)}).all())

    def _load_floor(self, needed: bool) -> None:
        self.floor_rows: list[tuple[Any, Any]] = []
        self.raised: set[int] = set()  # participants with an open request
        self._new_requests: list[SimpleNamespace] = []
        if not needed:
            return
        self.floor_rows = floor.load_rows(self.conn, self.meeting_id)
        self.raised = {req.participant_id for req, _ in self.floor_rows
                       if req.state in floor.OPEN_STATES}

    # --- votes -------------------------------------------------------------------

    def set_vote(self, participant: Person, proposal_id: int, value: int) -> None:
        b = self.ballots
        mine = b.mine[participant.id]
        before = mine.get(proposal_id, 0)
        had_any = bool(mine)
        if value:
            mine[proposal_id] = value
        else:
            mine.pop(proposal_id, None)
        site = b.sums[proposal_id].setdefault(participant.site_id, [0, 0])
        site[0] += value - before
        site[1] += (1 if value else 0) - (1 if before else 0)
        if had_any != bool(mine):
            b.voters[participant.site_id] += 1 if mine else -1

    def vote_sums(self, proposal_id: int) -> dict[int, list[int]]:
        return {sid: s for sid, s in self.ballots.sums.get(proposal_id, {}).items() if s[1]}

    def voter_counts(self) -> dict:
        per_site = {sid: 0 for sid in self.site_ids}
        per_site.update((sid, n) for sid, n in self.ballots.voters.items() if n)
        return {"sites": per_site, "total": sum(per_site.values())}

    # --- marks -------------------------------------------------------------------

    def set_mark(self, participant: Person, proposal_id: int, mark: Mark_ | None) -> Mark_ | None:
        key = (participant.id, proposal_id)
        old = self.marks.get(key)
        counts = self.mark_counts.setdefault(proposal_id, {})
        if old is not None:
            c = counts[old.site_id]
            c[old.status] -= 1
            if not c[old.status]:
                del c[old.status]
        if mark is not None:
            if old is not None:
                mark.site_id, mark.id = old.site_id, old.id  # a mark keeps the site it was made at
            counts.setdefault(mark.site_id, Counter())[mark.status] += 1
        self.marks[key] = mark
        return mark

    def mark_counts_of(self, proposal_id: int) -> dict[int, Counter]:
        # Sites outside the meeting's list appear only while they hold marks, as from the table.
        return {sid: c for sid, c in self.mark_counts.get(proposal_id, {}).items()
                if c or sid in self.site_ids}

    # --- supports ----------------------------------------------------------------

    def set_support(self, participant: Person, comment_id: int, on: bool) -> int:
        key = (comment_id, participant.id)
        if self.supported.get(key, False) != on:
            self.supported[key] = on
            self.support_counts[comment_id] += 1 if on else -1
        return self.support_counts[comment_id]

    # --- the floor ---------------------------------------------------------------

    def raise_hand(self, who: Person, proposal_id: int | None, now: dt.datetime) -> list:
        """Queue a request; returns the floor rows as of it (ids filled in by write())."""
        req = SimpleNamespace(id=None, meeting_id=self.meeting_id, participant_id=who.id,
                              site_id=who.site_id, proposal_id=proposal_id, state="waiting",
                              requested_at=now, granted_at=None, ended_at=None,
                              turn_seconds=self.turn_seconds)
        self._new_requests.append(req)
        self.raised.add(who.id)
        # The queue's order is (requested_at, id); new ids come after the stored
        # ones, in the order requested (the sort is stable).
        self.floor_rows = sorted(self.floor_rows + [(req, who)], key=lambda row: (
            row[0].requested_at, row[0].id is None, row[0].id or 0))
        return self.floor_rows

    # --- storing -------------------------------------------------------------------

    def write(self) -> None:
        """Store what changed: one executemany per table and kind of change."""
        conn = self.conn
        if self.ballots is not None:
            b = self.ballots
            ins, upd, dele = [], [], []
            for p, before in b.stored.items():
                mine = b.mine[p]
                site_id = self.people[p].site_id
                for pid, value in mine.items():
                    if pid not in before:
                        ins.append((b.round.id, p, pid, site_id, value))
                    elif before[pid] != value:
                        upd.append({"r": b.round.id, "me": p, "p": pid, "v": value})
                dele.extend({"r": b.round.id, "me": p, "p": pid} for pid in before if pid not in mine)
            _many(conn, _DELETE_VOTE, dele)
            _many(conn, _UPDATE_VOTE, upd)
            _INSERT_VOTES.run(conn, ins)
        ins, upd, dele = [], [], []
        for (p, pid), m in self.marks.items():
            stored = self._stored_marks.get((p, pid))
            if m is None:
                if stored is not None:
                    dele.append({"mark_id": stored.id})
            elif stored is None:
                ins.append({"meeting_id": self.meeting_id, "proposal_id": pid, "participant_id": p,
                            "site_id": m.site_id, "status": m.status,
                            "plan_item_id": m.plan_item_id, "note": m.note,
                            "updated_at": m.updated_at})
            elif m is not stored:
                upd.append({"mark_id": stored.id, "s": m.status, "pi": m.plan_item_id,
                            "n": m.note, "at": m.updated_at})
        _many(conn, _DELETE_MARK, dele)
        _many(conn, _UPDATE_MARK, upd)
        _many(conn, _INSERT_MARK, ins)
        _many(conn, _DELETE_SUPPORT, [{"c": c, "me": p} for (c, p), on in self.supported.items()
                                      if not on and (c, p) in self._stored_supports])
        _many(conn, _INSERT_SUPPORT, [{"comment_id": c, "participant_id": p}
                                      for (c, p), on in self.supported.items()
                                      if on and (c, p) not in self._stored_supports])
        if self._new_requests:
            rows = [{k: getattr(r, k) for k in ("meeting_id", "participant_id", "site_id",
                                                "proposal_id", "state", "requested_at",
                                                "turn_seconds")}
                    for r in self._new_requests]
            for req, new_id in zip(self._new_requests, conn.execute(_INSERT_FLOOR, rows).scalars()):
                req.id = new_id


def _many(conn: Connection, statement, rows: list[dict]) -> None:
    if rows:
        conn.execute(statement, rows)
