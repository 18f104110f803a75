"""The admin area's forms: organisations, users, panels and memberships, and the list filters."""

from __future__ import annotations

from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxInput,
    GovPasswordInput,
    GovRadioInput,
    GovSelect,
    GovTextArea,
    GovTextInput,
)
from wtforms import BooleanField, PasswordField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Email, EqualTo, Length, Optional, ValidationError

from panel.accounts import services as accounts
from panel.accounts.forms import new_password_field
from panel.accounts.models import Organisation, OrganisationKind, User
from panel.audit import AuditAction
from panel.forms import BaseForm, ChoiceField, SubmitButton, options, required_text, text_field
from panel.panels import services as panels
from panel.panels.models import PanelKind, Role


class EditingForm(BaseForm):
    """A form that creates an object, or edits `obj`: uniqueness checks must leave `obj` out."""

    def __init__(self, *args, obj=None, **kwargs):
        super().__init__(*args, obj=obj, **kwargs)
        self.obj = obj


class OrganisationForm(EditingForm):
    name = required_text("Name", "Enter the organisation name", 200)
    kind = ChoiceField(
        "Type of organisation",
        "Select the type of organisation",
        coerce=OrganisationKind,
        choices=options(OrganisationKind.choices(), "Select a type"),
        widget=GovSelect(),
    )
    submit = SubmitButton("Save organisation")

    def validate_name(self, field):
        if accounts.organisation_name_taken(field.data, except_organisation=self.obj):
            raise ValidationError("An organisation with this name already exists")


class UserForm(EditingForm):
    """A user's details. `organisations` are the choices for their organisation."""

    full_name = required_text("Full name", "Enter the full name", 120)
    email = StringField(
        "Email address",
        widget=GovTextInput(),
        validators=[
            DataRequired(message="Enter an email address"),
            Length(max=254, message="Email address must be 254 characters or fewer"),
            Email(message="Enter an email address in the correct format, like name@example.com"),
        ],
        render_kw={"spellcheck": "false", "autocomplete": "off"},
    )
    job_title = text_field("Job title (optional)", 120)
    organisation_id = ChoiceField(
        "Organisation", "Select an organisation", coerce=int, widget=GovSelect()
    )
    is_admin = BooleanField(
        "Administrator",
        widget=GovCheckboxInput(),
        description="Administrators manage organisations, users and panels, "
        "and read the audit trail.",
    )

    def __init__(self, *args, organisations: list[Organisation], **kwargs):
        super().__init__(*args, **kwargs)
        self.organisations = {organisation.id: organisation for organisation in organisations}
        self.organisation_id.choices = options(
            ((str(organisation.id), organisation.name) for organisation in organisations),
            "Select an organisation",
        )

    def validate_email(self, field):
        if accounts.email_taken(field.data, except_user=self.obj):
            raise ValidationError("An account with this email address already exists")

    def details(self) -> dict:
        """The chosen details, as the account services take them."""
        return {
            "full_name": self.full_name.data,
            "email": self.email.data,
            "job_title": self.job_title.data or None,
            "organisation": self.organisations[self.organisation_id.data],
            "is_admin": self.is_admin.data,
        }


class NewUserForm(UserForm):
    password = new_password_field("Password")
    confirm_password = PasswordField(
        "Confirm password",
        widget=GovPasswordInput(),
        validators=[
            DataRequired(message="Confirm the password"),
            EqualTo("password", message="Passwords must match"),
        ],
        render_kw={"autocomplete": "new-password"},
    )
    submit = SubmitButton("Create user")


