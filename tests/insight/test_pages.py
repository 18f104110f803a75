"""The insight pages as a chair and coordinator use them: the period filter, the charts beside
their tables, the CSV downloads, and who may not see them."""

from __future__ import annotations

import csv
import io
import re

import sqlalchemy as sa

from panel.core.audit import AuditAction, AuditEvent
from panel.extensions import db
from panel.panels.models import Role
from tests import factories
from tests.conftest import sign_in


def page(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, response.status_code
    return response.get_data(as_text=True)


def test_the_chair_reads_the_panels_year_with_small_numbers_suppressed(client, scrutiny):
    sign_in(client, scrutiny.chair)
    html = page(client, f"/panels/{scrutiny.panel.id}/insight?period=fy-2025")
    assert "Figures for the 2025 to 2026 financial year: 1 April 2025 to 31 March 2026" in html
    assert "Case reviews in this period: 18. Positive outcome rate: 61%." in html
    # Religion (4 case reviews) in the table, and in the chart without a bar.
    assert '<th scope="row" class="govuk-table__header">Religion or belief</th>' in html
    assert "fewer than 5" in html and "withheld (small numbers)" in html
    assert 'role="img"' in html
    assert '<title id="chart-case-reviews-by-strand-title">Case reviews by strand</title>' in html
    assert "Slowest to respond: West Midlands Police (median 35 days)." in html


def test_a_period_not_offered_is_an_error_and_the_last_12_months_are_shown(client, scrutiny):
    sign_in(client, scrutiny.coordinator)
    html = page(client, f"/panels/{scrutiny.panel.id}/insight?period=1999-q9")
    assert "govuk-error-summary" in html
    assert "Select a period from the list" in html
    assert "Figures for the last 12 months" in html


def test_a_table_downloads_as_csv_as_shown_and_the_export_is_audited(client, scrutiny):
    sign_in(client, scrutiny.chair)
    response = client.get(
        f"/panels/{scrutiny.panel.id}/insight.csv?table=case-reviews-by-strand&period=fy-2025"
    )
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[0] == ["Strand", "Case reviews", "Positive outcomes", "Positive outcome rate"]
    assert rows[1] == ["Race (including nationality and ethnicity)", "13", "6", "46%"]
    assert rows[2] == [
        "Religion or belief",
        "fewer than 5",
        "fewer than 5",
        "withheld (small numbers)",
    ]
    event = db.session.scalars(
        sa.select(AuditEvent).where(AuditEvent.action == AuditAction.EXPORT)
    ).one()
    assert event.actor_id == scrutiny.chair.id
    assert event.changes == {"table": "case-reviews-by-strand", "period": "fy-2025"}


def test_a_count_that_would_give_a_small_one_away_is_withheld_in_page_chart_and_csv(client, local):
    sign_in(client, local.coordinator)
    url = f"/panels/{local.panel.id}/insight"
    html = page(client, f"{url}?period=fy-2025")
    # 9 interventions agreed, 3 of them housing actions: the 6 target hardening are withheld.
    table = html[html.index('id="interventions-by-type"') :]
    table = table[: table.index("</table>")]
    assert ">withheld</td>" in table and ">6</td>" not in table
    chart = html[html.index('id="chart-interventions-by-type-title"') :]
    chart = chart[: chart.index("</svg>")]
    assert 'font-size="14">withheld</text>' in chart
    text = client.get(f"{url}.csv?table=interventions-by-type&period=fy-2025").get_data(
        as_text=True
    )
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert rows[1] == ["Target hardening", "withheld", "0", "withheld", "0", "0"]
    assert rows[3][:2] == ["All interventions", "9"]


def test_a_csv_cell_that_looks_like_a_formula_is_kept_as_text(client, scrutiny):
    scrutiny.housing.name = '=HYPERLINK("http://example.org")'
    db.session.commit()
    sign_in(client, scrutiny.chair)
    text = client.get(
        f"/panels/{scrutiny.panel.id}/insight.csv?table=attendance&period=fy-2025"
    ).get_data(as_text=True)
    assert "'=HYPERLINK" in text


def test_an_unknown_table_is_not_found(client, scrutiny):
    sign_in(client, scrutiny.chair)
    response = client.get(f"/panels/{scrutiny.panel.id}/insight.csv?table=everything")
    assert response.status_code == 404


def test_a_reader_is_never_told_insight_exists(client, scrutiny):
    sign_in(client, scrutiny.reader)
    assert client.get(f"/panels/{scrutiny.panel.id}/insight").status_code == 404
    assert client.get("/insight").status_code == 404
    assert ">Insight<" not in page(client, "/")


def test_a_member_may_not_see_the_panels_insight(client, scrutiny):
    sign_in(client, scrutiny.member)
    assert client.get(f"/panels/{scrutiny.panel.id}/insight").status_code == 403


def test_the_coordinator_sees_every_panel_they_organise_on_one_page(client, scrutiny, local):
    factories.membership(local.panel, scrutiny.coordinator, Role.COORDINATOR)
    sign_in(client, scrutiny.coordinator)
    assert 'href="/insight"' in page(client, "/")
    html = page(client, "/insight?period=fy-2025")
    assert "Coventry Hate Crime Panel, West Midlands Scrutiny Panel" in html
    assert "Case reviews in this period: 18." in html
    assert "Live cases closed in this period: 6." in html
    assert "/insight.csv?table=felt-safer&amp;period=fy-2025" in html


def test_a_period_not_over_yet_says_so(client, scrutiny):
    from panel.core.time import format_datetime, uk_today

    sign_in(client, scrutiny.chair)
    today = uk_today()
    current = page(client, f"/panels/{scrutiny.panel.id}/insight")
    assert f"(so far: to {format_datetime(today, 'date')})." in current
    # The quarter we are in is offered as "so far"; a past financial year is not.
    quarter = (today.month - 1) // 3 + 1
    assert re.search(rf'value="{today.year}-q{quarter}"[^>]*>[^<]*\(so far\)</option>', current)
    assert re.search(r'value="fy-2025"[^>]*>The 2025 to 2026 financial year</option>', current)
    past = page(client, f"/panels/{scrutiny.panel.id}/insight?period=fy-2025")
    assert "so far: to" not in past
