"""Validation, exactly-once, meeting states and what each role sees,
through the live protocol (Flask-SocketIO's test client, threading mode)."""
import pytest

from sinkron.extensions import db
from sinkron.models import Comment, Event, Meeting, Vote


@pytest.fixture
def room(live, demo, join):
    """Facilitator, a participant at each site, and both projectors."""
    a = join(0, name="Ani", category="LSM", gender="P")
    b = join(1, name="Baiq", category="Tokoh Perempuan", gender="P")
    class Room:
        fac = live(demo.facilitator_token)
        prov = live(a["token"])
        lotim = live(b["token"])
        proj_prov = live(demo.sites[0].projector_token)
        proj_lotim = live(demo.sites[1].projector_token)
    Room.a, Room.b = a, b
    Room.proposals = [p["id"] for p in Room.fac.snapshot["proposals"]]
    Room.sites = [s["id"] for s in Room.fac.snapshot["sites"]]
    return Room


def error_code(ack):
    assert ack["ok"] is False, ack
    assert ack["error"]["message"], ack
    return ack["error"]["code"]


def count(app, model):
    with app.app_context():
        return db.session.query(model).count()


BAD_COMMANDS = [
    ("not an object", "x", "invalid"),
    ("list", [1, 2], "invalid"),
    ("no op_id", {"type": "comment.add", "kind": "masukan", "text": "a"}, "invalid"),
    ("op_id not text", {"op_id": 5, "type": "comment.add", "kind": "masukan", "text": "a"}, "invalid"),
    ("op_id too long", {"op_id": "x" * 65, "type": "comment.add", "kind": "masukan", "text": "a"}, "invalid"),
    ("unknown type", {"op_id": "u1", "type": "comment.delete"}, "invalid"),
    ("type not text", {"op_id": "u1", "type": ["comment.add"]}, "invalid"),
    ("missing field", {"op_id": "u2", "type": "comment.add", "kind": "masukan"}, "invalid"),
    ("unknown field", {"op_id": "u3", "type": "comment.add", "kind": "masukan", "text": "a", "x": 1}, "invalid"),
    ("wrong kind", {"op_id": "u4", "type": "comment.add", "kind": "rant", "text": "a"}, "invalid"),
    ("empty text", {"op_id": "u5", "type": "comment.add", "kind": "masukan", "text": "   "}, "invalid"),
    ("text too long", {"op_id": "u6", "type": "comment.add", "kind": "masukan", "text": "a" * 2001}, "invalid"),
    ("control characters", {"op_id": "u7c", "type": "comment.add", "kind": "masukan", "text": "a\x00b\x1b"}, "invalid"),
    ("text not text", {"op_id": "u7", "type": "comment.add", "kind": "masukan", "text": {"a": 1}}, "invalid"),
    ("unknown proposal", {"op_id": "u8", "type": "comment.add", "kind": "masukan", "text": "a", "proposal_id": 99999}, "not_found"),
    ("id not a number", {"op_id": "u9", "type": "proposal.mark", "proposal_id": "1", "status": None}, "invalid"),
    ("bool as id", {"op_id": "u10", "type": "proposal.mark", "proposal_id": True, "status": None}, "invalid"),
    ("unknown status", {"op_id": "u11", "type": "proposal.mark", "proposal_id": 1, "status": "ok"}, "invalid"),
    ("note too long", {"op_id": "u12", "type": "proposal.mark", "proposal_id": 1, "status": "dialihkan", "note": "n" * 501}, "invalid"),
    ("unknown plan item", {"op_id": "u13", "type": "proposal.mark", "proposal_id": 1, "status": "dialihkan", "plan_item_id": 4242}, "not_found"),
    ("support unknown comment", {"op_id": "u14", "type": "comment.support", "comment_id": 77, "on": True}, "not_found"),
    ("support not bool", {"op_id": "u15", "type": "comment.support", "comment_id": 77, "on": "yes"}, "invalid"),
    ("vote with no open round", {"op_id": "u16", "type": "vote.cast", "proposal_id": 1, "value": 1}, "conflict"),
    ("floor.withdraw with no hand", {"op_id": "u17", "type": "floor.withdraw"}, "conflict"),
    ("huge number", {"op_id": "u18", "type": "vote.cast", "proposal_id": 10**30, "value": 1}, "invalid"),
    ("float value", {"op_id": "u19", "type": "vote.cast", "proposal_id": 1, "value": 1.5}, "invalid"),
]


