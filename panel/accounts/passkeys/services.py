"""Passkeys as a second factor (WebAuthn, with Duo's py_webauthn): registering one, signing in
with one, naming and removing them. An administrator's reset removes them with the rest of a
person's second factors (`two_factor.services.reset`).

Each ceremony has two steps. First the server makes options with a fresh random challenge
(`registration_options`, `sign_in_options`): the challenge is stored (`PasskeyChallenge`), the
session keeps only its id, and the page hands the options to the browser. Then the browser's
answer comes back with that id (`register`, `verify`): the challenge is taken, which deletes it,
so it is answered once, and only within `CHALLENGE_SECONDS`; py_webauthn checks the answer was
signed for this challenge, this relying party and one of its origins.

A passkey is a second factor after the password, so user verification (a PIN or fingerprint on
the authenticator) is preferred, not required: a security key without a PIN still counts.
"""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app
from webauthn import (
    generate_authentication_options,
    generate_registration_options,
    options_to_json,
    verify_authentication_response,
    verify_registration_response,
)
from webauthn.helpers import (
    parse_authentication_credential_json,
    parse_registration_credential_json,
)
from webauthn.helpers.exceptions import WebAuthnException
from webauthn.helpers.structs import (
    AuthenticatorSelectionCriteria,
    AuthenticatorTransport,
    PublicKeyCredentialDescriptor,
    ResidentKeyRequirement,
    UserVerificationRequirement,
)

from panel import access
from panel.accounts import notifications
from panel.accounts.models import User
from panel.accounts.passkeys.models import (
    NAME_MAX,
    ChallengePurpose,
    Passkey,
    PasskeyChallenge,
)
from panel.accounts.two_factor import services as two_factor
from panel.core.audit import AuditAction, record
from panel.core.database import utcnow
from panel.extensions import db

RP_NAME = "Panel"
CHALLENGE_SECONDS = 5 * 60
# What py_webauthn, or parsing the browser's JSON, raises for an answer that is not one.
_MALFORMED = (WebAuthnException, ValueError, TypeError, KeyError, IndexError, AttributeError)


# The most passkeys one person keeps: their list, the admin's view of them and the browser's
# options (every one is named in them) stay short. A phone, a laptop and a few security keys.
MAX_PASSKEYS = 10


class PasskeyRefused(Exception):
    """The browser's answer did not check out, or came too late: what to tell the person."""


# --- Registering -------------------------------------------------------------------------------


def registration_options(user: User, now: datetime | None = None) -> tuple[str, str]:
    """(challenge id, options as JSON for `navigator.credentials.create`). The person's passkeys
    are excluded, so an authenticator that holds one already says so instead of making another."""
    if user.passkey_user_handle is None:
        user.passkey_user_handle = secrets.token_bytes(32)
    options = generate_registration_options(
        rp_id=current_app.config["WEBAUTHN_RP_ID"],
        rp_name=RP_NAME,
        user_id=user.passkey_user_handle,
        user_name=user.email,
        user_display_name=user.full_name,
        exclude_credentials=_descriptors(user),
        authenticator_selection=AuthenticatorSelectionCriteria(
            resident_key=ResidentKeyRequirement.PREFERRED,
            user_verification=UserVerificationRequirement.PREFERRED,
        ),
        timeout=CHALLENGE_SECONDS * 1000,
    )
    challenge_id = _keep_challenge(user, ChallengePurpose.REGISTER, options.challenge, now)
    return challenge_id, options_to_json(options)


