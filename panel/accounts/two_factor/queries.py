"""Read models for two-factor sign-in: whether someone must use it, and how many recovery codes
they have left."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

from panel.accounts.models import User
from panel.accounts.two_factor.models import RecoveryCode
from panel.extensions import db
from panel.panels.models import Membership, Role


def required_for(user: User) -> bool:
    """Whether this person must sign in with a second factor."""
    if user.is_admin:
        return True
    return (
        db.session.scalar(
            sa.select(Membership.id)
            .where(Membership.user_id == user.id, Membership.role != Role.READER)
            .limit(1)
        )
        is not None
    )


def recovery_codes_left(user: User) -> int:
    return db.session.execute(
        sa.select(sa.func.count(RecoveryCode.id)).where(
            RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None)
        )
    ).scalar_one()


@dataclass(frozen=True)
class Summary:
    """Someone's two-factor sign-in as their account page shows it."""

    required: bool
    recovery_codes_left: int


def summary_of(user: User) -> Summary:
    """Whether they must use a second factor, and (if they have one) how many recovery codes
    they have left."""
    required = required_for(user)
    return Summary(required, recovery_codes_left(user) if user.has_two_factor else 0)
