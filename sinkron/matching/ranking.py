"""Ranking plan items for a proposal, with a score from 0 to 1 and reasons.

Candidates come from BM25 (bm25s) over the plan items' Sub Kegiatan and, less
weighted, their Kegiatan and Program. Each candidate's score is how much of
the proposal's title the item covers and how much of the item's Sub Kegiatan
the proposal explains, each word weighted by how rare it is among the plan
items (IDF), then moved by the evidence around the words: same agency, same
programme code, the proposal's kecamatan in the item's location, the same
level (regency / province), and no clash of town against village or of
building against repairing. docs/matching.md explains the threshold."""
from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

import bm25s
import numpy as np
from rapidfuzz import fuzz, process

from . import places
from .agencies import agency_key, same_agency
from .model import PlanItemText, ProposalText, Reason, Suggestion
from .text import Analyzer, Steps, fold

# A suggestion at or above this score is "strong": the room should look at it
# first. Chosen on tests/data/matching/ (docs/matching.md): most right first
# suggestions reach it; few suggestions for proposals with no plan item do.
STRONG_THRESHOLD = 0.6

CANDIDATES = 40            # BM25's best, looked at closely
PROBLEM_WEIGHT = 0.3       # the problem text helps find candidates, the title decides
CONTEXT_WEIGHT = 0.5       # Kegiatan and Program against Sub Kegiatan
FUZZY_CUTOFF = 88          # rapidfuzz ratio from which an unknown word is read as a known one
# What the evidence around the words adds or takes away.
AGENCY_BONUS = 0.06
CODE_BONUS = 0.08
KECAMATAN_BONUS = 0.05
DESA_BONUS = 0.03
ELSEWHERE_PENALTY = 0.03
LEVEL_BONUS = 0.04
LEVEL_PENALTY = 0.2
NOT_IN_PLANS_PENALTY = 0.10  # Kewenangan Desa / Pusat / Non-pemerintah: not a regency or province plan
SETTING_PENALTY = 0.08
SECTOR_BONUS = 0.04          # the proposal's Sektor / Bidang named in the item's agency or programme

_BUILD, _REPAIR = "bangun", {"rehabilitasi", "pelihara", "rekonstruksi"}
# The nomenclature's verbs and general nouns: most Sub Kegiatan start with
# one. A plan item that shares only these with a proposal (a salt house and
# "Pembangunan embung" of another agency) is no suggestion: on a phone it
# would point people at the wrong item. Within the proposal's own agency or
# sector the verb still tells (a repaired cattle shed and "Rehabilitasi
# Prasarana Peternakan").
GENERIC_WORDS = ("pembangunan rehabilitasi peningkatan penyediaan pemeliharaan pengelolaan "
                 "pembinaan penyelenggaraan bantuan pengembangan pelaksanaan sarana prasarana "
                 "pemberdayaan penguatan")
_DAMAGE = {"rusak", "bocor", "jebol", "retak", "roboh", "runtuh", "putus", "lapuk", "ambruk", "hancur",
           "berlubang", "lubang", "amblas", "ambles", "longsor", "mampet", "tersumbat", "pecah", "patah",
           "bolong", "rubuh", "keropos", "tergerus"}


@dataclass
class _Item:
    text: PlanItemText
    sub: list[tuple[str, str]]        # (term, surface word) of the Sub Kegiatan
    context: list[tuple[str, str]]    # of the Kegiatan and Program
    sub_terms: frozenset[str]
    all_terms: frozenset[str]
    agency: str
    level: str
    place: places.Place
    setting: str
    action: str
    code: str
    field_terms: frozenset[str]       # of the agency, Program and Kegiatan: what field the item is in


def _code(value: str) -> str:
    parts = [p for p in "".join(c if c.isdigit() else " " for c in value).split()]
    return ".".join(str(int(p)) for p in parts)


def _codes_match(proposal: str, item: str) -> str:
    """The shared programme code ("1.03.03"), or "" when they differ."""
    if not proposal or not item:
        return ""
    a, b = proposal.split("."), item.split(".")
    n = min(len(a), len(b))
    if n >= 2 and a[:n] == b[:n]:
        return ".".join(a[:n])
    return ""


def _action(terms: Iterable[str]) -> str:
    terms = set(terms)
    if _REPAIR & terms:
        return "repair"
    if _BUILD in terms:
        return "build"
    return ""


