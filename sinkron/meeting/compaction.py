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

with only the keys the run touched. Applying it to a state at any seq from
`from_seq - 1` to `seq - 1` gives the state at `seq`: what it does not name
did not change in the range, what it names is set to its value at `seq`.
Other events are kept as they are, in order, and a lone crowd event too."""
from __future__ import annotations

CROWD_EVENTS = frozenset({"vote.cast", "proposal.mark", "comment.support", "floor.request"})
TOTALS = "totals"


def compact(events: list[dict]) -> list[dict]:
    """An events list (in seq order, as one audience sees it) with each run of
    crowd events replaced by one totals item."""
    out: list[dict] = []
    run: list[dict] = []
    for e in events:
        if e["type"] in CROWD_EVENTS and not (run and _new_round(run, e)):
            run.append(e)
            continue
        _close(run, out)
        (run if e["type"] in CROWD_EVENTS else out).append(e)
    _close(run, out)
    return out


def _new_round(run: list[dict], e: dict) -> bool:
    """Votes of two rounds never share an item (only a non-crowd event opens a
    round, so this is a safeguard)."""
    if e["type"] != "vote.cast":
        return False
    rounds = {x["data"]["round_id"] for x in run if x["type"] == "vote.cast"}
    return bool(rounds) and e["data"]["round_id"] not in rounds


def _close(run: list[dict], out: list[dict]) -> None:
    if len(run) == 1:
        out.append(run[0])
    elif run:
        out.append(totals(run))
    run.clear()


def totals(run: list[dict]) -> dict:
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
        elif kind == "comment.support":
            data.setdefault("supports", {})[str(d["comment_id"])] = d["supports"]
        elif kind == "floor.request":
            data["floor"] = d["floor"]
    return {"seq": run[-1]["seq"], "from_seq": run[0]["seq"], "type": TOTALS,
            "at": run[-1]["at"], "actor": None, "data": data}
