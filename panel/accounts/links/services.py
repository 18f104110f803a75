"""Single-use account links sent by e-mail: an invitation for a new user to set their first
password, and a password reset for someone who has forgotten theirs. Nobody but the person ever
chooses or sees their password, administrators included.

Only the SHA-256 hash of a link's token is stored: the token itself (from `secrets`) is in the
e-mail and nowhere else, so reading the database or a backup gives nobody a working link. A link
works once, until it expires; issuing a new one of the same purpose voids the earlier unused ones,
and setting a password through any link voids the rest. Whatever is wrong with a link (unknown,
used, expired, voided, or its account deactivated), the answer is the same.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from panel import access
from panel.access import Action
from panel.accounts import notifications
from panel.accounts import services as accounts
from panel.accounts.links.models import AccountLink, LinkPurpose
from panel.accounts.models import User, new_session_token
from panel.core import mail
from panel.core.audit import AuditAction, apply_changes, record
from panel.core.database import utcnow
from panel.core.passwords import hash_password
from panel.extensions import db

# How long a link works. A reset link is short-lived because a mailbox may be read by others;
# an invitation waits for someone who may not look at their e-mail every day.
# Reset links asked for by e-mail address, per account per hour: more are not sent, whoever asks
# and from however many addresses (the per-client throttle cannot see that).
RESETS_PER_HOUR = 3

LIFETIMES = {
    LinkPurpose.INVITATION: timedelta(days=7),
    LinkPurpose.PASSWORD_RESET: timedelta(minutes=30),
}

_SENT = {
    LinkPurpose.INVITATION: AuditAction.INVITATION_SENT,
    LinkPurpose.PASSWORD_RESET: AuditAction.RESET_LINK_SENT,
}
_USED = {
    LinkPurpose.INVITATION: AuditAction.INVITATION_ACCEPTED,
    LinkPurpose.PASSWORD_RESET: AuditAction.PASSWORD_RESET,
}


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def lifetime_in_words(purpose: LinkPurpose) -> str:
    """How long a link of this purpose works, in words ("30 minutes", "7 days")."""
    lifetime = LIFETIMES[purpose]
    if lifetime.days:
        return f"{lifetime.days} day{'s' if lifetime.days != 1 else ''}"
    minutes = lifetime.seconds // 60
    return f"{minutes} minute{'s' if minutes != 1 else ''}"


def invitation_lifetime() -> str:
    """How long an invitation works, in words, for the pages that send one."""
    return lifetime_in_words(LinkPurpose.INVITATION)


def reset_link_lifetime() -> str:
    """How long a password reset link works, in words, for the pages that send one."""
    return lifetime_in_words(LinkPurpose.PASSWORD_RESET)


def issue(
    actor: User | None, user: User, purpose: LinkPurpose, *, now: datetime | None = None
) -> str:
    """A new link for `user`, voiding their earlier unused ones of this purpose; returns the
    token, which the caller puts in the e-mail and nowhere else. Audited (never the token)."""
    now = now or utcnow()
    void_unused(user, now, purpose)
    token = secrets.token_urlsafe(32)
    link = AccountLink(
        purpose=purpose,
        user=user,
        token_hash=hash_token(token),
        created_at=now,
        expires_at=now + LIFETIMES[purpose],
    )
    db.session.add(link)
    record(actor, _SENT[purpose], user, changes={"expires_at": link.expires_at.isoformat()})
    db.session.flush()
    return token


def void_unused(user: User, now: datetime, purpose: LinkPurpose | None = None) -> None:
    """End the user's unused links (of one purpose, or all) now."""
    update = sa.update(AccountLink).where(
        AccountLink.user_id == user.id,
        AccountLink.used_at.is_(None),
        AccountLink.expires_at > now,
    )
    if purpose is not None:
        update = update.where(AccountLink.purpose == purpose)
    db.session.execute(
        update.values(expires_at=now), execution_options={"synchronize_session": False}
    )


def usable_link(
    token: str, purpose: LinkPurpose, *, production: bool, now: datetime | None = None
) -> AccountLink | None:
    """The unused, unexpired link of this purpose for an active account, or None."""
    now = now or utcnow()
    if not token or len(token) > 100:
        return None
    link = db.session.scalar(
        db.select(AccountLink)
        .options(joinedload(AccountLink.user).joinedload(User.organisation))
        .where(AccountLink.token_hash == hash_token(token), AccountLink.purpose == purpose)
    )
    if link is None or link.used_at is not None or link.expires_at <= now:
        return None
    if not link.user.active or (production and link.user.is_demo):
        return None
    return link


def set_password(link: AccountLink, password: str, *, now: datetime | None = None) -> bool:
    """Use `link` to set its user's password: every session of theirs ends, the link is used, the
    user's other links are voided, and it is audited. False if the link was used or voided
    meanwhile (a second tab, a double submit), and nothing changes."""
    now = now or utcnow()
    password_hash = hash_password(password)  # slow on purpose: before the row is claimed
    # Claimed in one statement, so two requests with the same link cannot both use it.
    claimed = db.session.execute(
        sa.update(AccountLink)
        .where(
            AccountLink.id == link.id,
            AccountLink.used_at.is_(None),
            AccountLink.expires_at > now,
        )
        .values(used_at=now),
        execution_options={"synchronize_session": False},
    ).rowcount  # type: ignore[attr-defined]  # 2.0's stubs type an UPDATE's CursorResult as Result
    if claimed != 1:  # the statement changed nothing: there is nothing to undo
        return False
    user = link.user
    void_unused(user, now)
    changes = apply_changes(
        user, {"password_hash": password_hash, "session_token": new_session_token()}
    )
    # A lock from someone else's guessing ends with the new password.
    accounts.clear_failures(user.email)
    record(user, _USED[link.purpose], user, changes=changes)
    db.session.flush()
    if link.purpose is LinkPurpose.PASSWORD_RESET:
        notifications.tell(user, "password_reset")
    return True