class PlanIndex:
    """Built once from a meeting's plan items; suggest() for each proposal."""

    def __init__(self, plan_items: Iterable[PlanItemText], steps: Steps = Steps()):
        self.steps = steps
        self.analyzer = Analyzer(steps)
        self.items: list[_Item] = [self._item(p) for p in plan_items]
        self.generic = frozenset(self.analyzer.terms(GENERIC_WORDS))
        n = len(self.items)
        df = Counter(t for item in self.items for t in item.all_terms)
        self._idf_missing = math.log(1 + (n + 0.5) / 0.5)
        self.idf = {t: math.log(1 + (n - c + 0.5) / (c + 0.5)) for t, c in df.items()}
        self.vocabulary = sorted(self.idf)
        self._fuzzy: dict[str, str | None] = {}
        self._sub_bm25 = self._bm25([[t for t, _ in i.sub] for i in self.items])
        self._context_bm25 = self._bm25([[t for t, _ in i.context] for i in self.items])

    @staticmethod
    def _bm25(corpus):
        if not corpus:
            return None
        index = bm25s.BM25()
        # bm25s cannot index an empty vocabulary; a placeholder term keeps every row.
        index.index([doc or ["\x00"] for doc in corpus], show_progress=False)
        return index

    def _item(self, p: PlanItemText) -> _Item:
        sub = self.analyzer.terms_with_words(p.sub_activity)
        context = self.analyzer.terms_with_words(f"{p.activity} {p.programme}")
        return _Item(
            text=p, sub=sub, context=context, sub_terms=frozenset(t for t, _ in sub),
            all_terms=frozenset(t for t, _ in sub + context),
            agency=agency_key(p.agency, self.analyzer.lex, self.steps.abbreviations),
            level=places.plan_item_level(p.authority, p.document, p.agency),
            place=places.place(p.location), setting=places.plan_item_setting(p.sub_activity),
            action=_action(t for t, _ in sub[:2]), code=_code(p.code),
            field_terms=frozenset(t for t, _ in context) | frozenset(self.analyzer.terms(p.agency)))

    def idf_of(self, term: str) -> float:
        return self.idf.get(term, self._idf_missing)

    def _known(self, term: str) -> str:
        """A word no plan item has, read as a close known word (a typo, a spelling)."""
        if term in self.idf or not self.steps.fuzzy or len(term) < 5:
            return term
        if term not in self._fuzzy:
            found = process.extractOne(term, self.vocabulary, scorer=fuzz.ratio,
                                       score_cutoff=FUZZY_CUTOFF)
            self._fuzzy[term] = found[0] if found else None
        return self._fuzzy[term] or term

    def _scores(self, index, query: list[str]) -> np.ndarray:
        if index is None or not query:
            return np.zeros(len(self.items))
        return index.get_scores(query)

    def suggest(self, proposal: ProposalText, top: int = 5) -> list[Suggestion]:
        if not self.items or top <= 0:
            return []
        title = [self._known(t) for t in self.analyzer.terms(proposal.title)]
        problem = [self._known(t) for t in self.analyzer.terms(proposal.problem)]
        sector = self.analyzer.terms(proposal.sector)
        relevance = (self._scores(self._sub_bm25, title)
                     + PROBLEM_WEIGHT * self._scores(self._sub_bm25, problem)
                     + CONTEXT_WEIGHT * (self._scores(self._context_bm25, title)
                                         + PROBLEM_WEIGHT * self._scores(self._context_bm25, problem + sector)))
        count = min(CANDIDATES, len(self.items))
        best = np.argpartition(-relevance, count - 1)[:count]
        best = [int(i) for i in best if relevance[i] > 0]
        context = _ProposalContext(self, proposal, title, problem)
        scored = []
        for i in best:
            score, reasons = context.score(self.items[i])
            if score > 0:
                scored.append((score, float(relevance[i]), -self.items[i].text.id, i, reasons))
        scored.sort(reverse=True)
        return [Suggestion(self.items[i].text.id, score, score >= STRONG_THRESHOLD, reasons)
                for score, _, _, i, reasons in scored[:top]]


