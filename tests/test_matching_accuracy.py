"""The matcher on the labelled set (tests/data/matching/), through the real
import code and the same code as `flask matches` (bench/matching.py): the
right plan item first for at least 75% of the proposals that have one, among
the first five for 95%, and no strong suggestion for 80% of those without."""
from pathlib import Path

from bench.matching import evaluate

FOLDER = Path(__file__).parent / "data" / "matching"
# Written by another hand before reading the matcher (its README); it does not
# yet meet the figures (docs/matching.md, "An independent set"), so its figures
# are printed, not held to them: a failure here would say nothing new.
BLIND = Path(__file__).parent / "data" / "matching-blind"


def _name(folder: Path) -> str:
    return str(folder.relative_to(Path.cwd()) if folder.is_relative_to(Path.cwd()) else folder)


def test_the_labelled_set_meets_the_figures():
    figures = evaluate(FOLDER)
    print(f"\nmatching, {_name(FOLDER)}: {figures.line()}")
    assert figures.with_plan >= 40 and figures.without_plan >= 5
    assert figures.top1 >= 0.75, figures.misses
    assert figures.top5 >= 0.95, figures.misses
    assert figures.no_plan >= 0.80, figures.misses


def test_the_independent_set_is_scored_and_its_figures_printed():
    figures = evaluate(BLIND)
    print(f"\nmatching, {_name(BLIND)} (not held to the figures): {figures.line()}")
    assert figures.with_plan == 86 and figures.without_plan == 14   # every row labelled and read
    assert 0 < figures.top1 <= figures.top5 <= 1 and 0 <= figures.no_plan <= 1