@pytest.mark.parametrize("name,payload,code", BAD_COMMANDS, ids=[b[0] for b in BAD_COMMANDS])
def test_bad_commands_change_nothing(app, room, name, payload, code):
    before = count(app, Event)
    ack = room.prov.raw(payload)
    assert error_code(ack) == code
    assert count(app, Event) == before


def test_facilitator_validation(app, room):
    app.extensions["sinkron"].limiter.burst = 1000  # many commands in a row, not a flood
    f = room.fac
    before = count(app, Event)
    assert error_code(f.send("agenda.reorder", proposal_ids=room.proposals[:-1])) == "invalid"
    assert error_code(f.send("agenda.reorder", proposal_ids=room.proposals + [room.proposals[0]])) == "invalid"
    assert error_code(f.send("agenda.reorder", proposal_ids=room.proposals[:-1] + [31337])) == "not_found"
    assert error_code(f.send("agenda.focus")) == "invalid"  # proposal_id must be given (null allowed)
    assert error_code(f.send("projector.view", view="cinema")) == "invalid"
    assert error_code(f.send("proposal.add")) == "invalid"
    assert error_code(f.send("proposal.add", title="")) == "invalid"
    assert error_code(f.send("proposal.add", title="x", cost=-5)) == "invalid"
    assert error_code(f.send("proposal.add", title="x", authority="Kecamatan")) == "invalid"
    assert error_code(f.send("proposal.update", proposal_id=room.proposals[0])) == "invalid"
    assert error_code(f.send("proposal.update", proposal_id=room.proposals[0], title=None)) == "invalid"
    for status in ("tidak_dapat_diakomodir", "dialihkan"):
        assert error_code(f.send("proposal.decide", proposal_id=room.proposals[0], status=status)) == "invalid"
        assert error_code(f.send("proposal.decide", proposal_id=room.proposals[0], status=status,
                                 reason="  ")) == "invalid"
    assert error_code(f.send("proposal.decide", proposal_id=room.proposals[0], status="terakomodir_kab",
                             follow_up={"due_date": "30-06-2020"})) == "invalid"
    assert error_code(f.send("proposal.decide", proposal_id=room.proposals[0], status="terakomodir_kab",
                             follow_up={"who": "x"})) == "invalid"
    assert error_code(f.send("voting.open", mode="stars")) == "invalid"
    assert error_code(f.send("voting.open", mode="dots", budget=3, max_per_proposal=4)) == "invalid"
    assert error_code(f.send("voting.close")) == "conflict"
    assert error_code(f.send("floor.end")) == "conflict"
    assert error_code(f.send("floor.grant", participant_id=999)) == "not_found"
    assert error_code(f.send("attendance.add", name="X", category="LSM")) == "invalid"  # site needed
    assert error_code(f.send("attendance.add", name="X", category="Nelayan", site_id=room.sites[0])) == "invalid"
    assert error_code(f.send("attendance.add", name="X" * 201, category="LSM", site_id=room.sites[0])) == "invalid"
    assert error_code(f.send("attendance.add", name="X", category="LSM", site_id=9999)) == "not_found"
    assert error_code(f.send("meeting.start")) == "conflict"  # already live
    assert error_code(f.send("meeting.reopen")) == "conflict"
    assert count(app, Event) == before


