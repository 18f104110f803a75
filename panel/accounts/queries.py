"""Read models for accounts: who people are, for pages and for the reminder e-mails."""

from __future__ import annotations

from panel.accounts.models import User
from panel.extensions import db


def active_people(user_ids: list[int]) -> list[User]:
    """The active accounts among `user_ids`, in e-mail address order: one query."""
    return list(
        db.session.scalars(
            db.select(User).where(User.id.in_(user_ids), User.active.is_(True)).order_by(User.email)
        )
    )
