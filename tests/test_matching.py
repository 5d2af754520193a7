"""The matcher's normalisation (abbreviations, stemming, agency names,
synonyms, kecamatan, level) and its ranking of the sample data, and the
`flask matches` view of a meeting."""
import csv
import json

import pytest

from sinkron.demo import DATA
from sinkron.extensions import db
from sinkron.matching import (STRONG_THRESHOLD, PlanIndex, PlanItemText, ProposalText, Steps,
                              suggest_all)
from sinkron.matching import places
from sinkron.matching.agencies import agency_key, same_agency
from sinkron.matching.text import Analyzer, fold, load_lexicon, stem
from sinkron.models import Proposal, utcnow

terms = Analyzer().terms


# --- normalisation ---------------------------------------------------------------

def test_case_accents_and_punctuation_fold_away():
    assert fold("Kab. Lombok-Timur; KEC. Sakra (Barat)") == "kab lombok timur kec sakra barat"
    assert fold("Rehabilitasi  Café") == "rehabilitasi cafe"


@pytest.mark.parametrize("short,long", [
    ("SPAM", "Sistem Penyediaan Air Minum"),
    ("PAH", "Penampungan Air Hujan"),
    ("DTB", "Desa Tangguh Bencana"),
    ("KWT", "Kelompok Wanita Tani"),
    ("Pokdarwis", "Kelompok Sadar Wisata"),
    ("BUMDes", "Badan Usaha Milik Desa"),
    ("Kab.", "Kabupaten"),
    ("Prov.", "Provinsi"),
    ("Kec.", "Kecamatan"),
    ("TPS 3R", "Tempat Pengolahan Sampah Reduce Reuse Recycle"),
])
def test_abbreviations_read_as_their_long_form(short, long):
    # Stop words off: "Kabupaten" and "Provinsi" are then dropped as level words.
    expanded = Analyzer(Steps(stop_words=False)).terms
    assert expanded(short) == expanded(long) != []
    assert terms(short) == terms(long)


def test_without_the_abbreviation_step_they_stay_short():
    assert Analyzer(Steps(abbreviations=False)).terms("SPAM") == ["spam"]


def test_stop_words_are_dropped_and_words_stemmed():
    assert terms("Pembangunan jaringan perpipaan di kawasan perdesaan") == \
        terms("bangun jaring pipa kawasan desa")
    assert stem("penampungan") == stem("penampung") == "tampung"
    assert stem("pertanian") == stem("petani")
    assert "di" not in terms("air di desa") and "yang" not in terms("embung yang bocor")
    # What the stemmer would merge or cut and planners keep apart:
    assert stem("bangunan") != stem("pembangunan")
    assert stem("pengaman") == "pengaman"


@pytest.mark.parametrize("community,formal", [
    ("pipanisasi", "jaringan perpipaan"),
    ("tanggul penahan ombak", "bangunan pengaman pantai"),
    ("bibit", "benih"),
    ("perbaikan", "rehabilitasi"),
    ("air bersih", "air minum"),
    ("bedah rumah", "rumah tidak layak huni"),
    ("pernikahan dini", "perkawinan anak"),
    ("lampu jalan", "penerangan jalan"),
])
def test_synonyms_read_as_one(community, formal):
    assert terms(community) == terms(formal)


def test_the_synonym_file_is_extendable_and_checked(tmp_path):
    path = tmp_path / "synonyms.txt"
    path.write_text("# comment\nkwt = kelompok wanita tani\nsumur ~ perigi\n", encoding="utf-8")
    lex = load_lexicon(path)
    assert Analyzer(lex=lex).terms("perigi") == Analyzer(lex=lex).terms("sumur")
    path.write_text("no operator here\n", encoding="utf-8")
    with pytest.raises(ValueError):
        load_lexicon(path)



