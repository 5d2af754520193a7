"""The suggestion cache and its event: what is stored, what each role gets
(live, in snapshots and by replay), when a recomputation is due, and the
plan items participants attach, in front of the facilitator.

The suggestions here are written by hand (the matcher's own figures are
tests/test_matching*.py's job); test_suggestions_pipeline.py runs the real
matcher in its child process."""
import pytest
from sqlalchemy import select

from sinkron.extensions import db
from sinkron.live.suggester import Debounce
from sinkron.meeting import reducer, snapshot
from sinkron.meeting.compaction import compact
from sinkron.meeting.engine import event_wire, for_audience, jsonable
from sinkron.meeting.suggestions import (
    EVENT, TRIGGERS, Computed, Stale, cached, needs_recompute, public_data, store, store_and_announce,
)
from sinkron.models import Event, PlanItem, Proposal, SuggestionSet, utcnow
from sinkron.services import services


def sug(plan_item_id, score, strong=False, detail="air bersih"):
    return {"plan_item_id": plan_item_id, "score": score, "strong": strong,
            "reasons": [{"kind": "words", "detail": detail}]}


def ids(app, meeting_id):
    with app.app_context():
        proposals = list(db.session.scalars(select(Proposal.id).where(Proposal.meeting_id == meeting_id)
                                            .order_by(Proposal.position)))
        items = list(db.session.scalars(select(PlanItem.id).where(PlanItem.meeting_id == meeting_id)
                                        .order_by(PlanItem.id)))
        db.session.rollback()
    return proposals, items


def announce(app, meeting_id, computed):
    """Store through the writer, as the server does: committed, sequenced, broadcast."""
    with app.app_context():
        def job(session):
            wire = store_and_announce(session, meeting_id, computed, utcnow())
            return wire, ([(meeting_id, wire)] if wire else [])
        return services().writer.call(job)


# --- when to compute -----------------------------------------------------------------

def test_only_changes_to_what_the_matcher_reads_trigger_a_recomputation():
    for t in ("proposal.import", "plan_item.import", "proposal.add", "proposal.update",
              "proposal.withdraw", "proposal.restore"):
        assert needs_recompute([t]) and t in TRIGGERS
    for t in ("proposal.mark", "proposal.decide", "agenda.focus", "vote.cast", "comment.add",
              "agenda.reorder", EVENT, "meeting.update"):
        assert not needs_recompute([t]), t
    assert needs_recompute(["proposal.mark", "proposal.update"])
    assert not needs_recompute([])


def test_repeated_changes_are_gathered_into_one_computation():
    d = Debounce(delay=0.5, max_delay=2.0)
    d.change(1, now=10.0)
    assert d.next_due(10.4) is None
    d.change(1, now=10.4)               # a second edit: the wait starts again
    assert d.next_due(10.8) is None
    assert d.next_due(10.9) == 1
    assert d.next_due(11.0) is None     # computed once, not twice
    # A meeting edited without pause is computed MAX_DELAY after its first change.
    for i in range(10):
        d.change(2, now=20.0 + i * 0.3)
    assert d.due[2] == pytest.approx(22.0)
    assert d.next_due(22.0) == 2
    # Meetings are served in the order they are due.
    d.change(3, now=30.0)
    d.change(4, now=29.9)
    assert [d.next_due(31.0), d.next_due(31.0), d.next_due(31.0)] == [4, 3, None]


def test_the_writer_path_schedules_only_on_changes_that_matter(app, live, demo, join):
    app.config["SINKRON_SUGGESTIONS"] = True
    with app.app_context():
        suggester = services().suggester
    suggester.enabled = True
    suggester.debounce = Debounce(delay=3600, max_delay=3600)  # scheduled, never due in this test
    fac = live(demo.facilitator_token)
    assert demo.meeting_id in suggester.debounce.due   # a facilitator's connection checks once
    suggester.debounce.due.clear()
    a = live(join(0)["token"])
    pid = fac.snapshot["proposals"][0]["id"]

    def sent():
        """Everything committed has gone out (and been noticed)."""
        with app.app_context():
            b = services().broadcaster
            with b.exclusive():
                b.flush()
    assert a.send("proposal.mark", proposal_id=pid, status="terakomodir_kab")["ok"]
    assert fac.send("proposal.decide", proposal_id=pid, status="terakomodir_kab")["ok"]
    assert fac.send("agenda.focus", proposal_id=pid)["ok"]
    sent()
    assert suggester.debounce.due == {}
    assert fac.send("proposal.update", proposal_id=pid, title="Pipanisasi air bersih ke rumah warga")["ok"]
    sent()
    assert demo.meeting_id in suggester.debounce.due
    fac2 = live(demo.facilitator_token)                 # checked once per process
    suggester.debounce.due.clear()
    fac2.sio.disconnect()
    live(demo.facilitator_token)
    assert suggester.debounce.due == {}
    assert suggester.computations == 0