def test_ids_from_another_meeting_are_not_found(app, room):
    from sinkron.demo import create_demo
    with app.app_context():
        other = create_demo(db.session, "http://x")
        db.session.commit()
    other_fac = room.fac.__class__(app, other.facilitator_token)
    foreign_proposal = other_fac.snapshot["proposals"][0]["id"]
    foreign_plan = other_fac.snapshot["plan_items"][0]["id"]
    assert error_code(room.fac.send("agenda.focus", proposal_id=foreign_proposal)) == "not_found"
    assert error_code(room.prov.send("proposal.mark", proposal_id=room.proposals[0], status="dialihkan",
                                     plan_item_id=foreign_plan)) == "not_found"
    assert error_code(room.fac.send("participant.revoke",
                                    participant_id=other_fac.snapshot["me"]["participant_id"])) == "not_found"
    other_fac.sio.disconnect()


def test_dots_budget_and_maximum(app, room):
    f, p = room.fac, room.prov
    assert f.send("voting.open", mode="dots", budget=5, max_per_proposal=3)["ok"]
    p1, p2, p3 = room.proposals[:3]
    assert error_code(p.send("vote.cast", proposal_id=p1, value=4)) == "invalid"
    assert p.send("vote.cast", proposal_id=p1, value=3)["ok"]
    assert p.send("vote.cast", proposal_id=p2, value=2)["ok"]
    assert error_code(p.send("vote.cast", proposal_id=p3, value=1)) == "invalid"  # budget spent
    assert p.send("vote.cast", proposal_id=p1, value=1)["ok"]  # moving dots frees budget
    assert p.send("vote.cast", proposal_id=p3, value=2)["ok"]
    with app.app_context():
        votes = {v.proposal_id: v.value for v in db.session.query(Vote)}
    assert votes == {p1: 1, p2: 2, p3: 2}
    e = room.proj_lotim.wait_for("vote.cast")
    assert e["actor"] is None  # ballots are private


def test_score_range(room):
    f, p = room.fac, room.prov
    assert f.send("voting.open", mode="score")["ok"]
    assert error_code(f.send("voting.open", mode="dots")) == "conflict"  # one open at a time
    for bad in (0, 6, -1):
        assert error_code(p.send("vote.cast", proposal_id=room.proposals[0], value=bad)) == "invalid"
    assert p.send("vote.cast", proposal_id=room.proposals[0], value=5)["ok"]
    assert room.lotim.send("vote.cast", proposal_id=room.proposals[0], value=2)["ok"]
    ack = f.send("voting.close")
    assert ack["ok"]
    e = room.proj_prov.wait_for("voting.close")
    t = e["data"]["tallies"][str(room.proposals[0])]
    assert t["mean"] == 3.5 and t["count"] == 2
    assert t["sites"][str(room.sites[0])] == {"mean": 5.0, "count": 1}
    assert e["data"]["ranking"][0] == {"proposal_id": room.proposals[0], "rank": 1}


def test_repeated_op_id_returns_first_answer_and_changes_nothing(app, room):
    first = room.prov.send("comment.add", op_id="same-op", kind="masukan", text="Sekali saja")
    again = room.prov.send("comment.add", op_id="same-op", kind="masukan", text="Sekali saja")
    different_body = room.prov.send("comment.add", op_id="same-op", kind="pertanyaan", text="Lain")
    assert first["ok"] and again == first and different_body == first
    with app.app_context():
        assert db.session.query(Comment).filter_by(text="Sekali saja").count() == 1
        assert db.session.query(Comment).count() == 1
    # The same op_id from another participant is their own command.
    other = room.lotim.send("comment.add", op_id="same-op", kind="masukan", text="Dari Selong")
    assert other["ok"] and other["seq"] != first["seq"]


def test_rejections_are_not_remembered(room):
    bad = room.prov.send("comment.add", op_id="retry-me", kind="masukan", text="")
    assert error_code(bad) == "invalid"
    # A retry is judged afresh: once the meeting state allows it, it succeeds.
    vote = room.prov.send("vote.cast", op_id="vote-later", proposal_id=room.proposals[0], value=1)
    assert error_code(vote) == "conflict"
    assert room.fac.send("voting.open", mode="dots")["ok"]
    assert room.prov.send("vote.cast", op_id="vote-later", proposal_id=room.proposals[0], value=1)["ok"]


