"""Reminders of recommendations waiting on an agency (see `panel.core.reminders`, which loads this
module and sends them).

A recommendation that is open or accepted is reminded from 14 days before its due date to the
addressed organisation's people on its panel (the rule of `notifications.answering_members`), and
once it is overdue to the panel's chairs as well. Nobody is reminded of a recommendation from a
case review they declared an interest in. The reminder names the recommendation by number,
organisation and panel, never by its text.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date

import sqlalchemy as sa

from panel.accounts.models import Organisation, User
from panel.core import mail, reminders
from panel.extensions import db
from panel.lessons.lifecycle import AWAITING_AGENCY
from panel.lessons.models import Lesson, Recommendation
from panel.lessons.notifications import ANSWERING_ROLES
from panel.meetings.models import AgendaItem, InterestDeclaration
from panel.panels.models import Membership, Panel, Role

SECTION = "Recommendations"


def recommendations_due(today: date) -> dict[int, list[reminders.ReminderItem]]:
    """Everyone's recommendations to be reminded of on `today`, in one query."""
    answers_for_it = sa.and_(
        Membership.role.in_(ANSWERING_ROLES),
        User.organisation_id == Recommendation.organisation_id,
    )
    chairs_it_overdue = sa.and_(Membership.role == Role.CHAIR, Recommendation.due_date < today)
    declared_interest = (
        sa.select(InterestDeclaration.id)
        .join(AgendaItem, AgendaItem.id == InterestDeclaration.agenda_item_id)
        .where(
            InterestDeclaration.user_id == User.id,
            AgendaItem.case_review_id == Lesson.case_review_id,
        )
        .correlate(User, Lesson)
        .exists()
    )
    rows = db.session.execute(
        sa.select(
            User.id,
            Recommendation.id,
            Recommendation.due_date,
            Organisation.name,
            Panel.name,
        )
        .select_from(Recommendation)
        .join(Lesson, Lesson.id == Recommendation.lesson_id)
        .join(Organisation, Organisation.id == Recommendation.organisation_id)
        .join(Panel, Panel.id == Recommendation.panel_id)
        .join(Membership, Membership.panel_id == Recommendation.panel_id)
        .join(User, User.id == Membership.user_id)
        .where(
            Recommendation.status.in_(AWAITING_AGENCY),
            Recommendation.due_date <= reminders.due_by(today),
            User.active.is_(True),
            sa.or_(answers_for_it, chairs_it_overdue),
            ~declared_interest,
        )
        .order_by(User.id, Recommendation.due_date, Recommendation.id)
    )
    found: dict[int, list[reminders.ReminderItem]] = defaultdict(list)
    for user_id, recommendation_id, due_date, organisation, panel in rows:
        found[user_id].append(
            reminders.ReminderItem(
                section=SECTION,
                label=f"Recommendation {recommendation_id} to {organisation}, from {panel}",
                due_date=due_date,
                overdue=due_date < today,
                url=mail.external_url(
                    "lessons.recommendation", recommendation_id=recommendation_id
                ),
            )
        )
    return found
