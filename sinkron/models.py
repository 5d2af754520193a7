"""Tables. Plain SQLAlchemy (no Flask import), so the meeting rules can use
them without an application."""
from __future__ import annotations

import datetime as dt
from typing import Any, Optional

from sqlalchemy import (
    JSON, BigInteger, Boolean, Date, DateTime, ForeignKey, Index, Integer,
    MetaData, String, Text, UniqueConstraint, text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

# Stable constraint names, so Alembic migrations work on SQLite and PostgreSQL alike.
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class Organiser(Base):
    """Someone who may create meetings and see them all (an account with a
    password, managed with `flask --app app organiser ...`)."""
    __tablename__ = "organiser"

    id: Mapped[int] = mapped_column(primary_key=True)
    # Unique regardless of case: "Rina" and "rina" are one account.
    name: Mapped[str] = mapped_column(String(80))
    name_key: Mapped[str] = mapped_column(String(80), unique=True)
    password_hash: Mapped[str] = mapped_column(String(300))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    last_sign_in_at: Mapped[Optional[dt.datetime]] = mapped_column(DateTime)


class Meeting(Base):
    __tablename__ = "meeting"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(300))
    number: Mapped[str] = mapped_column(String(120), default="")
    date: Mapped[Optional[dt.date]] = mapped_column(Date)
    start_time: Mapped[str] = mapped_column(String(5), default="")  # "HH:MM", local time
    end_time: Mapped[str] = mapped_column(String(5), default="")
    timezone: Mapped[str] = mapped_column(String(64), default="Asia/Makassar")
    place: Mapped[str] = mapped_column(String(500), default="")
    purpose: Mapped[str] = mapped_column(Text, default="")
    note_taker: Mapped[str] = mapped_column(String(200), default="")
    community_rep: Mapped[str] = mapped_column(String(200), default="")
    community_rep_title: Mapped[str] = mapped_column(String(200), default="")
    community_rep_nip: Mapped[str] = mapped_column(String(40), default="", server_default="")
    # The city on the signature page's place and date line ("Mataram, 12 Mei 2020").
    signature_city: Mapped[str] = mapped_column(String(120), default="", server_default="")
    status: Mapped[str] = mapped_column(String(10), default="draft")
    # The sequence number of the newest event; the next event takes last_seq + 1.
    last_seq: Mapped[int] = mapped_column(Integer, default=0)
    # With several processes: the newest event sent to the rooms (live/broadcast.py).
    broadcast_seq: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    focus_proposal_id: Mapped[Optional[int]] = mapped_column(Integer)
    projector_view: Mapped[str] = mapped_column(String(10), default="item")
    vote_budget: Mapped[int] = mapped_column(Integer, default=5)
    vote_max_per_proposal: Mapped[int] = mapped_column(Integer, default=3)
    turn_seconds: Mapped[int] = mapped_column(Integer, default=180)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    # The organiser who created it (none for the demo and CLI-made meetings).
    created_by: Mapped[Optional[int]] = mapped_column(
        ForeignKey("organiser.id", ondelete="SET NULL"), index=True)
    # The creation form's one-time key (hashed): sending the form again shows
    # this meeting instead of creating a second one.
    form_key_hash: Mapped[Optional[str]] = mapped_column(String(64), unique=True)

    sites: Mapped[list[Site]] = relationship(
        back_populates="meeting", order_by="Site.position", cascade="all, delete-orphan")


class Site(Base):
    __tablename__ = "site"

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meeting.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    name: Mapped[str] = mapped_column(String(200))
    chair_name: Mapped[str] = mapped_column(String(200), default="")
    chair_title: Mapped[str] = mapped_column(String(200), default="")
    chair_nip: Mapped[str] = mapped_column(String(40), default="", server_default="")
    # Stored upper case; matched case-insensitively by upper-casing the input.
    join_code: Mapped[str] = mapped_column(String(6), unique=True)
    projector_token_hash: Mapped[str] = mapped_column(String(64), unique=True)

    meeting: Mapped[Meeting] = relationship(back_populates="sites")


