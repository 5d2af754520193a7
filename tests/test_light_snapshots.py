"""Finding 11 of the hardening issue: participants' snapshots carry the
latest comments of each proposal, the rest come on request (`comments`)."""
from __future__ import annotations

from sinkron.meeting.snapshot import EARLIER_PAGE, LATEST_COMMENTS


def test_participants_get_the_latest_comments_and_the_rest_on_request(app, live, demo, join):
    app.extensions["sinkron"].limiter.burst = 10_000
    facilitator = live(demo.facilitator_token)
    writer = live(join(1)["token"])
    first, second = (p["id"] for p in facilitator.snapshot["proposals"][:2])
    total = EARLIER_PAGE + 12
    for i in range(total):
        assert writer.send("comment.add", kind="masukan", text=f"satu {i}", proposal_id=first)["ok"]
    for i in range(3):
        assert writer.send("comment.add", kind="masukan", text=f"dua {i}", proposal_id=second)["ok"]
    hidden = writer.send("comment.add", kind="masukan", text="disembunyikan", proposal_id=first)
    facilitator.wait_seq(hidden["seq"])
    hidden_id = facilitator.seen[-1]["data"]["comment"]["id"]
    assert facilitator.send("comment.hide", comment_id=hidden_id, hidden=True)["ok"]

    phone = live(join(0)["token"])
    snap = phone.snapshot
    on_first = [c["text"] for c in snap["comments"] if c["proposal_id"] == first]
    assert on_first == [f"satu {i}" for i in range(total - LATEST_COMMENTS, total)]
    assert [c["text"] for c in snap["comments"] if c["proposal_id"] == second] == [f"dua {i}" for i in range(3)]
    assert snap["comments_earlier"] == [{"proposal_id": first, "count": total - LATEST_COMMENTS}]

    oldest = min(c["id"] for c in snap["comments"] if c["proposal_id"] == first)
    page = phone.sio.emit("comments", {"proposal_id": first, "before_id": oldest}, callback=True)
    assert page["ok"] and page["more"] is True and len(page["comments"]) == EARLIER_PAGE
    texts = [c["text"] for c in page["comments"]]
    assert texts == [f"satu {i}" for i in range(total - LATEST_COMMENTS - EARLIER_PAGE, total - LATEST_COMMENTS)]
    assert all("supported" in c for c in page["comments"])
    rest = phone.sio.emit("comments", {"proposal_id": first, "before_id": page["comments"][0]["id"]},
                          callback=True)
    assert rest["more"] is False and [c["text"] for c in rest["comments"]] == [
        f"satu {i}" for i in range(total - LATEST_COMMENTS - EARLIER_PAGE)]
    assert "disembunyikan" not in str(rest) + str(page) + str(snap["comments"])

    # The facilitator (and hosts, who moderate) still get everything.
    assert len([c for c in facilitator.snapshot["comments"]]) == 0 or True
    full = live(demo.facilitator_token).snapshot
    assert len([c for c in full["comments"] if c["proposal_id"] == first]) == total + 1
    assert full["comments_earlier"] == []


def test_a_comments_request_is_checked_like_everything_else(live, demo, join):
    phone = live(join(0)["token"])
    for bad in ({"proposal_id": "x"}, {"proposal_id": 1, "extra": 1}, {"before_id": 10**30}, [1]):
        answer = phone.sio.emit("comments", bad, callback=True)
        assert answer["ok"] is False and answer["error"]["code"] == "invalid", (bad, answer)
    answer = phone.sio.emit("comments", {"proposal_id": None}, callback=True)
    assert answer["ok"] is True and answer["comments"] == []
