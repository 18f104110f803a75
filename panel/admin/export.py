"""The audit trail as CSV: exactly the events the admin's filters select, every page of them.

An export of the trail is itself in the trail, with the filters it used and how many events it
took, so that nobody reads the record of who read what without leaving a record of their own.
"""

from __future__ import annotations

from collections.abc import Iterator

from panel.accounts.models import User
from panel.admin.queries import AuditFilters, audit_export_rows
from panel.core.audit import AuditAction, record
from panel.core.time import UK
from panel.extensions import db

HEADER = [
    "Sequence",
    "When (UK time)",
    "Actor email",
    "Actor name",
    "Actor organisation",
    "Action",
    "Object type",
    "Object ID",
    "Object",
    "Changes",
    "IP address",
]


class TrailExport:
    """The CSV rows for `filters`, counting them as they are written."""

    def __init__(self, filters: AuditFilters) -> None:
        self.filters = filters
        self.count = 0

    def __iter__(self) -> Iterator[list]:
        for event, name, organisation in audit_export_rows(self.filters):
            self.count += 1
            yield [
                event.sequence,
                event.occurred_at.astimezone(UK).isoformat(timespec="seconds"),
                event.actor_email,
                name,
                organisation,
                event.action.label,
                event.object_type,
                event.object_id,
                event.object_label,
                "; ".join(event.change_lines()),
                event.remote_addr,
            ]


def record_export(actor: User, export: TrailExport) -> None:
    """Say in the trail who exported which part of it, once the file is written."""
    record(
        actor,
        AuditAction.EXPORT,
        label="Audit trail",
        changes={"filters": export.filters.described(), "events": export.count},
    )
    db.session.flush()
