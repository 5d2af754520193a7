"""Creating meetings, issuing their links and letting people in.

Shared by the web pages, the join API, the CLI and the demo."""
from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
from dataclasses import dataclass, field
from typing import Callable

from sqlalchemy import select
from sqlalchemy.orm import Session

from .meeting import views
from .meeting.engine import append_event
from .meeting.errors import N_
from .meeting.schema import has_control_characters
from .meeting.permissions import Actor
from .meeting.vocab import NAME_MAX, canonical_category, canonical_gender
from .models import Event, Meeting, Participant, Site, utcnow
from .security import hash_token, new_join_code, new_token, normalise_join_code, token_matches

DEFAULT_SITES = ("BAPPEDA Provinsi NTB", "BAPPEDA Kabupaten Lombok Timur")
# Links that can be replaced one at a time (from the console, the organiser's
# meeting page or the CLI); the others keep working.
LINK_ROLES = ("facilitator", "projector", "host", "join_code")

# A token for a purpose ("facilitator", "host:0", "projector:1"): random by
# default; derived from the creation form's one-time key when the form made
# the meeting, so that sending the form again can show the same links.
TokenSource = Callable[[str], str]


def random_tokens(purpose: str) -> str:
    return new_token()


def tokens_from_form_key(secret_key: str, form_key: str) -> TokenSource:
    """Tokens only whoever holds the form key can compute again. The key is
    random (256 bits) and stored only hashed, so the database and the secret
    key together still do not give the links away."""
    def token(purpose: str) -> str:
        digest = hmac.new(secret_key.encode(), f"{form_key}\0{purpose}".encode(), hashlib.sha256)
        return base64.urlsafe_b64encode(digest.digest()).decode()[:32]
    return token


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
                   facilitator: dict, status: str = "draft", tokens: TokenSource = random_tokens,
                   **fields) -> tuple[Meeting, Links]:
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
    return meeting, issue_links(session, meeting, public_url, tokens)


def _staff(session: Session, meeting: Meeting) -> tuple[Participant, dict[int, Participant]]:
    """The facilitator and each site's host (created when a site has none)."""
    people = session.scalars(select(Participant).where(
        Participant.meeting_id == meeting.id, Participant.role.in_(("facilitator", "host")),
        Participant.revoked.is_(False)).order_by(Participant.id)).all()
    facilitator = next(p for p in people if p.role == "facilitator")
    hosts = {}
    for site in meeting.sites:
        host = next((p for p in people if p.role == "host" and p.site_id == site.id), None)
        if host is None:
            host = Participant(meeting_id=meeting.id, site_id=site.id, role="host",
                               name=f"Koordinator {site.name}", category="OPD", organisation=site.name)
            session.add(host)
        hosts[site.id] = host
    return facilitator, hosts


def _links(meeting: Meeting, public_url: str, facilitator_token: str,
           site_tokens: dict[int, tuple[str, str]]) -> Links:
    """Links from tokens; a token "" (replaced since) gives an empty URL."""
    base = public_url.rstrip("/")
    url = lambda kind, token: f"{base}/{kind}/{token}" if token else ""  # noqa: E731
    links = Links(meeting.id, facilitator_token, url("f", facilitator_token))
    for site in meeting.sites:
        projector_token, host_token = site_tokens[site.id]
        links.sites.append(SiteLinks(
            id=site.id, name=site.name, join_code=site.join_code,
            join_url=f"{base}/j/{site.join_code}",
            projector_token=projector_token, projector_url=url("p", projector_token),
            host_token=host_token, host_url=url("h", host_token)))
    return links


