"""The meeting's state rebuilt from its event log, one event at a time.

What `snapshot.build` reads from the tables, this derives from events alone,
as the facilitator sees them (hidden comments and hidden tallies included).
Applying every event from seq 0 to the state the meeting had at creation
(the facilitator's snapshot at seq 0: creating a meeting stores rows, not
events) must give exactly the facilitator's snapshot: the property tests and
the fault test check that, so the event data is proven complete.

One function per event type, registered in HANDLERS. An event type without a
handler is an error (UnknownEvent), not silently skipped: a new command must
come with its reducer. State is the JSON form of a snapshot (ids as string
keys where they are object keys). Pure: no database, no Flask."""
from __future__ import annotations

import copy
import json
from typing import Callable

from . import tallies, views


class UnknownEvent(Exception):
    """An event type this reducer has no function for."""


Handler = Callable[[dict, dict, dict], None]
HANDLERS: dict[str, Handler] = {}


def handles(type_: str):
    def register(fn: Handler) -> Handler:
        HANDLERS[type_] = fn
        return fn
    return register


def canonical(value) -> str:
    """One text per state: equal states give equal strings."""
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def start(snapshot: dict) -> dict:
    """A state to apply events to, from a snapshot (not modified)."""
    state = json.loads(json.dumps(snapshot))
    state["presence"] = None
    return state


def apply(state: dict, event: dict) -> dict:
    """Apply the next event (seq = state.seq + 1) in place; returns the state."""
    if event["seq"] != state["seq"] + 1:
        raise ValueError(f"event {event['seq']} does not follow seq {state['seq']}")
    handler = HANDLERS.get(event["type"])
    if handler is None:
        raise UnknownEvent(f"no reducer for event type {event['type']!r} (seq {event['seq']}): "
                           "add one to sinkron/meeting/reducer.py")
    handler(state, copy.deepcopy(event["data"]), event)
    state["seq"] = event["seq"]
    return state


def apply_all(state: dict, events) -> dict:
    for event in events:
        apply(state, event)
    return state


def note_accepted(state: dict, command: dict) -> None:
    """Own votes: vote events carry no actor (ballots are private), so the
    voter learns its own from the acknowledgement of its command."""
    if command.get("type") != "vote.cast" or not state["voting"]["round"]:
        return
    key = str(command["proposal_id"])
    if command.get("value"):
        state["voting"]["my_votes"][key] = command["value"]
    else:
        state["voting"]["my_votes"].pop(key, None)


# --- helpers -------------------------------------------------------------------

def _is_me(state: dict, event: dict) -> bool:
    actor = event.get("actor")
    return bool(actor) and actor.get("participant_id") == state["me"]["participant_id"] is not None


def _proposal(state: dict, proposal_id) -> dict | None:
    return next((p for p in state["proposals"] if p["id"] == proposal_id), None)


def _comment(state: dict, comment_id) -> dict | None:
    return next((c for c in state["comments"] if c["id"] == comment_id), None)


def _sort_agenda(state: dict) -> None:
    state["proposals"].sort(key=lambda p: (p["position"], p["id"]))
    _rank(state)


def _site_ids(state: dict) -> list[int]:
    return [s["id"] for s in state["sites"]]


def _rank(state: dict) -> None:
    """Rankings follow the tallies and the agenda order (ties keep it)."""
    voting = state["voting"]
    if not voting["round"] or voting["tallies"] is None:
        return
    mode, agenda = voting["round"]["mode"], [p["id"] for p in state["proposals"]]
    by_id = {int(k): _int_keys(v) for k, v in voting["tallies"].items()}
    voting["ranking"] = tallies.ranking(mode, by_id, agenda)
    voting["ranking_by_site"] = {str(sid): tallies.ranking(mode, by_id, agenda, sid)
                                 for sid in _site_ids(state)}


def _int_keys(tally: dict) -> dict:
    return {**tally, "sites": {int(k): v for k, v in tally["sites"].items()}}


def _set_tally(voting: dict, proposal_id, tally: dict | None) -> None:
    """Only proposals that have ballots have a tally, as in a recount."""
    empty = tally is None or (tally.get("total") == 0 if "total" in tally else tally.get("count") == 0)
    if empty:
        voting["tallies"].pop(str(proposal_id), None)
    else:
        voting["tallies"][str(proposal_id)] = tally


def _upsert(items: list, item: dict) -> None:
    for i, existing in enumerate(items):
        if existing["id"] == item["id"]:
            items[i] = {**existing, **item}
            return
    items.append(item)
    items.sort(key=lambda x: x["id"])


def _add_attendee(state: dict, person: dict) -> None:
    if state["attendees"] is None:
        return
    if state["me"]["role"] == "host" and person["site_id"] != state["me"]["site_id"]:
        return
    _upsert(state["attendees"], person)


