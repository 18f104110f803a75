"""Forms for setting up an authenticator app and making new recovery codes: each is proven by a
code from the app, except new codes for someone with passkeys only (who confirmed it's them with
a passkey on the way to the page)."""

from __future__ import annotations

from panel.accounts.forms import code_field
from panel.core.forms import BaseForm, SubmitButton


class ConfirmCodeForm(BaseForm):
    """Proves the person holds the authenticator: to finish set-up, or to make new codes."""

    code = code_field(
        "Code from your app", "The 6-digit code your authenticator app shows now.", numeric=True
    )
    submit = SubmitButton("Continue")


class NewRecoveryCodesForm(ConfirmCodeForm):
    submit = SubmitButton("Make new recovery codes")


class NewRecoveryCodesAfterPasskeyForm(BaseForm):
    submit = SubmitButton("Make new recovery codes")