class EditUserForm(UserForm):
    """Changes to an existing account. Admins cannot lock themselves out by mistake: the last
    admin doing so would leave nobody able to manage the service."""

    active = BooleanField(
        "Account active",
        widget=GovCheckboxInput(),
        description="Someone whose account is not active cannot sign in. "
        "Deactivating an account signs them out.",
    )
    submit = SubmitButton("Save changes")

    def __init__(self, *args, actor: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.actor = actor

    def validate_active(self, field):
        if self.obj.id == self.actor.id and not field.data:
            raise ValidationError("You cannot deactivate your own account")

    def validate_is_admin(self, field):
        if self.obj.id == self.actor.id and not field.data:
            raise ValidationError("You cannot remove your own administrator access")

    def details(self) -> dict:
        return {**super().details(), "active": self.active.data}


class ResetPasswordForm(BaseForm):
    password = new_password_field()
    confirm_password = PasswordField(
        "Confirm new password",
        widget=GovPasswordInput(),
        validators=[
            DataRequired(message="Confirm the new password"),
            EqualTo("password", message="Passwords must match"),
        ],
        render_kw={"autocomplete": "new-password"},
    )
    submit = SubmitButton("Reset password")


class PanelForm(EditingForm):
    name = required_text("Name", "Enter the panel name", 200)
    kind = ChoiceField(
        "Kind of panel",
        "Select the kind of panel",
        coerce=PanelKind,
        choices=options(PanelKind.choices()),
        widget=GovRadioInput(),
        description="Scrutiny panels review finalised cases, local panels discuss live cases, "
        "advisory groups read published minutes.",
    )
    area = required_text(
        "Area",
        "Enter the area the panel covers",
        120,
        description="The town, city or force area, for example Coventry or West Midlands",
    )
    description = TextAreaField(
        "Description (optional)",
        widget=GovTextArea(),
        validators=[
            Optional(),
            Length(max=5000, message="Description must be 5000 characters or fewer"),
        ],
    )
    protective_marking = text_field(
        "Protective marking",
        60,
        default=panels.DEFAULT_MARKING,
        description="Printed at the top and bottom of every page of the panel's minutes. "
        f"Leave it blank for {panels.DEFAULT_MARKING}.",
    )
    submit = SubmitButton("Save panel")

    def validate_name(self, field):
        if panels.panel_name_taken(field.data, except_panel=self.obj):
            raise ValidationError("A panel with this name already exists")

    def details(self) -> dict:
        return {
            "name": self.name.data,
            "kind": self.kind.data,
            "area": self.area.data,
            "description": self.description.data or None,
            "protective_marking": self.protective_marking.data or panels.DEFAULT_MARKING,
        }


def role_field() -> ChoiceField:
    return ChoiceField(
        "Role",
        "Select a role",
        coerce=Role,
        choices=options(Role.choices()),
        widget=GovRadioInput(),
        description="Chairs and coordinators run the panel, members review cases, "
        "readers see published minutes only.",
    )


class AddMemberForm(BaseForm):
    """`users` are the people who may be added: not already on the panel."""

    user_id = ChoiceField("Person", "Select a person to add", coerce=int, widget=GovSelect())
    role = role_field()
    submit = SubmitButton("Add member")

    def __init__(self, *args, users: list[User], **kwargs):
        super().__init__(*args, **kwargs)
        self.users = {user.id: user for user in users}
        self.user_id.choices = options(
            ((str(user.id), f"{user.full_name} ({user.organisation.name})") for user in users),
            "Select a person",
        )

    @property
    def user(self) -> User:
        return self.users[self.user_id.data]


class ChangeRoleForm(BaseForm):
    role = role_field()
    submit = SubmitButton("Change role")


class RemoveMemberForm(BaseForm):
    submit = SubmitButton("Remove member")


class SearchForm(BaseForm):
    """A list filter, sent by GET so that a filtered list has an address to share or return to."""

    class Meta:
        csrf = False


class UserSearchForm(SearchForm):
    q = text_field("Search by name or email address", 254)


def _action_or_all(value) -> AuditAction | None:
    try:
        return AuditAction(value)
    except ValueError:
        return None


class AuditFilterForm(SearchForm):
    # An unknown action reads as "All actions": a filter has nothing to correct.
    action = SelectField(
        "Action",
        choices=options(AuditAction.choices(), "All actions"),
        coerce=_action_or_all,
        validate_choice=False,
        widget=GovSelect(),
    )
    q = text_field("Actor email or object", 254)
