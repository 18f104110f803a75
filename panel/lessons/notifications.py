"""E-mails about recommendations. They carry a link and dates only, never case or lesson text:
mail leaves the system, and whoever follows the link signs in and is checked like anyone else."""

from __future__ import annotations

from panel.accounts.models import User
from panel.core import mail
from panel.core.time import format_datetime
from panel.extensions import db
from panel.lessons.models import Recommendation
from panel.meetings.models import AgendaItem, InterestDeclaration
from panel.panels.models import Membership, Role

# Who answers for an organisation on a panel: its people who sit on it (readers only read).
ANSWERING_ROLES = (Role.CHAIR, Role.COORDINATOR, Role.MEMBER)


def answering_members(recommendation: Recommendation) -> list[User]:
    """The addressed organisation's active people on the recommendation's panel, except anyone
    who declared an interest in the case it came from (for them it does not exist)."""
    select = (
        db.select(User)
        .join(Membership, Membership.user_id == User.id)
        .where(
            Membership.panel_id == recommendation.panel_id,
            Membership.role.in_(ANSWERING_ROLES),
            User.organisation_id == recommendation.organisation_id,
            User.active.is_(True),
        )
        .order_by(User.id)
    )
    case_review_id = recommendation.lesson.case_review_id
    if case_review_id is not None:
        declared = (
            db.select(InterestDeclaration.user_id)
            .join(AgendaItem, AgendaItem.id == InterestDeclaration.agenda_item_id)
            .where(AgendaItem.case_review_id == case_review_id)
        )
        select = select.where(User.id.not_in(declared))
    return list(db.session.scalars(select))


def tell_addressed(recommendation: Recommendation) -> int:
    """E-mail each answering member that a recommendation awaits their organisation's response.
    Returns how many e-mails were queued: they go once the recommendation is saved."""
    link = mail.external_url("lessons.recommendation", recommendation_id=recommendation.id)
    due = format_datetime(recommendation.due_date, "date")
    emails = [
        mail.Email(
            to=user.email,
            subject=f"A recommendation for {recommendation.organisation.name} from "
            f"{recommendation.panel.name}",
            body=(
                f"Dear {user.full_name},\n\n"
                f"{recommendation.panel.name} has addressed a recommendation to "
                f"{recommendation.organisation.name}. Please read it and record your "
                f"organisation's response by {due}:\n\n{link}\n\n"
                "You will be asked to sign in. This e-mail does not contain the recommendation: "
                "case material stays in Panel.\n"
            ),
        )
        for user in answering_members(recommendation)
    ]
    return mail.send_notice(emails, f"recommendation {recommendation.id}")