class Participant(Base):
    __tablename__ = "participant"

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meeting.id", ondelete="CASCADE"), index=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("site.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    category: Mapped[str] = mapped_column(String(40))
    organisation: Mapped[str] = mapped_column(String(200), default="")
    gender: Mapped[Optional[str]] = mapped_column(String(1))
    role: Mapped[str] = mapped_column(String(12), default="participant")
    # None for people checked in by a host without a phone: they cannot connect.
    token_hash: Mapped[Optional[str]] = mapped_column(String(64), unique=True)
    revoked: Mapped[bool] = mapped_column(Boolean, default=False)
    checked_in_by: Mapped[Optional[int]] = mapped_column(Integer)
    joined_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class Proposal(Base):
    __tablename__ = "proposal"

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meeting.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    code: Mapped[str] = mapped_column(String(40), default="")
    title: Mapped[str] = mapped_column(String(500))
    problem: Mapped[str] = mapped_column(Text, default="")
    proposer: Mapped[str] = mapped_column(String(300), default="")
    kecamatan: Mapped[str] = mapped_column(String(120), default="")
    desa: Mapped[str] = mapped_column(String(120), default="")
    volume: Mapped[Optional[str]] = mapped_column(String(40))
    unit: Mapped[str] = mapped_column(String(60), default="")
    cost: Mapped[Optional[int]] = mapped_column(BigInteger)
    sector: Mapped[str] = mapped_column(String(200), default="")
    target_agency: Mapped[str] = mapped_column(String(300), default="")
    authority: Mapped[str] = mapped_column(String(20), default="")
    programme_code: Mapped[str] = mapped_column(String(60), default="")
    # Withdrawn from the agenda (with a reason), not deleted: restoring brings it back.
    withdrawn_at: Mapped[Optional[dt.datetime]] = mapped_column(DateTime)
    withdrawn_reason: Mapped[str] = mapped_column(Text, default="", server_default="")
    withdrawn_by: Mapped[Optional[int]] = mapped_column(Integer)


class PlanItem(Base):
    __tablename__ = "plan_item"

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meeting.id", ondelete="CASCADE"), index=True)
    document: Mapped[str] = mapped_column(String(300), default="")
    agency: Mapped[str] = mapped_column(String(300), default="")
    code: Mapped[str] = mapped_column(String(60), default="")
    programme: Mapped[str] = mapped_column(String(500), default="")
    activity: Mapped[str] = mapped_column(String(500), default="")
    sub_activity: Mapped[str] = mapped_column(String(500), default="")
    location: Mapped[str] = mapped_column(String(500), default="")
    budget: Mapped[Optional[int]] = mapped_column(BigInteger)
    # Kewenangan, from an optional column; empty: the level comes from `document`.
    authority: Mapped[str] = mapped_column(String(20), default="", server_default="")


