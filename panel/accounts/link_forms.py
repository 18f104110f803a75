"""Forms for the pages reached from an e-mailed link: asking for a reset link, and setting a
password from an invitation or a reset link."""

from __future__ import annotations

import re

from govuk_frontend_wtf.wtforms_widgets import GovPasswordInput, GovTextInput
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, EqualTo, Length, ValidationError

from panel.accounts.forms import new_password_field
from panel.accounts.models import User
from panel.accounts.passwords import guessable
from panel.forms import BaseForm, SubmitButton


class ForgottenPasswordForm(BaseForm):
    email = StringField(
        "Email address",
        widget=GovTextInput(),
        validators=[
            DataRequired(message="Enter your email address"),
            Length(max=254, message="Email address must be 254 characters or fewer"),
        ],
        render_kw={"autocomplete": "username", "spellcheck": "false"},
    )
    submit = SubmitButton("Send a reset link")


class SetPasswordForm(BaseForm):
    """A new password for `user`, who is not signed in: besides the usual NCSC checks, it must not
    be guessable from their own name or e-mail address."""

    password = new_password_field("New password")
    confirm_password = PasswordField(
        "Confirm new password",
        widget=GovPasswordInput(),
        validators=[
            DataRequired(message="Confirm your new password"),
            EqualTo("password", message="Passwords must match"),
        ],
        render_kw={"autocomplete": "new-password"},
    )
    submit = SubmitButton("Reset password")

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def validate_password(self, field):
        if field.errors:  # already refused, by length or as a common password
            return
        details = (self.user.email, self.user.full_name)
        words = [word for detail in details for word in re.split(r"[\W_]+", detail) if word]
        reason = guessable(field.data or "", words)
        if reason:
            raise ValidationError(reason)


class AcceptInvitationForm(SetPasswordForm):
    password = new_password_field("Password")
    confirm_password = PasswordField(
        "Confirm password",
        widget=GovPasswordInput(),
        validators=[
            DataRequired(message="Confirm your password"),
            EqualTo("password", message="Passwords must match"),
        ],
        render_kw={"autocomplete": "new-password"},
    )
    submit = SubmitButton("Set password")
