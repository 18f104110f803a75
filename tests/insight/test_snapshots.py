"""An insight page's figures are worked out at most every few minutes, stored, and served from
the store (panel.insight.snapshots): what a chair sees is what was worked out, the page says
when, and a change shows once the stored figures are older than FRESH_FOR."""

from __future__ import annotations

from datetime import date, timedelta

import sqlalchemy as sa

from panel.core.database import utcnow
from panel.extensions import db
from panel.insight import pdf, queries, snapshots
from panel.insight.measures import financial_year
from panel.insight.models import InsightSnapshot
from tests.conftest import sign_in
from tests.insight.test_figures import by_slug

YEAR = financial_year(2025)
TODAY = date(2026, 4, 15)


def test_stored_figures_read_back_exactly_as_worked_out(scrutiny, local):
    panel_ids = [scrutiny.panel.id, local.panel.id]
    sections = queries.sections(panel_ids, YEAR, TODAY)
    # Every kind of cell (counts shown, suppressed and withheld; rates; medians) and table
    # setting survives the round trip.
    assert snapshots.decode(snapshots.encode(sections)) == sections


def test_figures_are_served_from_the_store_until_they_are_older_than_fresh_for(scrutiny):
    panel_ids = [scrutiny.panel.id]
    worked_out = []

    def work_out():
        worked_out.append(1)
        return queries.sections(panel_ids, YEAR, TODAY)

    start = utcnow()
    first, at = snapshots.figures(panel_ids, YEAR, TODAY, work_out, now=start)
    assert at == start and len(worked_out) == 1
    later = start + snapshots.FRESH_FOR - timedelta(seconds=1)
    again, at = snapshots.figures(panel_ids, YEAR, TODAY, work_out, now=later)
    assert len(worked_out) == 1 and at == start and again == first
    # Another period, day or set of panels is other figures.
    snapshots.figures(panel_ids, YEAR, TODAY + timedelta(days=1), work_out, now=later)
    assert len(worked_out) == 2
    expired = start + snapshots.FRESH_FOR
    _, at = snapshots.figures(panel_ids, YEAR, TODAY, work_out, now=expired)
    assert len(worked_out) == 3 and at == expired
    # One row per set of panels, period and day: working out again replaced the old one.
    assert db.session.scalar(sa.select(sa.func.count()).select_from(InsightSnapshot)) == 2


def test_snapshots_of_days_gone_by_are_cleared_as_new_ones_are_written(scrutiny):
    panel_ids = [scrutiny.panel.id]
    start = utcnow()
    snapshots.figures(panel_ids, YEAR, TODAY, lambda: [], now=start)
    days_later = start + snapshots.KEPT_FOR + timedelta(seconds=1)
    snapshots.figures(panel_ids, YEAR, TODAY + timedelta(days=3), lambda: [], now=days_later)
    assert db.session.scalars(sa.select(InsightSnapshot.computed_at)).all() == [days_later]


def test_the_page_and_its_csv_show_the_stored_figures_and_say_when_they_were_worked_out(
    client, scrutiny, monkeypatch
):
    sign_in(client, scrutiny.chair)
    url = f"/panels/{scrutiny.panel.id}/insight?period=fy-2025"
    html = client.get(url).get_data(as_text=True)
    assert "Figures worked out on " in html
    assert "worked out again at most every 10 minutes" in html
    assert "Case reviews in this period: 18." in html

    # Within the 10 minutes the figures are not worked out again, for the page or its CSV.
    def never(*args):
        raise AssertionError("the figures were worked out again")

    monkeypatch.setattr(queries, "sections", never)
    assert "Case reviews in this period: 18." in client.get(url).get_data(as_text=True)
    csv = client.get(
        f"/panels/{scrutiny.panel.id}/insight.csv?table=case-reviews-by-outcome&period=fy-2025"
    )
    assert csv.status_code == 200
    assert "Positive outcomes (1 to 10),11,61%" in csv.get_data(as_text=True)


def test_the_annual_report_is_worked_out_afresh_not_from_the_store(scrutiny):
    # Stored figures for the same panel and year, with nothing in them: a report that read
    # them would have no tables.
    snapshots.figures([scrutiny.panel.id], YEAR, TODAY, lambda: [], now=utcnow())
    report = pdf.report(
        scrutiny.panel,
        2025,
        pdf.FULL,
        today=TODAY,
        produced_by="Test",
        produced_at=utcnow(),
    )
    tables = by_slug([table for _, pairs in report.sections for table, _ in pairs])
    assert tables["case-reviews-by-outcome"][0] == ["Positive outcomes (1 to 10)", "11", "61%"]
