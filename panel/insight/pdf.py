"""The annual report to the board: a panel's financial year in figures, charts and tables, as a
PDF marked OFFICIAL (not OFFICIAL-SENSITIVE: nothing in it identifies a case).

`report(...)` gathers what one version shows and `render(report)` makes its PDF through
templates/insight/annual_report.html, the same charts as the insight page (macros/charts.html)
and the minutes' print stylesheet, with `panel.core.pdf.render`. Two versions:

- the full report, for the panel's chair and coordinator to take to the board: every table of
  the insight page for the year, and the year's recommendations with their answers;
- the reader-safe report, for the panel's readers (an Independent Advisory Group): the same
  figures, small numbers suppressed alike, and of the recommendations only those whose text the
  readers were already given in published minutes. Nothing else typed by a person is in it.

Both are produced and stored together (`services.produce_annual_report`); downloads serve the
stored bytes.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date, datetime

from flask import render_template

from panel.core.pdf import render as render_html
from panel.core.time import UK, format_datetime
from panel.insight import queries
from panel.insight.charts import Chart, chart_of
from panel.insight.measures import Period, Table, financial_year
from panel.minutes.queries import recommendations_published_to_readers

MARKING = "OFFICIAL"
# The minutes' print stylesheet (the marking at the top and bottom of every page, the running
# header, tables), and what the report adds (charts).
STYLESHEETS = [("pdf", "minutes.css"), ("pdf", "annual_report.css")]
TEMPLATE = "insight/annual_report.html"
FULL = "full"
READER_SAFE = "reader-safe"
YEARS_OFFERED = 4


def years_offered(today: date) -> list[int]:
    """The financial years a report can be produced for, the last complete one first: April to
    March, so on 3 December 2026 the 2025 to 2026 year, then the three before it."""
    this_year = today.year if today.month >= 4 else today.year - 1
    return [this_year - back for back in range(1, YEARS_OFFERED + 1)]


@dataclass(frozen=True)
class Report:
    panel: str
    period: Period
    version: str
    produced_by: str
    produced_at: datetime
    sections: list[tuple[str, list[tuple[Table, Chart | None]]]]
    recommendations: list[queries.RecommendationLine]
    recommendations_made: int
    marking: str = MARKING

    @property
    def for_readers(self) -> bool:
        return self.version == READER_SAFE

    @property
    def title(self) -> str:
        return f"Annual report {self.period.start.year} to {self.period.end.year}: {self.panel}"

    @property
    def version_name(self) -> str:
        return "Reader-safe version" if self.for_readers else "Full report"

    @property
    def produced_on(self) -> str:
        return format_datetime(self.produced_at.astimezone(UK), "date")


def report(
    panel,
    year: int,
    version: str,
    *,
    today: date,
    produced_by: str,
    produced_at: datetime,
) -> Report:
    """What `version` of the panel's report for the financial year from April `year` shows."""
    period = financial_year(year)
    sections = [
        (heading, [(table, chart_of(table, f"chart-{table.slug}")) for table in tables])
        for heading, tables in queries.sections([panel.id], period, today)
    ]
    listed, made = queries.year_recommendations(panel.id, period)
    if version == READER_SAFE:
        published = recommendations_published_to_readers(panel.id, [r.id for r in listed])
        listed = [r for r in listed if (r.organisation, r.text) in published]
    return Report(
        panel=panel.name,
        period=period,
        version=version,
        produced_by=produced_by,
        produced_at=produced_at,
        sections=sections,
        recommendations=listed,
        recommendations_made=made,
    )


def render(document: Report) -> bytes:
    """The PDF of `document`. Needs an application context (for the template)."""
    html = render_template(
        TEMPLATE,
        report=document,
        created=document.produced_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
    )
    name = f"{document.title}\n{document.version}\n{document.produced_at.isoformat()}"
    return render_html(html, STYLESHEETS, hashlib.sha256(name.encode()).hexdigest()[:32].encode())