def test_draft_meeting_refuses_participant_writes(app, room, demo):
    with app.app_context():
        db.session.get(Meeting, demo.meeting_id).status = "draft"
        db.session.commit()
    assert error_code(room.prov.send("comment.add", kind="masukan", text="a")) == "conflict"
    assert error_code(room.prov.send("proposal.mark", proposal_id=room.proposals[0], status="dialihkan")) == "conflict"
    # The facilitator prepares the meeting meanwhile.
    assert room.fac.send("proposal.add", title="Disiapkan")["ok"]
    assert room.fac.send("agenda.focus", proposal_id=room.proposals[1])["ok"]
    assert error_code(room.fac.send("voting.open", mode="dots")) == "conflict"
    assert room.fac.send("meeting.start")["ok"]
    assert room.prov.send("comment.add", kind="masukan", text="a")["ok"]


def test_closed_meeting_answers_closed(app, room, client, demo):
    assert room.fac.send("voting.open", mode="dots")["ok"]
    assert room.fac.send("floor.grant", participant_id=room.a["participant_id"])["ok"]
    assert room.fac.send("meeting.close")["ok"]
    e = room.proj_prov.wait_for("meeting.close")
    assert e["data"]["voting"]["round"]["open"] is False  # closing ends the round
    assert e["data"]["floor"]["speaker"] is None           # ... and the turn
    for c, t, f in [(room.prov, "comment.add", {"kind": "masukan", "text": "a"}),
                    (room.fac, "agenda.focus", {"proposal_id": None}),
                    (room.fac, "proposal.add", {"title": "x"}),
                    (room.fac, "meeting.close", {})]:
        assert error_code(c.send(t, **f)) == "closed"
    # The final results can still go up on both projectors.
    assert room.fac.send("projector.view", view="results")["ok"]
    assert room.proj_lotim.wait_for("projector.view")["data"]["view"] == "results"
    assert error_code(room.prov.send("projector.view", view="agenda")) == "forbidden"
    r = client.post("/api/join", json={"code": demo.sites[0].join_code, "name": "Telat", "category": "LSM"})
    assert r.status_code == 400 and r.get_json()["error"]["code"] == "closed"
    assert room.fac.send("meeting.reopen")["ok"]
    assert room.prov.send("comment.add", kind="masukan", text="a")["ok"]


def test_hidden_results_only_for_facilitator(room, live, demo):
    assert room.fac.send("voting.open", mode="dots", hide_results=True)["ok"]
    assert room.prov.send("vote.cast", proposal_id=room.proposals[0], value=2)["ok"]
    fac_event = room.fac.wait_for("vote.cast")
    proj_event = room.proj_lotim.wait_for("vote.cast")
    assert fac_event["data"]["tally"]["total"] == 2
    assert "tally" not in proj_event["data"]
    assert proj_event["data"]["voters"]["total"] == 1
    # Snapshots say the same: a latecomer sees counts only, the facilitator tallies.
    late = live(demo.sites[1].projector_token)
    assert late.snapshot["voting"]["tallies"] is None
    assert late.snapshot["voting"]["voters"]["total"] == 1
    fac2 = live(demo.facilitator_token)
    assert fac2.snapshot["voting"]["tallies"][str(room.proposals[0])]["total"] == 2
    # Replay is redacted the same way.
    replay = live(demo.sites[1].projector_token, last_seq=late.snapshot["seq"] - 1)
    assert [e["type"] for e in replay.seen] == ["vote.cast"]
    assert "tally" not in replay.seen[0]["data"]
    # Closing reveals the results to everyone.
    assert room.fac.send("voting.close")["ok"]
    closed = room.proj_lotim.wait_for("voting.close")
    assert closed["data"]["tallies"][str(room.proposals[0])]["total"] == 2