def issue_links(session: Session, meeting: Meeting, public_url: str,
                tokens: TokenSource = random_tokens) -> Links:
    """Fresh tokens for the facilitator, every host and every projector.

    Tokens are stored hashed, so old links cannot be shown again: they are
    replaced, and the old ones stop working."""
    facilitator, hosts = _staff(session, meeting)
    fac_token = tokens("facilitator")
    facilitator.token_hash = hash_token(fac_token)
    site_tokens = {}
    for site in meeting.sites:
        projector_token, host_token = tokens(f"projector:{site.position}"), tokens(f"host:{site.position}")
        site.projector_token_hash = hash_token(projector_token)
        hosts[site.id].token_hash = hash_token(host_token)
        site_tokens[site.id] = (projector_token, host_token)
    session.flush()
    return _links(meeting, public_url, fac_token, site_tokens)


def links_again(session: Session, meeting: Meeting, public_url: str, tokens: TokenSource) -> Links:
    """The links `tokens` made for this meeting, as far as they still work
    (a link replaced since comes back empty)."""
    facilitator, hosts = _staff(session, meeting)

    def still(token: str, stored: str | None) -> str:
        return token if token_matches(token, stored) else ""
    site_tokens = {site.id: (still(tokens(f"projector:{site.position}"), site.projector_token_hash),
                             still(tokens(f"host:{site.position}"), hosts[site.id].token_hash))
                   for site in meeting.sites}
    return _links(meeting, public_url, still(tokens("facilitator"), facilitator.token_hash), site_tokens)


@dataclass
class FreshLink:
    role: str
    site_id: int | None
    url: str
    token: str = ""
    join_code: str = ""


def replace_link(session: Session, meeting: Meeting, role: str, site_id: int | None,
                 public_url: str, actor: Actor | None, now: dt.datetime | None = None) -> tuple[FreshLink, Event]:
    """A fresh link for one role: the facilitator's, or one site's projector,
    host or join code. Every other link keeps working. The event (without the
    token) is the audit record; it also closes the old link's connections and
    shows a new join code on the screens. Raises JoinError (unknown role/site)."""
    if role not in LINK_ROLES:
        raise JoinError(N_("Unknown kind of link."))
    base = public_url.rstrip("/")
    site = None
    if role != "facilitator":
        site = next((s for s in meeting.sites if s.id == site_id and not isinstance(site_id, bool)), None)
        if site is None:
            raise JoinError(N_("Choose one of the meeting's sites."))
    data: dict = {"role": role, "site_id": site.id if site else None}
    if role == "join_code":
        site.join_code = _unique_join_code(session)
        fresh = FreshLink(role, site.id, f"{base}/j/{site.join_code}", join_code=site.join_code)
        data["join_code"] = site.join_code
    else:
        token = new_token()
        if role == "projector":
            site.projector_token_hash = hash_token(token)
            fresh = FreshLink(role, site.id, f"{base}/p/{token}", token)
        else:
            facilitator, hosts = _staff(session, meeting)
            person = facilitator if role == "facilitator" else hosts[site.id]
            person.token_hash = hash_token(token)
            session.flush()  # a site without a host gets one: it needs its id
            data["participant_id"] = person.id
            fresh = FreshLink(role, site.id if site else None,
                              f"{base}/{'f' if role == 'facilitator' else 'h'}/{token}", token)
    session.flush()
    event = append_event(session, meeting, "link.replace", actor, data, now or utcnow())
    return fresh, event


def authenticate(session: Session, token) -> Actor | None:
    """The actor a token stands for, or None when it is missing, unknown or revoked."""
    if not isinstance(token, str) or not 16 <= len(token) <= 128:
        return None
    digest = hash_token(token)
    p = session.scalars(select(Participant).where(Participant.token_hash == digest)).first()
    if p is not None and token_matches(token, p.token_hash):
        if p.revoked:
            return None
        return Actor(p.meeting_id, p.role, p.site_id, p.id, p.name)
    site = session.scalars(select(Site).where(Site.projector_token_hash == digest)).first()
    if site is not None and token_matches(token, site.projector_token_hash):
        return Actor(site.meeting_id, "projector", site.id)
    return None


def site_by_code(session: Session, code) -> Site | None:
    if not isinstance(code, str) or len(code) > 20:
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
