"""DESIGN.md's permission table, command by command and role by role, over
the live protocol. The expected table is written out here from DESIGN.md, not
taken from the code, so a wrong capability in the registry fails a test."""
import pytest

from sinkron.meeting.commands import REGISTRY

F, H, P, X = "facilitator", "host", "participant", "projector"
EVERYONE_BUT_PROJECTOR = {F, H, P}

ALLOWED = {
    "meeting.start": {F}, "meeting.close": {F}, "meeting.reopen": {F}, "meeting.update": {F},
    "agenda.focus": {F}, "agenda.reorder": {F}, "projector.view": {F},
    "proposal.add": {F}, "proposal.update": {F}, "proposal.decide": {F},
    "proposal.withdraw": {F}, "proposal.restore": {F},
    "voting.open": {F}, "voting.close": {F},
    "proposal.mark": EVERYONE_BUT_PROJECTOR, "vote.cast": EVERYONE_BUT_PROJECTOR,
    "comment.add": EVERYONE_BUT_PROJECTOR, "comment.support": EVERYONE_BUT_PROJECTOR,
    "floor.request": EVERYONE_BUT_PROJECTOR, "floor.withdraw": EVERYONE_BUT_PROJECTOR,
    "comment.hide": {F, H}, "attendance.add": {F, H}, "participant.revoke": {F, H},
    "floor.grant": {F}, "floor.end": {F},
}


def test_table_covers_every_command():
    assert set(ALLOWED) == set(REGISTRY)


class World:
    """The demo meeting with one connected client per role at site 0."""

    def __init__(self, live, demo, join):
        self.demo = demo
        self.joined = join(0, name="Sari", category="Pemuda", gender="P")
        self.other = join(0, name="Dedi", category="LSM")
        self.clients = {
            F: live(demo.facilitator_token),
            H: live(demo.sites[0].host_token),
            P: live(self.joined["token"]),
            X: live(demo.sites[0].projector_token),
        }
        snap = self.clients[F].snapshot
        self.proposals = [p["id"] for p in snap["proposals"]]
        self.site_ids = [s["id"] for s in snap["sites"]]
        self.plan_item = snap["plan_items"][0]["id"]

    def fac(self, type_, **fields):
        ack = self.clients[F].send(type_, **fields)
        assert ack["ok"], ack
        return ack

    def comment_at_site0(self):
        ack = self.clients[P].send("comment.add", kind="masukan", text="Perlu embung")
        assert ack["ok"], ack
        return self.clients[F].wait_for("comment.add")["data"]["comment"]["id"]

    def payload(self, type_, role):
        """A payload that is valid for `type_`, preparing the meeting as needed."""
        p0 = self.proposals[0]
        if type_ == "meeting.start":
            self.fac("meeting.close")
            self._force_status("draft")
            return {}
        if type_ == "meeting.reopen":
            self.fac("meeting.close")
            return {}
        if type_ in ("meeting.close",):
            return {}
        if type_ == "agenda.focus":
            return {"proposal_id": p0}
        if type_ == "agenda.reorder":
            return {"proposal_ids": list(reversed(self.proposals))}
        if type_ == "projector.view":
            return {"view": "results"}
        if type_ == "proposal.add":
            return {"title": "Sumur bor baru", "cost": 1000}
        if type_ == "proposal.update":
            return {"proposal_id": p0, "title": "Judul baru"}
        if type_ == "meeting.update":
            return {"signature_city": "Mataram",
                    "sites": [{"site_id": self.site_ids[0], "chair_nip": "19700101 199003 1 005"}]}
        if type_ == "proposal.withdraw":
            return {"proposal_id": p0, "reason": "Digabung dengan usulan lain"}
        if type_ == "proposal.restore":
            self.fac("proposal.withdraw", proposal_id=p0, reason="Sementara")
            return {"proposal_id": p0}
        if type_ == "proposal.decide":
            return {"proposal_id": p0, "status": "dialihkan", "reason": "Dana desa",
                    "follow_up": {"action": "Ajukan ke musrenbang desa", "owner": "Kepala Desa",
                                  "due_date": "2020-06-30"}}
        if type_ == "voting.open":
            return {"mode": "dots"}
        if type_ == "voting.close":
            self.fac("voting.open", mode="score")
            return {}
        if type_ == "proposal.mark":
            return {"proposal_id": p0, "status": "terakomodir_kab", "plan_item_id": self.plan_item}
        if type_ == "vote.cast":
            self.fac("voting.open", mode="dots")
            return {"proposal_id": p0, "value": 2}
        if type_ == "comment.add":
            return {"kind": "pertanyaan", "text": "Kapan?", "proposal_id": p0}
        if type_ == "comment.support":
            return {"comment_id": self.comment_at_site0(), "on": True}
        if type_ == "comment.hide":
            return {"comment_id": self.comment_at_site0(), "hidden": True}
        if type_ == "attendance.add":
            return {"name": "Ibu Tanpa HP", "category": "Tokoh Perempuan", "site_id": self.site_ids[0]}
        if type_ == "participant.revoke":
            return {"participant_id": self.other["participant_id"]}
        if type_ == "floor.request":
            return {}
        if type_ == "floor.withdraw":
            ack = self.clients[role].send("floor.request") if role in EVERYONE_BUT_PROJECTOR else None
            assert ack is None or ack["ok"], ack
            return {}
        if type_ == "floor.grant":
            return {"participant_id": self.joined["participant_id"]}
        if type_ == "floor.end":
            self.fac("floor.grant", participant_id=self.joined["participant_id"])
            return {}
        raise AssertionError(type_)

    def _force_status(self, status):
        from sinkron.extensions import db
        from sinkron.models import Meeting
        with self.clients[F].sio.app.app_context():
            db.session.get(Meeting, self.demo.meeting_id).status = status
            db.session.commit()


