"""Sign-in and password forms."""

from govuk_frontend_wtf.wtforms_widgets import GovPasswordInput, GovTextInput
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, EqualTo, Length

from panel.accounts.passwords import MAX_LENGTH, MIN_LENGTH
from panel.forms import BaseForm, SubmitButton


class SignInForm(BaseForm):
    email = StringField(
        "Email address",
        widget=GovTextInput(),
        validators=[
            DataRequired(message="Enter your email address"),
            Length(max=254, message="Email address must be 254 characters or fewer"),
        ],
        render_kw={"autocomplete": "username", "spellcheck": "false"},
    )
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
        ],
        description=f"At least {MIN_LENGTH} characters. A few unrelated words make a strong one.",
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
    confirm_password = PasswordField(
        "Confirm new password",
        widget=GovPasswordInput(),
        validators=[
            DataRequired(message="Confirm your new password"),
            EqualTo("new_password", message="Passwords must match"),
        ],
        render_kw={"autocomplete": "new-password"},
    )
    submit = SubmitButton("Change password")
