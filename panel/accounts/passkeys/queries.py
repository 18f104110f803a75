"""Read models for passkeys: one of the signed-in person's own, for the pages that name or
remove it."""

from __future__ import annotations

import sqlalchemy as sa
from flask_login import current_user

from panel.accounts.passkeys.models import Passkey
from panel.extensions import db


def own_passkey(passkey_id: int) -> Passkey | None:
    """The signed-in person's passkey `passkey_id`; None for anyone else's, as for none."""
    return db.session.scalar(
        sa.select(Passkey).where(Passkey.id == passkey_id, Passkey.user_id == current_user.id)
    )
