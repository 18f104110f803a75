"""Reminders of interventions (see `panel.core.reminders`, which loads this module and sends them).

An open intervention (agreed or in progress) is reminded from 14 days before its due date to each
of the owning organisation's people on the panel (its lead among them: the organisation answers
for it, and a lead may be away); once overdue, to the panel's chair and coordinator as well. The
reminder names the intervention by number, type and panel, never by what was agreed or the case.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date

import sqlalchemy as sa

from panel.accounts.models import Organisation, User
from panel.core import mail, reminders
from panel.extensions import db
from panel.interventions.models import Intervention, InterventionType
from panel.interventions.vocabularies import OPEN_INTERVENTION
from panel.panels.models import Membership, Panel, Role

SECTION = "Interventions"
OWNING_ROLES = (Role.CHAIR, Role.COORDINATOR, Role.MEMBER)
ORGANISERS = (Role.CHAIR, Role.COORDINATOR)


def interventions_due(today: date) -> dict[int, list[reminders.ReminderItem]]:
    """Everyone's interventions to be reminded of on `today`, in one query."""
    owns_it = sa.and_(
        Membership.role.in_(OWNING_ROLES),
        sa.or_(
            User.organisation_id == Intervention.owner_organisation_id,
            Intervention.lead_id == User.id,
        ),
    )
    organises_it_overdue = sa.and_(Membership.role.in_(ORGANISERS), Intervention.due_date < today)
    rows = db.session.execute(
        sa.select(
            User.id,
            Intervention.id,
            Intervention.due_date,
            InterventionType.name,
            Organisation.name,
            Panel.name,
        )
        .select_from(Intervention)
        .join(InterventionType, InterventionType.id == Intervention.type_id)
        .join(Organisation, Organisation.id == Intervention.owner_organisation_id)
        .join(Panel, Panel.id == Intervention.panel_id)
        .join(Membership, Membership.panel_id == Intervention.panel_id)
        .join(User, User.id == Membership.user_id)
        .where(
            Intervention.status.in_(OPEN_INTERVENTION),
            Intervention.due_date <= reminders.due_by(today),
            User.active.is_(True),
            sa.or_(owns_it, organises_it_overdue),
        )
        .order_by(User.id, Intervention.due_date, Intervention.id)
    )
    found: dict[int, list[reminders.ReminderItem]] = defaultdict(list)
    for user_id, intervention_id, due_date, kind, owner, panel in rows:
        found[user_id].append(
            reminders.ReminderItem(
                section=SECTION,
                label=f"Intervention {intervention_id} ({kind}) by {owner}, from {panel}",
                due_date=due_date,
                overdue=due_date < today,
                url=mail.external_url("interventions.show", intervention_id=intervention_id),
            )
        )
    return found