class _ProposalContext:
    """What is read of a proposal once, to score each candidate."""

    def __init__(self, index: PlanIndex, p: ProposalText, title: list[str], problem: list[str]):
        self.index, self.p, self.steps = index, p, index.steps
        self.title = set(title)
        self.problem = set(problem)
        self.title_weight = sum(index.idf_of(t) for t in self.title) or 1.0
        self.agency = agency_key(p.target_agency, index.analyzer.lex, self.steps.abbreviations)
        self.sector = set(index.analyzer.terms(p.sector))
        self.level = places.proposal_level(p.authority, p.target_agency)
        self.code = _code(p.programme_code)
        self.setting = places.setting(p.title, p.proposer, p.desa)
        damaged = bool(_DAMAGE & set(fold(f"{p.title} {p.problem}").split()))
        self.action = _action(title) or ("repair" if damaged else "")

    def score(self, item: _Item) -> tuple[float, tuple[Reason, ...]]:
        idf = self.index.idf_of
        in_sub = self.title & item.sub_terms
        in_context = (self.title & item.all_terms) - in_sub
        shared = in_sub | in_context | (self.problem & item.sub_terms)
        if shared <= self.index.generic and not self._same_field(item):
            return 0.0, ()
        covered = (sum(idf(t) for t in in_sub) + 0.5 * sum(idf(t) for t in in_context)) / self.title_weight
        # How much of the Sub Kegiatan the proposal explains; words only its
        # problem text has count half, or a short item would fit any story.
        explained = (sum(idf(t) for t in self.title & item.sub_terms)
                     + 0.5 * sum(idf(t) for t in (self.problem - self.title) & item.sub_terms))
        item_weight = sum(idf(t) for t in item.sub_terms) or 1.0
        words = 0.6 * covered + 0.4 * explained / item_weight
        if words <= 0:
            return 0.0, ()
        reasons = [Reason("words", _surface(item, shared))]
        score = words
        if self.steps.agency:
            score += self._agency(item, reasons)
        if self.steps.code and (shared := _codes_match(self.code, item.code)):
            score += CODE_BONUS
            reasons.append(Reason("code", item.text.code.strip() or shared))
        if self.steps.location:
            score += self._location(item, reasons)
        if self.steps.level:
            score += self._level(item, reasons)
        if self.steps.setting:
            if self.setting and item.setting and self.setting != item.setting:
                score -= SETTING_PENALTY
            if self.action and item.action and self.action != item.action:
                score -= SETTING_PENALTY
        return max(0.0, min(1.0, score)), tuple(reasons)

    def _same_field(self, item: _Item) -> bool:
        return self.steps.agency and bool(same_agency(self.agency, item.agency)
                                          or self.sector & item.field_terms)

    def _agency(self, item: _Item, reasons: list) -> float:
        """The OPD Tujuan names the item's agency; and, on its own count, the
        proposal's Sektor / Bidang names the field of the item's agency,
        Program or Kegiatan ("Peternakan" and "Dinas Peternakan dan Kesehatan
        Hewan"). The sector helps where the OPD Tujuan is empty or written
        too loosely to compare, as community lists often have it."""
        bonus = 0.0
        if similar := same_agency(self.agency, item.agency):
            bonus += AGENCY_BONUS * similar
        if self.sector & item.field_terms:
            bonus += SECTOR_BONUS
        if bonus:
            reasons.append(Reason("agency", item.text.agency or self.p.sector.strip()))
        return bonus

    def _location(self, item: _Item, reasons: list) -> float:
        where = item.place
        if places.kecamatan_match(self.p.kecamatan, where):
            bonus = KECAMATAN_BONUS
            detail = f"Kec. {self.p.kecamatan.strip()}"
            if places.desa_match(self.p.desa, where):
                bonus += DESA_BONUS
                detail = f"Desa {self.p.desa.strip()}, {detail}"
            reasons.append(Reason("location", detail))
            return bonus
        if places.names_elsewhere(self.p.kecamatan, where):
            return -ELSEWHERE_PENALTY
        return 0.0

    def _level(self, item: _Item, reasons: list) -> float:
        if self.level in (places.VILLAGE, places.NATIONAL, places.NONE):
            return -NOT_IN_PLANS_PENALTY
        if not self.level or not item.level:
            return 0.0
        if self.level == item.level:
            reasons.append(Reason("level", places.LEVEL_NAMES[item.level]))
            return LEVEL_BONUS
        return -LEVEL_PENALTY


def _surface(item: _Item, terms: set[str]) -> str:
    """The item's own words for the matched terms, in its order; neighbours
    joined into phrases ("Desa Tangguh Bencana")."""
    phrases, run, seen = [], [], set()
    for part in (item.sub, item.context):
        for term, surface in part + [("", "")]:
            if term and term in terms:
                if not run or run[-1] != surface:
                    run.append(surface)
                continue
            if run:
                new = {w.casefold() for w in run} - seen
                if new:   # the Program often repeats a word of the Sub Kegiatan
                    seen |= new
                    phrases.append(" ".join(run))
                run = []
    return ", ".join(phrases[:6])


def suggest_all(proposals: Iterable[ProposalText], plan_items: Iterable[PlanItemText],
                top: int = 5, steps: Steps = Steps()) -> dict[int, list[Suggestion]]:
    """Proposal id -> its suggestions, best first."""
    index = PlanIndex(plan_items, steps)
    return {p.id: index.suggest(p, top) for p in proposals}
