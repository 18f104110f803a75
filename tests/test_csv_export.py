"""CSV downloads keep what a spreadsheet would run as a formula as plain text (OWASP "CSV
injection"), however the first character is written."""

from __future__ import annotations

import pytest

from panel.core.csv_export import safe_cell


@pytest.mark.parametrize(
    "cell",
    [
        '=HYPERLINK("http://example.org")',
        "+1",
        "-1+1",
        "@SUM(A1:A2)",
        "\t=1+1",
        "\r=1+1",
        # Full-width and small forms, which spreadsheets read as the ASCII signs they stand
        # for (issue 18, finding 8).
        "＝1+1",
        "＋1",
        "－1+1",
        "＠SUM(A1:A2)",
        "﹦1+1",
        "﹢1",
        "﹣1+1",
        "﹫SUM(A1:A2)",
    ],
)
def test_a_cell_a_spreadsheet_would_run_is_kept_as_text(cell):
    assert safe_cell(cell) == "'" + cell


@pytest.mark.parametrize(
    "cell", ["Offer an interpreter first.", "ISP-2026-001", "£5 voucher", "1-2 weeks", ""]
)
def test_ordinary_text_is_left_as_it_is(cell):
    assert safe_cell(cell) == cell
