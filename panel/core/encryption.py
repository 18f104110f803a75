"""Encryption at rest for the secrets Panel must read back.

Passwords and recovery codes are hashed, but a TOTP secret cannot be: checking a code needs the
secret itself. It is encrypted with Fernet (AES-128-CBC with an HMAC-SHA256 tag, from the
`cryptography` library) under `DATA_ENCRYPTION_KEY`, which is kept out of the database, so that a
copy of the database or of a backup does not give away anyone's second factor.

The setting may list several keys, comma-separated: the first encrypts and every one decrypts, so
a key can be replaced without locking anyone out; `flask rotate-data-key` then re-encrypts every
stored secret under the first key, after which the old key can be removed.
"""

from __future__ import annotations

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from flask import current_app


class WrongDataKey(RuntimeError):
    """A stored secret was encrypted under a key the app has not been given."""


def generate_key() -> str:
    return Fernet.generate_key().decode()


def valid_key(key: str) -> bool:
    try:
        Fernet(key)
    except ValueError:
        return False
    return True


def encrypt(plaintext: str | None) -> str | None:
    if plaintext is None:
        return None
    return _fernet().encrypt(plaintext.encode()).decode()


def decrypt(token: str | None) -> str | None:
    if token is None:
        return None
    try:
        return _fernet().decrypt(token.encode()).decode()
    except InvalidToken:
        raise WrongDataKey(
            "A stored secret cannot be decrypted with DATA_ENCRYPTION_KEY. Give the key it was "
            "encrypted with, or list it after the new key while replacing a key."
        ) from None


def rotate(token: str) -> str:
    """The same secret encrypted under the first key."""
    try:
        return _fernet().rotate(token.encode()).decode()
    except InvalidToken:
        raise WrongDataKey("A stored secret cannot be decrypted with DATA_ENCRYPTION_KEY") from None


def _fernet() -> MultiFernet:
    # Built once per app: the keys are settings and do not change while it runs.
    fernet = current_app.extensions.get("panel_fernet")
    if fernet is None:
        keys = current_app.config["DATA_ENCRYPTION_KEYS"]
        fernet = current_app.extensions["panel_fernet"] = MultiFernet([Fernet(k) for k in keys])
    return fernet
