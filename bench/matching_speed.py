"""How long suggestions take for 200 proposals against 2,000 plan items.

    python bench/matching_speed.py [--runs 5] [--proposals 200] [--plan-items 2000]

Plan items and proposals are generated from planning vocabulary (actions,
objects, settings, agencies, kecamatan), so the index has the size and word
spread of a large RKPD. Each run builds the index and suggests the top five
for every proposal (suggest_all, what the live side and `flask matches`
call), with the stemmer's word cache emptied first; the median of the runs is
printed, and the first run of the process (the stemmer's dictionary loads) on
its own."""
from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from sinkron.matching import PlanItemText, ProposalText, suggest_all  # noqa: E402
from sinkron.matching.text import stem  # noqa: E402

ACTIONS = ["Pembangunan", "Rehabilitasi", "Peningkatan", "Pemeliharaan Berkala", "Perluasan",
           "Penyediaan", "Pengadaan", "Pembinaan", "Pelatihan", "Fasilitasi", "Pengembangan",
           "Operasi dan Pemeliharaan", "Penyusunan", "Sosialisasi"]
OBJECTS = ["SPAM Jaringan Perpipaan", "Jaringan Irigasi Permukaan", "Jaringan Irigasi Air Tanah",
           "Embung dan Penampung Air Lainnya", "Jalan", "Jembatan", "Sistem Drainase",
           "Tanggul Sungai", "Bangunan Pengaman Pantai", "Rumah Tidak Layak Huni", "Puskesmas Pembantu",
           "Ruang Kelas Sekolah Dasar", "Gedung PAUD", "Tempat Pelelangan Ikan", "Pasar Rakyat",
           "Kelompok Tani", "Kelompok Sadar Wisata", "Bank Sampah", "TPS3R", "Posyandu",
           "Desa Tangguh Bencana", "Kampung Iklim", "Benih Tanaman Pangan", "Alat Penangkapan Ikan",
           "Sarana Budidaya Rumput Laut", "Kandang Ternak", "Lumbung Pangan", "Kajian Risiko Bencana",
           "Penerangan Jalan Umum", "Badan Usaha Milik Desa", "Ekosistem Mangrove", "Terumbu Karang",
           "SPALD Skala Individu", "MCK Komunal", "Desa Wisata", "Hutan Kemasyarakatan"]
SETTINGS = ["di Kawasan Perdesaan", "di Kawasan Perkotaan", "Kewenangan Kabupaten",
            "Lintas Kabupaten", "bagi Masyarakat Berpenghasilan Rendah", "bagi Nelayan Kecil", ""]
AGENCIES = ["Dinas PUPR", "Dinas Pertanian", "Dinas Kelautan dan Perikanan", "BPBD",
            "Dinas Kesehatan", "Dinas Pendidikan dan Kebudayaan", "Dinas Lingkungan Hidup",
            "Dinas Perumahan dan Kawasan Permukiman", "Dinas Pariwisata", "Dinas Sosial"]
KECAMATAN = ["Jerowaru", "Keruak", "Sakra", "Sakra Barat", "Sakra Timur", "Terara", "Montong Gading",
             "Sikur", "Masbagik", "Lenek", "Pringgasela", "Aikmel", "Wanasaba", "Sembalun",
             "Pringgabaya", "Suela", "Labuhan Haji", "Sambelia", "Selong", "Sukamulia", "Suralaga"]
COMMUNITY = ["Perbaikan", "Pembuatan", "Bantuan", "Pipanisasi air bersih ke", "Tambahan", "Pelatihan",
             "Bibit untuk", "Tanggul untuk"]
WORDS = ["rusak", "bocor", "dusun", "warga", "kemarau", "banjir", "abrasi", "sawah", "nelayan",
         "petani", "anak sekolah", "ibu hamil", "sampah", "jalan berlubang", "air asin"]


def plan_items(n: int, rnd: random.Random) -> list[PlanItemText]:
    items = []
    for i in range(n):
        province = rnd.random() < 0.3
        kec = rnd.sample(KECAMATAN, rnd.randint(1, 3))
        items.append(PlanItemText(
            id=i + 1, document="RKPD Provinsi NTB 2021" if province else "RKPD Kab. Lombok Timur 2021",
            agency=rnd.choice(AGENCIES) + (" Provinsi NTB" if province else ""),
            code=f"{rnd.randint(1, 3)}.{rnd.randint(1, 30):02d}.{rnd.randint(1, 12):02d}",
            programme=f"Program {rnd.choice(OBJECTS)}", activity=f"{rnd.choice(ACTIONS)} {rnd.choice(OBJECTS)}",
            sub_activity=f"{rnd.choice(ACTIONS)} {rnd.choice(OBJECTS)} {rnd.choice(SETTINGS)} {i}".strip(),
            location="; ".join(f"Kec. {k}" for k in kec)))
    return items


def proposals(n: int, rnd: random.Random) -> list[ProposalText]:
    return [ProposalText(
        id=i + 1, code=f"U-{i + 1:03d}",
        title=f"{rnd.choice(COMMUNITY)} {rnd.choice(OBJECTS).lower()} {rnd.choice(WORDS)}",
        problem=" ".join(rnd.sample(WORDS, 4)), proposer=f"Pemerintah Desa {rnd.choice(KECAMATAN)}",
        kecamatan=rnd.choice(KECAMATAN), desa="", sector="",
        target_agency=f"{rnd.choice(AGENCIES)} Kab. Lombok Timur", authority=rnd.choice(["Kabupaten", "Provinsi"]),
        programme_code=rnd.choice(["", "1.03.03", "3.27.02"])) for i in range(n)]


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--proposals", type=int, default=200)
    parser.add_argument("--plan-items", type=int, default=2000)
    args = parser.parse_args(argv)
    rnd = random.Random(11)
    items, props = plan_items(args.plan_items, rnd), proposals(args.proposals, rnd)
    times = []
    for run in range(args.runs + 1):
        stem.cache_clear()
        t0 = time.perf_counter()
        found = suggest_all(props, items, top=5)
        times.append(time.perf_counter() - t0)
        assert len(found) == len(props)
    first, rest = times[0], times[1:]
    print(f"{args.proposals} proposals x {args.plan_items} plan items, top 5")
    print(f"first run of the process (stemmer dictionary loads): {first:.2f} s")
    print(f"median of {len(rest)} runs: {statistics.median(rest):.2f} s "
          f"(min {min(rest):.2f}, max {max(rest):.2f}); target at most 2 s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
