"""The whole way from a change to the suggestions on screens, with the real
matcher in its child process: on SQLite in threading mode (the unit-test
server), from the CLI, and on PostgreSQL."""
import pytest
from flask_migrate import upgrade
from sqlalchemy import select

from sinkron import create_app
from sinkron.demo import create_demo
from sinkron.extensions import db
from sinkron.meeting.suggestions import EVENT, Computed, cached, store_and_announce
from sinkron.models import Event, Meeting, Proposal, SuggestionSet, utcnow
from sinkron.services import services
from sinkron.suggesting import child
from tests.services import postgres_url  # noqa: F401  (fixture)

SECONDS = 120  # generous: the machine is shared; speed is bench/'s business


def suggestions_on(app):
    app.config["SINKRON_SUGGESTIONS"] = True
    with app.app_context():
        s = services().suggester
    s.enabled = True
    s.debounce.delay = 0.05
    return s


def test_a_facilitator_connecting_brings_stale_suggestions_up_to_date(app, live, demo, join):
    suggestions_on(app)
    phone = live(join(0)["token"])
    fac = live(demo.facilitator_token)
    assert fac.snapshot["suggestions"] == {}          # the test demo is made without them
    e = fac.wait_for(EVENT, timeout=SECONDS)
    assert e["actor"] is None and e["data"]["cleared"] == []
    found = e["data"]["suggestions"]
    assert found, "the matcher suggested nothing for the sample data"
    plan_ids = {pi["id"] for pi in fac.snapshot["plan_items"]}
    agenda = {str(p["id"]) for p in fac.snapshot["proposals"]}
    for pid, items in found.items():
        assert pid in agenda and 1 <= len(items) <= 5
        assert all(s["plan_item_id"] in plan_ids and 0 <= s["score"] <= 1 for s in items)
        assert [s["score"] for s in items] == sorted((s["score"] for s in items), reverse=True)
    # Phones got only the focused proposal's top three.
    focus = fac.snapshot["focus"]
    public = phone.wait_seq(e["seq"])
    assert public["data"] == {"focus": focus, "focus_suggestions": found.get(str(focus), [])[:3]}
    # Every process serves them from the database now.
    assert live(demo.facilitator_token).snapshot["suggestions"] == found


def test_an_edit_and_a_withdrawal_recompute_and_unchanged_inputs_store_nothing(app, live, demo):
    suggester = suggestions_on(app)
    fac = live(demo.facilitator_token)
    first = fac.wait_for(EVENT, timeout=SECONDS)
    with_suggestions = [int(pid) for pid in first["data"]["suggestions"]]
    target = with_suggestions[-1]
    # Withdrawn: its suggestions are cleared.
    ack = fac.send("proposal.withdraw", proposal_id=target, reason="Sudah didanai desa")
    assert ack["ok"]
    cleared = fac._wait_event(lambda e: e["type"] == EVENT and e["seq"] > ack["seq"],
                              "no recomputation after the withdrawal", SECONDS)
    assert target in cleared["data"]["cleared"]
    # Restored: they come back as they were.
    ack = fac.send("proposal.restore", proposal_id=target)
    back = fac._wait_event(lambda e: e["type"] == EVENT and e["seq"] > ack["seq"],
                           "no recomputation after the restore", SECONDS)
    assert back["data"]["suggestions"][str(target)] == first["data"]["suggestions"][str(target)]
    # Checking again with the same inputs: the child compares fingerprints, stores nothing.
    with app.app_context():
        last = db.session.get(Meeting, demo.meeting_id).last_seq
        db.session.rollback()
        assert suggester.refresh(demo.meeting_id) is None
        assert db.session.get(Meeting, demo.meeting_id).last_seq == last


