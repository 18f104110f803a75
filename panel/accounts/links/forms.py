"""Forms for the pages reached from an e-mailed link: asking for a reset link, and setting a
password from an invitation or a reset link."""

from __future__ import annotations

from panel.accounts.forms import confirm_password_field, email_field, new_password_field
from panel.accounts.models import User
from panel.core.forms import BaseForm, SubmitButton


class ForgottenPasswordForm(BaseForm):
    email = email_field()
    submit = SubmitButton("Send a reset link")


class SetPasswordForm(BaseForm):
    """A new password for `user`, who is not signed in: besides the usual NCSC checks, it must not
    be guessable from their own name or e-mail address (the validator reads `self.user`)."""

    password = new_password_field("New password")
    confirm_password = confirm_password_field("Confirm new password", "password")
    submit = SubmitButton("Reset password")

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user


class AcceptInvitationForm(SetPasswordForm):
    password = new_password_field("Password")
    confirm_password = confirm_password_field("Confirm password", "password")
    submit = SubmitButton("Set password")
