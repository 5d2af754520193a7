"""Minutes (berita acara): one content builder (builder.build_minutes), one
renderer per format. Renderers are imported when first used, so the app does
not load PDF and Office libraries until someone exports."""
from __future__ import annotations

import importlib
from dataclasses import dataclass

from sqlalchemy.orm import Session

from .builder import MeetingNotFound, build_minutes
from .content import Minutes

__all__ = ["FORMATS", "Export", "MeetingNotFound", "build_minutes", "export", "render"]

# format -> (renderer module, mimetype)
FORMATS = {
    "docx": ("to_docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    "pdf": ("to_pdf", "application/pdf"),
    "xlsx": ("to_xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    "csv": ("to_csv", "text/csv; charset=utf-8"),
    "md": ("to_md", "text/markdown; charset=utf-8"),
}


@dataclass
class Export:
    data: bytes
    filename: str
    mimetype: str


def render(minutes: Minutes, fmt: str) -> bytes:
    module = importlib.import_module(f".{FORMATS[fmt][0]}", __name__)
    return module.render(minutes)


def export(session: Session, meeting_id: int, fmt: str, lang: str = "id") -> Export:
    """Build and render; raises KeyError for an unknown format, MeetingNotFound."""
    if fmt not in FORMATS:
        raise KeyError(fmt)
    minutes = build_minutes(session, meeting_id, lang)
    return Export(render(minutes, fmt), f"{minutes.filename}.{fmt}", FORMATS[fmt][1])