# --- the cache -------------------------------------------------------------------------

def test_a_recomputation_stores_and_announces_only_what_changed(app, demo):
    (p1, p2, p3, *_), (i1, i2, i3, *_) = ids(app, demo.meeting_id)
    with app.app_context():
        s = db.session
        first = Computed("fp1", 0, {p1: [sug(i1, 0.9, True), sug(i2, 0.4)], p2: [sug(i3, 0.3)], p3: []})
        data = store(s, demo.meeting_id, first, utcnow())
        assert data["suggestions"] == {p1: first.suggestions[p1], p2: first.suggestions[p2]}
        assert data["cleared"] == []
        # The demo focuses its first proposal: its top three come along.
        assert data["focus"] == p1 and data["focus_suggestions"] == first.suggestions[p1]
        assert cached(s, demo.meeting_id) == {p1: first.suggestions[p1], p2: first.suggestions[p2]}
        state = s.get(SuggestionSet, demo.meeting_id)
        assert (state.fingerprint, state.computed_seq) == ("fp1", 0)
        # The same inputs again: nothing to store, nothing to say.
        assert store(s, demo.meeting_id, first, utcnow()) is None
        # New inputs, same answer: the fingerprint is kept, no event.
        assert store(s, demo.meeting_id, Computed("fp2", 3, first.suggestions), utcnow()) is None
        assert s.get(SuggestionSet, demo.meeting_id).fingerprint == "fp2"
        # One proposal's list changes, another's goes: only those are named.
        second = Computed("fp3", 4, {p1: first.suggestions[p1], p3: [sug(i2, 0.7, True)]})
        data = store(s, demo.meeting_id, second, utcnow())
        assert data["suggestions"] == {p3: second.suggestions[p3]}
        assert data["cleared"] == [p2]
        assert cached(s, demo.meeting_id) == {p1: first.suggestions[p1], p3: second.suggestions[p3]}
        # An answer naming a proposal of no meeting of ours stores nothing for it.
        data = store(s, demo.meeting_id, Computed("fp4", 5, {**second.suggestions, 99999: [sug(i1, 1.0)]}),
                     utcnow())
        assert data is None and 99999 not in cached(s, demo.meeting_id)
        s.commit()


def test_a_partial_answer_changes_only_what_it_names_and_a_stale_one_nothing(app, demo):
    (p1, p2, p3, *_), (i1, i2, i3, *_) = ids(app, demo.meeting_id)
    with app.app_context():
        s = db.session
        store(s, demo.meeting_id, Computed("fp1", 0, {p1: [sug(i1, 0.9, True)], p2: [sug(i3, 0.3)]}), utcnow())
        # The child's diff against fp1: p2 lost its item, p3 gained one; p1 is not named and keeps its own.
        diff = Computed("fp2", 2, {p2: [], p3: [sug(i2, 0.7, True)]}, partial=True, base="fp1")
        data = store(s, demo.meeting_id, diff, utcnow())
        assert data["suggestions"] == {p3: diff.suggestions[p3]} and data["cleared"] == [p2]
        assert cached(s, demo.meeting_id) == {p1: [sug(i1, 0.9, True)], p3: diff.suggestions[p3]}
        assert s.get(SuggestionSet, demo.meeting_id).fingerprint == "fp2"
        # Diffed against fp1 while fp2 is stored (another process came first): refused whole.
        before = cached(s, demo.meeting_id)
        with pytest.raises(Stale):
            store(s, demo.meeting_id, Computed("fp3", 3, {p1: []}, partial=True, base="fp1"), utcnow())
        assert cached(s, demo.meeting_id) == before
        assert s.get(SuggestionSet, demo.meeting_id).fingerprint == "fp2"
        s.commit()


def test_a_large_answer_is_stored_in_parts_and_only_the_last_records_its_fingerprint(app, demo):
    (p1, p2, p3, *_), (i1, *_) = ids(app, demo.meeting_id)
    answer = Computed("fp1", 0, {p1: [sug(i1, 0.9)], p2: [sug(i1, 0.8)], p3: [sug(i1, 0.7)]},
                      partial=True, base=None)
    parts = answer.parts(2)
    assert [sorted(part.suggestions) for part in parts] == [sorted([p1, p2]), [p3]]
    assert [part.final for part in parts] == [False, True]
    assert all(part.partial and part.base is None for part in parts)
    assert answer.parts(3) == [answer]
    with app.app_context():
        s = db.session
        store(s, demo.meeting_id, parts[0], utcnow())
        assert s.get(SuggestionSet, demo.meeting_id) is None     # not current yet: a crash here recomputes
        store(s, demo.meeting_id, parts[1], utcnow())
        assert s.get(SuggestionSet, demo.meeting_id).fingerprint == "fp1"
        assert set(cached(s, demo.meeting_id)) == {p1, p2, p3}
        s.rollback()


