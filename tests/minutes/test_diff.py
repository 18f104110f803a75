"""Comparing two versions of the minutes line by line, as plain functions."""

from __future__ import annotations

from panel.minutes.queries import Change, DiffRow, compare, counts

V1 = [
    "Minutes of West Midlands Independent Scrutiny Panel, 20 December 2026",
    "1. Welcome and apologies",
    "  The chair welcomed members.",
    "2. Case review ISP-2026-001",
    "  The panel agreed the first response was good.",
    "Next meeting: not yet scheduled",
]


def test_identical_versions_have_only_unchanged_lines():
    rows = compare(V1, list(V1))
    assert [row.change for row in rows] == [Change.UNCHANGED] * len(V1)
    assert [row.text for row in rows] == V1
    assert counts(rows) == {Change.ADDED: 0, Change.REMOVED: 0}


def test_a_changed_line_is_removed_then_added_in_place():
    v2 = list(V1)
    v2[4] = "  The panel agreed the first response was prompt."
    rows = compare(V1, v2)
    assert [(row.change, row.text) for row in rows[3:6]] == [
        (Change.UNCHANGED, "2. Case review ISP-2026-001"),
        (Change.REMOVED, "  The panel agreed the first response was good."),
        (Change.ADDED, "  The panel agreed the first response was prompt."),
    ]
    assert rows[-1] == DiffRow(Change.UNCHANGED, "Next meeting: not yet scheduled")
    assert counts(rows) == {Change.ADDED: 1, Change.REMOVED: 1}


def test_added_and_removed_lines_keep_the_document_order():
    v2 = [*V1[:3], "  Apologies were received from the council.", *V1[3:]]
    del v2[5]  # the case review's note
    rows = compare(V1, v2)
    assert [row.text for row in rows if row.added] == [
        "  Apologies were received from the council."
    ]
    assert [row.text for row in rows if row.removed] == [
        "  The panel agreed the first response was good."
    ]
    assert [row.text for row in rows if not row.removed] == v2
    assert [row.text for row in rows if not row.added] == V1


def test_either_side_may_be_empty():
    assert all(row.added for row in compare([], V1))
    assert all(row.removed for row in compare(V1, []))
    assert compare([], []) == []


def test_rows_say_how_deep_a_line_sits_and_what_it_says():
    row = DiffRow(Change.ADDED, "    Recommendation 4 to West Midlands Police: review the file")
    assert row.depth == 2
    assert row.content == "Recommendation 4 to West Midlands Police: review the file"
    assert DiffRow(Change.UNCHANGED, "Next meeting").depth == 0


def test_repeated_lines_are_matched_rather_than_rewritten():
    old = ["Present:", "  Police", "  Council", "Present:", "  Police"]
    new = ["Present:", "  Police", "  Council", "  Charity", "Present:", "  Police"]
    rows = compare(old, new)
    assert [row.text for row in rows if row.change != Change.UNCHANGED] == ["  Charity"]