@pytest.mark.parametrize("short,long", [
    ("jln", "jalan"),
    ("tdk", "tidak"),
    ("PDAM", "Perusahaan Daerah Air Minum"),
    ("IB", "Inseminasi Buatan"),
    ("KDRT", "Kekerasan dalam Rumah Tangga"),
    ("BLT", "Bantuan Langsung Tunai"),
])
def test_community_short_forms_read_as_their_long_form(short, long):
    assert terms(short) == terms(long) != []


@pytest.mark.parametrize("example,nomenclature", [
    ("Pustu", "Fasilitas Kesehatan Lainnya"),
    ("Poskesdes", "Fasilitas Kesehatan Lainnya"),
    ("mobil ambulans", "Sarana Fasilitas Pelayanan Kesehatan"),
    ("posyandu", "Upaya Kesehatan Bersumber Daya Masyarakat"),
    ("meja kursi", "Mebel"),
    ("kursi roda", "Alat Bantu"),
    ("Paket C", "Pendidikan Kesetaraan"),
    ("los pasar", "Sarana Distribusi Perdagangan"),
    ("lapangan sepak bola", "Prasarana Olahraga"),
    ("akta kelahiran", "Pencatatan Sipil"),
    ("TKW", "Pekerja Migran Indonesia"),
    ("miskin", "tidak mampu"),
    ("MCK", "Sanitasi Komunal"),
    ("PJU", "Perlengkapan Jalan Umum"),
    ("objek wisata", "Daya Tarik Wisata"),
    ("perijinan", "perizinan"),
])
def test_nomenclature_classes_read_as_what_people_name(example, nomenclature):
    assert terms(example) == terms(nomenclature) != []


def test_a_class_is_read_as_a_distinctive_word_not_its_generic_words():
    # "miskin" and "tidak mampu" are one, but do not reach "rumah tidak layak huni";
    # an ambulance does not reach every item with "fasilitas pelayanan kesehatan".
    assert not set(terms("warga miskin")) & set(terms("Rumah Tidak Layak Huni"))
    assert not set(terms("ambulans")) & set(terms("Penyediaan Fasilitas Pelayanan Kesehatan"))
    assert not set(terms("Bantuan alat musik")) & set(terms("Penyediaan Alat Bantu")) - {"alat"}


def test_level_words_of_the_nomenclature_are_not_activity_words():
    assert terms("Tingkat Daerah Kabupaten/Kota") == []
    assert terms("dalam 1 (satu) Daerah Provinsi") == []
    assert terms("Penyediaan Sistem Peringatan Dini Bencana Kabupaten/Kota") == \
        terms("Penyediaan Sistem Peringatan Dini Bencana")
    assert "kota" in terms("Kawasan Perkotaan")           # a town is still a town

def test_agency_names_compare_by_what_the_agency_does():
    pupr = agency_key("Dinas PUPR Kab. Lombok Timur")
    assert pupr == agency_key("Dinas Pekerjaan Umum dan Penataan Ruang")
    assert same_agency(pupr, agency_key("Dinas PUPR Provinsi NTB")) == 1.0
    assert same_agency(agency_key("DKP Lotim"), agency_key("Dinas Kelautan dan Perikanan")) == 1.0
    assert same_agency(pupr, agency_key("Dinas Pertanian")) == 0.0
    assert same_agency(agency_key("Dinas Pertanian Kab. Lombok Timur"),
                       agency_key("Dinas Peternakan dan Kesehatan Hewan")) == 0.0


def test_kecamatan_and_desa_from_free_text_locations():
    where = places.place("D.I. Rensing, Kec. Sakra Barat; Kec. Keruak")
    assert where.kecamatan == {"sakra barat", "keruak"}
    assert places.kecamatan_match("Sakra Barat", where)
    assert places.kecamatan_match("Kec. Keruak", where)
    assert not places.kecamatan_match("Sakra", where)      # another kecamatan
    assert places.names_elsewhere("Sakra", where)
    village = places.place("Desa Tanjung Luar, Kec. Keruak")
    assert places.desa_match("Tanjung Luar", village) and places.kecamatan_match("Keruak", village)
    # Names without "Kec.": whole words, not a longer kecamatan's first word.
    loose = places.place("Jerowaru, Keruak, Sakra Timur")
    assert places.kecamatan_match("Keruak", loose)
    assert not places.kecamatan_match("Sakra", loose)
    everywhere = places.place("Seluruh kecamatan")
    assert everywhere.everywhere and not places.names_elsewhere("Sakra", everywhere)


