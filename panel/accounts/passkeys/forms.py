"""Forms for passkeys: the button that asks the browser for one (its answer comes back in hidden
fields, filled in by static/js/passkeys.js), naming one, and removing one."""

from __future__ import annotations

from wtforms import HiddenField

from panel.accounts.passkeys.models import NAME_MAX
from panel.core.forms import BaseForm, SubmitButton, required_text

# What a browser's refusal means, by the DOMException name static/js/passkeys.js sends back.
_REFUSALS = {
    # Cancelled, timed out, or no passkey chosen: browsers do not say which, on purpose.
    "NotAllowedError": "Your passkey was not used. It may have been cancelled or taken too long",
    "InvalidStateError": "This device already has a passkey for your Panel account",
    "NotSupportedError": "This browser or device cannot use passkeys",
    "SecurityError": "This browser refused to use a passkey on this address",
    "NoCredential": "Your browser did not give a passkey",
}


class PasskeyForm(BaseForm):
    """A button; the browser's answer (JSON) or the name of its refusal in hidden fields."""

    credential = HiddenField()
    failure = HiddenField()
    submit = SubmitButton("Continue")

    def refusal(self) -> str | None:
        """What went wrong in the browser, in the person's words, or None if it gave an answer."""
        if self.failure.data or not self.credential.data:
            return _REFUSALS.get(self.failure.data or "NoCredential", _REFUSALS["NoCredential"])
        return None

    def refuse_with(self, message: str) -> None:
        """Say why beside the button (the error summary links to it)."""
        self.submit.errors = [*self.submit.errors, message]


class CreatePasskeyForm(PasskeyForm):
    submit = SubmitButton("Create a passkey")


class UsePasskeyForm(PasskeyForm):
    submit = SubmitButton("Use your passkey")


class NamePasskeyForm(BaseForm):
    name = required_text(
        "Name",
        "Enter a name for the passkey",
        NAME_MAX,
        description="Something you will recognise, like the device or security key it is on.",
    )
    submit = SubmitButton("Save name")


class RemovePasskeyForm(BaseForm):
    submit = SubmitButton("Remove passkey")
