"""Organisations, the people who sign in to Panel, and the count of failed sign-ins that locks an
e-mail address."""

from __future__ import annotations

import secrets
from datetime import datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from panel.accounts.vocabularies import OrganisationKind
from panel.core import encryption
from panel.core.database import UTCDateTime, enum_column, utcnow
from panel.extensions import db

if TYPE_CHECKING:
    from panel.accounts.passkeys.models import Passkey
    from panel.panels.models import Membership


class Organisation(db.Model):
    __tablename__ = "organisation"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(200), unique=True)
    kind: Mapped[OrganisationKind] = mapped_column(enum_column(OrganisationKind))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    users: Mapped[list[User]] = relationship(back_populates="organisation")

    def __repr__(self) -> str:
        return f"<Organisation {self.id} {self.name!r}>"

    def __str__(self) -> str:
        # The audit trail stores a changed organisation as its name.
        return self.name


def new_session_token() -> str:
    return secrets.token_urlsafe(24)


class User(db.Model):
    """A person who signs in. Every user belongs to one organisation.

    `session_token` is part of the identity stored in the session cookie; changing it (at sign-out
    or when an admin deactivates the account) ends every session the person has open.
    """

    __tablename__ = "user_account"  # "user" is reserved in PostgreSQL

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(sa.String(254), unique=True)
    full_name: Mapped[str] = mapped_column(sa.String(120))
    job_title: Mapped[str | None] = mapped_column(sa.String(120))
    organisation_id: Mapped[int] = mapped_column(sa.ForeignKey("organisation.id"), index=True)
    password_hash: Mapped[str] = mapped_column(sa.String(255))
    is_admin: Mapped[bool] = mapped_column(default=False)
    active: Mapped[bool] = mapped_column(default=True)
    # Demo accounts have published passwords: they are refused when running in production.
    is_demo: Mapped[bool] = mapped_column(default=False)
    session_token: Mapped[str] = mapped_column(sa.String(64), default=new_session_token)
    # The secret in the user's private calendar feed address; None when they have no feed.
    calendar_token: Mapped[str | None] = mapped_column(sa.String(64), unique=True)
    # Two-factor sign-in (panel/accounts/two_factor/). The TOTP secret is kept from the moment
    # set-up starts; it counts only once `two_factor_enabled_at` is set by a confirmed code. It is
    # stored encrypted (panel/core/encryption.py): read and set it as `totp_secret`.
    encrypted_totp_secret: Mapped[str | None] = mapped_column("totp_secret", sa.String(255))
    two_factor_enabled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # The last 30-second time step whose code was accepted: a code works once (no replay).
    totp_last_step: Mapped[int | None] = mapped_column(sa.BigInteger)
    # The random id passkeys know this person by (WebAuthn's user handle): never the database id
    # or e-mail address, so an authenticator's list of accounts reveals neither. Made at the
    # first passkey.
    passkey_user_handle: Mapped[bytes | None] = mapped_column(sa.LargeBinary(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_signed_in_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    organisation: Mapped[Organisation] = relationship(back_populates="users")
    memberships: Mapped[list[Membership]] = relationship(
        back_populates="user", cascade="all, delete-orphan"
    )
    passkeys: Mapped[list[Passkey]] = relationship(
        order_by="Passkey.created_at", cascade="all, delete-orphan", passive_deletes=True
    )

    @property
    def totp_secret(self) -> str | None:
        return encryption.decrypt(self.encrypted_totp_secret)

    @totp_secret.setter
    def totp_secret(self, secret: str | None) -> None:
        self.encrypted_totp_secret = encryption.encrypt(secret)

    @property
    def has_authenticator_app(self) -> bool:
        """A TOTP secret confirmed by a code (not one part set up)."""
        return self.two_factor_enabled_at is not None

    @property
    def has_two_factor(self) -> bool:
        """A second factor to sign in with: a passkey, or an authenticator app."""
        return self.has_authenticator_app or bool(self.passkeys)

    # Flask-Login's user protocol.
    is_anonymous = False

    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_active(self) -> bool:
        return self.active

    def get_id(self) -> str:
        return f"{self.id}:{self.session_token}"

    def __repr__(self) -> str:
        return f"<User {self.id} {self.email!r}>"


class SignInFailures(db.Model):
    """Failed sign-ins for one e-mail address as typed, whether or not it has an account, and the
    lock they put on it (services: `locked_until`, `count_failure`). The address is stored as a
    keyed hash (HMAC with the app's secret key), so this table is not a list of whatever people
    typed into the sign-in form."""

    __tablename__ = "sign_in_failures"

    email_key: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    failures: Mapped[int] = mapped_column(default=0)
    first_failed_at: Mapped[datetime] = mapped_column(UTCDateTime())
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
