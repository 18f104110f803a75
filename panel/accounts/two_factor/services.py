"""Two-factor sign-in: everyone signs in with a second factor (ASVS 5.0 level 2 asks it of every
user, and readers are no exception). Passkeys (panel/accounts/passkeys/) are offered first; this
module holds the alternative, a time-based code from an authenticator app (TOTP, RFC 6238, with
pyotp), and the ten single-use recovery codes for when the passkey or phone is lost.

`views.enforce` runs before every request and sends a signed-in person who has not given a second
factor this session (they have none yet) to set one up.

A code is accepted for the 30-second step it belongs to and one step either side (clocks on phones
drift), and only once: the last accepted step is kept, so a code seen over someone's shoulder
cannot be replayed. Recovery codes are stored salted and hashed, like passwords.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime

import pyotp
import segno
import sqlalchemy as sa
from flask import current_app

from panel import access
from panel.access import Action
from panel.accounts import notifications
from panel.accounts.models import User, new_session_token
from panel.accounts.passkeys.models import Passkey, PasskeyChallenge
from panel.accounts.two_factor.models import RecoveryCode
from panel.core import encryption
from panel.core.audit import AuditAction, record
from panel.core.database import utcnow
from panel.extensions import db

ISSUER = "Panel"
STEP_SECONDS = 30
RECOVERY_CODES = 10


# --- Setting up -----------------------------------------------------------------------------


def pending_secret(user: User) -> str:
    """The secret to show while setting up, made once and kept until a code confirms it."""
    if user.has_authenticator_app:
        raise ValueError("Two-factor sign-in is already set up")
    secret = _readable_secret(user)
    if not secret:
        secret = user.totp_secret = pyotp.random_base32()
        db.session.flush()
    return secret


def qr_code_data_uri(user: User, secret: str) -> str:
    """The set-up QR code for `secret` (from `pending_secret`) as an SVG data URI (allowed by the
    CSP's img-src data:)."""
    uri = pyotp.TOTP(secret).provisioning_uri(name=user.email, issuer_name=ISSUER)
    return segno.make(uri, error="m").svg_data_uri(scale=5, border=2)


def spaced(secret: str) -> str:
    """The secret in groups of four, for typing into an app by hand."""
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def confirm_set_up(user: User, code: str, now: datetime | None = None) -> list[str] | None:
    """Turn the authenticator app on if `code` matches the pending secret; returns the new
    recovery codes (shown once) if this is the person's first second factor, an empty list if
    they had one already (a passkey, with its codes), or None if the code is wrong."""
    now = now or utcnow()
    if user.has_authenticator_app or not _accept_totp(user, code, now):
        db.session.flush()  # keeps nothing but a refused attempt
        return None
    first = not user.has_two_factor
    user.two_factor_enabled_at = now
    codes = replace_recovery_codes(user, now) if first else []
    record(user, AuditAction.TWO_FACTOR_SET_UP, user)
    db.session.flush()
    notifications.tell(user, "two_factor_set_up")
    return codes


# --- Signing in -----------------------------------------------------------------------------


def verify(user: User, code: str, now: datetime | None = None) -> str | None:
    """Check a code typed at sign-in: "app" for an authenticator code, "recovery" for a recovery
    code (now used up), None for neither. The caller commits. A secret only part set up (a
    passkey holder who began setting up an app) gives no codes."""
    now = now or utcnow()
    if not user.has_two_factor:
        return None
    if user.has_authenticator_app and _accept_totp(user, code, now):
        return "app"
    if _use_recovery_code(user, code, now):
        record(user, AuditAction.RECOVERY_CODE_USED, user)
        return "recovery"
    return None


def new_recovery_codes(user: User, code: str, now: datetime | None = None) -> list[str] | None:
    """Replace the recovery codes, proven by a current authenticator code."""
    now = now or utcnow()
    if not user.has_authenticator_app or not _accept_totp(user, code, now):
        db.session.flush()
        return None
    return _new_recovery_codes(user, now)


def new_recovery_codes_after_passkey(user: User, now: datetime | None = None) -> list[str]:
    """Replace the recovery codes of someone with passkeys only, who has no app code to prove it
    with: the page makes them confirm it's them with a passkey first (the caller's part,
    `reauth.require_recent_sign_in`)."""
    if user.has_authenticator_app or not user.passkeys:
        raise ValueError("Someone with an authenticator app proves it with a code from it")
    return _new_recovery_codes(user, now or utcnow())


def _new_recovery_codes(user: User, now: datetime) -> list[str]:
    codes = replace_recovery_codes(user, now)
    record(user, AuditAction.RECOVERY_CODES_REPLACED, user)
    db.session.flush()
    notifications.tell(user, "recovery_codes")
    return codes


def anything_to_reset(user: User) -> bool:
    """Whether the person has a second factor, or one part set up (asked of the stored secret
    without decrypting it)."""
    return user.has_two_factor or bool(user.encrypted_totp_secret)


def reset(actor: User | None, user: User) -> None:
    """Remove every second factor a person has, passkeys, authenticator app and recovery codes
    (they lost them all), when an administrator (or the system) does so. They set one up again at
    their next sign-in; their sessions end. The record says how many passkeys went."""
    access.require(actor, Action.MANAGE_USERS, user)
    user.totp_secret = None
    user.two_factor_enabled_at = None
    user.totp_last_step = None
    user.session_token = new_session_token()
    db.session.execute(sa.delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    passkeys = len(user.passkeys)
    db.session.execute(sa.delete(Passkey).where(Passkey.user_id == user.id))
    db.session.execute(sa.delete(PasskeyChallenge).where(PasskeyChallenge.user_id == user.id))
    db.session.expire(user, ["passkeys"])
    record(actor, AuditAction.TWO_FACTOR_RESET, user, changes={"passkeys_removed": passkeys})
    db.session.flush()
    notifications.tell(user, "two_factor_reset")


def _readable_secret(user: User) -> str | None:
    """The person's TOTP secret, or None if there is none or it cannot be decrypted: with a lost
    or wrong DATA_ENCRYPTION_KEY, recovery codes still work (so an admin can sign in and reset
    everyone's second factor) and set-up starts afresh instead of failing."""
    try:
        return user.totp_secret
    except encryption.WrongDataKey:
        current_app.logger.error("Cannot decrypt the TOTP secret of user %s", user.id)
        return None


def _accept_totp(user: User, code: str, now: datetime) -> bool:
    code = "".join(code.split())
    if not (len(code) == 6 and code.isascii() and code.isdigit()):
        return False
    secret = _readable_secret(user)
    if not secret:
        return False
    totp = pyotp.TOTP(secret)
    current = int(now.timestamp()) // STEP_SECONDS
    for step in (current - 1, current, current + 1):
        if user.totp_last_step is not None and step <= user.totp_last_step:
            continue  # already used, or older than a code already used
        if secrets.compare_digest(totp.at(step * STEP_SECONDS), code):
            user.totp_last_step = step
            return True
    return False


def _normalise_recovery_code(code: str) -> str:
    return "".join(ch for ch in code.lower() if ch.isalnum())


def _hash_recovery_code(code: str, salt: str) -> str:
    digest = hashlib.sha256(f"{salt}:{_normalise_recovery_code(code)}".encode()).hexdigest()
    return f"{salt}${digest}"


def replace_recovery_codes(user: User, now: datetime) -> list[str]:
    """New recovery codes for `user` in place of any they had (the caller audits): returned to
    be shown once, stored only as salted hashes."""
    db.session.execute(sa.delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    # 10 characters from 31: about 50 random bits, salted, hashed, single use and
    # behind the sign-in lock, as ASVS 2.6 asks of look-up secrets.
    alphabet = "abcdefghjkmnpqrstuvwxyz23456789"  # no i, l, o, 0 or 1 to misread
    codes = []
    for _ in range(RECOVERY_CODES):
        raw = "".join(secrets.choice(alphabet) for _ in range(10))
        codes.append(f"{raw[:5]}-{raw[5:]}")
        salt = secrets.token_hex(8)
        db.session.add(
            RecoveryCode(user_id=user.id, code_hash=_hash_recovery_code(raw, salt), created_at=now)
        )
    return codes


def _use_recovery_code(user: User, code: str, now: datetime) -> bool:
    if len(_normalise_recovery_code(code)) != 10:
        return False
    unused = db.session.scalars(
        sa.select(RecoveryCode).where(
            RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None)
        )
    )
    for stored in unused:
        salt = stored.code_hash.partition("$")[0]
        if secrets.compare_digest(stored.code_hash, _hash_recovery_code(code, salt)):
            stored.used_at = now
            return True
    return False