def register(
    user: User, challenge_id: str, credential: str, now: datetime | None = None
) -> tuple[Passkey, list[str]]:
    """Store the passkey the browser made for `challenge_id`'s options; returns it and, if it is
    the person's first second factor, their recovery codes (shown once; otherwise empty). Raises
    `PasskeyRefused`."""
    now = now or utcnow()
    if len(user.passkeys) >= MAX_PASSKEYS:
        raise PasskeyRefused(
            f"You have {MAX_PASSKEYS} passkeys, the most Panel keeps for one person. Remove one "
            "you no longer use, then add this one"
        )
    challenge = _take_challenge(user, ChallengePurpose.REGISTER, challenge_id, now)
    try:
        verified = verify_registration_response(
            credential=credential,
            expected_challenge=challenge,
            expected_rp_id=current_app.config["WEBAUTHN_RP_ID"],
            expected_origin=current_app.config["WEBAUTHN_ORIGINS"],
        )
        transports = _transports(credential)
    except _MALFORMED:
        raise PasskeyRefused(
            "Your passkey could not be checked. Try again, or set up an authenticator app instead"
        ) from None
    if db.session.scalar(
        sa.select(Passkey.id).where(Passkey.credential_id == verified.credential_id)
    ):
        raise PasskeyRefused("That passkey is set up already")
    first = not user.has_two_factor
    passkey = Passkey(
        user_id=user.id,
        credential_id=verified.credential_id,
        public_key=verified.credential_public_key,
        sign_count=verified.sign_count,
        name=_default_name(user),
        transports=transports,
        created_at=now,
    )
    db.session.add(passkey)
    user.passkeys.append(passkey)
    codes = two_factor.replace_recovery_codes(user, now) if first else []
    record(user, AuditAction.PASSKEY_ADDED, user, changes={"passkey": passkey.name})
    db.session.flush()
    notifications.tell(user, "passkey_added")
    return passkey, codes


def _default_name(user: User) -> str:
    """ "Passkey 1", "Passkey 2", ...: a name the person can change to one they recognise."""
    taken = {passkey.name for passkey in user.passkeys}
    number = len(user.passkeys) + 1
    while f"Passkey {number}" in taken:
        number += 1
    return f"Passkey {number}"


def _transports(credential: str) -> list[str]:
    """The transports the browser reported, those WebAuthn knows only."""
    parsed = parse_registration_credential_json(credential)
    known = {transport.value for transport in AuthenticatorTransport}
    return [t.value for t in parsed.response.transports or [] if t.value in known]


# --- Signing in --------------------------------------------------------------------------------


def sign_in_options(user: User, now: datetime | None = None) -> tuple[str, str]:
    """(challenge id, options as JSON for `navigator.credentials.get`), naming the person's
    passkeys, so that the browser offers only theirs."""
    options = generate_authentication_options(
        rp_id=current_app.config["WEBAUTHN_RP_ID"],
        allow_credentials=_descriptors(user),
        user_verification=UserVerificationRequirement.PREFERRED,
        timeout=CHALLENGE_SECONDS * 1000,
    )
    challenge_id = _keep_challenge(user, ChallengePurpose.SIGN_IN, options.challenge, now)
    return challenge_id, options_to_json(options)


def verify(user: User, challenge_id: str, credential: str, now: datetime | None = None) -> Passkey:
    """The passkey of `user` that signed `challenge_id`'s challenge, its counter and last use
    updated. Raises `PasskeyRefused` for anything else: the caller audits it and counts it
    towards the sign-in lock, as for a wrong code."""
    now = now or utcnow()
    challenge = _take_challenge(user, ChallengePurpose.SIGN_IN, challenge_id, now)
    refused = PasskeyRefused(
        "That passkey did not work. Try again with a passkey you set up for Panel, or use "
        "another way to sign in"
    )
    try:
        parsed = parse_authentication_credential_json(credential)
    except _MALFORMED:
        raise refused from None
    passkey = db.session.scalar(
        sa.select(Passkey).where(Passkey.user_id == user.id, Passkey.credential_id == parsed.raw_id)
    )
    handle = parsed.response.user_handle
    if passkey is None or (handle and handle != user.passkey_user_handle):
        raise refused
    try:
        verified = verify_authentication_response(
            credential=parsed,
            expected_challenge=challenge,
            expected_rp_id=current_app.config["WEBAUTHN_RP_ID"],
            expected_origin=current_app.config["WEBAUTHN_ORIGINS"],
            credential_public_key=passkey.public_key,
            credential_current_sign_count=passkey.sign_count,
        )
    except _MALFORMED:
        raise refused from None
    passkey.sign_count = verified.new_sign_count
    passkey.last_used_at = now
    db.session.flush()
    return passkey


