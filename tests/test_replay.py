"""Snapshots per role, replay of missed events, sync, batching and presence."""
import time

from sinkron.extensions import db
from sinkron.models import Event


def test_snapshot_shape_per_role(live, demo, join):
    a = join(0, name="Ani")
    keys = {"seq", "me", "meeting", "sites", "proposals", "withdrawn", "plan_items", "voting", "comments", "floor",
            "focus", "projector_view", "presence", "my_marks", "attendees", "comments_earlier",
            "focus_suggestions", "suggestions", "attached"}
    fac = live(demo.facilitator_token).snapshot
    part = live(a["token"]).snapshot
    proj = live(demo.sites[0].projector_token).snapshot
    host = live(demo.sites[0].host_token).snapshot
    for snap in (fac, part, proj, host):
        assert set(snap) == keys
        assert [p["position"] for p in snap["proposals"]] == sorted(p["position"] for p in snap["proposals"])
        first = snap["proposals"][0]
        assert set(first["summary"]["sites"]) == {str(s.id) for s in demo.sites}
        assert first["decision"] is None
    assert part["me"]["participant_id"] == a["participant_id"] and part["me"]["role"] == "participant"
    assert proj["me"] == {"participant_id": None, "role": "projector", "site_id": demo.sites[0].id}
    # Presence and attendance lists are for the facilitator and hosts only.
    assert fac["presence"]["total"] >= 1 and host["presence"] is not None
    assert part["presence"] is None and proj["presence"] is None
    assert part["attendees"] is None and proj["attendees"] is None
    # Every proposal's suggestions and who attached what: the facilitator's only.
    for snap in (part, proj, host):
        assert snap["suggestions"] is None and snap["attached"] is None
    assert fac["suggestions"] == {} and fac["attached"] == {}
    assert {p["site_id"] for p in host["attendees"]} == {demo.sites[0].id}
    assert len(fac["attendees"]) == 4


def test_snapshot_carries_my_marks_votes_and_supports(live, demo, join):
    a = join(0)
    p = live(a["token"])
    fac = live(demo.facilitator_token)
    pid = p.snapshot["proposals"][0]["id"]
    assert p.send("proposal.mark", proposal_id=pid, status="perlu_klarifikasi", note="cek lokasi")["ok"]
    assert p.send("comment.add", kind="masukan", text="Tambah")["ok"]
    cid = fac.wait_for("comment.add")["data"]["comment"]["id"]
    assert p.send("comment.support", comment_id=cid, on=True)["ok"]
    assert fac.send("voting.open", mode="dots")["ok"]
    assert p.send("vote.cast", proposal_id=pid, value=2)["ok"]
    again = live(a["token"]).snapshot
    assert again["my_marks"] == {str(pid): {"status": "perlu_klarifikasi", "plan_item_id": None,
                                            "note": "cek lokasi"}}
    assert again["voting"]["my_votes"] == {str(pid): 2}
    assert again["comments"][0]["supported"] is True and again["comments"][0]["supports"] == 1
    assert again["proposals"][0]["summary"]["sites"][str(demo.sites[0].id)]["top"] == "perlu_klarifikasi"


def test_reconnect_with_last_seq_gets_exactly_the_missed_events(live, demo, join):
    a = join(1)
    fac = live(demo.facilitator_token)
    proj = live(demo.sites[0].projector_token)
    seq = proj.snapshot["seq"]
    proj.sio.disconnect()
    p = live(a["token"])
    acks = [fac.send("agenda.focus", proposal_id=fac.snapshot["proposals"][1]["id"]),
            p.send("comment.add", kind="pertanyaan", text="Siapa pelaksananya?"),
            fac.send("projector.view", view="agenda")]
    back = live(demo.sites[0].projector_token, last_seq=seq)
    assert back.snapshot is None
    assert [e["seq"] for e in back.seen] == [a["seq"] for a in acks] == [seq + 1, seq + 2, seq + 3]
    assert [e["type"] for e in back.seen] == ["agenda.focus", "comment.add", "projector.view"]
    # Up to date: an empty list, not a snapshot.
    current = live(demo.sites[0].projector_token, last_seq=seq + 3)
    assert current.snapshot is None and current.seen == []
    received = current.sio.get_received()
    assert received == []
    # Later events still arrive live, once each.
    ack = fac.send("projector.view", view="item")
    assert back.wait_seq(ack["seq"])["data"] == {"view": "item"}
    time.sleep(0.1)
    back.drain()
    assert [e["seq"] for e in back.seen] == list(range(seq + 1, ack["seq"] + 1))


def test_too_far_behind_or_nonsense_gets_a_snapshot(app, live, demo):
    app.config["SINKRON_REPLAY_LIMIT"] = 3
    fac = live(demo.facilitator_token)
    seq = fac.snapshot["seq"]
    for view in ("agenda", "results", "join", "item"):
        assert fac.send("projector.view", view=view)["ok"]
    far = live(demo.sites[0].projector_token, last_seq=seq)
    assert far.snapshot is not None and far.snapshot["seq"] == seq + 4 and far.seen == []
    near = live(demo.sites[0].projector_token, last_seq=seq + 1)
    assert near.snapshot is None and len(near.seen) == 3
    for nonsense in (seq + 100, -1, "12", True, 1.5):
        c = live(demo.sites[0].projector_token, last_seq=nonsense)
        assert c.snapshot is not None, nonsense


