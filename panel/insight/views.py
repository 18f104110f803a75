"""The `insight` blueprint: one panel's figures and trends, and the same across every panel the
person chairs or coordinates, for a period; each table downloadable as CSV."""

from __future__ import annotations

from typing import TYPE_CHECKING

from flask import Blueprint, abort, render_template, request, url_for
from flask_login import current_user

from panel import access
from panel.access import Action
from panel.core.time import uk_today
from panel.insight import export, queries
from panel.insight.charts import chart_of
from panel.insight.forms import PeriodForm

if TYPE_CHECKING:
    from panel.panels.models import Panel

bp = Blueprint("insight", __name__)


def _figures(panel_ids: list[int]):
    today = uk_today()
    form = PeriodForm(request.args, today=today)
    period = form.chosen()
    return form, period, queries.sections(panel_ids, period, today)


def _page(panel_ids: list[int], panel: Panel | None):
    form, period, sections = _figures(panel_ids)
    csv_endpoint = "insight.panel_csv" if panel else "insight.index_csv"
    return render_template(
        "insight/page.html",
        panel=panel,
        form=form,
        period=period,
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
        title=f"Insight – {panel.name}" if panel else "Insight across your panels",
    )


def _csv(panel_ids: list[int], panel: Panel | None):
    form, period, sections = _figures(panel_ids)
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
