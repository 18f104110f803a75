"""Every figure of both kinds of panel, against the small year built by hand in conftest.py
(the 2025 to 2026 financial year), worked out from its description there."""

from __future__ import annotations

from datetime import date

from panel.insight import queries
from panel.insight.measures import Table, financial_year

YEAR = financial_year(2025)
TODAY = date(2026, 4, 15)
F = "fewer than 5"
W = "withheld (small numbers)"
# Withheld by secondary suppression: shown, it would give away a count under 5.
H = "withheld"


def figures(table: Table) -> list[list[str]]:
    return [[row.label, *(str(cell) for cell in row.cells)] for row in table.rows]


def by_slug(tables: list[Table]) -> dict[str, list[list[str]]]:
    return {table.slug: figures(table) for table in tables}


def tables_of(tables: list[Table]) -> dict[str, Table]:
    return {table.slug: table for table in tables}


def test_case_reviews_by_outcome_strand_and_offence(scrutiny):
    tables = by_slug(queries.case_review_tables([scrutiny.panel.id], YEAR))
    # 18 in the year (the one at 00:30 on 1 April UK time included, the one at 23:30 on
    # 31 March not): 11 positive (6 charged, 5 community resolutions), 7 not.
    assert tables["case-reviews-by-outcome"] == [
        ["Positive outcomes (1 to 10)", "11", "61%"],
        ["Other outcomes (11 to 22)", "7", "39%"],
    ]
    assert tables["case-reviews-by-strand"] == [
        ["Race (including nationality and ethnicity)", "13", "6", "46%"],
        ["Religion or belief", F, F, W],  # 4: suppressed
        ["Sexual orientation", F, F, W],
        ["Disability", F, F, W],
        ["Transgender identity", "0", "0", "none"],
        ["Sex or gender (misogyny)", "0", "0", "none"],
        ["Alternative subculture", "0", "0", "none"],
        ["Age", "0", "0", "none"],
    ]
    assert tables["case-reviews-by-offence"] == [
        ["Violence with injury", "0", "0", "none"],
        ["Violence without injury", "0", "0", "none"],
        ["Public order", "6", "6", "100%"],
        ["Harassment or stalking", "7", "0", "0%"],  # 0 stays 0
        ["Malicious communications", "0", "0", "none"],
        ["Criminal damage (including graffiti)", "5", "5", "100%"],  # 5: shown
        ["Robbery", "0", "0", "none"],
        ["Sexual offence", "0", "0", "none"],
        ["Other", "0", "0", "none"],
    ]
    assert tables["case-reviews-by-outcome-type"] == [
        ["1: Charged or summonsed", "6"],
        ["8: Community resolution", "5"],
        ["14: Evidential difficulties, suspect not identified, victim does not support", "7"],
    ]


def test_stage_ratings_show_where_the_process_falls_short(scrutiny):
    table = queries.stage_rating_table([scrutiny.panel.id], YEAR)
    # Each stage's ratings and the case reviews not yet rated at it add up to the year's 18
    # case reviews, which the case review tables show.
    assert figures(table)[:3] == [
        ["Report and initial response", "6", "0", "0", "0", "12", "0%"],
        # 1 not assessed: with the 18, the 5 areas for improvement and the 12 not yet rated
        # it could be worked out, so the smallest other figure, the 5, is withheld, and the
        # share of assessed with it.
        ["Investigation", "0", "0", H, F, "12", W],
        ["Charging decision", "0", "0", "0", "0", "18", "none"],
    ]
    assert table.summary == (
        "The row with the most areas for improvement is not named: its figure is fewer than 5 "
        "or withheld."
    )


def test_lessons_by_stage_and_kind(scrutiny):
    rows = figures(queries.lesson_table([scrutiny.panel.id], YEAR))
    assert rows[0] == ["Report and initial response", "5", "0", "5"]
    assert rows[1] == ["Investigation", "0", F, F]
    assert rows[-1] == ["Theme across cases", "0", "0", "0"]


def test_recommendations_by_agency_with_median_days_and_overdue(scrutiny):
    tables = by_slug(queries.recommendation_tables([scrutiny.panel.id], YEAR, TODAY))
    # The police's 1 accepted could be worked out from its 6 made less its 5 implemented, so
    # those 5 are withheld; then so are all the 5 implemented, which would give them away.
    assert tables["recommendations-by-agency"] == [
        ["West Midlands Police", "6", "0", F, "0", H, "0", "0"],
        ["Coventry Homes Partnership", "5", "5", "0", "0", "0", "0", "0"],
        ["All agencies", "11", "5", F, "0", H, "0", "0"],
    ]
    # The police answered after 10 to 60 days (median 35) and implemented after 100 to 140
    # (median 120); one accepted and 5 of housing's open are past their due dates: housing's 5
    # are withheld, as 6 overdue less 5 would give the police's 1 away.
    assert tables["recommendation-response-times"] == [
        ["West Midlands Police", "6", F, "35 days", "120 days"],
        ["Coventry Homes Partnership", "5", H, "none", "none"],
        ["All agencies", "11", "6", "35 days", "120 days"],
    ]
    assert tables_of(queries.recommendation_tables([scrutiny.panel.id], YEAR, TODAY))[
        "recommendations-by-agency"
    ].summary.endswith("Overdue now: 6.")


