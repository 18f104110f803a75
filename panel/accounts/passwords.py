"""Password hashing with Argon2id (memory-hard), through argon2-cffi's maintained defaults."""

from __future__ import annotations

import functools

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from zxcvbn import zxcvbn

_hasher = PasswordHasher()

MIN_LENGTH = 12
MAX_LENGTH = 256


def hash_password(password: str) -> str:
    return _hasher.hash(password)


@functools.cache
def _unknown_account_hash() -> str:
    return _hasher.hash("an account that does not exist")


def verify_password(password_hash: str | None, password: str) -> bool:
    """Whether `password` matches. With no hash (no such account) it still spends the same time
    hashing, so response times do not reveal which e-mail addresses have accounts."""
    try:
        return _hasher.verify(password_hash or _unknown_account_hash(), password) and bool(
            password_hash
        )
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return _hasher.check_needs_rehash(password_hash)


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
