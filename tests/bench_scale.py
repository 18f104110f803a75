"""`make bench`, the scale tests: tests too slow for every run of the suite, run here with pytest,
on SQLite and (when TEST_DATABASE_URL is set) on PostgreSQL, printing their figures.

These are real tests, pass or fail: their modules are named `scale_*.py`, so the suite's pytest
does not collect them, and this runs each with the suite's own fixtures (tests/conftest.py) and
exits non-zero if any fails. `python -m tests.census` counts them beside the suite's tests.

- tests/lessons/scale_register.py: the lessons register with 100,000 lessons runs the same
  queries as with ten and still lists the right lessons under the right totals (about 15 s).
- tests/anonymise/scale_corpus.py: the guard scans 1,000 narratives within the batch command's
  budget.

PostgreSQL runs in the database the suite uses, TEST_DATABASE_URL, which the tests empty as the
suite does (point it at a throwaway database).
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SCALE_TESTS = ["tests/lessons/scale_register.py", "tests/anonymise/scale_corpus.py"]


def run(label: str, env: dict[str, str]) -> bool:
    """Run the scale tests on one database; True when they pass."""
    print(f"{label}: {', '.join(SCALE_TESTS)}", flush=True)
    start = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-q", *SCALE_TESTS],
        cwd=ROOT,
        env=env,
        check=False,
    )
    outcome = "passed" if result.returncode == 0 else f"FAILED (pytest exit {result.returncode})"
    print(f"{label}: scale tests {outcome} in {time.perf_counter() - start:.1f} s", flush=True)
    return result.returncode == 0


def main() -> None:
    sqlite = {key: value for key, value in os.environ.items() if key != "TEST_DATABASE_URL"}
    passed = run("SQLite", sqlite)
    if os.environ.get("TEST_DATABASE_URL"):
        passed = run("PostgreSQL", dict(os.environ)) and passed
    else:
        print("PostgreSQL: skipped (set TEST_DATABASE_URL)")
    if not passed:
        sys.exit("The scale tests failed: see above.")


if __name__ == "__main__":
    main()