# --- the meeting ----------------------------------------------------------------

@handles("meeting.start")
def meeting_start(state, data, event):
    state["meeting"]["status"] = data["status"]


@handles("meeting.reopen")
def meeting_reopen(state, data, event):
    state["meeting"]["status"] = data["status"]


@handles("meeting.close")
def meeting_close(state, data, event):
    state["meeting"]["status"] = data["status"]
    if data.get("voting"):
        _close_round(state, data["voting"])
    state["floor"] = data["floor"]


@handles("agenda.focus")
def agenda_focus(state, data, event):
    state["focus"] = data["proposal_id"]
    state["focus_suggestions"] = data["suggestions"]


@handles("agenda.reorder")
def agenda_reorder(state, data, event):
    positions = {pid: i + 1 for i, pid in enumerate(data["proposal_ids"])}
    for p in state["proposals"]:
        p["position"] = positions.get(p["id"], p["position"])
    _sort_agenda(state)


@handles("projector.view")
def projector_view(state, data, event):
    state["projector_view"] = data["view"]


# --- proposals and plan items ---------------------------------------------------

def _add_proposal(state: dict, proposal: dict, summary: dict) -> None:
    if _proposal(state, proposal["id"]) is None:
        state["proposals"].append({**proposal, "summary": summary, "decision": proposal.get("decision")})


@handles("proposal.add")
def proposal_add(state, data, event):
    _add_proposal(state, data["proposal"], data["summary"])
    _sort_agenda(state)


@handles("proposal.import")
def proposal_import(state, data, event):
    for p in data["proposals"]:
        summary = p.pop("summary")
        _add_proposal(state, p, summary)
    for changed in data.get("updated") or []:  # a repeated import
        _update_proposal(state, changed)
    _sort_agenda(state)


@handles("plan_item.import")
def plan_item_import(state, data, event):
    for item in data["plan_items"] + (data.get("updated") or []):
        _upsert(state["plan_items"], item)


def _any_proposal(state: dict, proposal_id) -> dict | None:
    """On the agenda or withdrawn from it."""
    return _proposal(state, proposal_id) or next(
        (p for p in state.get("withdrawn") or [] if p["id"] == proposal_id), None)


def _update_proposal(state: dict, changed: dict) -> None:
    p = _any_proposal(state, changed["id"])
    if p is not None:
        p.update(changed)
    _sort_agenda(state)


@handles("proposal.update")
def proposal_update(state, data, event):
    _update_proposal(state, data["proposal"])


@handles("proposal.withdraw")
def proposal_withdraw(state, data, event):
    p = _proposal(state, data["proposal_id"])
    if p is not None:
        state["proposals"].remove(p)
        state["withdrawn"].append({**p, "withdrawn": data["withdrawn"]})
        state["withdrawn"].sort(key=lambda x: (x["position"], x["id"]))
    state["focus"] = data["focus"]
    if data["focus"] is None:
        state["focus_suggestions"] = []
    # Dots on it went back to their voters.
    state["voting"]["my_votes"].pop(str(data["proposal_id"]), None)
    _apply_voting(state, data.get("voting"))
    _rank(state)


@handles("proposal.restore")
def proposal_restore(state, data, event):
    proposal = data["proposal"]
    state["withdrawn"] = [p for p in state["withdrawn"] if p["id"] != proposal["id"]]
    summary = proposal.pop("summary")
    _add_proposal(state, proposal, summary)
    _apply_voting(state, data.get("voting"))
    _sort_agenda(state)


@handles("meeting.update")
def meeting_update(state, data, event):
    state["meeting"].update(data["meeting"])
    changed = {s["id"]: s for s in data["sites"]}
    state["sites"] = [{**s, **changed.get(s["id"], {})} for s in state["sites"]]


def _apply_voting(state: dict, change: dict | None) -> None:
    """New totals of the open round (or the latest) that an event carries."""
    voting = state["voting"]
    if not change or not voting["round"] or voting["round"]["id"] != change["round_id"]:
        return
    if change.get("voters"):
        voting["voters"] = change["voters"]
    if change.get("tallies") is not None and voting["tallies"] is not None:
        for pid, tally in change["tallies"].items():
            _set_tally(voting, pid, tally)


def _set_attached(state: dict, proposal_id, who: dict, mark: dict | None) -> None:
    """One person's entry in the facilitator's attached plan items and notes."""
    key = str(proposal_id)
    entries = [a for a in state["attached"].get(key, []) if a["participant_id"] != who["participant_id"]]
    if views.attaches(mark):
        entries.append(views.attached_view(who["participant_id"], who["name"], who["site_id"], mark))
        entries.sort(key=lambda a: a["participant_id"])
    if entries:
        state["attached"][key] = entries
    else:
        state["attached"].pop(key, None)


