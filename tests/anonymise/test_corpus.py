"""The guard meets its targets on the labelled corpus (generated narratives, generated narratives
with the second round's patterns, and hand-written narratives)."""

import pytest

from tests.anonymise.evaluate import load_corpus, score

STRUCTURED_KINDS = [
    "POSTCODE",
    "PHONE",
    "EMAIL",
    "NI_NUMBER",
    "NHS_NUMBER",
    "CRIME_REF",
    "VEHICLE_REG",
    "DATE",
    "DOB",
    "SOCIAL_HANDLE",
    "URL",
    "IP_ADDRESS",
]


@pytest.fixture(scope="module")
def records():
    return load_corpus()


@pytest.fixture(scope="module")
def scores(records):
    return score(records)


def test_corpus_is_big_enough_and_covers_every_kind(records, scores):
    clean = [r for r in records if not r["spans"]]
    assert len(records) - len(clean) >= 150
    assert len(clean) >= 50
    assert set(scores.labelled) == set(STRUCTURED_KINDS) | {"NAME", "ADDRESS"}


@pytest.mark.parametrize("kind", STRUCTURED_KINDS)
def test_structured_kinds_are_found(scores, kind):
    assert scores.recall(kind) >= 0.97, [m for m in scores.misses if m[1] == kind]


@pytest.mark.parametrize("kind", ["NAME", "ADDRESS"])
def test_names_and_addresses_are_found(scores, kind):
    assert scores.recall(kind) >= 0.95, [m for m in scores.misses if m[1] == kind]


@pytest.mark.parametrize("kind", [*STRUCTURED_KINDS, "NAME", "ADDRESS"])
def test_each_kind_is_mostly_right(scores, kind):
    assert scores.kind_precision(kind) >= 0.95, [a for a in scores.false_alarms if a[1] == kind]


def test_the_second_rounds_patterns_are_in_the_corpus():
    patterns = load_corpus("patterns.jsonl")
    texts = " ".join(r["text"] for r in patterns)
    kinds = {span["kind"] for r in patterns for span in r["spans"]}
    assert {"CRIME_REF", "VEHICLE_REG", "NI_NUMBER", "NAME"} <= kinds
    for look_alike in ("ISP-20", "CHCP-20", "known on site as", "street names", "Log "):
        assert look_alike in texts


def test_findings_are_mostly_right(scores):
    assert scores.precision >= 0.95, scores.false_alarms


def test_clean_narratives_are_rarely_flagged(scores):
    assert scores.clean_share <= 0.05, scores.false_alarms
