"""Totals instead of every crowd event, for the clients that ask for it.

Under a vote burst a screen needs the new totals, not each of 500 ballots.
Every crowd event already carries absolute totals as of itself (a vote its
proposal's tally and the voter counts, a mark its proposal's summary, a
support the comment's count, a raised hand the whole queue), so a run of
consecutive crowd events is summed up exactly by the last totals of each
thing it touched. That is one `totals` item:

    {"seq": 140, "from_seq": 101, "type": "totals", "at": ..., "actor": null,
     "data": {"votes": {"round_id", "hide_results", "voters", "tallies"?},
              "summaries": {proposal_id: summary}, "supports": {comment_id: n},
              "floor": {...}}}

with only the keys the run touched. The facilitator's items (`full`) also
say who marked what, for the plan items and notes people attached:
`"marks": {proposal_id: {participant_id: {"name", "site_id", "mark"}}}`
(each person's last mark in the run; `mark` null when withdrawn). Applying it to a state at any seq from
`from_seq - 1` to `seq - 1` gives the state at `seq`: what it does not name
did not change in the range, what it names is set to its value at `seq`.
Other events are kept as they are, in order, and a lone crowd event too."""
from __future__ import annotations

CROWD_EVENTS = frozenset({"vote.cast", "proposal.mark", "comment.support", "floor.request"})
TOTALS = "totals"


def compact(events: list[dict], full: bool = False) -> list[dict]:
    """An events list (in seq order, as one audience sees it) with each run of
    crowd events replaced by one totals item (`full`: the facilitator's)."""
    out: list[dict] = []
    run: list[dict] = []
    run_round = None  # the round of the run's votes
    for e in events:
        crowd = e["type"] in CROWD_EVENTS
        round_id = e["data"]["round_id"] if e["type"] == "vote.cast" else None
        # Votes of two rounds never share an item (only a non-crowd event opens
        # a round, so this is a safeguard).
        if crowd and not (run_round is not None and round_id not in (None, run_round)):
            run.append(e)
        else:
            _close(run, out, full)
            run_round = None
            (run if crowd else out).append(e)
        run_round = round_id if round_id is not None else run_round
    _close(run, out, full)
    return out


def _close(run: list[dict], out: list[dict], full: bool) -> None:
    if len(run) == 1:
        out.append(run[0])
    elif run:
        out.append(totals(run, full))
    run.clear()


def totals(run: list[dict], full: bool = False) -> dict:
    data: dict = {}
    for e in run:
        d = e["data"]
        kind = e["type"]
        if kind == "vote.cast":
            votes = data.setdefault("votes", {"round_id": d["round_id"],
                                              "hide_results": d["hide_results"]})
            votes["voters"] = d["voters"]
            if "tally" in d:  # not for those who may not see a hidden round's tallies
                votes.setdefault("tallies", {})[str(d["proposal_id"])] = d["tally"]
        elif kind == "proposal.mark":
            data.setdefault("summaries", {})[str(d["proposal_id"])] = d["summary"]
            if full and e.get("actor"):
                who = e["actor"]
                data.setdefault("marks", {}).setdefault(str(d["proposal_id"]), {})[
                    str(who["participant_id"])] = {"name": who.get("name"), "site_id": who.get("site_id"),
                                                   "mark": d["mark"]}
        elif kind == "comment.support":
            data.setdefault("supports", {})[str(d["comment_id"])] = d["supports"]
        elif kind == "floor.request":
            data["floor"] = d["floor"]
    return {"seq": run[-1]["seq"], "from_seq": run[0]["seq"], "type": TOTALS,
            "at": run[-1]["at"], "actor": None, "data": data}
