def test_facilitator_gets_snapshot(live, demo):
    f = live(demo.facilitator_token)
    assert f.connected
    snap = f.snapshot
    assert snap["me"]["role"] == "facilitator"
    assert len(snap["proposals"]) == 16
    assert len(snap["plan_items"]) == 12
    assert snap["meeting"]["status"] == "live"


def test_focus_reaches_both_projectors(live, demo):
    f = live(demo.facilitator_token)
    p1 = live(demo.sites[0].projector_token)
    p2 = live(demo.sites[1].projector_token)
    pid = f.snapshot["proposals"][2]["id"]
    ack = f.send("agenda.focus", proposal_id=pid)
    assert ack == {"ok": True, "seq": f.snapshot["seq"] + 1}
    for p in (p1, p2):
        e = p.wait_for("agenda.focus")
        assert e["data"] == {"proposal_id": pid, "suggestions": []}  # none computed in unit tests
        assert e["actor"]["role"] == "facilitator"
