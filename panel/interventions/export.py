"""A panel's interventions as CSV: one row per intervention the list shows with its filters.

What was agreed, the latest update and the reason are anonymised case material that only the
chair and coordinator need outside Panel: a partner's file leaves those columns out entirely. A
restricted update's text stays within the organisation that wrote it, in the file as on the page.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import date

from panel.accounts.models import User
from panel.core.audit import AuditAction, record
from panel.core.time import UK
from panel.extensions import db
from panel.interventions.models import Intervention
from panel.interventions.queries import (
    intervention_overdue,
    latest_update,
    latest_update_text,
)
from panel.panels.models import Panel

HEADER = [
    "Intervention number",
    "Case reference or place",
    "Type",
    "Owner",
    "Lead",
    "Agreed at",
    "Due date",
    "Status",
    "Overdue",
    "Last update",
]
NARRATIVE_HEADER = ["What was agreed", "Latest update", "Reason"]


def header(narrative: bool) -> list[str]:
    return HEADER + NARRATIVE_HEADER if narrative else list(HEADER)


def rows(
    interventions: Iterable[Intervention], today: date, narrative: bool, *, reader: User
) -> Iterator[list]:
    for intervention in interventions:
        last = latest_update(intervention)
        row = [
            intervention.id,
            intervention.about,
            intervention.type.name,
            intervention.owner_organisation.name,
            intervention.lead.full_name if intervention.lead else "",
            _day(intervention.agreed_at.starts_at) if intervention.agreed_at else "",
            intervention.due_date.isoformat(),
            intervention.status.label,
            "Yes" if intervention_overdue(intervention, today) else "No",
            _day(last.at) if last else "",
        ]
        if narrative:
            row += [
                intervention.description,
                latest_update_text(intervention, reader) or "",
                intervention.status_reason or "",
            ]
        yield row


def record_export(actor: User, panel: Panel, filters: dict, narrative: bool) -> None:
    """An export leaves Panel: the trail says who took which rows, and whether with case text."""
    record(
        actor,
        AuditAction.EXPORT,
        panel,
        label=f"Interventions of {panel.name}"[:200],
        changes={"filters": filters, "narrative": narrative},
    )
    db.session.flush()


def _day(value) -> str:
    return value.astimezone(UK).date().isoformat()
