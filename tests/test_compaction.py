"""Totals instead of every crowd event (auth.compact): a compacting client,
live or replaying from any last_seq, inside or outside a compacted range,
ends with the state of a client that applied every event; a plain client
still gets every event; the gap rule holds for totals items."""
import threading

import pytest

from sinkron.meeting.compaction import compact


class Gap(Exception):
    pass


def state_of(snap: dict) -> dict:
    """What the screens show that crowd commands change, from a snapshot."""
    v = snap["voting"]
    return {"seq": snap["seq"], "focus": snap["focus"], "floor": snap["floor"],
            "round": (v["round"] or {}).get("id"), "voters": v["voters"],
            "tallies": dict(v["tallies"] or {}),
            "summaries": {str(p["id"]): p["summary"] for p in snap["proposals"]},
            "supports": {str(c["id"]): c["supports"] for c in snap["comments"]}}


def apply(st: dict, e: dict) -> None:
    """The client rule of docs/protocol.md, for events and totals items."""
    if e["seq"] <= st["seq"]:
        return  # had it already
    if e.get("from_seq", e["seq"]) > st["seq"] + 1:
        raise Gap(f"at {st['seq']}, got {e.get('from_seq')}..{e['seq']}")
    d, kind = e["data"], e["type"]
    if kind == "vote.cast" and d["round_id"] == st["round"]:
        st["voters"] = d["voters"]
        st["tallies"][str(d["proposal_id"])] = d["tally"]
    elif kind == "proposal.mark":
        st["summaries"][str(d["proposal_id"])] = d["summary"]
    elif kind == "comment.support":
        st["supports"][str(d["comment_id"])] = d["supports"]
    elif kind == "comment.add":
        st["supports"][str(d["comment"]["id"])] = d["comment"]["supports"]
    elif kind.startswith("floor."):
        st["floor"] = d["floor"]
    elif kind == "agenda.focus":
        st["focus"] = d["proposal_id"]
    elif kind == "totals":
        st["summaries"].update(d.get("summaries", {}))
        st["supports"].update(d.get("supports", {}))
        if "floor" in d:
            st["floor"] = d["floor"]
        votes = d.get("votes")
        if votes and votes["round_id"] == st["round"]:
            st["voters"] = votes["voters"]
            st["tallies"].update(votes.get("tallies", {}))
    st["seq"] = e["seq"]


def replay(st: dict, events: list[dict]) -> dict:
    st = {k: (dict(v) if isinstance(v, dict) else v) for k, v in st.items()}
    for e in events:
        apply(st, e)
    return st


@pytest.fixture
def crowd_meeting(app, live, demo, join):
    """An open dots round, a comment, and 16 participants over both sites."""
    app.extensions["sinkron"].limiter.burst = 1000
    fac = live(demo.facilitator_token)
    assert fac.send("voting.open", mode="dots", budget=5, max_per_proposal=3)["ok"]
    people = [live(join(i % 2, name=f"V{i}")["token"]) for i in range(16)]
    ack = people[0].send("comment.add", kind="masukan", text="Dukung ini")
    comment = fac.wait_seq(ack["seq"])["data"]["comment"]["id"]
    return fac, people, [p["id"] for p in fac.snapshot["proposals"]], comment


def _burst(fac, people, proposals, comment) -> int:
    """Everyone votes, marks, supports and raises a hand at once, while the
    facilitator moves the focus: runs of crowd events with others between."""
    acks = []

    def person(i, c):
        acks.append(c.send("vote.cast", proposal_id=proposals[i % 4], value=1 + i % 3))
        acks.append(c.send("proposal.mark", proposal_id=proposals[i % 3],
                           status=("terakomodir_kab", "dialihkan")[i % 2]))
        acks.append(c.send("comment.support", comment_id=comment, on=True))
        if i % 3 == 0:
            acks.append(c.send("floor.request"))
        acks.append(c.send("vote.cast", proposal_id=proposals[(i + 1) % 4], value=1))

    def facilitator():
        for pid in proposals[:3]:
            acks.append(fac.send("agenda.focus", proposal_id=pid))
    threads = [threading.Thread(target=person, args=(i, c)) for i, c in enumerate(people)]
    threads.append(threading.Thread(target=facilitator))
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert all(a["ok"] for a in acks), [a for a in acks if not a["ok"]]
    return max(a["seq"] for a in acks)


