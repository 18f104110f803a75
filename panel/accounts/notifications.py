"""An e-mail to a person whenever the way they sign in changes, so that if it was not them they
find out and act (ASVS 2.2.3): a changed or reset password, a second factor set up, reset or turned
off, new recovery codes, an address locked after repeated failures.

The message says what changed and when, and whom to ask; it carries no link that signs anyone in.
The message is saved with the change and delivered after it commits (`mail.send_notice`): a
mail server that is down delays it, and a change that is rolled back sends nothing.
"""

from __future__ import annotations

from panel.accounts.models import User
from panel.core import mail
from panel.core.database import utcnow
from panel.core.time import format_datetime

# change -> (subject, what happened, in a sentence that ends with "on <when>")
CHANGES = {
    "password_changed": ("Your Panel password was changed", "Your password was changed"),
    "password_reset": (
        "Your Panel password was reset",
        "Your password was reset with a link sent to this address",
    ),
    "two_factor_set_up": (
        "Two-factor sign-in is set up on your Panel account",
        "An authenticator app was set up for signing in to your account",
    ),
    "passkey_added": (
        "A passkey was added to your Panel account",
        "A passkey was added for signing in to your account",
    ),
    "passkey_removed": (
        "A passkey was removed from your Panel account",
        "A passkey was removed from your account",
    ),
    "two_factor_reset": (
        "Two-factor sign-in was reset on your Panel account",
        "Two-factor sign-in was reset (or turned off) on your account",
    ),
    "recovery_codes": (
        "New recovery codes for your Panel account",
        "New recovery codes were made for your account, and the old ones stopped working",
    ),
    "locked": (
        "Signing in to your Panel account is locked for a while",
        "Signing in to your account was locked after repeated wrong passwords or codes",
    ),
}


def tell(user: User, change: str) -> int:
    """E-mail `user` that `change` (a key of CHANGES) happened just now."""
    subject, what = CHANGES[change]
    body = (
        f"Hello {user.full_name},\n\n"
        f"{what} on {format_datetime(utcnow())} (UK time).\n\n"
        "If this was you, you need do nothing.\n\n"
        "If it was not you, someone may know your password. Reset it now at "
        f"{mail.external_url('links.forgotten_password')} and tell your Panel "
        "administrator.\n\n"
        "Panel\n"
    )
    return mail.send_notice([mail.Email(to=user.email, subject=subject, body=body)], change)
