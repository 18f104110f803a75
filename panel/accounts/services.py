"""Operations on accounts and organisations. What an administrator does to organisations and other
people's accounts asks `access` first (an actor of None is the system: `flask create-admin`, demo
data); what a person does to their own account (signing in and out, changing their password) is
theirs to do. Each changes and audits; the unit of work commits."""

from __future__ import annotations

import secrets
from datetime import datetime

from panel import access
from panel.access import Action
from panel.accounts import lockout, notifications
from panel.accounts.models import Organisation, OrganisationKind, User, new_session_token
from panel.accounts.passwords import hash_password, needs_rehash, verify_password
from panel.core.audit import AuditAction, apply_changes, record
from panel.core.database import utcnow
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


class SignInLocked(Exception):
    """Too many failures for this e-mail address: it is locked for a while (see lockout)."""


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
    if lockout.locked_until(address, now):
        raise SignInLocked
    user = find_user_by_email(email)
    ok = verify_password(user.password_hash if user else None, password)
    if ok and user is not None and user.active and not (production and user.is_demo):
        if needs_rehash(user.password_hash):
            user.password_hash = hash_password(password)
            db.session.flush()
        return user
    record(user, AuditAction.SIGN_IN_FAILED, user, actor_email=address)
    _count_failure(user, address, now)
    return None


def second_factor_failed(user: User, now: datetime | None = None) -> None:
    """A wrong code at the second step counts towards the same lock as a wrong password."""
    record(user, AuditAction.TWO_FACTOR_FAILED, user)
    _count_failure(user, user.email, now or utcnow())


def _count_failure(user: User | None, address: str, now: datetime) -> None:
    locked = lockout.count_failure(address, now)
    if locked:
        record(user, AuditAction.ACCOUNT_LOCKED, user, actor_email=address)
    db.session.flush()
    if locked:
        if user is not None:
            notifications.tell(user, "locked")
        raise SignInLocked


def complete_sign_in(user: User) -> None:
    """Record a finished sign-in (password, and second factor where the person has one)."""
    user.last_signed_in_at = utcnow()
    lockout.clear(user.email)
    record(user, AuditAction.SIGN_IN, user)
    db.session.flush()


def sign_out(user: User) -> None:
    """End every session of this user: the session identity includes the token we replace."""
    user.session_token = new_session_token()
    record(user, AuditAction.SIGN_OUT, user)
    db.session.flush()


def change_password(user: User, current_password: str, new_password: str) -> bool:
    """Set a new password if the current one is right; other sessions are ended."""
    if not verify_password(user.password_hash, current_password):
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
