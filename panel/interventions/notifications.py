"""E-mail to the organisation that owns an intervention when it is agreed or handed to it. A link
and a date only, never what was agreed or the case: mail leaves the system, and whoever follows
the link signs in and is checked like anyone else."""

from __future__ import annotations

from panel.accounts.models import User
from panel.core import mail
from panel.core.time import format_datetime
from panel.extensions import db
from panel.interventions.models import Intervention
from panel.panels.models import Membership, Role

OWNING_ROLES = (Role.CHAIR, Role.COORDINATOR, Role.MEMBER)


def owners_to_tell(intervention: Intervention) -> list[User]:
    """The lead, if there is one; otherwise the owning organisation's active people on the
    panel."""
    if intervention.lead is not None:
        return [intervention.lead] if intervention.lead.active else []
    return list(
        db.session.scalars(
            db.select(User)
            .join(Membership, Membership.user_id == User.id)
            .where(
                Membership.panel_id == intervention.panel_id,
                Membership.role.in_(OWNING_ROLES),
                User.organisation_id == intervention.owner_organisation_id,
                User.active.is_(True),
            )
            .order_by(User.id)
        )
    )


def tell_owner(intervention: Intervention) -> int:
    """E-mail the owners; returns how many e-mails were queued: they go once the intervention
    is saved."""
    link = mail.external_url("interventions.show", intervention_id=intervention.id)
    due = format_datetime(intervention.due_date, "date")
    organisation = intervention.owner_organisation.name
    emails = [
        mail.Email(
            to=user.email,
            subject=f"An intervention for {organisation} from {intervention.panel.name}",
            body=(
                f"Dear {user.full_name},\n\n"
                f"{intervention.panel.name} has agreed an intervention for {organisation} to "
                f"carry out by {due}"
                + (", with you as its lead" if intervention.lead_id == user.id else "")
                + f". Read it, and record updates as you go:\n\n{link}\n\n"
                "You will be asked to sign in. This e-mail does not say what was agreed: case "
                "material stays in Panel.\n"
            ),
        )
        for user in owners_to_tell(intervention)
    ]
    return mail.send_notice(emails, f"intervention {intervention.id}")
