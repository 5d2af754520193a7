"""Who may do what: DESIGN.md's permission table, as data.

Each command names one capability; a role either has it or not. "Own site"
limits for hosts are checked by the command itself, where the site is known."""
from __future__ import annotations

from dataclasses import dataclass

from .errors import N_, CommandError

CAPABILITIES: dict[str, frozenset[str]] = {
    "read": frozenset({"facilitator", "host", "participant", "projector"}),
    # meeting, agenda, projector view, proposals, voting rounds, decisions, import, export
    "manage": frozenset({"facilitator"}),
    # check in attendees, hide / unhide comments, revoke participants (hosts: own site)
    "moderate": frozenset({"facilitator", "host"}),
    # mark, comment, support, vote, raise a hand
    "take_part": frozenset({"facilitator", "host", "participant"}),
    # give and end the floor
    "chair": frozenset({"facilitator"}),
}


@dataclass(frozen=True)
class Actor:
    """Who sends a command or reads the state. Projectors have no participant."""
    meeting_id: int
    role: str
    site_id: int | None
    participant_id: int | None = None
    name: str = ""

    def public(self) -> dict | None:
        if self.participant_id is None:
            return None
        return {"participant_id": self.participant_id, "name": self.name,
                "site_id": self.site_id, "role": self.role}


def may(role: str, capability: str) -> bool:
    return role in CAPABILITIES[capability]


def require(actor: Actor, capability: str) -> None:
    if not may(actor.role, capability):
        raise CommandError("forbidden", N_("Your role may not do this."))


def moderates(actor: Actor, site_id: int) -> bool:
    """Moderation reaches every site for the facilitator, a host's own site for a host."""
    return may(actor.role, "moderate") and (actor.role != "host" or actor.site_id == site_id)


def require_site(actor: Actor, site_id: int) -> None:
    """Hosts act only on their own site; the facilitator on every site."""
    if actor.role == "host" and not moderates(actor, site_id):
        raise CommandError("forbidden", N_("Hosts may only act on their own site."))


def sees_hidden_results(role: str) -> bool:
    """With hide_results, only the facilitator sees tallies before the round closes."""
    return role == "facilitator"