def test_level_from_kewenangan_document_or_agency():
    assert places.plan_item_level("", "RKPD Provinsi NTB 2021", "") == places.PROVINCE
    assert places.plan_item_level("", "RKPD Kab. Lombok Timur 2021", "") == places.REGENCY
    assert places.plan_item_level("Provinsi", "RKPD Kab. Lombok Timur 2021", "") == places.PROVINCE
    assert places.plan_item_level("", "Renja 2021", "Dinas PUPR Prov. NTB") == places.PROVINCE
    assert places.proposal_level("Kabupaten", "") == places.REGENCY
    assert places.proposal_level("", "Dinas Kelautan dan Perikanan Provinsi NTB") == places.PROVINCE
    assert places.proposal_level("Non-pemerintah", "Perbankan") == places.NONE


# --- ranking ----------------------------------------------------------------------

def _sample():
    def rows(name):
        with open(DATA / name, encoding="utf-8", newline="") as fh:
            return list(csv.DictReader(fh))
    proposals = [ProposalText(id=i, code=r["Kode"], title=r["Usulan"], problem=r["Permasalahan"],
                              proposer=r["Pengusul"], kecamatan=r["Kecamatan"], desa=r["Desa"],
                              sector=r["Sektor"], target_agency=r["OPD Tujuan"],
                              authority=r["Kewenangan"], programme_code=r["Kode Program"])
                 for i, r in enumerate(rows("usulan-contoh.csv"), start=1)]
    items = [PlanItemText(id=100 + i, document=r["Dokumen"], agency=r["Perangkat Daerah"],
                          code=r["Kode"], programme=r["Program"], activity=r["Kegiatan"],
                          sub_activity=r["Sub Kegiatan"], location=r["Lokasi"])
             for i, r in enumerate(rows("rkpd-contoh.csv"))]
    return proposals, items


SAMPLE_MATCHES = {
    "HMS-02": "Penyelenggaraan sekolah lapang bagi petani dan kelompok tani",
    "HMS-04": "Rehabilitasi ekosistem mangrove pesisir",
    "HMS-05": "Pembangunan sumur bor dan jaringan perpipaan air minum perdesaan",
    "HMS-07": "Pembentukan dan pembinaan Desa Tangguh Bencana",
    "HMS-09": "Pembangunan bangunan pengaman pantai",
    "HMS-10": "Pembangunan embung dan penampung air lainnya",
    "HMS-11": "Distribusi air bersih darurat kekeringan",
    "HMS-12": "Pembinaan Program Kampung Iklim",
    "HMS-14": "Penyediaan benih tanaman pangan toleran kekeringan",
    "HMS-16": "Pengendalian penyakit tular vektor (DBD)",
}


def test_the_sample_proposals_find_their_plan_items_first():
    proposals, items = _sample()
    names = {i.id: i.sub_activity for i in items}
    found = suggest_all(proposals, items, top=5)
    firsts = {p.code: names[found[p.id][0].plan_item_id] for p in proposals if found[p.id]}
    assert {code: firsts.get(code) for code in SAMPLE_MATCHES} == SAMPLE_MATCHES
    for p in proposals:
        scores = [s.score for s in found[p.id]]
        assert scores == sorted(scores, reverse=True) and all(0 <= s <= 1 for s in scores)
        assert all(s.strong == (s.score >= STRONG_THRESHOLD) for s in found[p.id])


