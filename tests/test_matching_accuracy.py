"""The matcher on the labelled set (tests/data/matching/), through the real
import code and the same code as `flask matches` (bench/matching.py): the
right plan item first for at least 75% of the proposals that have one, among
the first five for 95%, and no strong suggestion for 80% of those without."""
from pathlib import Path

from bench.matching import evaluate

FOLDER = Path(__file__).parent / "data" / "matching"


def test_the_labelled_set_meets_the_figures():
    figures = evaluate(FOLDER)
    print(f"\nmatching, {FOLDER.relative_to(Path.cwd()) if FOLDER.is_relative_to(Path.cwd()) else FOLDER}: "
          f"{figures.line()}")
    assert figures.with_plan >= 40 and figures.without_plan >= 5
    assert figures.top1 >= 0.75, figures.misses
    assert figures.top5 >= 0.95, figures.misses
    assert figures.no_plan >= 0.80, figures.misses
