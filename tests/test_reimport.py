"""Repeatable imports: matching rows to what the meeting has, updating what
changed, reporting what is not in the file, and a preview that stores nothing."""
import io

import pytest

from sinkron.demo import DATA
from sinkron.extensions import db
from sinkron.imports.store import ImportRejected, plan, read, store
from sinkron.models import Decision, Event, Mark, PlanItem, Proposal

SAMPLE = (DATA / "usulan-contoh.csv").read_text(encoding="utf-8")
PLAN_ITEMS = (DATA / "rkpd-contoh.csv").read_text(encoding="utf-8")


def rows_of(text):
    lines = text.strip("\n").split("\n")
    return lines[0], lines[1:]


def csv_bytes(header, rows):
    return ("\n".join([header, *rows]) + "\n").encode()


def preview(app, demo, kind, data, name="x.csv"):
    with app.app_context():
        try:
            return plan(db.session, demo.meeting_id, kind, read(kind, name, data))
        finally:
            db.session.rollback()


def do_import(app, demo, kind, data, name="x.csv"):
    with app.app_context():
        done, event = store(db.session, demo.meeting_id, None, kind, read(kind, name, data))
        db.session.commit()
        return done, event


def events(app):
    with app.app_context():
        return db.session.query(Event).count()


def test_the_same_file_twice_changes_nothing(app, demo):
    done = preview(app, demo, "proposals", SAMPLE.encode())
    assert done.counts == {"new": 0, "updated": 0, "unchanged": 16, "refused": 0}
    assert done.not_in_file == []
    before = events(app)
    done, event = do_import(app, demo, "proposals", SAMPLE.encode())
    assert event is None and events(app) == before
    with app.app_context():
        assert db.session.query(Proposal).count() == 16
    done, event = do_import(app, demo, "plan-items", PLAN_ITEMS.encode())
    assert done.counts["unchanged"] == 12 and event is None


def test_matched_rows_update_the_fields_the_file_has_and_keep_marks_and_decisions(app, demo, live, join):
    fac = live(demo.facilitator_token)
    first = fac.snapshot["proposals"][0]
    person = live(join(0)["token"])
    assert person.send("proposal.mark", proposal_id=first["id"], status="terakomodir_kab")["ok"]
    assert fac.send("proposal.decide", proposal_id=first["id"], status="terakomodir_kab")["ok"]
    header, rows = rows_of(SAMPLE)
    rows[0] = rows[0].replace("Pembangunan rumah garam prisma", "Pembangunan rumah garam prisma tahan hujan")
    rows[1] = rows[1].replace("60000000", "65000000")
    dropped = rows.pop(5)
    rows.append("HMS-99,Kelompok Baru,Sumur bor tenaga surya,Kekeringan,Sakra,Sakra,1,unit,90000000,"
                "Air,Kabupaten,Dinas PUPR,")
    done, event = do_import(app, demo, "proposals", csv_bytes(header, rows))
    assert done.counts == {"new": 1, "updated": 2, "unchanged": 13, "refused": 0}
    assert [r.values for r in done.rows if r.outcome == "updated"] == [
        {"title": "Pembangunan rumah garam prisma tahan hujan"}, {"cost": 65000000}]
    assert [label for _, label in done.not_in_file] == [" ".join(dropped.split(",")[0:3:2])]
    assert event["type"] == "proposal.import"
    assert [p["code"] for p in event["data"]["proposals"]] == ["HMS-99"]
    assert [p["id"] for p in event["data"]["updated"]][0] == first["id"]
    with app.app_context():
        assert db.session.query(Proposal).count() == 17  # the dropped one stays
        assert db.session.query(Mark).filter_by(proposal_id=first["id"]).count() == 1
        assert db.session.get(Decision, first["id"]).status == "terakomodir_kab"
        assert db.session.get(Proposal, first["id"]).title.endswith("tahan hujan")
    assert event["data"]["updated"][0]["title"].endswith("tahan hujan")


def test_without_codes_rows_match_by_title_and_proposer_and_empty_cells_keep_values(app, demo):
    text = "Usulan,Pengusul,Perkiraan Biaya\nEmbung desa,Desa Sakra,100\nEmbung desa,Desa Rarang,200\n"
    done, _ = do_import(app, demo, "proposals", text.encode())
    assert done.counts["new"] == 2
    again = "Usulan,Pengusul,Perkiraan Biaya\n embung  DESA ,desa sakra,150\nEmbung desa,Desa Rarang,\n"
    done, _ = do_import(app, demo, "proposals", again.encode())
    assert done.counts == {"new": 0, "updated": 1, "unchanged": 1, "refused": 0}
    assert done.rows[0].values == {"title": "embung  DESA", "proposer": "desa sakra", "cost": 150}
    with app.app_context():
        costs = sorted(p.cost for p in db.session.query(Proposal).filter(Proposal.proposer.ilike("desa %")))
    assert costs == [150, 200]
    # A file that now has codes still finds the proposals imported without them.
    coded = "Kode,Usulan,Pengusul\nE-1,Embung desa,Desa Sakra\n"
    done, _ = do_import(app, demo, "proposals", coded.encode())
    assert done.counts == {"new": 0, "updated": 1, "unchanged": 0, "refused": 0}
    assert done.rows[0].values == {"code": "E-1", "title": "Embung desa", "proposer": "Desa Sakra"}


