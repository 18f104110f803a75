"""Sign-in and password forms."""

import re

from flask_login import current_user
from govuk_frontend_wtf.wtforms_widgets import GovPasswordInput, GovTextInput
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, EqualTo, Length, ValidationError

from panel.core.forms import BaseForm, SubmitButton
from panel.core.passwords import MAX_LENGTH, MIN_LENGTH, guessable, own_details_in


def email_field() -> StringField:
    """Someone's own e-mail address, to sign in or to ask for a reset link."""
    return StringField(
        "Email address",
        widget=GovTextInput(),
        validators=[
            DataRequired(message="Enter your email address"),
            Length(max=254, message="Email address must be 254 characters or fewer"),
        ],
        render_kw={"autocomplete": "username", "spellcheck": "false"},
    )


class SignInForm(BaseForm):
    email = email_field()
    password = PasswordField(
        "Password",
        widget=GovPasswordInput(),
        validators=[
            DataRequired(message="Enter your password"),
            Length(max=MAX_LENGTH, message=f"Password must be {MAX_LENGTH} characters or fewer"),
        ],
        render_kw={"autocomplete": "current-password"},
    )
    submit = SubmitButton("Sign in")


# The fields of a form that may hold the person's own details, when it asks for them.
_DETAILS = ("email", "full_name")


def _not_guessable(form, field) -> None:
    """Refuse a password that is common or built from the person's own details: those typed on
    the form, else those of the person the form is for (`form.user`, on a page reached from an
    e-mailed link) or of whoever is signed in."""
    if field.errors:  # already refused as too short or too long: one message is enough
        return
    email, full_name = (getattr(form, name).data if name in form else None for name in _DETAILS)
    person = getattr(form, "user", None)
    if person is None and current_user.is_authenticated:
        person = current_user
    if person is not None and "email" not in form:
        email, full_name = person.email, person.full_name
    password = field.data or ""
    # zxcvbn matches whole words: give it each word of the name and address.
    details = (email, full_name)
    words = [word for detail in details if detail for word in re.split(r"[\W_]+", detail) if word]
    reason = own_details_in(password, email=email, full_name=full_name) or guessable(
        password, words
    )
    if reason:
        raise ValidationError(reason)


def new_password_field(label: str = "New password") -> PasswordField:
    return PasswordField(
        label,
        widget=GovPasswordInput(),
        validators=[
            DataRequired(message=f"Enter a {label.lower()}"),
            Length(
                min=MIN_LENGTH,
                max=MAX_LENGTH,
                message=f"Password must be between {MIN_LENGTH} and {MAX_LENGTH} characters",
            ),
            _not_guessable,
        ],
        description=f"At least {MIN_LENGTH} characters. A few unrelated words make a strong one.",
        render_kw={"autocomplete": "new-password"},
    )


def confirm_password_field(label: str, matches: str) -> PasswordField:
    """The same password again, which must equal the field named `matches`."""
    return PasswordField(
        label,
        widget=GovPasswordInput(),
        validators=[
            # "Confirm new password" -> "Confirm your new password"
            DataRequired(message=label.replace("Confirm ", "Confirm your ", 1)),
            EqualTo(matches, message="Passwords must match"),
        ],
        render_kw={"autocomplete": "new-password"},
    )


class ChangePasswordForm(BaseForm):
    current_password = PasswordField(
        "Current password",
        widget=GovPasswordInput(),
        validators=[DataRequired(message="Enter your current password")],
        render_kw={"autocomplete": "current-password"},
    )
    new_password = new_password_field()
    confirm_password = confirm_password_field("Confirm new password", "new_password")
    submit = SubmitButton("Change password")


def code_field(label: str, hint: str, *, numeric: bool) -> StringField:
    """A code from the authenticator app (`numeric`: 6 digits), or one that may be a recovery
    code."""
    render_kw = {
        "autocomplete": "one-time-code",
        "spellcheck": "false",
        "class": "govuk-input--width-10",
    }
    if numeric:
        render_kw["inputmode"] = "numeric"
    return StringField(
        label,
        widget=GovTextInput(),
        validators=[
            DataRequired(message=f"Enter the {label.lower()}"),
            Length(
                max=20, message="A code is 6 digits, or 10 letters and numbers for a recovery code"
            ),
        ],
        description=hint,
        render_kw=render_kw,
    )


class SecondFactorForm(BaseForm):
    """The second step of signing in: an authenticator code, or a recovery code."""

    code = code_field(
        "Code",
        "The 6-digit code your authenticator app shows for Panel now. If you have lost your "
        "phone, enter one of your recovery codes instead.",
        numeric=False,
    )
    submit = SubmitButton("Continue")


class ConfirmPasswordForm(BaseForm):
    """The first step of "Confirm it's you" (panel/core/reauth.py)."""

    password = PasswordField(
        "Password",
        widget=GovPasswordInput(),
        validators=[
            DataRequired(message="Enter your password"),
            Length(max=MAX_LENGTH, message=f"Password must be {MAX_LENGTH} characters or fewer"),
        ],
        render_kw={"autocomplete": "current-password"},
    )
    submit = SubmitButton("Continue")
