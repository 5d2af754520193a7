"""The bulk insert (meeting/bulk.py) stores what an ORM insert stores, byte
for byte: the datetimes in SQLite's text form, JSON as SQLAlchemy encodes it."""
import datetime as dt

from sqlalchemy import insert, select, text

from sinkron.extensions import db
from sinkron.meeting.bulk import BulkInsert, json_text
from sinkron.models import Event


def test_rows_read_back_as_an_orm_insert_stores_them(app, demo):
    moments = [dt.datetime(2026, 12, 1, 7, 30, 0), dt.datetime(2026, 12, 1, 7, 30, 0, 123456)]
    datas = [{"tally": {"1": 3}, "note": "Ada di RKPD \"2027\" — ü"}, {"n": [1, 2.5, None, True]}]
    actors = [None, {"name": "Bu Siti", "site_id": 2}]
    bulk = BulkInsert(Event.__table__, ("meeting_id", "seq", "type", "at", "actor_id", "actor", "data"))
    with app.app_context():
        conn = db.session.connection()
        conn.execute(insert(Event), [
            {"meeting_id": demo.meeting_id, "seq": 9000 + k, "type": "vote.cast", "at": at,
             "actor_id": 7, "actor": actor, "data": data}
            for k, (at, actor, data) in enumerate(zip(moments, actors, datas))])
        bulk.run(conn, [(demo.meeting_id, 9100 + k, "vote.cast", at, 7, json_text(actor),
                         json_text(data))
                        for k, (at, actor, data) in enumerate(zip(moments, actors, datas))])
        raw = conn.execute(text("SELECT seq, at, actor, data FROM event WHERE seq >= 9000 "
                                "ORDER BY seq")).all()
        loaded = db.session.execute(select(Event.seq, Event.at, Event.actor, Event.data)
                                    .where(Event.seq >= 9000).order_by(Event.seq)).all()
        db.session.rollback()
    by_orm, by_bulk = raw[:2], raw[2:]
    assert [r[1:] for r in by_orm] == [r[1:] for r in by_bulk]
    assert [r[1:] for r in loaded[:2]] == [r[1:] for r in loaded[2:]]
    assert [r.at for r in loaded[2:]] == moments and [r.data for r in loaded[2:]] == datas
    assert [r.actor for r in loaded[2:]] == actors