def test_marks_summarise_per_site_and_disagreement(room, join, live):
    pid = room.proposals[0]
    c = join(0, name="Citra", category="OPD")
    citra = live(c["token"])
    assert room.prov.send("proposal.mark", proposal_id=pid, status="terakomodir_kab")["ok"]
    assert citra.send("proposal.mark", proposal_id=pid, status="belum_terakomodir")["ok"]
    ack = room.lotim.send("proposal.mark", proposal_id=pid, status="belum_terakomodir")
    e = room.proj_lotim.wait_seq(ack["seq"])
    summary = e["data"]["summary"]
    prov, lotim = (summary["sites"][str(s)] for s in room.sites)
    assert prov["counts"] == {"terakomodir_kab": 1, "belum_terakomodir": 1}
    assert prov["top"] == "terakomodir_kab"  # tie broken by the status table's order
    assert lotim["top"] == "belum_terakomodir"
    assert summary["disagreement"] is True
    # Withdrawing a mark with status null.
    ack = room.prov.send("proposal.mark", proposal_id=pid, status=None)
    e = room.proj_lotim.wait_seq(ack["seq"])
    assert e["data"]["mark"] is None
    assert e["data"]["summary"]["sites"][str(room.sites[0])]["top"] == "belum_terakomodir"
    assert e["data"]["summary"]["disagreement"] is False


def test_comment_support_and_hide(room, live, demo):
    assert room.lotim.send("comment.add", kind="masukan", text="Tambah embung", proposal_id=room.proposals[1])["ok"]
    cid = room.fac.wait_for("comment.add")["data"]["comment"]["id"]
    assert room.prov.send("comment.support", comment_id=cid, on=True)["ok"]
    ack = room.prov.send("comment.support", comment_id=cid, on=True)  # idempotent
    e = room.proj_prov.wait_seq(ack["seq"])
    assert e["data"] == {"comment_id": cid, "on": True, "supports": 1}
    host = live(demo.sites[1].host_token)
    assert host.send("comment.hide", comment_id=cid, hidden=True)["ok"]
    hidden = room.proj_prov.wait_for("comment.hide")
    assert hidden["data"] == {"comment_id": cid, "hidden": True}
    assert live(demo.sites[0].projector_token).snapshot["comments"] == []
    assert [c["id"] for c in live(demo.sites[1].host_token).snapshot["comments"]] == [cid]
    assert error_code(room.prov.send("comment.support", comment_id=cid, on=False)) == "not_found"
    ack = host.send("comment.hide", comment_id=cid, hidden=False)
    shown = room.proj_prov.wait_seq(ack["seq"])
    assert shown["data"]["comment"]["text"] == "Tambah embung"


def test_floor_queue_suggests_the_quieter_room(room, join, live):
    f = room.fac
    # Provinsi has spoken once already.
    assert f.send("floor.grant", participant_id=room.a["participant_id"])["ok"]
    assert f.send("floor.end")["ok"]
    assert room.prov.send("floor.request")["ok"]
    assert error_code(room.prov.send("floor.request")) == "conflict"  # one open request each
    ack = room.lotim.send("floor.request", proposal_id=room.proposals[0])
    e = room.proj_prov.wait_seq(ack["seq"])
    floor = e["data"]["floor"]
    assert [q["participant_id"] for q in floor["queue"]] == [room.a["participant_id"], room.b["participant_id"]]
    assert floor["suggested"][0] == room.b["participant_id"]
    ack = f.send("floor.grant", participant_id=room.b["participant_id"])
    e = room.proj_prov.wait_seq(ack["seq"])
    assert e["data"]["floor"]["speaker"]["participant_id"] == room.b["participant_id"]
    assert e["data"]["floor"]["speaker"]["turn_end"]
    assert room.prov.send("floor.withdraw")["ok"]
    assert error_code(room.prov.send("floor.withdraw")) == "conflict"


def test_revoked_participant_is_disconnected_and_refused(app, room, demo, live):
    from sinkron.extensions import socketio
    assert room.fac.send("participant.revoke", participant_id=room.a["participant_id"])["ok"]
    room.fac.wait_for("participant.revoke")
    import time
    deadline = time.monotonic() + 5
    while room.prov.connected and time.monotonic() < deadline:
        time.sleep(0.02)
    assert not room.prov.connected
    again = socketio.test_client(app, auth={"token": room.a["token"]})
    assert not again.is_connected()