@pytest.mark.parametrize("role", [F, H, P, X])
@pytest.mark.parametrize("type_", sorted(ALLOWED))
def test_permission(live, demo, join, type_, role):
    world = World(live, demo, join)
    payload = world.payload(type_, role)
    ack = world.clients[role].send(type_, **payload)
    if role in ALLOWED[type_]:
        assert ack["ok"], ack
        assert isinstance(ack["seq"], int)
    else:
        assert ack == {"ok": False, "error": {"code": "forbidden", "message": ack["error"]["message"]}}
        assert ack["error"]["message"]


def test_host_cannot_moderate_the_other_site(live, demo, join):
    world = World(live, demo, join)
    far = join(1, name="Lalu", category="OPD")
    far_client = live(far["token"])
    ack = far_client.send("comment.add", kind="masukan", text="Dari Selong")
    assert ack["ok"]
    comment_id = world.clients[F].wait_for("comment.add")["data"]["comment"]["id"]
    host = world.clients[H]
    assert host.send("comment.hide", comment_id=comment_id, hidden=True)["error"]["code"] == "forbidden"
    assert host.send("participant.revoke", participant_id=far["participant_id"])["error"]["code"] == "forbidden"
    assert host.send("attendance.add", name="X", category="LSM",
                     site_id=world.site_ids[1])["error"]["code"] == "forbidden"
    assert host.send("floor.request", participant_id=far["participant_id"])["error"]["code"] == "forbidden"
    # ... while the facilitator may do all of it.
    assert world.fac("comment.hide", comment_id=comment_id, hidden=True)


def test_host_checks_in_at_own_site_without_naming_it(live, demo, join):
    world = World(live, demo, join)
    ack = world.clients[H].send("attendance.add", name="Pak Tua", category="tokoh masyarakat", gender="l")
    assert ack["ok"], ack
    e = world.clients[F].wait_for("attendance.add")
    assert e["data"]["participant"]["site_id"] == world.site_ids[0]
    assert e["data"]["participant"]["category"] == "Tokoh Masyarakat"
    assert e["data"]["participant"]["gender"] == "L"
    assert e["data"]["participant"]["has_phone"] is False


def test_nobody_revokes_the_facilitator(live, demo, join):
    world = World(live, demo, join)
    fac_id = world.clients[F].snapshot["me"]["participant_id"]
    assert world.clients[H].send("participant.revoke", participant_id=fac_id)["error"]["code"] == "forbidden"
    assert world.clients[F].send("participant.revoke", participant_id=fac_id)["error"]["code"] == "forbidden"