@handles("proposal.mark")
def proposal_mark(state, data, event):
    p = _proposal(state, data["proposal_id"])
    if p is not None:
        p["summary"] = data["summary"]
    if state.get("attached") is not None and event.get("actor"):
        _set_attached(state, data["proposal_id"], event["actor"], data["mark"])
    if _is_me(state, event):
        if data["mark"]:
            state["my_marks"][str(data["proposal_id"])] = data["mark"]
        else:
            state["my_marks"].pop(str(data["proposal_id"]), None)


@handles("proposal.decide")
def proposal_decide(state, data, event):
    p = _proposal(state, data["proposal_id"])
    if p is not None:
        p["decision"] = data["decision"]


# --- voting -----------------------------------------------------------------------

@handles("voting.open")
def voting_open(state, data, event):
    hidden = data["round"]["hide_results"] and state["me"]["role"] != "facilitator"
    state["voting"] = {"round": data["round"],
                       "voters": {"sites": {str(s): 0 for s in _site_ids(state)}, "total": 0},
                       "tallies": None if hidden else {}, "ranking": None, "ranking_by_site": None,
                       "my_votes": {}}
    _rank(state)


def _close_round(state: dict, result: dict) -> None:
    state["voting"] = {**result, "my_votes": state["voting"].get("my_votes") or {}}
    _rank(state)


@handles("voting.close")
def voting_close(state, data, event):
    _close_round(state, data)


@handles("vote.cast")
def vote_cast(state, data, event):
    voting = state["voting"]
    if not voting["round"] or voting["round"]["id"] != data["round_id"]:
        return
    if "tally" in data and voting["tallies"] is not None:
        _set_tally(voting, data["proposal_id"], data["tally"])
    voting["voters"] = data["voters"]
    _rank(state)


# --- comments -----------------------------------------------------------------------

@handles("comment.add")
def comment_add(state, data, event):
    _upsert(state["comments"], {**data["comment"], "supported": False})


@handles("comment.support")
def comment_support(state, data, event):
    c = _comment(state, data["comment_id"])
    if c is None:
        return
    c["supports"] = data["supports"]
    if _is_me(state, event):
        c["supported"] = data["on"]


def _sees_hidden(state: dict, site_id) -> bool:
    me = state["me"]
    return me["role"] == "facilitator" or (me["role"] == "host" and me["site_id"] == site_id)


@handles("comment.hide")
def comment_hide(state, data, event):
    c = _comment(state, data["comment_id"])
    if data["hidden"]:
        if c is None:
            return
        if _sees_hidden(state, c["site_id"]):
            c["hidden"] = True
        else:
            state["comments"].remove(c)
    elif data.get("comment"):
        _upsert(state["comments"], {"supported": False, **(c or {}), **data["comment"], "hidden": False})


# --- people -------------------------------------------------------------------------

@handles("attendance.add")
def attendance_add(state, data, event):
    _add_attendee(state, data["participant"])


@handles("participant.join")
def participant_join(state, data, event):
    _add_attendee(state, data["participant"])


@handles("participant.revoke")
def participant_revoke(state, data, event):
    for a in state["attendees"] or []:
        if a["id"] == data["participant_id"]:
            a["revoked"] = True
    state["floor"] = data["floor"]
    if state.get("attached") is not None:  # their marks were withdrawn
        for key in list(state["attached"]):
            kept = [a for a in state["attached"][key] if a["participant_id"] != data["participant_id"]]
            if kept:
                state["attached"][key] = kept
            else:
                del state["attached"][key]
    for pid, summary in (data.get("summaries") or {}).items():
        p = _proposal(state, int(pid))
        if p is not None:
            p["summary"] = summary
    for cid, supports in (data.get("supports") or {}).items():
        c = _comment(state, int(cid))
        if c is not None:
            c["supports"] = supports
    _apply_voting(state, data.get("voting"))
    _rank(state)


# --- the floor -----------------------------------------------------------------------

@handles("floor.request")
def floor_request(state, data, event):
    state["floor"] = data["floor"]


@handles("floor.withdraw")
def floor_withdraw(state, data, event):
    state["floor"] = data["floor"]


@handles("floor.grant")
def floor_grant(state, data, event):
    state["floor"] = data["floor"]


@handles("floor.end")
def floor_end(state, data, event):
    state["floor"] = data["floor"]


# --- suggested plan items --------------------------------------------------------------

@handles("suggestions.update")
def suggestions_update(state, data, event):
    if state.get("suggestions") is not None and "suggestions" in data:
        for pid in data["cleared"]:
            state["suggestions"].pop(str(pid), None)
        state["suggestions"].update(data["suggestions"])
    state["focus_suggestions"] = data["focus_suggestions"]