def test_after_an_edit_the_child_answers_only_the_proposals_that_changed(app, demo):
    """So that the server parses and stores a few proposals, not the whole set."""
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    with app.app_context():
        first = child.run(url, demo.meeting_id, SECONDS)
        assert first.partial and first.base is None and first.suggestions
        store_and_announce(db.session, demo.meeting_id, first, utcnow())
        db.session.commit()
        pid = min(first.suggestions)
        db.session.get(Proposal, pid).title = "Pelatihan pengolahan sampah plastik bagi pemuda"
        db.session.commit()
        second = child.run(url, demo.meeting_id, SECONDS)
        assert second.base == first.fingerprint and second.fingerprint != first.fingerprint
        assert set(second.suggestions) == {pid}
        assert second.suggestions[pid] != first.suggestions[pid]
        wire = store_and_announce(db.session, demo.meeting_id, second, utcnow())
        db.session.commit()
        named = [int(k) for k in wire["data"]["suggestions"]] + wire["data"]["cleared"]
        assert named == [pid]
        expected = {k: v for k, v in first.suggestions.items() if v}
        expected.pop(pid, None)
        if second.suggestions[pid]:
            expected[pid] = second.suggestions[pid]
        assert cached(db.session, demo.meeting_id) == expected


def test_a_cli_import_computes_before_it_ends(app, runner, demo, tmp_path):
    app.config["SINKRON_SUGGESTIONS"] = True
    path = tmp_path / "rkpd.csv"
    path.write_text("Dokumen,Perangkat Daerah,Kode,Program,Kegiatan,Sub Kegiatan,Lokasi,Pagu\n"
                    "RKPD Kab. Lombok Timur 2021,Dinas Kelautan dan Perikanan,3.25.09,"
                    "Program Pengelolaan Perikanan Budidaya,Pembangunan sarana garam rakyat,"
                    "Pembangunan rumah garam prisma bagi petambak garam,Kec. Jerowaru,200000000\n")
    out = runner.invoke(args=["import", "plan-items", str(demo.meeting_id), str(path)])
    assert out.exit_code == 0, out.output
    with app.app_context():
        types = list(db.session.scalars(select(Event.type).where(Event.meeting_id == demo.meeting_id)
                                        .order_by(Event.seq)))
        assert types[-2:] == ["plan_item.import", EVENT]
        assert cached(db.session, demo.meeting_id)
        state = db.session.get(SuggestionSet, demo.meeting_id)
        assert state.computed_seq == len(types) - 1   # read right after the import


@pytest.mark.postgres
def test_the_cache_on_postgresql(postgres_url, tmp_path, monkeypatch):  # noqa: F811
    monkeypatch.setenv("SINKRON_INSTANCE", str(tmp_path))
    monkeypatch.setenv("DATABASE_URL", postgres_url)
    app = create_app({"TESTING": True, "PUBLIC_URL": "http://sinkron.test"})
    try:
        with app.app_context():
            upgrade()
            links = create_demo(db.session, "http://sinkron.test")
            db.session.commit()
            url = app.config["SQLALCHEMY_DATABASE_URI"]
            # The child reads PostgreSQL and the matcher answers.
            computed = child.run(url, links.meeting_id, SECONDS)
            assert computed is not None and computed.suggestions
            seq = db.session.get(Meeting, links.meeting_id).last_seq
            assert computed.seq == seq
            wire = store_and_announce(db.session, links.meeting_id, computed, utcnow())
            db.session.commit()
            assert wire["type"] == EVENT and wire["seq"] == seq + 1
            stored = {pid: items for pid, items in computed.suggestions.items() if items}
            assert cached(db.session, links.meeting_id) == stored
            # Current now: the child says so without matching.
            assert child.run(url, links.meeting_id, SECONDS) is None
            # A changed answer rewrites only the changed rows, in the next seq.
            pid = next(iter(stored))
            changed = Computed("other", 1, {**stored, pid: stored[pid][:1]})
            wire = store_and_announce(db.session, links.meeting_id, changed, utcnow())
            db.session.commit()
            assert wire["seq"] == seq + 2 and list(wire["data"]["suggestions"]) == [str(pid)]
            assert db.session.scalar(select(Proposal.id).where(Proposal.id == pid)) == pid
    finally:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
