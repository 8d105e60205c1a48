"""The short national benchmark (``make bench``): a synthetic nation at 1/1000 of Vietnam's children (about 28,000,
over the full hierarchy: 63 provinces and 10,035 communes before the 2025 reform, 34 and 3,321 after), built with
``bench/national/generate.py`` in ``treem_bench_national_short`` and measured with ``bench/national/measure.py``
(the real selectors against hand-written SQL, time and peak memory, ratios), then dropped. A few minutes.

The engine's cost depends on the hierarchy and the cells (communes × sex × ethnic group × years) more than on the
number of children, so even this size shows the national shape of the reads. The long runs (1/100, 1/10, full
size) are documented in ``docs/scale.md``. Skipped when PostgreSQL does not answer.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent / "national"
sys.path.insert(0, str(HERE))

import benchdb  # noqa: E402
import measure  # noqa: E402

DATABASE = "treem_bench_national_short"


def main() -> int:
    try:
        benchdb.guard(DATABASE)
    except benchdb.Refused as refusal:
        print(f"national: refused ({refusal})")
        return 1
    except Exception as error:  # the server does not answer
        print(f"national: skipped (PostgreSQL at {benchdb.SERVER} does not answer: {type(error).__name__})")
        return 0
    try:
        subprocess.run([sys.executable, str(HERE / "generate.py"), "--database", DATABASE, "--scale", "0.001",
                        "--value-years", "2025-2026", "--measurement-years", "2026", "--case-years", "2026"],
                       check=True)
        measure.report({DATABASE: measure.run_database(DATABASE, runs=2)})
    finally:
        benchdb.drop(DATABASE)
    return 0


if __name__ == "__main__":
    sys.exit(main())