def test_scrutiny_trends_set_each_quarter_beside_the_year_before(scrutiny):
    tables = by_slug(queries.scrutiny_trends([scrutiny.panel.id], YEAR))
    assert tables["trend-case-reviews"] == [
        ["Apr to Jun 2025", "6", "0", "Apr to Jun 2024"],
        ["Jul to Sep 2025", "7", "0", "Jul to Sep 2024"],
        ["Oct to Dec 2025", "5", "0", "Oct to Dec 2024"],
        ["Jan to Mar 2026", "0", F, "Jan to Mar 2025"],  # 23:30 on 31 March 2025
    ]
    assert [row[1] for row in tables["trend-positive-outcomes"]] == ["6", "0", "5", "0"]
    assert [row[1] for row in tables["trend-recommendations"]] == ["11", "0", "0", "0"]


def test_live_cases_open_in_the_year_by_strand_risk_and_need(local):
    tables = by_slug(queries.live_case_tables([local.panel.id], YEAR))
    # The case referred and closed in 2024 is not counted.
    assert tables["live-cases-by-strand"][0] == ["Race (including nationality and ethnicity)", "6"]
    assert tables["live-cases-by-strand"][3] == ["Disability", F]
    assert tables["live-cases-by-risk"] == [["High", "6"], ["Medium", "0"], ["Standard", F]]
    assert tables["live-cases-by-need"][0] == ["Housing", F]
    assert tables["live-cases-by-need"][3] == ["Safety", "6"]


def test_interventions_by_type_and_owner_with_their_outcome(local):
    tables = by_slug(queries.intervention_tables([local.panel.id], YEAR))
    # 9 agreed less target hardening's 6 would give housing's 3 away; the 6 are withheld, so
    # are the 6 completed that equal them, and all that were completed (the trend shows 9).
    assert tables["interventions-by-type"] == [
        ["Target hardening", H, "0", H, "0", "0"],
        ["Housing action", F, F, "0", "0", "0"],
        ["All interventions", "9", F, H, "0", "0"],
    ]
    assert tables["interventions-by-owner"] == [
        ["West Midlands Police, Coventry NPU", H, "0", H, "0", "0"],
        ["Coventry Homes", F, F, "0", "0", "0"],
        ["All interventions", "9", F, H, "0", "0"],
    ]


def test_the_share_who_felt_safer_is_withheld_when_1_to_4_did_not(local):
    rows = figures(queries.felt_safer_table([local.panel.id], YEAR))
    # 5 of 6 felt safer: the one who did not could be worked back from the 6 and the 5, or
    # from the share, so the 5 is withheld, and the share with it.
    assert rows[0] == ["The victim’s needs were met", "6", H, W]
    assert rows[-1] == ["All closed cases", "6", H, W]
    assert queries.felt_safer_table([local.panel.id], YEAR).summary == (
        "Live cases closed in this period: 6. How many of them the victim felt safer in is "
        "withheld (small numbers)."
    )


def test_median_days_from_referral_to_the_first_intervention(local):
    rows = figures(queries.first_intervention_table([local.panel.id], YEAR))
    assert rows == [
        ["High", H, "7 days"],  # 2, 4, ... 12 days; 9 less 6 would give standard's 3 away
        ["Medium", "0", "none"],
        ["Standard", F, W],
        ["All live cases", "9", "10 days"],  # 2, 4, ... 12, 30, 30, 30
    ]


def test_local_trends(local):
    tables = by_slug(queries.local_trends([local.panel.id], YEAR))
    assert tables["trend-live-cases"][0] == ["Apr to Jun 2025", "9", F, "Apr to Jun 2024"]
    # The 6 in April to June are withheld: the year's 9 less them would give July's 3 away.
    assert [row[1] for row in tables["trend-interventions"]] == [H, F, "0", "0"]


def test_attendance_by_organisation(scrutiny):
    assert figures(queries.attendance_table([scrutiny.panel.id], YEAR)) == [
        ["Coventry Homes Partnership", "5", F, W],
        ["West Midlands Police", "5", "5", "100%"],
    ]


def test_figures_across_panels_add_both_kinds_up(scrutiny, local):
    sections = dict(queries.sections([scrutiny.panel.id, local.panel.id], YEAR, TODAY))
    assert list(sections) == [
        "Case reviews",
        "Stage ratings and lessons",
        "Recommendations",
        "Scrutiny trends",
        "Live cases",
        "Interventions",
        "Local panel trends",
        "Attendance",
    ]


def test_another_panels_figures_are_not_counted(scrutiny, local):
    assert figures(queries.case_review_tables([local.panel.id], YEAR)[0]) == [
        ["Positive outcomes (1 to 10)", "0", "none"],
        ["Other outcomes (11 to 22)", "0", "none"],
    ]
