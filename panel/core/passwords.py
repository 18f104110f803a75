"""Passwords: hashing with Argon2id (memory-hard), through argon2-cffi's maintained defaults, and
the policy a new password must meet (its length, and not easy to guess)."""

from __future__ import annotations

import functools
import re
import unicodedata

from argon2 import PasswordHasher, profiles
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app, has_app_context
from zxcvbn import zxcvbn

# argon2-cffi's default, RFC 9106's low-memory profile (64 MiB, 3 passes), is what Panel uses. The
# test suite alone sets ARGON2_PROFILE to CHEAPEST, as Django advises for its own tests: thousands
# of sign-ins would otherwise spend minutes hashing. No environment variable reaches the setting.
_HASHERS = {
    "RFC_9106_LOW_MEMORY": PasswordHasher.from_parameters(profiles.RFC_9106_LOW_MEMORY),
    "CHEAPEST": PasswordHasher.from_parameters(profiles.CHEAPEST),
}

MIN_LENGTH = 12
MAX_LENGTH = 256


def _profile() -> str:
    configured = current_app.config.get("ARGON2_PROFILE") if has_app_context() else None
    return configured or "RFC_9106_LOW_MEMORY"


def hash_password(password: str) -> str:
    return _HASHERS[_profile()].hash(password)


@functools.cache
def _unknown_account_hash(profile: str) -> str:
    return _HASHERS[profile].hash("an account that does not exist")


def verify_password(password_hash: str | None, password: str) -> bool:
    """Whether `password` matches. With no hash (no such account) it still spends the same time
    hashing, so response times do not reveal which e-mail addresses have accounts."""
    profile = _profile()
    try:
        return _HASHERS[profile].verify(
            password_hash or _unknown_account_hash(profile), password
        ) and bool(password_hash)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return _HASHERS[_profile()].check_needs_rehash(password_hash)


def guessable(password: str, user_inputs: list[str] | tuple = ()) -> str | None:
    """Why `password` is too easy to guess, in the user's words; None if it is not.

    NCSC guidance: no composition rules, but refuse common and guessable passwords. zxcvbn
    estimates guessability offline, against common passwords, words, names, keyboard patterns
    and the user's own details; below a score of 3 ("safely unguessable") it is refused.
    """
    result = zxcvbn(password[:100], user_inputs=[value for value in user_inputs if value])
    if result["score"] >= 3:
        return None
    warning = (result["feedback"]["warning"] or "").rstrip(".")
    reason = warning[0].lower() + warning[1:] if warning else "it follows a common pattern"
    return f"Password is too easy to guess: {reason}. Try three or four unrelated words"


# A part of a name or address shorter than this is in too many words to stand for the person
# ("al" is in "always"); the whole address and the whole name are refused whatever their length.
_OWN_DETAIL_MIN_LENGTH = 4


def _letters(text: str) -> str:
    """`text` reduced to what a person would read: one case, one width (NFKC: "ＬＧＢＴ" is
    "lgbt"), and no spaces or punctuation between words."""
    return re.sub(r"[\W_]+", "", unicodedata.normalize("NFKC", text).casefold())


def own_details_in(password: str, *, email: str | None, full_name: str | None) -> str | None:
    """Why `password` is refused for holding the person's own e-mail address (or the part before
    the @) or name, in the GOV.UK error style; None if it holds neither. zxcvbn only lowers the
    score for them, and a long enough password still passed (`lgbt@panel.example`), though
    whoever knows the person knows these first."""
    typed = _letters(password)
    if email:
        local_part = email.rpartition("@")[0] or email
        local = _letters(local_part)
        if _letters(email) in typed or (len(local) >= _OWN_DETAIL_MIN_LENGTH and local in typed):
            return "Password must not contain your email address"
    if full_name:
        parts = [_letters(part) for part in full_name.split()]
        whole = "".join(parts)
        if (whole and whole in typed) or any(
            len(part) >= _OWN_DETAIL_MIN_LENGTH and part in typed for part in parts
        ):
            return "Password must not contain your name"
    return None
