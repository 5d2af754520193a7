"""The NTB demo meeting: live, with the bundled sample proposals and plan items."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

from sqlalchemy.orm import Session

from .imports.store import store
from .imports.read import read_plan_items, read_proposals
from .meeting import views
from .meetings import Links, create_meeting

DATA = Path(__file__).parent / "data"


def create_demo(session: Session, public_url: str) -> Links:
    meeting, links = create_meeting(
        session, public_url,
        title="Sinkronisasi Usulan Program Adaptasi Perubahan Iklim HIMASPI "
              "dengan Perencanaan Daerah",
        number="050/117/BAPPEDA/2020",
        date=dt.date(2020, 5, 12), start_time="09:00", end_time="12:00",
        timezone="Asia/Makassar",
        place="Ruang Rapat BAPPEDA Provinsi NTB (Mataram) dan Ruang Rapat BAPPEDA "
              "Kabupaten Lombok Timur (Selong)",
        purpose="Menyinkronkan usulan program adaptasi perubahan iklim hasil lokakarya HIMASPI "
                "dengan RKPD dan Renja OPD Kabupaten Lombok Timur dan Provinsi NTB, serta "
                "menyepakati prioritas dan tindak lanjutnya.",
        note_taker="Notulis BAPPEDA Kab. Lombok Timur", signature_city="Mataram",
        community_rep="Koordinator HIMASPI Lombok Timur", community_rep_title="Koordinator HIMASPI",
        status="live",
        sites=[
            {"name": "BAPPEDA Provinsi NTB", "chair_name": "Kepala Bidang Perencanaan "
             "Pembangunan Daerah, BAPPEDA Provinsi NTB", "host_name": "Koordinator Provinsi"},
            {"name": "BAPPEDA Kabupaten Lombok Timur", "chair_name": "Kepala BAPPEDA "
             "Kabupaten Lombok Timur", "host_name": "Koordinator Lombok Timur"},
        ],
        facilitator={"name": "Fasilitator", "organisation": "HIMASPI", "category": "HIMASPI",
                     "site_index": 1},
    )
    for kind, reader, name in (("proposals", read_proposals, "usulan-contoh.csv"),
                               ("plan-items", read_plan_items, "rkpd-contoh.csv")):
        path = DATA / name
        store(session, meeting.id, None, kind, reader(path.name, path.read_bytes()))
    # Projectors show the first proposal at once, so the demo looks like a meeting.
    meeting.focus_proposal_id = views.agenda_ids(session, meeting.id)[0]
    return links