class Mark(Base):
    __tablename__ = "mark"
    __table_args__ = (UniqueConstraint("proposal_id", "participant_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meeting.id", ondelete="CASCADE"), index=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposal.id", ondelete="CASCADE"), index=True)
    participant_id: Mapped[int] = mapped_column(ForeignKey("participant.id"))
    site_id: Mapped[int] = mapped_column(ForeignKey("site.id"))
    status: Mapped[str] = mapped_column(String(30))
    plan_item_id: Mapped[Optional[int]] = mapped_column(ForeignKey("plan_item.id"))
    note: Mapped[str] = mapped_column(String(500), default="")
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class Decision(Base):
    __tablename__ = "decision"

    proposal_id: Mapped[int] = mapped_column(
        ForeignKey("proposal.id", ondelete="CASCADE"), primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meeting.id", ondelete="CASCADE"), index=True)
    status: Mapped[str] = mapped_column(String(30))
    plan_item_id: Mapped[Optional[int]] = mapped_column(ForeignKey("plan_item.id"))
    reason: Mapped[str] = mapped_column(Text, default="")
    # Where a redirected (dialihkan) proposal goes: another agency, level, the village fund, a bank.
    destination: Mapped[str] = mapped_column(String(300), default="", server_default="")
    follow_up_action: Mapped[str] = mapped_column(Text, default="")
    follow_up_owner: Mapped[str] = mapped_column(String(300), default="")
    follow_up_due: Mapped[Optional[dt.date]] = mapped_column(Date)
    decided_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    decided_by: Mapped[Optional[int]] = mapped_column(Integer)


class Comment(Base):
    __tablename__ = "comment"

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meeting.id", ondelete="CASCADE"), index=True)
    proposal_id: Mapped[Optional[int]] = mapped_column(ForeignKey("proposal.id", ondelete="CASCADE"))
    participant_id: Mapped[int] = mapped_column(ForeignKey("participant.id"))
    site_id: Mapped[int] = mapped_column(ForeignKey("site.id"))
    kind: Mapped[str] = mapped_column(String(12))
    text: Mapped[str] = mapped_column(Text)
    hidden: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class CommentSupport(Base):
    __tablename__ = "comment_support"

    comment_id: Mapped[int] = mapped_column(
        ForeignKey("comment.id", ondelete="CASCADE"), primary_key=True)
    participant_id: Mapped[int] = mapped_column(ForeignKey("participant.id"), primary_key=True)


class VotingRound(Base):
    __tablename__ = "voting_round"
    __table_args__ = (
        # At most one open round per meeting, enforced by the database too.
        Index("uq_voting_round_open", "meeting_id", unique=True,
              sqlite_where=text("is_open = 1"), postgresql_where=text("is_open")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meeting.id", ondelete="CASCADE"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    mode: Mapped[str] = mapped_column(String(5))
    budget: Mapped[int] = mapped_column(Integer, default=5)
    max_per_proposal: Mapped[int] = mapped_column(Integer, default=3)
    hide_results: Mapped[bool] = mapped_column(Boolean, default=False)
    is_open: Mapped[bool] = mapped_column(Boolean, default=True)
    opened_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    closed_at: Mapped[Optional[dt.datetime]] = mapped_column(DateTime)


class Vote(Base):
    __tablename__ = "vote"
    __table_args__ = (UniqueConstraint("round_id", "participant_id", "proposal_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("voting_round.id", ondelete="CASCADE"), index=True)
    participant_id: Mapped[int] = mapped_column(ForeignKey("participant.id"))
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposal.id", ondelete="CASCADE"))
    site_id: Mapped[int] = mapped_column(ForeignKey("site.id"))
    value: Mapped[int] = mapped_column(Integer)


class FloorRequest(Base):
    """A raised hand, and the turn it becomes once the facilitator gives the floor."""
    __tablename__ = "floor_request"

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meeting.id", ondelete="CASCADE"), index=True)
    participant_id: Mapped[int] = mapped_column(ForeignKey("participant.id"))
    site_id: Mapped[int] = mapped_column(ForeignKey("site.id"))
    proposal_id: Mapped[Optional[int]] = mapped_column(ForeignKey("proposal.id", ondelete="SET NULL"))
    # waiting -> speaking -> done; waiting -> withdrawn
    state: Mapped[str] = mapped_column(String(10), default="waiting")
    requested_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    granted_at: Mapped[Optional[dt.datetime]] = mapped_column(DateTime)
    ended_at: Mapped[Optional[dt.datetime]] = mapped_column(DateTime)
    turn_seconds: Mapped[int] = mapped_column(Integer, default=180)


class SuggestionSet(Base):
    """What a meeting's cached plan-item suggestions were computed from: a
    fingerprint of the matcher's inputs (the proposals on the agenda, the plan
    items, the matcher's version) and the meeting's seq when they were read.
    Every process serves the same suggestions from these tables, and a
    recomputation whose inputs did not change stores nothing."""
    __tablename__ = "suggestion_set"

    meeting_id: Mapped[int] = mapped_column(
        ForeignKey("meeting.id", ondelete="CASCADE"), primary_key=True)
    fingerprint: Mapped[str] = mapped_column(String(64))
    computed_seq: Mapped[int] = mapped_column(Integer)
    computed_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class ProposalSuggestions(Base):
    """One proposal's suggested plan items, best first (Suggestion.to_json()
    each). A row changes only together with a `suggestions.update` event, so
    the event log rebuilds the cache exactly."""
    __tablename__ = "proposal_suggestions"

    proposal_id: Mapped[int] = mapped_column(
        ForeignKey("proposal.id", ondelete="CASCADE"), primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meeting.id", ondelete="CASCADE"), index=True)
    # Of `suggestions`: a recomputation rewrites only the rows whose list changed.
    digest: Mapped[str] = mapped_column(String(64))
    suggestions: Mapped[list[dict[str, Any]]] = mapped_column(JSON)


class Event(Base):
    """Every accepted change: the audit log, the live feed and the minutes' timeline."""
    __tablename__ = "event"
    __table_args__ = (UniqueConstraint("meeting_id", "seq"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meeting.id", ondelete="CASCADE"))
    seq: Mapped[int] = mapped_column(Integer)
    type: Mapped[str] = mapped_column(String(40))
    at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    # Kept for the audit log; never sent for votes, whose ballots are private.
    actor_id: Mapped[Optional[int]] = mapped_column(Integer)
    actor: Mapped[Optional[dict[str, Any]]] = mapped_column(JSON)
    data: Mapped[dict[str, Any]] = mapped_column(JSON)


class AcceptedOp(Base):
    """An accepted command's answer, so that a retried op_id changes nothing."""
    __tablename__ = "accepted_op"

    meeting_id: Mapped[int] = mapped_column(ForeignKey("meeting.id", ondelete="CASCADE"), primary_key=True)
    participant_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    op_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    seq: Mapped[int] = mapped_column(Integer)
    at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
