"""Operations on accounts and organisations. What an administrator does to organisations and other
people's accounts asks `access` first (an actor of None is the system: `flask create-admin`, demo
data); what a person does to their own account (signing in and out, changing their password) is
theirs to do. Each changes and audits; the unit of work commits.

Signing in is two steps, each a function a page calls: `check_password`, then (for someone who has
set up two-factor sign-in) `check_passkey` or `check_second_factor` (a code); `complete_sign_in`
records it. Both steps count failures towards a temporary lock on the e-mail address typed
(`count_failure`).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Callable
from datetime import datetime, timedelta

from flask import current_app

from panel import access
from panel.access import Action
from panel.accounts import notifications
from panel.accounts.models import (
    Organisation,
    OrganisationKind,
    SignInFailures,
    User,
    new_session_token,
)
from panel.accounts.passkeys import services as passkeys
from panel.accounts.two_factor import services as two_factor
from panel.core.audit import AuditAction, apply_changes, record
from panel.core.database import utcnow
from panel.core.passwords import hash_password, needs_rehash, verify_password
from panel.extensions import db


def normalise_email(email: str) -> str:
    return email.strip().lower()


def user_for_session(session_id: str, *, production: bool) -> User | None:
    """The active user a session identity "<user id>:<session token>" belongs to; a replaced
    token (sign-out, password change, deactivation) no longer matches."""
    user_id, _, token = session_id.partition(":")
    if not user_id.isascii() or not user_id.isdigit() or not token or len(user_id) > 18:
        return None
    user = db.session.get(User, int(user_id))
    if user is None or not user.active or not secrets.compare_digest(user.session_token, token):
        return None
    if production and user.is_demo:
        return None
    return user


def find_user_by_email(email: str) -> User | None:
    return db.session.scalar(db.select(User).where(User.email == normalise_email(email)))


WRONG_CODE = "That code is not right. Enter the code your app shows now, or a recovery code"


class SignInLocked(Exception):
    """Too many failures for this e-mail address: it is locked for a while (see `count_failure`)."""


class SignInRefused(Exception):
    """A step of signing in refused: what to say beside the field (a wrong password or code, or
    the address locked)."""


def check_password(email: str, password: str, *, production: bool) -> User:
    """The first step of signing in: the user these credentials belong to (`authenticate`, which
    audits and counts a failure). Raises `SignInRefused`, saying the address is locked or the
    credentials are wrong, in words that never tell whether an account exists."""
    try:
        user = authenticate(email, password, production=production)
    except SignInLocked:
        raise SignInRefused(lock_message(current_app.config["SIGN_IN_LOCK_MINUTES"])) from None
    if user is None:
        raise SignInRefused("Enter a correct email address and password")
    return user


def check_second_factor(user: User, code: str) -> str:
    """The second step, for someone who gave the right password in this session a few minutes
    ago: how the code was given, "app" or "recovery" (`two_factor.verify`). A locked address is
    refused before the code is tried; a wrong code is audited and counts towards the same lock as
    a wrong password (`second_factor_failed`). Raises `SignInLocked` while (or once) the address
    is locked, and `SignInRefused` for a wrong code."""
    if locked_until(user.email, utcnow()):
        raise SignInLocked
    method = two_factor.verify(user, code)
    if method is None:
        second_factor_failed(user)
        raise SignInRefused(WRONG_CODE)
    return method


def check_passkey(user: User, challenge_id: str, credential: str) -> None:
    """The second step with a passkey: the browser's answer to the challenge `challenge_id`
    (`passkeys.verify`). Guarded as a code is: a locked address is refused first, and an answer
    that does not check out is audited and counts towards the lock. Raises `SignInLocked` and
    `passkeys.PasskeyRefused`."""
    _verify_passkey(user, challenge_id, credential, wrong=wrong_secret)


def _verify_passkey(
    user: User, challenge_id: str, credential: str, *, wrong: Callable[[User, AuditAction], None]
) -> None:
    """The browser's answer checked as at sign-in (`check_passkey`), on the way into Panel or
    signed in already: only `wrong`, what a refused answer costs, differs."""
    _refuse_while_locked(user)
    try:
        passkeys.verify(user, challenge_id, credential)
    except passkeys.PasskeyRefused:
        wrong(user, AuditAction.PASSKEY_FAILED)
        raise


def authenticate(
    email: str, password: str, *, production: bool, now: datetime | None = None
) -> User | None:
    """The user these credentials belong to, or None; a failure is audited and counted towards
    the address's lock. Signing in is finished by `complete_sign_in` (after a second factor, if
    the person has one).

    An unknown e-mail, a wrong password, a deactivated account and (in production) a demo account
    all fail the same way, and an unknown address locks like a real one, so the answer never tells
    whether an account exists. Raises `SignInLocked` while the address is locked.
    """
    now = now or utcnow()
    address = normalise_email(email)[:254]
    if locked_until(address, now):
        raise SignInLocked
    user = find_user_by_email(email)
    ok = verify_password(user.password_hash if user else None, password)
    if ok and user is not None and user.active and not (production and user.is_demo):
        if needs_rehash(user.password_hash):
            user.password_hash = hash_password(password)
            db.session.flush()
        return user
    record(user, AuditAction.SIGN_IN_FAILED, user, actor_email=_as_recorded(address, user))
    _failed_attempt(user, address, now)
    return None


def _as_recorded(address: str, user: User | None) -> str:
    """What the audit trail keeps of the address typed at a failed sign-in: an account's
    address as it is, so that administrators see whose sign-in failed; anything else (a mistyped
    address, or a password typed in the wrong box) only as a keyed hash, the same each time, so
    that repeated tries still show as one."""
    if user is not None:
        return address
    return f"not an account: {_failures_key(address)[:16]}"


def second_factor_failed(user: User, now: datetime | None = None) -> None:
    """A wrong code at the second step counts towards the same lock as a wrong password."""
    wrong_secret(user, AuditAction.TWO_FACTOR_FAILED, now)


def wrong_secret(user: User, failure: AuditAction, now: datetime | None = None) -> None:
    """A wrong password or code from a known person (at the second step of signing in, or signed
    in and proving it is them again) is audited as `failure` and counts towards the lock on their
    address as a wrong password at sign-in does (`_failed_attempt`): raises `SignInLocked` if it
    locked the address."""
    record(user, failure, user)
    _failed_attempt(user, user.email, now or utcnow())


def _refuse_while_locked(user: User) -> None:
    """A locked address is refused before its secret is tried, signed in or not."""
    if locked_until(user.email, utcnow()):
        raise SignInLocked


def _wrong_while_signed_in(user: User, failure: AuditAction) -> None:
    """A wrong password or code from someone signed in (`wrong_secret`). If it locks the
    address, whoever is at the screen may not be the person: every session of theirs ends, and
    they sign in again once the lock ends."""
    try:
        wrong_secret(user, failure)
    except SignInLocked:
        user.session_token = new_session_token()
        db.session.flush()
        raise


def _failed_attempt(user: User | None, address: str, now: datetime) -> None:
    """Count a failure towards the address's lock; if it locks the address, audit that, tell the
    account's owner and raise `SignInLocked`."""
    locked = count_failure(address, now)
    if locked:
        record(user, AuditAction.ACCOUNT_LOCKED, user, actor_email=_as_recorded(address, user))
    db.session.flush()
    if locked:
        if user is not None:
            notifications.tell(user, "locked")
        raise SignInLocked