def test_sync_on_demand(live, demo):
    fac = live(demo.facilitator_token)
    proj = live(demo.sites[1].projector_token)
    seq = proj.snapshot["seq"]
    ack = fac.send("projector.view", view="results")
    proj.wait_seq(ack["seq"])
    proj.seen.clear()
    assert proj.sio.emit("sync", {"last_seq": seq}, callback=True) == {"ok": True}
    proj.drain()
    assert [e["seq"] for e in proj.seen] == [ack["seq"]]
    proj.snapshot = None
    proj.sio.emit("sync", {}, callback=True)
    proj.drain()
    assert proj.snapshot["projector_view"] == "results"


def test_events_have_the_documented_shape(live, demo, join):
    a = join(0, name="Ani")
    p = live(a["token"])
    proj = live(demo.sites[1].projector_token)
    ack = p.send("comment.add", kind="masukan", text="Bagus")
    e = proj.wait_seq(ack["seq"])
    assert set(e) == {"seq", "type", "at", "actor", "data"}
    assert e["at"].endswith("Z")
    assert e["actor"] == {"participant_id": a["participant_id"], "name": "Ani",
                          "site_id": demo.sites[0].id, "role": "participant"}


def test_burst_shares_messages_and_commits(app, live, demo, join):
    """Many commands at once: every event arrives once, in order, in fewer
    messages than events, and the writer needed fewer commits than commands."""
    import threading
    app.config["SINKRON_BATCH_WINDOW_MS"] = 50
    app.extensions["sinkron"].broadcaster.window = 0.05
    fac = live(demo.facilitator_token)
    proj = live(demo.sites[0].projector_token)
    start_seq = proj.snapshot["seq"]
    assert fac.send("voting.open", mode="dots", budget=5, max_per_proposal=3)["ok"]
    voters = [live(join(i % 2, name=f"V{i}")["token"]) for i in range(30)]
    proposals = [p["id"] for p in fac.snapshot["proposals"]]
    proj.drain()
    proj.seen.clear()
    messages_before = len([m for m in proj.sio.get_received() if m["name"] == "events"])
    writer = app.extensions["sinkron"].writer
    batches_before = writer.batches
    acks = []

    def vote(i, client):
        acks.append(client.send("vote.cast", proposal_id=proposals[i % 5], value=1 + i % 3))
    threads = [threading.Thread(target=vote, args=(i, c)) for i, c in enumerate(voters)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert all(a["ok"] for a in acks), acks
    last = max(a["seq"] for a in acks)
    messages = []
    deadline = time.monotonic() + 5
    while (not proj.seen or proj.seen[-1]["seq"] < last) and time.monotonic() < deadline:
        got = proj.sio.get_received()
        messages += [m for m in got if m["name"] == "events"]
        for m in got:
            if m["name"] == "events":
                proj.seen.extend(m["args"][0])
        time.sleep(0.01)
    seqs = [e["seq"] for e in proj.seen]
    assert seqs == sorted(set(seqs)) and seqs[-1] == last
    assert seqs == list(range(seqs[0], last + 1))
    assert len(messages) < 30
    assert writer.batches - batches_before < 30
    assert messages_before >= 0 and start_seq < last


def test_presence_counts_and_projector_reports(app, live, demo, join):
    a = join(1, name="Ani", category="Pemuda")
    fac = live(demo.facilitator_token)
    live(a["token"])
    proj = live(demo.sites[1].projector_token)
    proj.sio.emit("shown", {"proposal_id": None, "seq": proj.snapshot["seq"]})
    deadline = time.monotonic() + 5
    presence = None
    while time.monotonic() < deadline:
        for m in fac.sio.get_received():
            if m["name"] == "presence":
                presence = m["args"][0]
        site = (presence or {}).get("sites", {}).get(str(demo.sites[1].id))
        if site and site["roles"].get("participant") and presence["projectors"] and \
                presence["projectors"][0]["seq"] is not None:
            break
        time.sleep(0.05)
    site = presence["sites"][str(demo.sites[1].id)]
    # The demo's facilitator sits at Lombok Timur too.
    assert site["roles"] == {"participant": 1, "projector": 1, "facilitator": 1}
    assert site["categories"] == {"Pemuda": 1, "HIMASPI": 1}
    assert site["total"] == 3
    assert presence["projectors"][0]["site_id"] == demo.sites[1].id
    assert presence["projectors"][0]["seq"] == proj.snapshot["seq"]


def test_no_events_without_a_stored_row(app, live, demo, join):
    """Every event a client saw is in the database (the audit log)."""
    p = live(join(0)["token"])
    acks = [p.send("comment.add", kind="masukan", text=f"c{i}") for i in range(5)]
    with app.app_context():
        stored = {e.seq for e in db.session.query(Event)}
    assert {a["seq"] for a in acks} <= stored
