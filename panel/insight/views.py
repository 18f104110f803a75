"""The `insight` blueprint: one panel's figures and trends, and the same across every panel the
person chairs or coordinates, for a period; each table downloadable as CSV. And the panel's annual
reports: produced (stored) by the chair or coordinator from the panel's page, downloaded as
stored, the reader-safe version by readers too."""

from __future__ import annotations

from typing import TYPE_CHECKING

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from panel import access
from panel.access import Action
from panel.core import pdf as core_pdf
from panel.core.audit import AuditAction, record
from panel.core.time import uk_today
from panel.insight import export, pdf, queries, services, snapshots
from panel.insight.charts import chart_of
from panel.insight.forms import AnnualReportForm, PeriodForm

if TYPE_CHECKING:
    from panel.panels.models import Panel

bp = Blueprint("insight", __name__)


def _figures(panel_ids: list[int]):
    """The period form, the period, its sections and when they were worked out: a page and its
    CSV downloads read the same stored figures (panel.insight.snapshots)."""
    today = uk_today()
    form = PeriodForm(request.args, today=today)
    period = form.chosen()
    sections, worked_out_at = snapshots.figures(
        panel_ids, period, today, lambda: queries.sections(panel_ids, period, today)
    )
    return form, period, sections, worked_out_at


def _page(panel_ids: list[int], panel: Panel | None, report_form: AnnualReportForm | None = None):
    form, period, sections, worked_out_at = _figures(panel_ids)
    csv_endpoint = "insight.panel_csv" if panel else "insight.index_csv"
    return render_template(
        "insight/page.html",
        panel=panel,
        form=form,
        period=period,
        worked_out_at=worked_out_at,
        today=uk_today(),
        fresh_minutes=snapshots.FRESH_FOR.seconds // 60,
        sections=[
            (heading, [(table, chart_of(table, f"chart-{table.slug}")) for table in tables])
            for heading, tables in sections
        ],
        csv_url=lambda table: url_for(
            csv_endpoint,
            **({"panel_id": panel.id} if panel else {}),
            table=table.slug,
            period=period.key,
        ),
        panel_names=[] if panel else queries.panel_names(panel_ids),
        report_form=(report_form or AnnualReportForm(formdata=None, today=uk_today()))
        if panel
        else None,
        reports=services.annual_reports([panel.id]) if panel else [],
        waiting=services.requests_waiting(panel.id) if panel else [],
        title=f"Insight – {panel.name}" if panel else "Insight across your panels",
    )


def _csv(panel_ids: list[int], panel: Panel | None):
    form, period, sections, _ = _figures(panel_ids)
    asked = request.args.get("table", "")
    table = next((t for _, tables in sections for t in tables if t.slug == asked), None)
    if table is None or form.period.errors:
        abort(404)
    return export.table_csv(current_user, panel, table, period)


@bp.get("/insight")
@access.rule(access.on_any_panel(Action.VIEW_INSIGHT))
def index():
    return _page(access.panels_where(current_user, Action.VIEW_INSIGHT), None)


@bp.get("/insight.csv")
@access.rule(access.on_any_panel(Action.VIEW_INSIGHT))
def index_csv():
    return _csv(access.panels_where(current_user, Action.VIEW_INSIGHT), None)


@bp.get("/panels/<int:panel_id>/insight")
@access.rule(access.on_panel(Action.VIEW_INSIGHT))
def panel_insight(panel: Panel):
    return _page([panel.id], panel)


@bp.get("/panels/<int:panel_id>/insight.csv")
@access.rule(access.on_panel(Action.VIEW_INSIGHT))
def panel_csv(panel: Panel):
    return _csv([panel.id], panel)


# --- Annual reports ----------------------------------------------------------------------------


@bp.post("/panels/<int:panel_id>/annual-report")
@access.rule(access.on_panel(Action.PRODUCE_ANNUAL_REPORT))
def produce_annual_report(panel: Panel):
    form = AnnualReportForm(today=uk_today())
    if not form.validate_on_submit():
        return _page([panel.id], panel, form)
    year = form.year.data
    services.request_annual_report(current_user, panel, year, today=uk_today())
    flash(
        f"The annual report for April {year} to March {year + 1} is being produced, full and "
        "reader-safe. It takes a minute at most: refresh this page to download it."
    )
    return redirect(
        url_for(
            "insight.panel_insight",
            panel_id=panel.id,
            period=f"fy-{year}",
            _anchor="annual-report",
        )
    )


def _stored_pdf(panel: Panel, year: int, version: str):
    """The stored PDF of `version`, as it was produced, recorded as a download; Not Found until
    it has been produced."""
    stored = services.stored_report(panel.id, year, version=version)
    if stored is None:
        abort(404)
    full = version == pdf.FULL
    # Read before the audit commit expires the report: the bytes go out exactly as stored.
    content = stored.full_pdf if full else stored.reader_pdf
    record(
        current_user,
        AuditAction.DOWNLOAD,
        stored,
        label=services.label(panel, year),
        changes={
            "version": version,
            "sha256": stored.full_sha256 if full else stored.reader_sha256,
        },
    )
    suffix = "" if full else "-reader-safe"
    return core_pdf.download(content, f"annual-report-{year}-{year + 1}{suffix}.pdf")


@bp.get("/panels/<int:panel_id>/annual-reports/<int:year>.pdf")
@access.rule(access.on_panel(Action.READ_ANNUAL_REPORT))
def annual_report_pdf(panel: Panel, year: int):
    return _stored_pdf(panel, year, pdf.FULL)


@bp.get("/panels/<int:panel_id>/annual-reports/<int:year>/reader-safe.pdf")
@access.rule(access.on_panel(Action.READ_READER_SAFE_ANNUAL_REPORT))
def reader_safe_pdf(panel: Panel, year: int):
    return _stored_pdf(panel, year, pdf.READER_SAFE)


def annual_reports_for(panel_ids: list[int]):
    """The reports produced for the panels: the published minutes pages list their reader-safe
    versions."""
    allowed = set(access.panels_where(current_user, Action.READ_READER_SAFE_ANNUAL_REPORT))
    return services.annual_reports([i for i in panel_ids if i in allowed])


# What templates may use from this package, wired in by the app factory (`panel.app`).
TEMPLATE_GLOBALS = {"annual_reports_for": annual_reports_for}
