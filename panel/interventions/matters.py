"""Open interventions under matters arising at the panel's later meetings, until their owners
report them completed, not completed or cancelled.

Every member of the panel sees them all, whoever owns them, here as on a live case's page (one
picture per live case); readers see none. No update text is shown here.
"""

from __future__ import annotations

import sqlalchemy as sa
from flask import url_for
from sqlalchemy.orm import joinedload

from panel import access
from panel.accounts.models import User
from panel.extensions import db
from panel.interventions.models import Intervention
from panel.interventions.vocabularies import OPEN_INTERVENTION
from panel.meetings import matters as matters_arising
from panel.meetings.models import Meeting
from panel.panels.models import Panel


def _open(panel: Panel, meeting: Meeting, viewer: User | None) -> sa.Select | None:
    # Every member sees every intervention of the panel: the panel's rule is the items' rule.
    if viewer is not None and not access.can(viewer, access.Action.VIEW_INTERVENTION, panel):
        return None
    agreed_at = sa.orm.aliased(Meeting)
    # Raised before this meeting: at an earlier meeting, or between meetings.
    raised_at = sa.func.coalesce(agreed_at.starts_at, Intervention.created_at)
    return (
        db.select(Intervention.id, raised_at.label("raised_at"))
        .outerjoin(agreed_at, agreed_at.id == Intervention.agreed_at_id)
        .where(
            Intervention.panel_id == panel.id,
            Intervention.status.in_(OPEN_INTERVENTION),
            raised_at < meeting.starts_at,
        )
    )


def _load(meeting: Meeting, ids: list[int]) -> list[matters_arising.MatterArising]:
    rows = db.session.scalars(
        db.select(Intervention)
        .options(
            joinedload(Intervention.type),
            joinedload(Intervention.owner_organisation),
            joinedload(Intervention.live_case),
            joinedload(Intervention.agreed_at),
        )
        .where(Intervention.id.in_(ids))
    )
    by_id = {intervention.id: intervention for intervention in rows}
    return [
        matters_arising.MatterArising(
            kind=f"Intervention ({intervention.status.label.lower()})",
            description=f"{intervention.type.name}: {intervention.about}",
            owner=intervention.owner_organisation.name,
            due_date=intervention.due_date,
            raised_at=(
                intervention.agreed_at.starts_at
                if intervention.agreed_at
                else intervention.created_at
            ),
            url=url_for("interventions.show", intervention_id=intervention.id),
            overdue=matters_arising.is_overdue(intervention.due_date),
        )
        for intervention in (by_id[i] for i in ids)
    ]


OPEN_INTERVENTIONS = matters_arising.Source(kind="Intervention", open_items=_open, load=_load)
