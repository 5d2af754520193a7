"""Withdrawing a proposal from the agenda and restoring it; the meeting's
settings after creation; shared ranks; the speaker lowering their hand."""
import pytest

from sinkron.extensions import db
from sinkron.meeting.tallies import ranking, shared_ranks
from sinkron.models import Comment, Decision, Mark, Proposal, Vote


def ok(ack):
    assert ack.get("ok"), ack
    return ack


@pytest.fixture
def room(live, demo, join):
    fac = live(demo.facilitator_token)
    a, b = join(0, name="Ani"), join(1, name="Budi")
    return {"fac": fac, "a": live(a["token"]), "b": live(b["token"]),
            "proj": live(demo.sites[0].projector_token),
            "ids": [p["id"] for p in fac.snapshot["proposals"]], "a_id": a["participant_id"]}


def test_withdraw_returns_open_round_dots_and_leaves_agenda_tallies_and_ranking(app, live, demo, room):
    fac, a, b, (p1, p2, p3) = room["fac"], room["a"], room["b"], room["ids"][:3]
    ok(fac.send("agenda.focus", proposal_id=p1))
    ok(a.send("proposal.mark", proposal_id=p1, status="terakomodir_kab"))
    ok(a.send("comment.add", kind="masukan", text="Penting", proposal_id=p1))
    ok(fac.send("proposal.decide", proposal_id=p1, status="belum_terakomodir"))
    ok(fac.send("voting.open", mode="dots", budget=5, max_per_proposal=3))
    ok(a.send("vote.cast", proposal_id=p1, value=3))
    ok(a.send("vote.cast", proposal_id=p2, value=2))
    ok(b.send("vote.cast", proposal_id=p1, value=1))
    # Ani's budget is spent: nothing more fits until the withdrawal returns her dots.
    assert a.send("vote.cast", proposal_id=p3, value=1)["error"]["code"] == "invalid"

    ack = ok(fac.send("proposal.withdraw", proposal_id=p1, reason="Digabung dengan HMS-02"))
    e = room["proj"].wait_seq(ack["seq"])
    assert e["type"] == "proposal.withdraw"
    assert e["data"]["proposal_id"] == p1 and e["data"]["focus"] is None
    assert e["data"]["withdrawn"]["reason"] == "Digabung dengan HMS-02"
    voting = e["data"]["voting"]
    assert voting["returned"] == 2
    assert voting["tallies"][str(p1)]["total"] == 0
    assert voting["voters"]["total"] == 1  # Budi voted only on p1

    ok(a.send("vote.cast", proposal_id=p3, value=3))  # the three dots came back
    again = live(demo.facilitator_token).snapshot
    assert p1 not in [p["id"] for p in again["proposals"]]
    assert [w["id"] for w in again["withdrawn"]] == [p1]
    assert again["withdrawn"][0]["withdrawn"]["reason"] == "Digabung dengan HMS-02"
    assert again["withdrawn"][0]["decision"]["status"] == "belum_terakomodir"
    assert str(p1) not in again["voting"]["tallies"]
    assert p1 not in [r["proposal_id"] for r in again["voting"]["ranking"]]
    assert again["focus"] is None
    # Nothing was deleted but the returned dots.
    with app.app_context():
        assert db.session.get(Proposal, p1).withdrawn_at is not None
        assert db.session.query(Mark).filter_by(proposal_id=p1).count() == 1
        assert db.session.query(Comment).filter_by(proposal_id=p1).count() == 1
        assert db.session.get(Decision, p1) is not None
        assert db.session.query(Vote).filter_by(proposal_id=p1).count() == 0

    # Off the agenda: the crowd and the facilitator's agenda commands refuse it.
    comment_id = fac.wait_for("comment.add")["data"]["comment"]["id"]
    for client, type_, fields in (
            (a, "vote.cast", {"proposal_id": p1, "value": 1}),
            (a, "proposal.mark", {"proposal_id": p1, "status": "dialihkan"}),
            (a, "comment.add", {"kind": "masukan", "text": "x", "proposal_id": p1}),
            (b, "comment.support", {"comment_id": comment_id, "on": True}),
            (b, "floor.request", {"proposal_id": p1}),
            (fac, "agenda.focus", {"proposal_id": p1}),
            (fac, "proposal.decide", {"proposal_id": p1, "status": "terakomodir_kab"}),
            (fac, "proposal.withdraw", {"proposal_id": p1, "reason": "lagi"})):
        answer = client.send(type_, **fields)
        assert answer["ok"] is False and answer["error"]["code"] == "conflict", (type_, answer)
    # The agenda is now a permutation without it.
    rest = [p["id"] for p in again["proposals"]]
    ok(fac.send("agenda.reorder", proposal_ids=list(reversed(rest))))
    assert fac.send("agenda.reorder", proposal_ids=[p1, *rest])["error"]["code"] == "not_found"


