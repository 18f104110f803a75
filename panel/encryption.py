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

import click
import sqlalchemy as sa
from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from flask import current_app
from flask.cli import with_appcontext


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


@click.command("rotate-data-key")
@with_appcontext
def rotate_data_key_command():
    """Re-encrypt every stored secret under the first key in DATA_ENCRYPTION_KEY."""
    from panel.accounts.models import User  # here: the models import this module
    from panel.extensions import db

    users = db.session.scalars(sa.select(User).where(User.encrypted_totp_secret.is_not(None)))
    count = 0
    for user in users:
        user.encrypted_totp_secret = rotate(user.encrypted_totp_secret)
        count += 1
    db.session.commit()
    click.echo(f"Re-encrypted {count} two-factor secret{'' if count == 1 else 's'}.")
