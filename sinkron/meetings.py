"""Creating meetings, issuing their links and letting people in.

Shared by the web pages, the join API, the CLI and the demo."""
from __future__ import annotations

import datetime as dt
import hmac
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from .meeting import views
from .meeting.engine import append_event
from .meeting.errors import N_
from .meeting.schema import has_control_characters
from .meeting.permissions import Actor
from .meeting.vocab import NAME_MAX, canonical_category, canonical_gender
from .models import Event, Meeting, Participant, Site, utcnow
from .security import hash_token, new_join_code, new_token, normalise_join_code

DEFAULT_SITES = ("BAPPEDA Provinsi NTB", "BAPPEDA Kabupaten Lombok Timur")


class JoinError(Exception):
    def __init__(self, message: str, status: int = 400, **params):
        super().__init__(message)
        self.message, self.status, self.params = message, status, params


@dataclass
class SiteLinks:
    id: int
    name: str
    join_code: str
    join_url: str
    projector_token: str
    projector_url: str
    host_token: str
    host_url: str


@dataclass
class Links:
    meeting_id: int
    facilitator_token: str
    facilitator_url: str
    sites: list[SiteLinks] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {"meeting_id": self.meeting_id, "facilitator_token": self.facilitator_token,
                "facilitator_url": self.facilitator_url,
                "sites": [vars(s) for s in self.sites]}


def _unique_join_code(session: Session) -> str:
    while True:
        code = new_join_code()
        if session.scalar(select(Site.id).where(Site.join_code == code)) is None:
            return code


def create_meeting(session: Session, public_url: str, *, title: str, sites: list[dict],
                   facilitator: dict, status: str = "draft", **fields) -> tuple[Meeting, Links]:
    """A meeting with its sites, its facilitator and one host per site.

    `sites` items: {name, chair_name?, chair_title?, host_name?}; `facilitator`:
    {name, category?, organisation?, site_index?}."""
    meeting = Meeting(title=title, status=status, **fields)
    session.add(meeting)
    session.flush()
    for i, spec in enumerate(sites):
        site = Site(meeting_id=meeting.id, position=i, name=spec["name"],
                    chair_name=spec.get("chair_name", ""), chair_title=spec.get("chair_title", ""),
                    join_code=_unique_join_code(session),
                    projector_token_hash=hash_token(new_token()))  # replaced below
        session.add(site)
        session.flush()
        session.add(Participant(
            meeting_id=meeting.id, site_id=site.id, role="host",
            name=spec.get("host_name") or f"Koordinator {site.name}",
            category=spec.get("host_category") or "OPD", organisation=site.name))
    site_rows = list(meeting.sites)
    fac_site = site_rows[min(facilitator.get("site_index", 0), len(site_rows) - 1)]
    session.add(Participant(
        meeting_id=meeting.id, site_id=fac_site.id, role="facilitator",
        name=facilitator["name"], category=facilitator.get("category") or "Lainnya",
        organisation=facilitator.get("organisation", "")))
    session.flush()
    return meeting, issue_links(session, meeting, public_url)


def issue_links(session: Session, meeting: Meeting, public_url: str) -> Links:
    """Fresh tokens for the facilitator, every host and every projector.

    Tokens are stored hashed, so old links cannot be shown again: they are
    replaced, and the old ones stop working."""
    def fresh() -> tuple[str, str]:
        token = new_token()
        return token, hash_token(token)

    base = public_url.rstrip("/")
    people = session.scalars(select(Participant).where(
        Participant.meeting_id == meeting.id, Participant.role.in_(("facilitator", "host")),
        Participant.revoked.is_(False)).order_by(Participant.id)).all()
    facilitator = next(p for p in people if p.role == "facilitator")
    fac_token, facilitator.token_hash = fresh()
    links = Links(meeting.id, fac_token, f"{base}/f/{fac_token}")
    for site in meeting.sites:
        host = next((p for p in people if p.role == "host" and p.site_id == site.id), None)
        if host is None:
            host = Participant(meeting_id=meeting.id, site_id=site.id, role="host",
                               name=f"Koordinator {site.name}", category="OPD", organisation=site.name)
            session.add(host)
        host_token, host.token_hash = fresh()
        projector_token, site.projector_token_hash = fresh()
        links.sites.append(SiteLinks(
            id=site.id, name=site.name, join_code=site.join_code,
            join_url=f"{base}/j/{site.join_code}",
            projector_token=projector_token, projector_url=f"{base}/p/{projector_token}",
            host_token=host_token, host_url=f"{base}/h/{host_token}"))
    session.flush()
    return links