def test_proposals_outside_the_plans_get_no_strong_suggestion():
    proposals, items = _sample()
    found = suggest_all(proposals, items)
    for code in ("HMS-13", "HMS-15"):   # BMKG (Pusat) and a bank loan (Non-pemerintah)
        pid = next(p.id for p in proposals if p.code == code)
        assert not any(s.strong for s in found[pid]), found[pid]


def test_reasons_name_the_words_agency_code_location_and_level():
    proposals, items = _sample()
    index = PlanIndex(items)
    dtb = next(p for p in proposals if p.code == "HMS-07")
    best = index.suggest(dtb, top=1)[0]
    kinds = {r.kind: r.detail for r in best.reasons}
    assert kinds["words"] == "Pembentukan, Desa Tangguh Bencana"
    assert kinds["agency"] == "BPBD" and kinds["code"] == "1.05.03"
    assert kinds["location"] == "Kec. Keruak" and kinds["level"] == "Kabupaten"
    assert best.strong
    assert best.to_json()["reasons"][0] == {"kind": "words", "detail": "Pembentukan, Desa Tangguh Bencana"}


def test_hard_distractors_urban_rural_build_repair_regency_province():
    items = [
        PlanItemText(1, "RKPD Kab. Lombok Timur 2021", "Dinas PUPR", "1.03.03", sub_activity=
                     "Pembangunan SPAM Jaringan Perpipaan di Kawasan Perkotaan", location="Kec. Selong"),
        PlanItemText(2, "RKPD Kab. Lombok Timur 2021", "Dinas PUPR", "1.03.03", sub_activity=
                     "Pembangunan SPAM Jaringan Perpipaan di Kawasan Perdesaan", location="Kec. Selong"),
        PlanItemText(3, "RKPD Kab. Lombok Timur 2021", "Dinas PUPR", "1.03.02",
                     sub_activity="Pembangunan Embung", location="Kec. Suela"),
        PlanItemText(4, "RKPD Kab. Lombok Timur 2021", "Dinas PUPR", "1.03.02",
                     sub_activity="Rehabilitasi Embung", location="Kec. Suela"),
        PlanItemText(5, "RKPD Provinsi NTB 2021", "Dinas PUPR Provinsi NTB", "1.03.02",
                     sub_activity="Rehabilitasi Embung", location="Kec. Suela"),
    ]
    index = PlanIndex(items)
    first = lambda **kw: index.suggest(ProposalText(id=1, kecamatan="Suela", **kw), 1)[0].plan_item_id  # noqa: E731
    assert first(title="Pipanisasi air bersih untuk dusun", proposer="Pemerintah Desa Sapit") == 2
    assert first(title="Pipanisasi air bersih kelurahan", proposer="Lurah Pancor") == 1
    assert first(title="Perbaikan embung yang bocor", authority="Kabupaten") == 4
    assert first(title="Embung baru untuk sawah", problem="Belum ada embung", authority="Kabupaten") == 3
    assert first(title="Perbaikan embung yang bocor", authority="Provinsi") == 5



def test_the_sector_counts_where_the_target_agency_is_empty_or_loose():
    items = [PlanItemText(1, "RKPD Kab. Lombok Tengah 2024", "Dinas Perhubungan",
                          sub_activity="Pembangunan Halte dan Kandang"),
             PlanItemText(2, "RKPD Kab. Lombok Tengah 2024", "Dinas Peternakan dan Kesehatan Hewan",
                          sub_activity="Pembangunan Kandang dan Halte")]
    index = PlanIndex(items)
    proposal = ProposalText(1, title="Kandang dan halte", sector="Peternakan", target_agency="")
    best = index.suggest(proposal, 2)
    assert [s.plan_item_id for s in best] == [2, 1]
    assert {"kind": "agency", "detail": "Dinas Peternakan dan Kesehatan Hewan"} in \
        best[0].to_json()["reasons"]
    # With the step off, the two tie on words alone.
    off = PlanIndex(items, Steps(agency=False)).suggest(proposal, 2)
    assert off[0].score == off[1].score


