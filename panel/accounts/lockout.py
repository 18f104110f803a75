"""A temporary lock on signing in with an e-mail address after repeated failures.

`SIGN_IN_MAX_FAILURES` wrong passwords or second-factor codes within `SIGN_IN_LOCK_MINUTES` lock
the address for that many minutes; even the right password is then refused. The count is kept
per e-mail address typed, not per account, so an address with no account locks in exactly the
same way and the answer never reveals whether an account exists.

Addresses are stored as a keyed hash (HMAC with the app's secret key), so this table is not a list
of whatever people typed into the sign-in form. Throttling by client address is separate
(panel/throttle.py).
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import Mapped, mapped_column

from panel.core.database import UTCDateTime
from panel.extensions import db


class SignInFailures(db.Model):
    __tablename__ = "sign_in_failures"

    email_key: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    failures: Mapped[int] = mapped_column(default=0)
    first_failed_at: Mapped[datetime] = mapped_column(UTCDateTime())
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime())


def _key(email: str) -> str:
    secret = current_app.config["SECRET_KEY"].encode()
    return hmac.new(secret, email.strip().lower().encode(), hashlib.sha256).hexdigest()


def _window() -> timedelta:
    return timedelta(minutes=current_app.config["SIGN_IN_LOCK_MINUTES"])


def locked_until(email: str, now: datetime) -> datetime | None:
    """When the lock on this address ends, or None if it is not locked."""
    row = db.session.get(SignInFailures, _key(email))
    if row is not None and row.locked_until is not None and row.locked_until > now:
        return row.locked_until
    return None


def count_failure(email: str, now: datetime) -> datetime | None:
    """Count a failed attempt; returns when the lock ends if this failure locked the address.
    The caller commits."""
    key = _key(email)
    row = db.session.get(SignInFailures, key, with_for_update=True)
    if row is None:
        row = SignInFailures(email_key=key, failures=0, first_failed_at=now)
        db.session.add(row)
    elif now - row.first_failed_at > _window():
        # Failures spread out over time are ordinary mistakes: start counting again.
        row.failures, row.first_failed_at, row.locked_until = 0, now, None
    row.failures += 1
    if row.failures >= current_app.config["SIGN_IN_MAX_FAILURES"]:
        row.locked_until = now + _window()
        row.failures, row.first_failed_at = 0, now
        return row.locked_until
    return None


def clear(email: str) -> None:
    """Forget failures after a complete sign-in or a password reset. The caller commits."""
    row = db.session.get(SignInFailures, _key(email))
    if row is not None:
        db.session.delete(row)


def message(minutes: int) -> str:
    return (
        "There have been too many attempts to sign in with this email address. For your "
        f"security it is locked for {minutes} minutes. Try again later, or reset your password."
    )