def authenticate(session: Session, token) -> Actor | None:
    """The actor a token stands for, or None when it is missing, unknown or revoked."""
    if not isinstance(token, str) or not 16 <= len(token) <= 128:
        return None
    return authenticate_digest(session, hash_token(token))


def authenticate_digest(session: Session, digest) -> Actor | None:
    """The actor a token's stored digest stands for: what a browser session
    keeps instead of the token itself."""
    if not isinstance(digest, str) or len(digest) != 64:
        return None
    p = session.scalars(select(Participant).where(Participant.token_hash == digest)).first()
    if p is not None and hmac.compare_digest(digest, p.token_hash):
        if p.revoked:
            return None
        return Actor(p.meeting_id, p.role, p.site_id, p.id, p.name)
    site = session.scalars(select(Site).where(Site.projector_token_hash == digest)).first()
    if site is not None and hmac.compare_digest(digest, site.projector_token_hash):
        return Actor(site.meeting_id, "projector", site.id)
    return None


def site_by_code(session: Session, code) -> Site | None:
    if not isinstance(code, str) or len(code) > 20 or has_control_characters(code):
        return None
    return session.scalars(select(Site).where(Site.join_code == normalise_join_code(code))).first()


def _text(payload: dict, name: str, max_len: int, required: bool = False) -> str:
    value = payload.get(name)
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise JoinError(N_("'%(field)s' must be text."), field=name)
    if has_control_characters(value):
        raise JoinError(N_("'%(field)s' contains characters that cannot be shown."), field=name)
    value = " ".join(value.split())
    if required and not value:
        raise JoinError(N_("Please fill in your name."))
    if len(value) > max_len:
        raise JoinError(N_("'%(field)s' is longer than %(max)s characters."), field=name, max=max_len)
    return value


def join(session: Session, payload, now: dt.datetime | None = None) -> tuple[Participant, str, Event]:
    """Let someone in with a site's join code. Raises JoinError, creating nothing."""
    if not isinstance(payload, dict):
        raise JoinError(N_("The request must be a JSON object."))
    allowed = {"code", "name", "category", "organisation", "gender"}
    unknown = sorted(k for k in payload if k not in allowed)
    if unknown:
        raise JoinError(N_("Unknown field: %(field)s."), field=str(unknown[0]))
    site = site_by_code(session, payload.get("code"))
    if site is None:
        raise JoinError(N_("This join code is not known. Check the code on the screen."))
    name = _text(payload, "name", NAME_MAX, required=True)
    category_text = payload.get("category")
    category = canonical_category(category_text) if isinstance(category_text, str) else None
    if category is None:
        raise JoinError(N_("Please choose a valid category."))
    organisation = _text(payload, "organisation", 200)
    gender = payload.get("gender")
    if gender in (None, ""):
        gender = None
    else:
        gender = canonical_gender(gender) if isinstance(gender, str) else None
        if gender is None:
            raise JoinError(N_("Gender must be L or P, or left empty."))
    meeting = session.get(Meeting, site.meeting_id, with_for_update=True)
    if meeting.status == "closed":
        raise JoinError(N_("This meeting is closed."), status=409)
    token = new_token()
    p = Participant(meeting_id=meeting.id, site_id=site.id, name=name, category=category,
                    organisation=organisation, gender=gender, role="participant",
                    token_hash=hash_token(token), joined_at=now or utcnow())
    session.add(p)
    session.flush()
    # Hosts' attendance lists update live; the event is also the joining's audit record.
    actor = Actor(meeting.id, "participant", site.id, p.id, p.name)
    event = append_event(session, meeting, "participant.join", actor,
                         {"participant": views.participant_view(p)}, now or utcnow())
    return p, token, event