@pytest.mark.parametrize("problem", ["Jalan berlubang", "Badan jalan amblas", "Got mampet"])
def test_damage_words_make_a_proposal_a_repair(problem):
    items = [PlanItemText(1, sub_activity="Pembangunan Jalan"),
             PlanItemText(2, sub_activity="Pemeliharaan Berkala Jalan")]
    index = PlanIndex(items)
    assert index.suggest(ProposalText(1, title="Jalan dusun", problem=problem), 1)[0].plan_item_id == 2

def test_no_plan_items_or_no_shared_words_give_no_suggestions():
    assert PlanIndex([]).suggest(ProposalText(1, title="Embung"), 5) == []
    index = PlanIndex([PlanItemText(1, sub_activity="Pembangunan Embung")])
    assert index.suggest(ProposalText(2, title="Wifi gratis"), 5) == []
    assert index.suggest(ProposalText(3, title="Embung"), 0) == []



def test_sharing_only_the_nomenclature_verb_is_no_suggestion_outside_the_field():
    items = [PlanItemText(1, "RKPD Kab. Lombok Timur 2021", "Dinas PUPR",
                          sub_activity="Pembangunan embung dan penampung air lainnya"),
             PlanItemText(2, "RKPD Kab. Lombok Timur 2021", "Dinas Peternakan dan Kesehatan Hewan",
                          sub_activity="Rehabilitasi Prasarana Peternakan")]
    index = PlanIndex(items)
    salt = ProposalText(1, title="Pembangunan rumah garam prisma",
                        target_agency="Dinas Kelautan dan Perikanan Kab. Lombok Timur")
    assert index.suggest(salt, 5) == []
    # Within the proposal's own field the verb still tells.
    shed = ProposalText(2, title="Rehabilitasi kandang kolektif", sector="Peternakan")
    assert [s.plan_item_id for s in index.suggest(shed, 5)] == [2]
    # The rule is part of the word step: with agencies off, nothing is in the field.
    assert PlanIndex(items, Steps(agency=False)).suggest(shed, 5) == []

# --- flask matches ------------------------------------------------------------------

def test_matches_lists_the_agenda_in_order_without_withdrawn_proposals(app, demo, runner):
    with app.app_context():
        rows = db.session.query(Proposal).order_by(Proposal.position).all()
        rows[0].withdrawn_at = utcnow()
        rows[1].position, rows[2].position = rows[2].position, rows[1].position
        db.session.commit()
        expected = [rows[2].code, rows[1].code] + [p.code for p in rows[3:]]
    result = runner.invoke(args=["matches", str(demo.meeting_id), "--json", "--top", "3"])
    assert result.exit_code == 0, result.output
    found = json.loads(result.output)
    assert [e["proposal_code"] for e in found] == expected
    entry = next(e for e in found if e["proposal_code"] == "HMS-07")
    assert set(entry) == {"proposal_id", "proposal_code", "suggestions"}
    best = entry["suggestions"][0]
    assert set(best) == {"plan_item_id", "plan_item_code", "document", "sub_activity", "score",
                         "strong", "reasons"}
    assert best["sub_activity"] == "Pembentukan dan pembinaan Desa Tangguh Bencana"
    assert best["strong"] is True and best["document"] == "RKPD Kab. Lombok Timur 2021"
    assert all(len(e["suggestions"]) <= 3 for e in found)

    text = runner.invoke(args=["matches", str(demo.meeting_id)])
    assert text.exit_code == 0
    assert "HMS-07" in text.output and "Pembentukan dan pembinaan Desa Tangguh Bencana" in text.output
    assert "agency: BPBD" in text.output and "HMS-01\n" not in text.output

    missing = runner.invoke(args=["matches", "9999"])
    assert missing.exit_code == 1 and "No meeting with id 9999" in missing.output