def invited_user_ids(users: list[User]) -> set[int]:
    """Which of `users` have been invited and not yet set a password through a link."""
    ids = [user.id for user in users]
    if not ids:
        return set()
    invitations = sa.func.sum(sa.case((AccountLink.purpose == LinkPurpose.INVITATION, 1), else_=0))
    return set(
        db.session.scalars(
            db.select(AccountLink.user_id)
            .where(AccountLink.user_id.in_(ids))
            .group_by(AccountLink.user_id)
            .having(invitations > 0, sa.func.count(AccountLink.used_at) == 0)
        )
    )


def is_invited(user: User) -> bool:
    return user.id in invited_user_ids([user])


# --- Operations that send the e-mail ----------------------------------------------------------


def invite_user(actor: User, **details) -> tuple[User, int]:
    """Create an account with no password anyone knows, and e-mail its owner an invitation to
    set one. Returns the user and how many e-mails were queued (delivered once this commits)."""
    access.require(actor, Action.MANAGE_USERS)
    user = accounts.create_user(
        actor,
        # A password nobody knows or could guess: until the invitation is accepted, nobody can
        # sign in as this user.
        password_hash=hash_password(secrets.token_urlsafe(32)),
        **details,
    )
    return user, send_invitation(actor, user)


def send_invitation(actor: User, user: User, *, now: datetime | None = None) -> int:
    """An administrator e-mails `user` a new invitation (earlier unused ones stop working)."""
    access.require(actor, Action.MANAGE_USERS, user)
    token = issue(actor, user, LinkPurpose.INVITATION, now=now)
    return mail.send_notice([invitation_email(user, token)], f"the invitation for user {user.id}")


def send_reset_link(actor: User, user: User, *, now: datetime | None = None) -> int:
    """An administrator sends `user` a password reset link (their password stays as it is until
    they use it)."""
    access.require(actor, Action.MANAGE_USERS, user)
    token = issue(actor, user, LinkPurpose.PASSWORD_RESET, now=now)
    return mail.send_notice([reset_email(user, token)], f"the password reset for user {user.id}")


def password_reset_requested(
    email: str, *, production: bool, now: datetime | None = None
) -> mail.Email | None:
    """Someone asked for a reset link for `email`: the e-mail to send, if the address belongs to
    an account that may sign in, else None. The caller answers the same either way."""
    now = now or utcnow()
    user = accounts.find_user_by_email(email)
    if user is None or not user.active or (production and user.is_demo):
        return None
    if _recent_resets(user, now) >= RESETS_PER_HOUR:
        # Someone keeps asking for this person: stop filling their inbox. The answer stays the
        # same, and the last link sent still works.
        return None
    return reset_email(user, issue(None, user, LinkPurpose.PASSWORD_RESET, now=now))


def _recent_resets(user: User, now: datetime) -> int:
    return db.session.execute(
        sa.select(sa.func.count(AccountLink.id)).where(
            AccountLink.user_id == user.id,
            AccountLink.purpose == LinkPurpose.PASSWORD_RESET,
            AccountLink.created_at > now - timedelta(hours=1),
        )
    ).scalar_one()


# The e-mails carry the person's name and the link, nothing more: no organisation, no panels, no
# e-mail address beyond the one they are sent to.


def invitation_email(user: User, token: str) -> mail.Email:
    link = mail.external_url("links.invitation", token=token)
    lifetime = lifetime_in_words(LinkPurpose.INVITATION)
    return mail.Email(
        to=user.email,
        subject="You have been invited to Panel",
        body=(
            f"Dear {user.full_name},\n\n"
            "An administrator has created an account for you on Panel, the tool for hate crime "
            "scrutiny panels, local hate crime panels and independent advisory groups.\n\n"
            f"To set your password and start using Panel, open this link:\n\n{link}\n\n"
            f"The link works once, for {lifetime}. If it has expired, ask your panel's "
            "administrator to send a new invitation.\n\n"
            "If you were not expecting this e-mail, you can ignore it.\n"
        ),
    )


def reset_email(user: User, token: str) -> mail.Email:
    link = mail.external_url("links.reset_password", token=token)
    lifetime = lifetime_in_words(LinkPurpose.PASSWORD_RESET)
    return mail.Email(
        to=user.email,
        subject="Reset your Panel password",
        body=(
            f"Dear {user.full_name},\n\n"
            f"To choose a new password for Panel, open this link:\n\n{link}\n\n"
            f"The link works once, for {lifetime}. Setting a new password signs you out "
            "everywhere.\n\n"
            "If you did not ask to reset your password, you can ignore this e-mail: your password "
            "has not changed.\n"
        ),
    )