def complete_sign_in(user: User) -> None:
    """Record a finished sign-in (password, and second factor where the person has one)."""
    user.last_signed_in_at = utcnow()
    clear_failures(user.email)
    record(user, AuditAction.SIGN_IN, user)
    db.session.flush()


# --- The lock on an e-mail address ------------------------------------------------------------
# `SIGN_IN_MAX_FAILURES` wrong passwords or second-factor codes within `SIGN_IN_LOCK_MINUTES` lock
# the address for that many minutes; even the right password is then refused. The count is kept
# per e-mail address typed, not per account (`SignInFailures`, keyed by a hash of the address), so
# an address with no account locks in exactly the same way and the answer never reveals whether an
# account exists. Throttling by client address is separate (panel/core/throttle.py).


def _failures_key(email: str) -> str:
    secret = current_app.config["SECRET_KEY"].encode()
    return hmac.new(secret, email.strip().lower().encode(), hashlib.sha256).hexdigest()


def _lock_window() -> timedelta:
    return timedelta(minutes=current_app.config["SIGN_IN_LOCK_MINUTES"])


def locked_until(email: str, now: datetime) -> datetime | None:
    """When the lock on this address ends, or None if it is not locked."""
    row = db.session.get(SignInFailures, _failures_key(email))
    if row is not None and row.locked_until is not None and row.locked_until > now:
        return row.locked_until
    return None


