"""Whatever is sent, every command gets a well-formed answer: never an
unhandled exception, never a dropped connection."""
import random

from sinkron.meeting.commands import REGISTRY
from sinkron.meeting.errors import CODES

VALUES = [None, True, False, 0, 1, -1, 2**63, 1.5, "", "x", "a" * 3000, "<script>", [], [1, "a"],
          {}, {"a": {"b": [None]}}, "2020-02-30", "dots", "masukan", "belum_dibahas", 1e308]


def random_payload(rng: random.Random, type_: str) -> dict:
    fields = list(REGISTRY[type_].fields) + ["extra", "proposal_id", "comment_id"]
    payload = {"op_id": rng.choice(["f", "x" * 70, 5, None]) if rng.random() < 0.1 else f"fz-{rng.random()}",
               "type": type_ if rng.random() < 0.95 else rng.choice(VALUES)}
    for name in rng.sample(fields, k=rng.randint(0, len(fields))):
        payload[name] = rng.choice(VALUES + [1, 2, 3])
    return payload


def test_random_commands_get_well_formed_answers(app, live, demo, join):
    app.extensions["sinkron"].limiter.burst = 10_000
    clients = [live(demo.facilitator_token), live(demo.sites[0].host_token), live(join(1)["token"])]
    rng = random.Random(20200512)
    for i in range(600):
        client = clients[i % 3]
        ack = client.raw(random_payload(rng, rng.choice(sorted(REGISTRY))))
        assert isinstance(ack, dict) and isinstance(ack.get("ok"), bool), ack
        if not ack["ok"]:
            assert ack["error"]["code"] in CODES and ack["error"]["message"], ack
    assert all(c.connected for c in clients)
    # The meeting still works afterwards (random commands may have closed it).
    clients[0].send("meeting.reopen")
    ack = clients[2].send("comment.add", kind="masukan", text="masih jalan")
    assert ack["ok"], ack
    assert clients[0].wait_seq(ack["seq"])["data"]["comment"]["text"] == "masih jalan"
