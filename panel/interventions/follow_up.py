"""For the chair and coordinator: their panels' interventions that are past their due date."""

from __future__ import annotations

from datetime import date

from sqlalchemy.orm import joinedload

from panel import access
from panel.accounts.models import User
from panel.extensions import db
from panel.interventions.models import Intervention
from panel.interventions.vocabularies import OPEN_INTERVENTION
from panel.navigation import uk_today


def overdue_for_organiser(user: User, today: date | None = None) -> list[Intervention]:
    """Open interventions past their due date on the local panels the user organises, most
    overdue first, in one query."""
    panels = access.panels_where(user, access.Action.MANAGE_PANEL_CASES)
    if not panels:
        return []
    return list(
        db.session.scalars(
            db.select(Intervention)
            .options(
                joinedload(Intervention.panel),
                joinedload(Intervention.type),
                joinedload(Intervention.owner_organisation),
                joinedload(Intervention.panel_case),
            )
            .where(
                Intervention.panel_id.in_(panels),
                Intervention.status.in_(OPEN_INTERVENTION),
                Intervention.due_date < (today or uk_today()),
            )
            .order_by(Intervention.due_date, Intervention.id)
        )
    )
