"""An insight table as CSV: the same rows as the page, small numbers already written as "fewer
than 5" (panel.insight.measures), through the app's formula-safe CSV writer."""

from __future__ import annotations

from flask import Response

from panel.core.audit import AuditAction, record
from panel.core.csv_export import csv_response
from panel.insight.measures import Period, Table


def table_csv(actor, panel, table: Table, period: Period) -> Response:
    """The download of `table`, recorded in the audit trail as an export (of `panel`'s figures,
    or of every panel the person organises when `panel` is None)."""
    record(
        actor,
        AuditAction.EXPORT,
        panel,
        label=f"Insight: {table.title}, {panel.name if panel else 'all their panels'}",
        changes={"table": table.slug, "period": period.key},
    )
    scope = f"panel-{panel.id}" if panel else "panels"
    return csv_response(
        f"insight-{scope}-{table.slug}-{period.key}.csv",
        list(table.columns),
        table.csv_rows(),
    )