def test_the_event_goes_to_the_facilitator_whole_and_to_phones_as_the_focused_top_three(app, live, demo, join):
    (p1, p2, *_), items = ids(app, demo.meeting_id)
    fac = live(demo.facilitator_token)
    phone = live(join(0)["token"])
    proj = live(demo.sites[0].projector_token)
    five = [sug(i, 0.9 - n / 10, n == 0) for n, i in enumerate(items[:5])]
    wire = announce(app, demo.meeting_id, Computed("fp", 1, {p1: five, p2: five[:2]}))
    assert wire["type"] == EVENT and wire["actor"] is None
    full = fac.wait_seq(wire["seq"])
    assert full["data"]["suggestions"] == {str(p1): five, str(p2): five[:2]}
    assert full["data"]["focus_suggestions"] == five[:3]
    for c in (phone, proj):
        e = c.wait_seq(wire["seq"])
        assert e["data"] == {"focus": p1, "focus_suggestions": five[:3]}
    # Snapshots say the same: everything for the facilitator, the focus's top three for phones.
    assert live(demo.facilitator_token).snapshot["suggestions"] == {str(p1): five, str(p2): five[:2]}
    snap = live(join(1)["token"]).snapshot
    assert snap["suggestions"] is None and snap["focus_suggestions"] == five[:3]
    # The focus brings the new proposal's top three with it.
    assert fac.send("agenda.focus", proposal_id=p2)["ok"]
    assert phone.wait_for("agenda.focus")["data"] == {"proposal_id": p2, "suggestions": five[:2]}
    assert fac.send("agenda.focus", proposal_id=None)["ok"]
    ack = fac.send("agenda.focus", proposal_id=p1)
    assert phone.wait_seq(ack["seq"])["data"]["suggestions"] == five[:3]


def test_replay_gives_each_role_its_version_and_the_log_rebuilds_the_cache(app, live, demo, join):
    (p1, p2, p3, *_), items = ids(app, demo.meeting_id)
    a = join(0)
    phone = live(a["token"])
    start = phone.snapshot["seq"]
    with app.app_context():
        from sinkron.meetings import authenticate
        fac_actor = authenticate(db.session, demo.facilitator_token)
        before = reducer.start(jsonable(snapshot.build(db.session, fac_actor)))
        db.session.rollback()
    announce(app, demo.meeting_id, Computed("a", 1, {p1: [sug(items[0], 0.8, True)], p2: [sug(items[1], 0.5)]}))
    fac = live(demo.facilitator_token)
    assert fac.send("proposal.withdraw", proposal_id=p2, reason="Digabung dengan usulan lain")["ok"]
    announce(app, demo.meeting_id, Computed("b", 2, {p1: [sug(items[0], 0.8, True)],
                                                      p3: [sug(items[2], 0.6)]}))
    phone.sio.disconnect()
    again = live(a["token"], last_seq=start)
    missed = [e for e in again.seen if e["type"] == EVENT]
    assert [set(e["data"]) for e in missed] == [{"focus", "focus_suggestions"}] * 2
    replayed = live(demo.facilitator_token, last_seq=start).seen
    full = [e for e in replayed if e["type"] == EVENT]
    assert full[1]["data"]["cleared"] == [p2] and set(full[1]["data"]["suggestions"]) == {str(p3)}
    # The facilitator's state rebuilt from the log equals the snapshot, cache included.
    with app.app_context():
        rows = db.session.scalars(select(Event).where(Event.meeting_id == demo.meeting_id,
                                                      Event.seq > before["seq"]).order_by(Event.seq))
        state = reducer.apply_all(before, (jsonable(event_wire(e)) for e in rows))
        built = reducer.start(jsonable(snapshot.build(db.session, fac_actor)))
        db.session.rollback()
    assert reducer.canonical(state) == reducer.canonical(built)
    assert set(state["suggestions"]) == {str(p1), str(p3)}


def test_the_public_version_keeps_only_the_focus():
    data = {"suggestions": {"1": [sug(4, 0.8)]}, "cleared": [2], "focus": 1, "focus_suggestions": [sug(4, 0.8)]}
    e = {"seq": 9, "type": EVENT, "at": "x", "actor": None, "data": data}
    assert for_audience(e, full=True) is e
    assert for_audience(e, full=False)["data"] == public_data(data) == {
        "focus": 1, "focus_suggestions": [sug(4, 0.8)]}


