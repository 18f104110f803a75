"""`python -m tests.census`: how many tests the suite collects and how many checks tests/ makes.

Run before and after any change that moves or merges tests, to show that none was dropped and none
weakened. Tests are counted as pytest collects them (`pytest --collect-only -q`, browser journeys
included). Checks are counted in the source: every `assert` statement and every Playwright
`expect(...)` call under tests/, split between the suite and `make bench`: the scale tests
(`scale_*.py`, run by tests/bench_scale.py, too slow for every run of the suite) and the bench
modules themselves (`tests/bench_*.py`).
"""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from pathlib import Path

from tests.bench_scale import SCALE_TESTS

TESTS = Path(__file__).resolve().parent
ROOT = TESTS.parent
COLLECTED = re.compile(r"^(\d+) tests? collected", re.MULTILINE)


def collected_tests(*paths: str) -> int:
    """The number of tests pytest collects in `paths`, or in the suite as it would run them
    (browser journeys included)."""
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "no:cacheprovider", *paths],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    found = COLLECTED.search(result.stdout)
    if result.returncode != 0 or not found:
        sys.exit(f"pytest could not collect the suite:\n{result.stdout}\n{result.stderr}")
    return int(found.group(1))


def checks(source: str) -> tuple[int, int]:
    """The `assert` statements and Playwright `expect(...)` calls in one module."""
    asserts = expects = 0
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Assert):
            asserts += 1
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id == "expect"
        ):
            expects += 1
    return asserts, expects


def in_bench(path: Path) -> bool:
    return path.name.startswith("scale_") or (
        path.parent == TESTS and path.name.startswith("bench")
    )


def main() -> None:
    counts = {"suite": [0, 0], "bench": [0, 0]}
    for path in sorted(TESTS.rglob("*.py")):
        asserts, expects = checks(path.read_text(encoding="utf-8"))
        where = counts["bench" if in_bench(path) else "suite"]
        where[0] += asserts
        where[1] += expects
    suite = sum(counts["suite"])
    bench = sum(counts["bench"])
    print(f"tests collected:              {collected_tests()}")
    print(f"scale tests (make bench):     {collected_tests(*SCALE_TESTS)}")
    print(f"assert statements (suite):    {counts['suite'][0]}")
    print(f"expect() calls (suite):       {counts['suite'][1]}")
    print(f"checks in the suite:          {suite}")
    print(f"checks in make bench:         {bench}")
    print(f"checks in tests/, all told:   {suite + bench}")


if __name__ == "__main__":
    main()
