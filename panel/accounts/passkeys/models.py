"""Passkeys (WebAuthn credentials) as a second factor, and the challenges that a registration or
a sign-in with one answers.

A passkey is stored as the authenticator gave it at registration: its credential id, its public
key (COSE), the signature counter it last reported and the transports it said it supports. Nothing
on the server can sign in as the person; a stolen copy of this table is worthless.
"""

from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from panel.core.database import UTCDateTime, utcnow
from panel.extensions import db

# What a person may call a passkey ("Work laptop", "Blue security key").
NAME_MAX = 50


class Passkey(db.Model):
    __tablename__ = "passkey"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(
        sa.ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    # Up to 1,023 bytes by the WebAuthn specification; unique across every account.
    credential_id: Mapped[bytes] = mapped_column(sa.LargeBinary(1023), unique=True)
    public_key: Mapped[bytes] = mapped_column(sa.LargeBinary(2048))
    # The authenticator's signature counter: one that goes backwards betrays a cloned key.
    sign_count: Mapped[int] = mapped_column(sa.BigInteger, default=0)
    name: Mapped[str] = mapped_column(sa.String(NAME_MAX))
    # "usb", "nfc", "ble", "hybrid", "internal": offered back to the browser at sign-in.
    transports: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class ChallengePurpose(enum.Enum):
    REGISTER = "register"
    SIGN_IN = "sign_in"


class PasskeyChallenge(db.Model):
    """A challenge given to the browser, kept here (not in the session cookie, which the browser
    holds and could send again) so that it is answered once: taking it deletes it. The session
    holds only `id`, and a challenge older than a few minutes is refused."""

    __tablename__ = "passkey_challenge"

    id: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(
        sa.ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    purpose: Mapped[str] = mapped_column(sa.String(12))
    challenge: Mapped[bytes] = mapped_column(sa.LargeBinary(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