def test_suggestions_are_not_a_command(live, demo, join):
    for token in (join(0)["token"], demo.facilitator_token):
        ack = live(token).send(EVENT, suggestions={"1": []})
        assert ack["ok"] is False and ack["error"]["code"] == "invalid"


# --- what participants attach ------------------------------------------------------------

def test_the_facilitator_sees_who_attached_which_plan_item_and_their_notes(app, live, demo, join):
    (p1, *_), (i1, i2, *_) = ids(app, demo.meeting_id)
    fac = live(demo.facilitator_token)
    ani, budi, cici = join(0, name="Ani"), join(0, name="Budi"), join(1, name="Cici")
    for who, item, note in ((ani, i1, "Ada di Renja DKP"), (budi, i1, ""), (cici, i2, "")):
        assert live(who["token"]).send("proposal.mark", proposal_id=p1, status="terakomodir_kab",
                                       plan_item_id=item, note=note or None)["ok"]
    dina = live(join(1, name="Dina")["token"])
    assert dina.send("proposal.mark", proposal_id=p1, status="perlu_klarifikasi", note="Cek lokasi")["ok"]
    # A mark without a plan item or a note attaches nothing.
    assert live(join(1)["token"]).send("proposal.mark", proposal_id=p1, status="belum_terakomodir")["ok"]
    attached = live(demo.facilitator_token).snapshot["attached"][str(p1)]
    assert [(a["name"], a["site_id"], a["plan_item_id"], a["note"]) for a in attached] == [
        ("Ani", demo.sites[0].id, i1, "Ada di Renja DKP"), ("Budi", demo.sites[0].id, i1, ""),
        ("Cici", demo.sites[1].id, i2, ""), ("Dina", demo.sites[1].id, None, "Cek lokasi")]
    # Each mark event names its author, so a live console keeps the list.
    marks = [e for e in fac.wait_events(5) if e["type"] == "proposal.mark"]
    assert {e["actor"]["name"] for e in marks} >= {"Ani", "Budi", "Cici", "Dina"}
    # Withdrawing the mark, and revoking the person, take them off.
    assert dina.send("proposal.mark", proposal_id=p1, status=None)["ok"]
    assert fac.send("participant.revoke", participant_id=budi["participant_id"])["ok"]
    attached = live(demo.facilitator_token).snapshot["attached"][str(p1)]
    assert [a["name"] for a in attached] == ["Ani", "Cici"]
    # Nobody else gets the list.
    assert live(ani["token"]).snapshot["attached"] is None
    assert live(demo.sites[0].host_token).snapshot["attached"] is None


def test_the_facilitators_totals_say_who_marked_what_and_phones_totals_do_not():
    def mark(seq, who, name, site, mark):
        return {"seq": seq, "type": "proposal.mark", "at": "t",
                "actor": {"participant_id": who, "name": name, "site_id": site, "role": "participant"},
                "data": {"proposal_id": 1, "mark": mark, "summary": {"sites": {}, "disagreement": False}}}
    m = {"status": "terakomodir_kab", "plan_item_id": 4, "note": "Renja DKP"}
    run = [mark(10, 7, "Ani", 1, m), mark(11, 8, "Budi", 2, m), mark(12, 7, "Ani", 1, None)]
    full = compact(run, full=True)
    assert len(full) == 1 and full[0]["data"]["marks"] == {"1": {
        "7": {"name": "Ani", "site_id": 1, "mark": None},
        "8": {"name": "Budi", "site_id": 2, "mark": m}}}
    assert "marks" not in compact(run)[0]["data"]


def test_marks_with_bad_plan_items_are_refused_and_change_nothing(app, live, demo, join):
    (p1, *_), _ = ids(app, demo.meeting_id)
    phone = live(join(0, name="Eka")["token"])
    for plan_item_id, code in ((10**6, "not_found"), ("4", "invalid"), (True, "invalid"), (-1, "invalid")):
        ack = phone.send("proposal.mark", proposal_id=p1, status="terakomodir_kab", plan_item_id=plan_item_id)
        assert ack["ok"] is False and ack["error"]["code"] == code, (plan_item_id, ack)
    assert live(demo.facilitator_token).snapshot["attached"] == {}
    # A plan item of another meeting is not found either.
    from sinkron.demo import create_demo
    with app.app_context():
        other = create_demo(db.session, "http://sinkron.test")
        db.session.commit()
        foreign = db.session.scalar(select(PlanItem.id).where(PlanItem.meeting_id == other.meeting_id))
    ack = phone.send("proposal.mark", proposal_id=p1, status="terakomodir_kab", plan_item_id=foreign)
    assert ack["error"]["code"] == "not_found"
