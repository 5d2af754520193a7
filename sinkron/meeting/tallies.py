"""How marks summarise per site, how dots and scores tally, and how proposals rank.

Pure functions over plain values, so the arithmetic of the meeting can be
read and tested without a database."""
from __future__ import annotations

from collections import Counter, defaultdict
from typing import Iterable

from .vocab import STATUSES

_STATUS_ORDER = {s: i for i, s in enumerate(STATUSES)}


def summarise_marks(marks: Iterable[tuple[int, str]], site_ids: Iterable[int]) -> dict:
    """Count marks per site and status; the most common status per site wins,
    ties broken by the order of the status table.

    `marks` is (site_id, status) pairs. Every site appears, with top=None when
    nobody there has marked yet."""
    counts: dict[int, Counter] = {sid: Counter() for sid in site_ids}
    for site_id, status in marks:
        counts.setdefault(site_id, Counter())[status] += 1
    return summarise_counts(counts, ())


def summarise_counts(counts: dict[int, Counter], site_ids: Iterable[int]) -> dict:
    """summarise_marks() from counts already made: {site_id: Counter(status)}."""
    everywhere = {sid: Counter() for sid in site_ids}
    everywhere.update(counts)
    return {
        sid: {"counts": dict(c), "total": sum(c.values()), "top": most_common_status(c)}
        for sid, c in everywhere.items()
    }


def most_common_status(counts: Counter) -> str | None:
    if not counts:
        return None
    return min(counts, key=lambda s: (-counts[s], _STATUS_ORDER.get(s, len(_STATUS_ORDER))))


def disagreement(summary: dict) -> bool:
    """The rooms disagree when at least two have marks and their tops differ."""
    tops = {s["top"] for s in summary.values() if s["total"]}
    return len(tops) > 1


def tally_votes(mode: str, votes: Iterable[tuple[int, int, int]],
                site_ids: Iterable[int]) -> dict[int, dict]:
    """Tally (site_id, proposal_id, value) votes per proposal.

    dots: per site and combined sums; score: per site and combined mean and count."""
    site_ids = list(site_ids)
    per: dict[int, dict[int, list[int]]] = defaultdict(lambda: defaultdict(list))
    for site_id, proposal_id, value in votes:
        per[proposal_id][site_id].append(value)
    return {pid: tally_one(mode, by_site, site_ids) for pid, by_site in per.items()}


def tally_one(mode: str, by_site: dict[int, list[int]], site_ids: list[int]) -> dict:
    return tally_sums(mode, {sid: (sum(v), len(v)) for sid, v in by_site.items()}, site_ids)


def tally_sums(mode: str, sums: dict[int, tuple[int, int] | list[int]], site_ids: list[int]) -> dict:
    """One proposal's tally from (sum, count) of its votes per site."""
    total = sum(s for s, _ in sums.values())
    if mode == "dots":
        return {"sites": {sid: {"total": sums[sid][0] if sid in sums else 0} for sid in site_ids},
                "total": total}
    return {"sites": {sid: _score(*sums.get(sid, (0, 0))) for sid in site_ids},
            **_score(total, sum(n for _, n in sums.values()))}


def _score(total: int, count: int) -> dict:
    return {"mean": round(total / count, 2) if count else None, "count": count}


def empty_tally(mode: str, site_ids: list[int]) -> dict:
    return tally_one(mode, {}, site_ids)


def ranking(mode: str, tallies: dict[int, dict], agenda: list[int],
            site_id: int | None = None) -> list[dict]:
    """Proposals best first, combined or for one site. Equal results share a
    rank (1, 2, 2, 4) and keep agenda order within it.

    Dots rank by total; scores by mean, then by how many scored (a proposal
    nobody scored comes last)."""
    def value(pid: int) -> tuple:
        t = tallies.get(pid)
        part = (t["sites"].get(site_id) if t and site_id is not None else t) or {}
        if mode == "dots":
            return (-(part.get("total") or 0),)
        mean = part.get("mean")
        return (mean is None, -(mean or 0), -(part.get("count") or 0))

    order = {pid: i for i, pid in enumerate(agenda)}
    ranked = sorted(agenda, key=lambda pid: (*value(pid), order[pid]))
    return [{"proposal_id": pid, "rank": rank}
            for pid, rank in zip(ranked, shared_ranks([value(pid) for pid in ranked]))]


def shared_ranks(results: list) -> list[int]:
    """Competition ranks of results already sorted best first: equal results
    share the rank of the first of them, and the next rank skips ahead."""
    ranks: list[int] = []
    for i, result in enumerate(results):
        ranks.append(ranks[-1] if i and result == results[i - 1] else i + 1)
    return ranks


def dots_left(budget: int, my_votes: dict[int, int]) -> int:
    return budget - sum(my_votes.values())