def count_failure(email: str, now: datetime) -> datetime | None:
    """Count a failed attempt; returns when the lock ends if this failure locked the address.
    The caller commits."""
    key = _failures_key(email)
    row = db.session.get(SignInFailures, key, with_for_update=True)
    if row is None:
        row = SignInFailures(email_key=key, failures=0, first_failed_at=now)
        db.session.add(row)
    elif now - row.first_failed_at > _lock_window():
        # Failures spread out over time are ordinary mistakes: start counting again.
        row.failures, row.first_failed_at, row.locked_until = 0, now, None
    row.failures += 1
    if row.failures >= current_app.config["SIGN_IN_MAX_FAILURES"]:
        row.locked_until = now + _lock_window()
        row.failures, row.first_failed_at = 0, now
        return row.locked_until
    return None


def clear_failures(email: str) -> None:
    """Forget failures after a complete sign-in or a password reset. The caller commits."""
    row = db.session.get(SignInFailures, _failures_key(email))
    if row is not None:
        db.session.delete(row)


def lock_message(minutes: int) -> str:
    return (
        "There have been too many attempts to sign in with this email address. For your "
        f"security it is locked for {minutes} minutes. Try again later, or reset your password."
    )


def sign_out(user: User) -> None:
    """End every session of this user: the session identity includes the token we replace."""
    user.session_token = new_session_token()
    record(user, AuditAction.SIGN_OUT, user)
    db.session.flush()


def change_password(user: User, current_password: str, new_password: str) -> bool:
    """Set a new password if the current one is right; other sessions are ended. The current
    password is guarded as at sign-in, so that a session left open cannot be used to guess it:
    a wrong one is audited and counted towards the lock (`wrong_secret`). Raises `SignInLocked`
    while (or once) the address is locked."""
    _refuse_while_locked(user)
    if not verify_password(user.password_hash, current_password):
        _wrong_while_signed_in(user, AuditAction.PASSWORD_CHECK_FAILED)
        return False
    from panel.accounts.links import services as links  # links build on this module

    changes = apply_changes(
        user, {"password_hash": hash_password(new_password), "session_token": new_session_token()}
    )
    # A reset link sent before the change must not undo it.
    links.void_unused(user, utcnow())
    record(user, AuditAction.UPDATE, user, changes=changes)
    db.session.flush()
    notifications.tell(user, "password_changed")
    return True


def confirm_password(user: User, password: str, *, last_step: bool) -> bool:
    """The first step of "Confirm it's you" (panel/core/reauth.py): whether `password` is
    the person's, guarded as at sign-in: a wrong one is audited and counted towards the lock.
    With `last_step` (no second factor follows) the confirmation is recorded. Raises
    `SignInLocked` while (or once) the address is locked."""
    _refuse_while_locked(user)
    if not verify_password(user.password_hash, password):
        _wrong_while_signed_in(user, AuditAction.PASSWORD_CHECK_FAILED)
        return False
    if last_step:
        identity_confirmed(user)
    return True


def confirm_second_factor(user: User, code: str) -> str | None:
    """The second step of "Confirm it's you", after the password: how the code was given, "app"
    or "recovery" (used up), or None for a wrong code, which is audited and counted towards the
    lock. Raises `SignInLocked` while (or once) the address is locked."""
    _refuse_while_locked(user)
    method = two_factor.verify(user, code)
    if method is None:
        _wrong_while_signed_in(user, AuditAction.TWO_FACTOR_FAILED)
        return None
    identity_confirmed(user)
    return method


def confirm_passkey(user: User, challenge_id: str, credential: str) -> None:
    """The second step of "Confirm it's you" with a passkey, after the password: checked as at
    sign-in (`check_passkey`), except that an answer that locks the address ends every session
    of the person's, as a wrong code does here. Raises `SignInLocked` and
    `passkeys.PasskeyRefused`."""
    _verify_passkey(user, challenge_id, credential, wrong=_wrong_while_signed_in)
    identity_confirmed(user)