def test_connect_is_refused_without_a_good_token(app):
    from sinkron.extensions import socketio
    for auth in (None, {}, {"token": None}, {"token": "x" * 32}, {"token": 42}, "token", {"token": ["a"]}):
        c = socketio.test_client(app, auth=auth)
        assert not c.is_connected(), auth


def test_projector_cannot_command_and_may_report_shown(room):
    assert error_code(room.proj_prov.send("comment.add", kind="masukan", text="a")) == "forbidden"
    room.proj_prov.sio.emit("shown", {"proposal_id": room.proposals[0], "seq": 3})
    room.proj_prov.sio.emit("shown", "garbage")
    assert room.proj_prov.connected


def test_garbage_events_do_not_break_the_connection(room):
    for payload in (None, 1, "x", [], {"last_seq": "a"}, {"last_seq": -5}):
        room.prov.sio.emit("sync", payload, callback=True)
    room.prov.sio.emit("no-such-event", {"a": 1})
    assert room.prov.connected
    assert room.prov.send("comment.add", kind="masukan", text="masih bisa")["ok"]


def test_rate_limit(room):
    acks = [room.prov.send("comment.support", comment_id=1, on=True) for _ in range(25)]
    codes = [a["error"]["code"] for a in acks if not a["ok"]]
    assert "rate_limited" in codes
    assert codes.count("rate_limited") <= 25 - 20 + 2  # the burst of 20 passes


def test_error_messages_follow_the_connection_language(app, demo, join):
    from sinkron.extensions import socketio
    a = join(0)
    msgs = {}
    for lang in ("id", "en"):
        c = socketio.test_client(app, auth={"token": a["token"], "lang": lang})
        msgs[lang] = c.emit("command", {"op_id": f"l-{lang}", "type": "comment.add", "kind": "masukan",
                                        "text": ""}, callback=True)["error"]["message"]
        c.disconnect()
    assert msgs["en"] == "'text' must not be empty."
    assert msgs["id"] != msgs["en"]


def test_revoking_withdraws_marks_open_votes_and_supports(app, room, live, demo):
    pid = room.proposals[0]
    f = room.fac
    assert f.send("voting.open", mode="dots", hide_results=True)["ok"]
    assert room.prov.send("proposal.mark", proposal_id=pid, status="dialihkan")["ok"]
    assert room.lotim.send("proposal.mark", proposal_id=pid, status="dialihkan")["ok"]
    assert room.prov.send("vote.cast", proposal_id=pid, value=3)["ok"]
    assert room.lotim.send("vote.cast", proposal_id=pid, value=1)["ok"]
    assert room.lotim.send("comment.add", kind="masukan", text="Setuju")["ok"]
    cid = f.wait_for("comment.add")["data"]["comment"]["id"]
    assert room.prov.send("comment.support", comment_id=cid, on=True)["ok"]
    ack = f.send("participant.revoke", participant_id=room.a["participant_id"])
    assert ack["ok"], ack
    full = f.wait_seq(ack["seq"])["data"]
    prov_site = str(room.sites[0])
    assert full["summaries"][str(pid)]["sites"][prov_site]["total"] == 0
    assert full["summaries"][str(pid)]["disagreement"] is False
    assert full["supports"] == {str(cid): 0}
    assert full["voting"]["tallies"][str(pid)]["total"] == 1
    assert full["voting"]["voters"]["total"] == 1
    public = room.proj_lotim.wait_seq(ack["seq"])["data"]
    assert "tallies" not in public["voting"]  # hidden round: counts only
    assert public["voting"]["voters"]["total"] == 1
    # Snapshots agree with the event.
    snap = live(demo.facilitator_token).snapshot
    assert snap["proposals"][0]["summary"]["sites"][prov_site]["total"] == 0
    assert snap["voting"]["tallies"][str(pid)]["total"] == 1
    assert snap["comments"][0]["supports"] == 0
