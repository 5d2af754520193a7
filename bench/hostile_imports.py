"""How fast hostile spreadsheets are refused, and what an honest big one costs.

    python bench/hostile_imports.py

Each file of the hardening issue's probe is read through the same path as an
upload (sinkron/imports/isolate.py: checks first, then a child process),
five times; the median time and the message are printed."""
from __future__ import annotations

import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.stats import median  # noqa: E402
from sinkron.imports import isolate  # noqa: E402
from sinkron.imports.read import ImportFileError  # noqa: E402
from tests import hostile_files  # noqa: E402

FILES = [
    ("10,001 rows x 1,000 cells", hostile_files.many_cells),
    ("one 300 MB shared string", hostile_files.one_huge_string),
    ("2 million shared strings", hostile_files.many_strings),
    ("9 MB CSV, 320,000 rows", lambda: b"Usulan,Kecamatan\n" + b"Pembangunan jalan desa,Sakra\n" * 320_000),
    ("honest: 9,000 rows x 30 columns", hostile_files.big_sheet),
]


def main() -> int:
    print("| file | size | median time | answer |")
    print("|---|---|---|---|")
    for name, build in FILES:
        data = build()
        times, answer = [], ""
        for _ in range(3 if "honest" in name else 5):
            t0 = time.perf_counter()
            try:
                result = isolate.read("proposals", "usulan.csv" if "CSV" in name else "usulan.xlsx", data)
                answer = f"read: {len(result.rows)} rows"
            except ImportFileError as exc:
                answer = str(exc)
            times.append(time.perf_counter() - t0)
        print(f"| {name} | {len(data) / 1024:,.0f} KB | {median(times) * 1000:,.0f} ms | {answer} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