def identity_confirmed(user: User) -> None:
    """Record that the person proved who they are in full again; as a finished sign-in does, it
    forgets the failures counted against their address."""
    clear_failures(user.email)
    record(user, AuditAction.IDENTITY_CONFIRMED, user)
    db.session.flush()


def new_recovery_codes(user: User, code: str) -> list[str] | None:
    """Replace the person's recovery codes (`two_factor.new_recovery_codes`), the code from their
    app guarded as at sign-in: a wrong one is audited and counted towards the lock. Raises
    `SignInLocked` while (or once) the address is locked."""
    _refuse_while_locked(user)
    codes = two_factor.new_recovery_codes(user, code)
    if codes is None:
        _wrong_while_signed_in(user, AuditAction.TWO_FACTOR_FAILED)
    return codes


def create_organisation(actor: User | None, *, name: str, kind: OrganisationKind) -> Organisation:
    access.require(actor, Action.MANAGE_ORGANISATIONS)
    organisation = Organisation(name=name.strip(), kind=kind)
    db.session.add(organisation)
    db.session.flush()
    record(
        actor,
        AuditAction.CREATE,
        organisation,
        changes={"name": organisation.name, "kind": kind.value},
    )
    db.session.flush()
    return organisation


def update_organisation(actor: User, organisation: Organisation, **fields) -> Organisation:
    access.require(actor, Action.MANAGE_ORGANISATIONS, organisation)
    changes = apply_changes(organisation, _stripped(fields))
    if changes:
        record(actor, AuditAction.UPDATE, organisation, changes=changes)
        db.session.flush()
    return organisation


def create_user(
    actor: User | None,
    *,
    email: str,
    full_name: str,
    organisation: Organisation,
    password: str | None = None,
    password_hash: str | None = None,
    job_title: str | None = None,
    is_admin: bool = False,
    is_demo: bool = False,
) -> User:
    access.require(actor, Action.MANAGE_USERS)
    if not password_hash:
        if password is None:
            raise TypeError("create_user needs a password or a password hash")
        password_hash = hash_password(password)
    user = User(
        email=normalise_email(email),
        full_name=full_name.strip(),
        job_title=(job_title or "").strip() or None,
        organisation=organisation,
        password_hash=password_hash,
        is_admin=is_admin,
        is_demo=is_demo,
    )
    db.session.add(user)
    db.session.flush()
    record(
        actor,
        AuditAction.CREATE,
        user,
        changes={"email": user.email, "organisation": organisation.name, "is_admin": is_admin},
    )
    db.session.flush()
    return user


def update_user(actor: User, user: User, *, password: str | None = None, **fields) -> User:
    """Change a user's details; deactivating or resetting the password ends their sessions.

    Admins may not deactivate themselves or drop their own admin flag: the last admin doing so
    would leave nobody able to manage the service.
    """
    access.require(actor, Action.MANAGE_USERS, user)
    if user.id == actor.id and False in (fields.get("active"), fields.get("is_admin")):
        raise ValueError("An administrator cannot deactivate or demote their own account")
    fields = _stripped(fields)
    if "email" in fields:
        fields["email"] = normalise_email(fields["email"])
    if password:
        fields["password_hash"] = hash_password(password)
    if password or (fields.get("active") is False and user.active):
        fields["session_token"] = new_session_token()
    if fields.get("active") is False and user.active:
        # A deactivated account's calendar link must not start working again on reactivation.
        fields["calendar_token"] = None
    changes = apply_changes(user, fields)
    if changes:
        record(actor, AuditAction.UPDATE, user, changes=changes)
        db.session.flush()
    return user


def _stripped(fields: dict) -> dict:
    return {
        key: value.strip() if isinstance(value, str) else value for key, value in fields.items()
    }


def email_taken(email: str, *, except_user: User | None = None) -> bool:
    existing = find_user_by_email(email)
    return existing is not None and existing is not except_user


def organisation_name_taken(name: str, *, except_organisation: Organisation | None = None) -> bool:
    existing = db.session.scalar(
        db.select(Organisation).where(db.func.lower(Organisation.name) == name.strip().lower())
    )
    return existing is not None and existing is not except_organisation
