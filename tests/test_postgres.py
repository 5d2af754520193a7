"""The same rules on PostgreSQL: migrations, the pipeline, and sequence
numbers that stay gapless when two writers race."""
import threading

import pytest
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect, select

from sinkron import create_app
from sinkron.demo import create_demo
from sinkron.extensions import db
from sinkron.meeting.engine import execute
from sinkron.meeting.errors import CommandError
from sinkron.meeting.permissions import Actor
from sinkron.models import Event, Participant
from tests.services import postgres_url  # noqa: F401  (fixture)

pytestmark = pytest.mark.postgres


@pytest.fixture
def pg_app(postgres_url, tmp_path, monkeypatch):  # noqa: F811
    monkeypatch.setenv("SINKRON_INSTANCE", str(tmp_path))
    monkeypatch.setenv("DATABASE_URL", postgres_url)
    app = create_app({"TESTING": True, "PUBLIC_URL": "http://sinkron.test"})
    assert app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql+psycopg://")
    with app.app_context():
        upgrade()
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def test_migrations_up_and_down(pg_app):
    with pg_app.app_context():
        tables = set(inspect(db.engine).get_table_names())
        assert {"meeting", "site", "participant", "proposal", "event", "accepted_op", "vote"} <= tables
        downgrade(revision="base")
        assert set(inspect(db.engine).get_table_names()) <= {"alembic_version"}
        upgrade()


def test_pipeline_on_postgres(pg_app, live):
    with pg_app.app_context():
        links = create_demo(db.session, "http://sinkron.test")
        db.session.commit()
    from tests.conftest import Live
    fac = Live(pg_app, links.facilitator_token)
    proj = Live(pg_app, links.sites[0].projector_token)
    pid = fac.snapshot["proposals"][0]["id"]
    assert fac.send("voting.open", mode="dots")["ok"]
    assert fac.send("vote.cast", proposal_id=pid, value=2)["ok"]
    assert fac.send("voting.open", mode="score")["error"]["code"] == "conflict"
    assert fac.send("comment.add", op_id="pg-1", kind="masukan", text="Di PostgreSQL")["ok"]
    again = fac.send("comment.add", op_id="pg-1", kind="masukan", text="Di PostgreSQL")
    ack = fac.send("voting.close")
    assert ack["ok"] and again["ok"]
    closed = proj.wait_seq(ack["seq"])
    assert closed["data"]["tallies"][str(pid)]["total"] == 2
    for c in (fac, proj):
        c.sio.disconnect()


def test_racing_writers_get_gapless_sequence_numbers(pg_app):
    """Two sessions (as two processes would have) commit commands at once:
    the meeting row lock hands out every seq exactly once."""
    with pg_app.app_context():
        links = create_demo(db.session, "http://sinkron.test")
        db.session.commit()
        fac = db.session.scalars(select(Participant).where(Participant.role == "facilitator")).one()
        actor = Actor(links.meeting_id, "facilitator", fac.site_id, fac.id, fac.name)
        start = db.session.scalar(select(Event.seq).order_by(Event.seq.desc()).limit(1))
    errors = []

    def writer(prefix):
        with pg_app.app_context():
            for i in range(25):
                session = db.session
                try:
                    execute(session, actor, {"op_id": f"{prefix}-{i}", "type": "projector.view",
                                             "view": "agenda" if i % 2 else "item"})
                    session.commit()
                except CommandError as exc:  # pragma: no cover - would fail below
                    errors.append(exc)
                    session.rollback()
            db.session.remove()
    threads = [threading.Thread(target=writer, args=(p,)) for p in ("a", "b", "c")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    with pg_app.app_context():
        seqs = list(db.session.scalars(select(Event.seq).where(Event.meeting_id == links.meeting_id)
                                       .order_by(Event.seq)))
    assert seqs == list(range(1, start + 76))


def test_crowd_events_read_back_as_they_went_out(pg_app, live):
    """Votes and marks are stored by a bulk insert that hands the driver
    JSON already encoded (meeting/bulk.py): on PostgreSQL too, the events
    read back from the table (as replay sends them) equal the live ones,
    and the rows are real JSON to the database."""
    with pg_app.app_context():
        links = create_demo(db.session, "http://sinkron.test")
        db.session.commit()
    from tests.conftest import Live
    fac = Live(pg_app, links.facilitator_token)
    proj = Live(pg_app, links.sites[0].projector_token)
    pids = [p["id"] for p in fac.snapshot["proposals"]]
    assert fac.send("voting.open", mode="dots")["ok"]
    acks = [fac.send("vote.cast", op_id="pg-vote", proposal_id=pids[0], value=2),
            fac.send("proposal.mark", proposal_id=pids[1], status="terakomodir_kab",
                     note="Ada di RKPD \"2027\" — ü")]
    assert all(a["ok"] for a in acks), acks
    # A resent vote is found among the prior op_ids (a prepared OR of pairs).
    again = fac.send("vote.cast", op_id="pg-vote", proposal_id=pids[0], value=2)
    assert again == acks[0]
    live_events = [proj.wait_seq(a["seq"]) for a in acks]
    from sinkron.meeting.engine import event_wire
    with pg_app.app_context():
        stored = [event_wire(e) for e in db.session.scalars(
            select(Event).where(Event.seq.in_([a["seq"] for a in acks])).order_by(Event.seq))]
        kinds = db.session.execute(db.text(
            "SELECT json_typeof(data), json_typeof(actor) FROM event WHERE seq = :s AND meeting_id = :m"),
            {"s": acks[1]["seq"], "m": links.meeting_id}).one()
    assert stored == live_events
    assert kinds == ("object", "object")
    for c in (fac, proj):
        c.sio.disconnect()