def test_compacting_clients_end_where_every_event_leads(app, live, demo, crowd_meeting):
    app.extensions["sinkron"].broadcaster.window = 0.05  # wide windows: long runs
    fac, people, proposals, comment = crowd_meeting
    plain = live(demo.sites[0].projector_token)
    squeezed = live(demo.sites[1].projector_token, compact=True)
    start = state_of(plain.snapshot)
    assert squeezed.snapshot["seq"] == start["seq"]

    last = _burst(fac, people, proposals, comment)
    plain.wait_seq(last)
    squeezed._wait_event(lambda e: e["seq"] == last, f"no item ending at {last}", 5)
    everything = plain.seen
    assert [e["seq"] for e in everything] == list(range(start["seq"] + 1, last + 1))
    assert all(e["type"] != "totals" for e in everything)  # a plain client gets every event
    final = replay(start, everything)

    # Live: fewer items than events, some of them totals, and the same end.
    items = squeezed.seen
    assert any(e["type"] == "totals" for e in items)
    assert len(items) < len(everything)
    assert replay(state_of(squeezed.snapshot), items) == final

    # Replaying from any last_seq: the server's compacted replay leads there.
    at = {start["seq"]: start}
    for e in everything:
        at[e["seq"]] = replay(at[e["seq"] - 1], [e])
    for last_seq in range(start["seq"], last + 1):
        back = live(demo.sites[1].projector_token, last_seq=last_seq, compact=True)
        assert back.snapshot is None
        assert replay(at[last_seq], back.seen) == final, last_seq
        back.sio.disconnect()

    # Inside a compacted range: a state at any seq a totals item spans, given
    # that item and what follows, ends the same (the client applies an item
    # whose from_seq <= its seq + 1).
    inside = 0
    for k, item in enumerate(items):
        for last_seq in range(item.get("from_seq", item["seq"]) - 1, item["seq"]):
            if last_seq >= start["seq"]:
                inside += 1
                assert replay(at[last_seq], items[k:]) == final
    assert inside > len(items)


def test_compaction_is_exact_for_any_cut_of_the_log(app, live, demo, crowd_meeting):
    """Pure: the log cut anywhere and each part compacted still leads to the
    same state, and an item that starts after the client's seq is a gap."""
    fac, people, proposals, comment = crowd_meeting
    plain = live(demo.sites[0].projector_token)
    start = state_of(plain.snapshot)
    last = _burst(fac, people, proposals, comment)
    plain.wait_seq(last)
    log = plain.seen
    final = replay(start, log)
    for cut in range(len(log) + 1):
        parts = compact(log[:cut]) + compact(log[cut:])
        assert replay(start, parts) == final, cut
    runs = [e for e in compact(log) if e["type"] == "totals"]
    assert runs
    with pytest.raises(Gap):
        replay({**start, "seq": runs[0]["from_seq"] - 2}, [runs[0]])


def test_hidden_round_totals_carry_no_tallies_for_the_public(app, live, demo, join):
    app.extensions["sinkron"].broadcaster.window = 0.05
    fac = live(demo.facilitator_token, compact=True)
    assert fac.send("voting.open", mode="score", hide_results=True)["ok"]
    proj = live(demo.sites[0].projector_token, compact=True)
    voters = [live(join(i % 2, name=f"S{i}")["token"]) for i in range(8)]
    pid = fac.snapshot["proposals"][0]["id"]
    acks = []
    threads = [threading.Thread(target=lambda c=c: acks.append(
        c.send("vote.cast", proposal_id=pid, value=4))) for c in voters]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    last = max(a["seq"] for a in acks)
    for client in (fac, proj):
        client._wait_event(lambda e: e["seq"] == last, "no last item", 5)
    public = [e for e in proj.seen if e["type"] in ("totals", "vote.cast")]
    assert public and all("tally" not in e["data"] and "tallies" not in e["data"].get("votes", {})
                          for e in public)
    assert public[-1]["data"].get("voters", public[-1]["data"].get("votes", {}).get("voters"))["total"] == 8
    full = [e for e in fac.seen if e["type"] in ("totals", "vote.cast")]
    last_tally = [e for e in full if e["seq"] == last][0]
    tallies = last_tally["data"].get("votes", {}).get("tallies") or {str(pid): last_tally["data"]["tally"]}
    assert tallies[str(pid)]["count"] == 8 and tallies[str(pid)]["mean"] == 4
