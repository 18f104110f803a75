"""Read models for accounts: who people are, for pages and for the reminder e-mails."""

from __future__ import annotations

from panel.accounts.models import Organisation, User
from panel.extensions import db


def active_people(user_ids: list[int]) -> list[User]:
    """The active accounts among `user_ids`, in e-mail address order: one query."""
    return list(
        db.session.scalars(
            db.select(User).where(User.id.in_(user_ids), User.active.is_(True)).order_by(User.email)
        )
    )


def user_by_id(user_id: int) -> User | None:
    """The account with this id, or None: for pages of another domain about one person (the
    admin area's)."""
    return db.session.get(User, user_id)


def organisation_by_id(organisation_id: int) -> Organisation | None:
    """The organisation with this id, or None."""
    return db.session.get(Organisation, organisation_id)
