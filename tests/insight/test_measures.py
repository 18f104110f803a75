"""The small-numbers rule, rates, medians and the periods a page offers."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from panel.insight.charts import axis, chart_of
from panel.insight.measures import (
    Count,
    Line,
    Median,
    Rate,
    Row,
    Table,
    column_lines,
    financial_year,
    last_12_months,
    periods_offered,
    protect,
    protect_rows,
    quarter,
    row_lines,
)


@pytest.mark.parametrize(
    ("value", "shown"),
    [(0, "0"), (1, "fewer than 5"), (4, "fewer than 5"), (5, "5"), (1234, "1,234")],
)
def test_a_count_from_1_to_4_is_shown_as_fewer_than_5(value, shown):
    assert str(Count(value)) == shown


def test_a_chart_draws_no_bar_for_a_count_of_4_and_a_bar_for_5():
    assert Count(4).shown is None
    assert Count(5).shown == 5
    assert Count(0).shown == 0


@pytest.mark.parametrize(
    ("part", "whole", "shown"),
    [
        (5, 10, "50%"),
        (0, 10, "0%"),  # 0 stays 0
        (4, 10, "withheld (small numbers)"),  # the part is a small number
        (6, 10, "withheld (small numbers)"),  # so is what is left: 4
        (5, 5, "100%"),
        (4, 4, "withheld (small numbers)"),  # the whole is
        (0, 0, "none"),
    ],
)
def test_a_rate_built_on_a_count_from_1_to_4_is_withheld(part, whole, shown):
    assert str(Rate(part, whole)) == shown


@pytest.mark.parametrize(
    ("count", "shown"), [(0, "none"), (4, "withheld (small numbers)"), (5, "12 days")]
)
def test_a_median_over_fewer_than_5_cases_is_withheld(count, shown):
    assert str(Median(None if count == 0 else 12.4, count)) == shown


def test_the_last_12_months_run_to_the_end_of_this_month_by_quarter():
    period = last_12_months(date(2026, 12, 3))
    assert (period.start, period.end) == (date(2026, 1, 1), date(2027, 1, 1))
    assert [b.label for b in period.buckets()] == [
        "Jan to Mar 2026",
        "Apr to Jun 2026",
        "Jul to Sep 2026",
        "Oct to Dec 2026",
    ]
    previous = period.previous()
    assert (previous.start, previous.end) == (date(2025, 1, 1), date(2026, 1, 1))


def test_a_financial_year_runs_from_april_to_march():
    year = financial_year(2025)
    assert (year.start, year.last_day) == (date(2025, 4, 1), date(2026, 3, 31))
    assert year.label == "the 2025 to 2026 financial year"
    assert year.buckets()[-1].label == "Jan to Mar 2026"


def test_a_quarter_goes_month_by_month_beside_the_quarter_before():
    q = quarter(2026, 1)
    assert [b.label for b in q.buckets()] == ["Jan 2026", "Feb 2026", "Mar 2026"]
    assert q.previous().start == date(2025, 10, 1)


def test_a_uk_day_starts_at_midnight_uk_time():
    # 1 April 2025 is in British Summer Time: the year starts at 23:00 UTC the day before.
    assert financial_year(2025).starts_at == datetime(2025, 3, 31, 23, 0, tzinfo=UTC)


def test_the_filter_offers_12_months_8_quarters_and_4_financial_years():
    offered = periods_offered(date(2026, 2, 10))
    assert list(offered)[:3] == ["last-12-months", "2026-q1", "2025-q4"]
    assert [key for key in offered if key.startswith("fy-")] == [
        "fy-2025",
        "fy-2024",
        "fy-2023",
        "fy-2022",
    ]
    assert len(offered) == 13


def test_a_chart_writes_a_suppressed_value_as_words_with_no_bar():
    table = Table(
        "t",
        "Case reviews by strand",
        ("Strand", "Case reviews"),
        [Row("Race", (Count(10),)), Row("Religion", (Count(4),)), Row("Age", (Count(0),))],
    )
    chart = chart_of(table, "chart-t")
    race, religion, age = (group.bars[0] for group in chart.groups)
    assert race.width == chart.plot_width  # the longest bar reaches the axis's end, 10
    assert (religion.width, religion.text) == (0, "fewer than 5")
    assert (age.width, age.text) == (0, "0")
    assert [tick.label for tick in chart.ticks] == ["0", "2", "4", "6", "8", "10"]


@pytest.mark.parametrize(
    ("largest", "end", "step"), [(0, 1, 1), (3, 3, 1), (7, 8, 2), (10, 10, 2), (100, 100, 20)]
)
def test_a_chart_axis_goes_in_whole_steps(largest, end, step):
    assert axis(largest) == (end, step)


def shown(rows: list[Row]) -> list[list[str]]:
    return [[str(cell) for cell in row.cells] for row in rows]


def test_a_total_beside_one_suppressed_count_withholds_the_next_smallest():
    # 13 lessons, 3 of one kind: showing the 10 would give the 3 away.
    rows = [Row("Investigation", (Count(3), Count(10), Count(13)))]
    assert shown(protect_rows(rows, row_lines([0], [0, 1], 2))) == [
        ["fewer than 5", "withheld", "13"]
    ]


def test_a_total_with_no_other_count_to_withhold_is_withheld_itself():
    # A second-hand total: 7 made of 3 and 4 suppressed, 0 elsewhere: nothing to give away.
    rows = [Row("A", (Count(3), Count(4), Count(0), Count(7)))]
    assert shown(protect_rows(rows, row_lines([0], [0, 1, 2], 3))) == [
        ["fewer than 5", "fewer than 5", "0", "7"]
    ]
    # One suppressed beside only zeros and a total it equals: both are under 5.
    rows = [Row("B", (Count(3), Count(0), Count(3)))]
    assert shown(protect_rows(rows, row_lines([0], [0, 1], 2))) == [
        ["fewer than 5", "0", "fewer than 5"]
    ]


def test_hidden_counts_that_a_total_leaves_under_5_for_are_protected_too():
    # Recommendations made 77: 75 closed, and implemented and withdrawn "fewer than 5". Shown,
    # the 77 and 75 leave 2 for the two: 1 each. The smallest figure that hides it is withheld.
    made = Row(
        "All agencies", (Count(77), Count(0), Count(0), Count(0), Count(1), Count(75), Count(1))
    )
    assert shown(protect_rows([made], row_lines([0], range(1, 7), 0))) == [
        ["77", "0", "0", "0", "fewer than 5", "withheld", "fewer than 5"]
    ]
    # 8 left for two "fewer than 5": both are 4. A 0 hidden beside them would not help.
    row = Row("A", (Count(8), Count(4), Count(4), Count(0)))
    assert shown(protect_rows([row], row_lines([0], [1, 2, 3], 0))) == [
        ["withheld", "fewer than 5", "fewer than 5", "0"]
    ]
    # 6 left for two: 1 and 5, 2 and 4 ... nothing given away.
    row = Row("B", (Count(6), Count(3), Count(3)))
    assert shown(protect_rows([row], row_lines([0], [1, 2], 0))) == [
        ["6", "fewer than 5", "fewer than 5"]
    ]


def test_what_a_row_leaves_unshown_is_protected_as_if_shown():
    # 10 case reviews of a strand, 8 with a positive outcome: 2 without, a small number.
    rows = [
        Row("Sexual orientation", (Count(10), Count(8), Rate(8, 10))),
        Row("Race", (Count(13), Count(6), Rate(6, 13))),
    ]
    assert shown(protect_rows(rows, [], rests=(0, 1))) == [
        ["10", "withheld", "withheld (small numbers)"],
        ["13", "6", "46%"],
    ]


def test_a_table_with_row_and_column_totals_leaves_no_count_under_5_to_work_out():
    #            kind a  kind b  all
    rows = [
        Row("x", (Count(3), Count(6), Count(9))),
        Row("y", (Count(7), Count(8), Count(15))),
        Row("all", (Count(10), Count(14), Count(24))),
    ]
    lines = [*row_lines(range(3), [0, 1], 2), *column_lines(range(3), [0, 1], 2)]
    protected = shown(protect_rows(rows, lines))
    assert protected == [
        ["fewer than 5", "withheld", "9"],
        ["withheld", "withheld", "15"],
        ["10", "14", "24"],
    ]
    # No line is left with a single hidden cell.
    for line in lines:
        texts = [protected[r][c] for _, r, c in (line.total, *line.parts)]
        assert sum(text in ("fewer than 5", "withheld") for text in texts) != 1


def test_a_total_other_tables_show_is_never_withheld_here():
    cells = {"all": Count(9), "a": Count(3), "b": Count(6)}
    assert protect(cells, [Line("all", ("a", "b"))], fixed=["all"]) == {
        "all": Count(9),
        "a": Count(3),
        "b": Count(6, withheld=True),
    }


def test_a_rate_beside_a_withheld_count_is_withheld():
    rows = [
        Row("Positive", (Count(3), Rate(3, 23))),
        Row("Other", (Count(20), Rate(20, 23))),
        Row("All", (Count(23), Rate(23, 23))),
    ]
    assert shown(protect_rows(rows, column_lines([0], [0, 1], 2))) == [
        ["fewer than 5", "withheld (small numbers)"],
        ["withheld", "withheld (small numbers)"],
        ["23", "100%"],
    ]


def test_a_chart_draws_no_bar_for_a_withheld_count():
    table = Table("t", "T", ("Kind", "Lessons"), [Row("a", (Count(10, withheld=True),))])
    bar = chart_of(table, "chart-t").groups[0].bars[0]
    assert (bar.width, bar.text) == (0, "withheld")