def test_restore_brings_it_back_with_its_marks_decision_and_closed_round_votes(live, demo, room):
    fac, a, (p1, p2) = room["fac"], room["a"], room["ids"][:2]
    ok(a.send("proposal.mark", proposal_id=p1, status="terakomodir_prov"))
    ok(fac.send("voting.open", mode="score"))
    ok(a.send("vote.cast", proposal_id=p1, value=4))
    ok(fac.send("voting.close"))
    ok(fac.send("proposal.withdraw", proposal_id=p1, reason="Salah ketik"))
    assert fac.send("proposal.restore", proposal_id=p2)["error"]["code"] == "conflict"
    ack = ok(fac.send("proposal.restore", proposal_id=p1))
    e = room["proj"].wait_seq(ack["seq"])
    restored = e["data"]["proposal"]
    assert restored["id"] == p1 and restored["withdrawn"] is None and restored["position"] == 1
    assert restored["summary"]["sites"][str(room["proj"].snapshot["me"]["site_id"])]["top"] == "terakomodir_prov"
    # The closed round kept the votes on it: its result counts again.
    assert e["data"]["voting"]["tallies"][str(p1)]["mean"] == 4
    snap = live(demo.facilitator_token).snapshot
    assert snap["proposals"][0]["id"] == p1 and snap["withdrawn"] == []
    assert snap["voting"]["ranking"][0] == {"proposal_id": p1, "rank": 1}


def test_withdraw_in_a_hidden_round_hides_the_totals_from_everyone_but_the_facilitator(room):
    fac, a, p1 = room["fac"], room["a"], room["ids"][0]
    ok(fac.send("voting.open", mode="dots", hide_results=True))
    ok(a.send("vote.cast", proposal_id=p1, value=2))
    ack = ok(fac.send("proposal.withdraw", proposal_id=p1, reason="Tidak relevan"))
    assert "tallies" not in room["proj"].wait_seq(ack["seq"])["data"]["voting"]
    assert "tallies" in fac.wait_seq(ack["seq"])["data"]["voting"]


def test_withdraw_needs_a_reason(room):
    fac, p1 = room["fac"], room["ids"][0]
    for fields in ({}, {"reason": ""}, {"reason": "   "}):
        assert fac.send("proposal.withdraw", proposal_id=p1, **fields)["error"]["code"] == "invalid"


def test_meeting_settings_after_creation_also_once_closed(room, demo):
    fac = room["fac"]
    ok(fac.send("meeting.close"))
    site = demo.sites[0].id
    ack = ok(fac.send("meeting.update", place="Ruang Rapat Utama", signature_city="Mataram",
                      community_rep_nip="", sites=[{"site_id": site, "chair_name": "Ir. H. Lalu Ahmad",
                                                    "chair_title": "Kepala Bidang",
                                                    "chair_nip": "19700101  199003 1 005"}]))
    e = room["proj"].wait_seq(ack["seq"])
    assert e["data"]["meeting"]["signature_city"] == "Mataram"
    assert e["data"]["meeting"]["place"] == "Ruang Rapat Utama"
    first = next(s for s in e["data"]["sites"] if s["id"] == site)
    assert first["chair_nip"] == "19700101 199003 1 005" and first["chair_name"] == "Ir. H. Lalu Ahmad"
    for bad in ({"sites": [{"site_id": site, "chair_nip": "NIP 1970"}]},
                {"sites": [{"site_id": 999999}]}, {"sites": "x"}, {"title": ""},
                {"start_time": "9 pagi"}, {}):
        answer = fac.send("meeting.update", **bad)
        assert answer["ok"] is False and answer["error"]["code"] in ("invalid", "not_found"), (bad, answer)
    assert room["a"].send("meeting.update", place="x")["error"]["code"] == "forbidden"


def test_the_speaker_lowering_their_hand_ends_their_turn(room):
    fac, a = room["fac"], room["a"]
    ok(a.send("floor.request"))
    ok(fac.send("floor.grant", participant_id=room["a_id"]))
    ack = ok(a.send("floor.withdraw"))
    assert fac.wait_seq(ack["seq"])["data"]["floor"]["speaker"] is None
    assert a.send("floor.withdraw")["error"]["code"] == "conflict"


def test_equal_results_share_a_rank():
    assert shared_ranks([(-5,), (-3,), (-3,), (-1,)]) == [1, 2, 2, 4]
    dots = {1: {"total": 5, "sites": {}}, 2: {"total": 3, "sites": {}}, 3: {"total": 3, "sites": {}},
            4: {"total": 1, "sites": {}}}
    # Agenda order within a rank: 3 comes before 2 on this agenda.
    assert [(r["proposal_id"], r["rank"]) for r in ranking("dots", dots, [3, 1, 2, 4, 5])] == [
        (1, 1), (3, 2), (2, 2), (4, 4), (5, 5)]
    scores = {1: {"mean": 4.5, "count": 2, "sites": {}}, 2: {"mean": 4.5, "count": 2, "sites": {}},
              3: {"mean": 4.5, "count": 1, "sites": {}}}
    assert [(r["proposal_id"], r["rank"]) for r in ranking("score", scores, [1, 2, 3, 4, 5])] == [
        (1, 1), (2, 1), (3, 3), (4, 4), (5, 4)]
