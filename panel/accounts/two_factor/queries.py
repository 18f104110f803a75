"""Read models for two-factor sign-in: whether someone must use it, and how many recovery codes
they have left."""

from __future__ import annotations

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
