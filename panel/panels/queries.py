"""Read models for panel pages."""

from __future__ import annotations

from sqlalchemy.orm import joinedload

from panel.accounts.models import Organisation, User
from panel.extensions import db
from panel.panels.models import Membership, Panel


def memberships_of(user: User) -> list[Membership]:
    """The panels a user sits on, with their role, by panel name."""
    return list(
        db.session.scalars(
            db.select(Membership)
            .join(Membership.panel)
            .options(joinedload(Membership.panel))
            .where(Membership.user_id == user.id)
            .order_by(Panel.name)
        )
    )


def members_of(panel: Panel) -> list[Membership]:
    """A panel's members with their organisations, by organisation then name."""
    return list(
        db.session.scalars(
            db.select(Membership)
            .join(Membership.user)
            .join(User.organisation)
            .options(joinedload(Membership.user).joinedload(User.organisation))
            .where(Membership.panel_id == panel.id)
            .order_by(Organisation.name, User.full_name)
        )
    )
