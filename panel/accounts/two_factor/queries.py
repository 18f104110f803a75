"""Read models for two-factor sign-in: how someone signs in with a second factor, as their account
page shows it."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

from panel.accounts.models import User
from panel.accounts.passkeys.models import Passkey
from panel.accounts.two_factor.models import RecoveryCode
from panel.extensions import db


def recovery_codes_left(user: User) -> int:
    return db.session.execute(
        sa.select(sa.func.count(RecoveryCode.id)).where(
            RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None)
        )
    ).scalar_one()


@dataclass(frozen=True)
class Summary:
    """Someone's second factors as their account page shows them."""

    passkeys: list[Passkey]
    recovery_codes_left: int


def summary_of(user: User) -> Summary:
    """Their passkeys, newest last, and (if they have a second factor) how many recovery codes
    they have left."""
    return Summary(list(user.passkeys), recovery_codes_left(user) if user.has_two_factor else 0)
