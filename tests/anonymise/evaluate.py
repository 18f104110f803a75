"""Measures the personal-data guard on the labelled corpus.

``.venv/bin/python -m tests.anonymise.evaluate`` prints recall and precision per kind (a labelled
span counts as found when a finding of the same kind overlaps it, and a finding as right when it
overlaps a labelled span of its kind; strict figures need the exact offsets too), overall
precision, the share of clean narratives with any finding, and the throughput of the batch
command: ``flask pii-scan`` over 1,000 narratives of about 600 characters, start-up included.
Texts are read as a panel with the prefixes ISP and CHCP would have them read: Panel's own
references in the corpus are never personal data.
"""

import json
import subprocess
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from panel.core.anonymise import find

CORPUS = Path(__file__).parent / "corpus"
FILES = ("generated.jsonl", "patterns.jsonl", "handwritten.jsonl")
OWN_PREFIXES = ("ISP", "CHCP")
ROOT = Path(__file__).parents[2]
SCAN_COMMAND = [sys.executable, "-m", "flask", "--app", "wsgi", "pii-scan"]


def load_corpus(*names: str) -> list[dict]:
    names = names or FILES
    records = []
    for name in names:
        with (CORPUS / name).open(encoding="utf-8") as lines:
            records.extend(json.loads(line) for line in lines if line.strip())
    return records


@dataclass
class Scores:
    labelled: Counter = field(default_factory=Counter)
    found: Counter = field(default_factory=Counter)
    exact: Counter = field(default_factory=Counter)
    findings_by_kind: Counter = field(default_factory=Counter)
    true_by_kind: Counter = field(default_factory=Counter)
    findings: int = 0
    true_findings: int = 0
    clean: int = 0
    clean_flagged: int = 0
    misses: list = field(default_factory=list)
    false_alarms: list = field(default_factory=list)

    def recall(self, kind: str, strict: bool = False) -> float:
        hits = self.exact if strict else self.found
        return hits[kind] / self.labelled[kind] if self.labelled[kind] else 1.0

    def kind_precision(self, kind: str) -> float:
        found = self.findings_by_kind[kind]
        return self.true_by_kind[kind] / found if found else 1.0

    @property
    def precision(self) -> float:
        return self.true_findings / self.findings if self.findings else 1.0

    @property
    def clean_share(self) -> float:
        return self.clean_flagged / self.clean if self.clean else 0.0


def _overlaps(a_start: int, a_end: int, b_start: int, b_end: int) -> bool:
    return a_start < b_end and b_start < a_end


def score(records: list[dict]) -> Scores:
    scores = Scores()
    for record in records:
        text, spans = record["text"], record["spans"]
        findings = find(text, OWN_PREFIXES)
        if not spans:
            scores.clean += 1
            scores.clean_flagged += bool(findings)
        for span in spans:
            kind = span["kind"]
            scores.labelled[kind] += 1
            same_kind = [
                f
                for f in findings
                if f.kind == kind and _overlaps(f.start, f.end, span["start"], span["end"])
            ]
            if same_kind:
                scores.found[kind] += 1
                if any(f.start == span["start"] and f.end == span["end"] for f in same_kind):
                    scores.exact[kind] += 1
            else:
                scores.misses.append((record["id"], kind, text[span["start"] : span["end"]]))
        for finding in findings:
            scores.findings += 1
            scores.findings_by_kind[finding.kind] += 1
            if any(
                s["kind"] == finding.kind
                and _overlaps(finding.start, finding.end, s["start"], s["end"])
                for s in spans
            ):
                scores.true_findings += 1
                scores.true_by_kind[finding.kind] += 1
            else:
                scores.false_alarms.append((record["id"], finding.kind, finding.text))
    return scores


def throughput(records: list[dict], count: int = 1000) -> tuple[float, int]:
    """Seconds for the batch command over ``count`` narratives, and their total characters."""
    lines = [
        json.dumps({"id": i, "text": records[i % len(records)]["text"]}, ensure_ascii=False)
        for i in range(count)
    ]
    payload = "\n".join(lines) + "\n"
    started = time.perf_counter()
    result = subprocess.run(
        SCAN_COMMAND,
        input=payload,
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    elapsed = time.perf_counter() - started
    assert len(result.stdout.splitlines()) == count
    return elapsed, sum(len(records[i % len(records)]["text"]) for i in range(count))


def report(scores: Scores, title: str) -> None:
    print(f"\n{title}")
    print(f"{'kind':<15}{'spans':>7}{'recall':>9}{'strict':>9}{'found':>7}{'precision':>11}")
    for kind in sorted(set(scores.labelled) | set(scores.findings_by_kind)):
        print(
            f"{kind:<15}{scores.labelled[kind]:>7}{scores.recall(kind):>9.3f}"
            f"{scores.recall(kind, strict=True):>9.3f}{scores.findings_by_kind[kind]:>7}"
            f"{scores.kind_precision(kind):>11.3f}"
        )
    print(f"precision {scores.precision:.3f} ({scores.true_findings}/{scores.findings} findings)")
    print(
        f"clean narratives with a finding {scores.clean_share:.3f} "
        f"({scores.clean_flagged}/{scores.clean})"
    )


def main() -> None:
    verbose = "-v" in sys.argv
    for title, names in (
        ("generated corpus", ("generated.jsonl",)),
        ("generated corpus, second-round patterns", ("patterns.jsonl",)),
        ("hand-written corpus", ("handwritten.jsonl",)),
        ("all", ()),
    ):
        scores = score(load_corpus(*names))
        report(scores, title)
        if verbose and names:
            for miss in scores.misses:
                print("  missed", miss)
            for alarm in scores.false_alarms:
                print("  false alarm", alarm)
    elapsed, chars = throughput(load_corpus())
    print(
        f"\nthroughput: 1000 narratives ({chars / 1000:.0f} characters on average) "
        f"in {elapsed:.2f} s, start-up included"
    )


if __name__ == "__main__":
    main()
