"""The guard's speed, in `make bench` (tests/bench_scale.py). A timed check belongs there, not
in the suite, where a busy machine would fail it for nothing: speed targets are benchmarks that
print figures, not timed unit tests."""

import time

from panel.core.anonymise import find
from tests.anonymise.evaluate import load_corpus


def test_a_thousand_narratives_take_well_under_the_batch_budget():
    records = load_corpus()
    texts = [records[i % len(records)]["text"] for i in range(1000)]
    started = time.perf_counter()
    for text in texts:
        find(text)
    took = time.perf_counter() - started
    print(f"\nguard: 1,000 narratives scanned in {took:.2f} s (budget 2.5 s)")
    # The batch command has 3 s for 1,000 narratives including start-up; scanning gets most.
    assert took < 2.5