# --- Naming and removing -----------------------------------------------------------------------


def rename(user: User, passkey: Passkey, name: str) -> None:
    """Call one of the person's own passkeys `name`."""
    _require_own(user, passkey)
    name = " ".join(name.split())[:NAME_MAX]
    if name == passkey.name:
        return
    record(user, AuditAction.PASSKEY_RENAMED, user, changes={"passkey": [passkey.name, name]})
    passkey.name = name
    db.session.flush()


class LastSecondFactor(Exception):
    """Removing this would leave the person no second factor to sign in with."""


def remove(user: User, passkey: Passkey) -> None:
    """Remove one of the person's own passkeys; it no longer signs them in. Refuses the last
    second factor they have (`LastSecondFactor`): everyone signs in with one."""
    _require_own(user, passkey)
    if len(user.passkeys) == 1 and not user.has_authenticator_app:
        raise LastSecondFactor
    user.passkeys.remove(passkey)
    db.session.delete(passkey)
    record(user, AuditAction.PASSKEY_REMOVED, user, changes={"passkey": passkey.name})
    db.session.flush()
    notifications.tell(user, "passkey_removed")


def _require_own(user: User, passkey: Passkey) -> None:
    """A passkey is its owner's alone to name or remove: not even an administrator's (who resets
    all of a person's second factors instead, `two_factor.services.reset`)."""
    if passkey.user_id != user.id:
        raise access.NotAllowed("Only the person a passkey signs in may change it.")


# --- Challenges --------------------------------------------------------------------------------


def _descriptors(user: User) -> list[PublicKeyCredentialDescriptor]:
    return [
        PublicKeyCredentialDescriptor(
            id=passkey.credential_id,
            transports=[AuthenticatorTransport(t) for t in passkey.transports or []],
        )
        for passkey in user.passkeys
    ]


def _keep_challenge(
    user: User, purpose: ChallengePurpose, challenge: bytes, now: datetime | None
) -> str:
    """Store `challenge` for `user` and return its id; challenges past their time go, and so does
    any earlier one of the person's for the same purpose (one ceremony at a time)."""
    now = now or utcnow()
    db.session.execute(
        sa.delete(PasskeyChallenge).where(
            sa.or_(
                PasskeyChallenge.created_at < now - timedelta(seconds=CHALLENGE_SECONDS),
                sa.and_(
                    PasskeyChallenge.user_id == user.id,
                    PasskeyChallenge.purpose == purpose.value,
                ),
            )
        )
    )
    challenge_id = secrets.token_urlsafe(32)
    db.session.add(
        PasskeyChallenge(
            id=challenge_id,
            user_id=user.id,
            purpose=purpose.value,
            challenge=challenge,
            created_at=now,
        )
    )
    db.session.flush()
    return challenge_id


def _take_challenge(
    user: User, purpose: ChallengePurpose, challenge_id: str, now: datetime
) -> bytes:
    """The challenge `challenge_id` names, deleted as it is taken. Raises `PasskeyRefused` if it
    is not this person's, not for this purpose, used already or too old."""
    found = db.session.get(PasskeyChallenge, challenge_id) if challenge_id else None
    if found is not None:
        db.session.delete(found)
        db.session.flush()
    if (
        found is None
        or found.user_id != user.id
        or found.purpose != purpose.value
        or now - found.created_at > timedelta(seconds=CHALLENGE_SECONDS)
    ):
        raise PasskeyRefused("The time to use your passkey ran out. Try again")
    return found.challenge