def test_rows_that_collide_refuse_the_whole_file(app, demo):
    header, rows = rows_of(SAMPLE)
    rows.append(rows[0].replace("Pembangunan rumah garam prisma", "Judul lain"))  # HMS-01 again
    rows.append("HMS-50,,Usulan tanpa pengusul,,,,,,,,,,")
    with app.app_context():
        with pytest.raises(ImportRejected) as refused:
            store(db.session, demo.meeting_id, None, "proposals", read("proposals", "x.csv", csv_bytes(header, rows)))
        db.session.rollback()
    problems = refused.value.problems
    assert [p.row for p in problems] == [18]
    assert problems[0].params["other"] == 2
    with app.app_context():
        assert db.session.query(Proposal).count() == 16
    same_plan_item = PLAN_ITEMS.strip() + "\n" + PLAN_ITEMS.strip().split("\n")[1].replace("180000000", "1")
    assert preview(app, demo, "plan-items", same_plan_item.encode()).counts["refused"] == 1


def test_plan_items_match_by_document_code_and_sub_activity(app, demo):
    header, rows = rows_of(PLAN_ITEMS)
    rows[0] = rows[0].replace("180000000", "200000000")
    rows[1] = rows[1].replace("RKPD Kab. Lombok Timur 2021", "RKPD Kab. Lombok Timur 2022")
    done, event = do_import(app, demo, "plan-items", csv_bytes(header, rows))
    assert done.counts == {"new": 1, "updated": 1, "unchanged": 10, "refused": 0}
    assert len(done.not_in_file) == 1
    assert event["data"]["updated"][0]["budget"] == 200000000
    with app.app_context():
        assert db.session.query(PlanItem).count() == 13


def test_a_withdrawn_proposal_is_matched_not_doubled(app, demo, live):
    fac = live(demo.facilitator_token)
    first = fac.snapshot["proposals"][0]["id"]
    assert fac.send("proposal.withdraw", proposal_id=first, reason="Digabung")["ok"]
    done = preview(app, demo, "proposals", SAMPLE.encode())
    assert done.counts["new"] == 0 and done.not_in_file == []
    assert [r.withdrawn for r in done.rows].count(True) == 1


def test_cli_dry_run_stores_nothing(runner, app, demo, tmp_path):
    header, rows = rows_of(SAMPLE)
    path = tmp_path / "usulan.csv"
    path.write_bytes(csv_bytes(header, rows + ["HMS-77,X,Usulan baru,,,,,,,,,,"]))
    out = runner.invoke(args=["import", "proposals", str(demo.meeting_id), str(path), "--dry-run"])
    assert out.exit_code == 0, out.output
    assert "1 new, 0 updated, 16 unchanged, 0 refused" in out.output and "nothing was stored" in out.output
    with app.app_context():
        assert db.session.query(Proposal).count() == 16
    out = runner.invoke(args=["import", "proposals", str(demo.meeting_id), str(path)])
    assert out.exit_code == 0 and "1 new" in out.output
    with app.app_context():
        assert db.session.query(Proposal).count() == 17


def test_console_preview_then_confirm_with_the_same_file(client, app, demo):
    client.get(f"/f/{demo.facilitator_token}")
    with client.session_transaction() as s:
        token = s["csrf"]
    header, rows = rows_of(SAMPLE)
    data = csv_bytes(header, rows[:15] + ["HMS-88,Y,Usulan lain,,,,,,,,,,"])

    def post(query=""):
        return client.post(f"/meetings/{demo.meeting_id}/import/proposals?lang=en{query}",
                           headers={"X-CSRF-Token": token}, data={"file": (io.BytesIO(data), "u.csv")})
    r = post("&preview=1")
    assert r.status_code == 200
    p = r.get_json()["preview"]
    assert p["counts"] == {"new": 1, "updated": 0, "unchanged": 15, "refused": 0}
    assert p["stored"] is False and len(p["not_in_file"]) == 1
    assert [row["row"] for row in p["rows"] if row["outcome"] == "new"] == [17]
    with app.app_context():
        assert db.session.query(Proposal).count() == 16
    r = post()
    assert r.status_code == 200 and r.get_json()["result"]["stored"] is True
    assert post("&preview=1").get_json()["preview"]["counts"]["unchanged"] == 16


def test_a_kewenangan_column_fills_and_updates_plan_items_level(app, demo):
    header, rows = rows_of(PLAN_ITEMS)
    with_level = csv_bytes(header + ",Kewenangan", [r + ",Provinsi" if "Provinsi NTB" in r else r + ",Kabupaten"
                                                    for r in rows])
    done, event = do_import(app, demo, "plan-items", with_level)
    assert done.counts == {"new": 0, "updated": 12, "unchanged": 0, "refused": 0}
    assert event["data"]["updated"][0]["authority"] == "Kabupaten"
    with app.app_context():
        levels = {p.document: p.authority for p in db.session.query(PlanItem)}
    assert levels == {"RKPD Kab. Lombok Timur 2021": "Kabupaten", "RKPD Provinsi NTB 2021": "Provinsi"}
    # Again: nothing changes; without the column: nothing is erased.
    assert do_import(app, demo, "plan-items", with_level)[1] is None
    assert do_import(app, demo, "plan-items", PLAN_ITEMS.encode())[1] is None
    with app.app_context():
        assert db.session.query(PlanItem).filter(PlanItem.authority == "").count() == 0
