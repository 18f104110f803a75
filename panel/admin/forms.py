"""The admin area's forms: organisations, users, panels and memberships, and the list filters."""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING

from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxInput,
    GovRadioInput,
    GovSelect,
    GovTextArea,
    GovTextInput,
)
from wtforms import (
    BooleanField,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import (
    DataRequired,
    Email,
    Length,
    NumberRange,
    Optional,
    StopValidation,
    ValidationError,
)

from panel.accounts import services as accounts
from panel.accounts.vocabularies import OrganisationKind
from panel.admin import queries
from panel.admin.queries import AuditFilters, object_type_label, object_type_now
from panel.core.audit import AuditAction
from panel.core.forms import (
    BaseForm,
    ChoiceField,
    DateField,
    OptionalChoiceField,
    SubmitButton,
    options,
    required_text,
    text_field,
)
from panel.panels import services as panels
from panel.panels.vocabularies import (
    DEFAULT_CASE_REVIEW_RETENTION_MONTHS,
    DEFAULT_LIVE_CASE_RETENTION_MONTHS,
    MAX_RETENTION_MONTHS,
    MIN_RETENTION_MONTHS,
    PanelKind,
    Role,
)

if TYPE_CHECKING:
    from panel.accounts.models import Organisation, User


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


def no_organisation_called(name: str) -> str:
    """Why a typed organisation is refused, with what the admin may have meant."""
    like = [organisation.name for organisation in queries.organisations_like(name)]
    if not like:
        return f"No organisation is called ‘{name}’: check its name, or add the organisation first"
    meant = like[0] if len(like) == 1 else f"{', '.join(like[:-1])} or {like[-1]}"
    return f"No organisation is called ‘{name}’. Did you mean {meant}?"


class UserForm(EditingForm):
    """A user's details. The organisation is typed by its name, as Panel has it: nationally there
    are thousands, far too many for a list to choose from."""

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
    organisation = required_text(
        "Organisation",
        "Enter the name of their organisation",
        200,
        description="Its name as it is in Panel, like Coventry City Council",
    )
    is_admin = BooleanField(
        "Administrator",
        widget=GovCheckboxInput(),
        description="Administrators manage organisations, users and panels, "
        "and read the audit trail.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # An account being changed fills the field in with its organisation's name.
        if self.obj is not None and not isinstance(self.organisation.data, str | None):
            self.organisation.data = self.organisation.data.name
        self.chosen: Organisation | None = None

    def validate_organisation(self, field):
        self.chosen = queries.organisation_named(field.data)
        if self.chosen is None:
            raise ValidationError(no_organisation_called(field.data))

    def validate_email(self, field):
        if accounts.email_taken(field.data, except_user=self.obj):
            raise ValidationError("An account with this email address already exists")

    def details(self) -> dict:
        """The chosen details, as the account services take them."""
        return {
            "full_name": self.full_name.data,
            "email": self.email.data,
            "job_title": self.job_title.data or None,
            "organisation": self.chosen,
            "is_admin": self.is_admin.data,
        }


class NewUserForm(UserForm):
    """A new account has no password: its owner sets one from the invitation e-mailed to them."""

    submit = SubmitButton("Create user and send invitation")


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


class SendResetLinkForm(BaseForm):
    submit = SubmitButton("Send password reset link")


class ResendInvitationForm(BaseForm):
    submit = SubmitButton("Resend invitation")


class RetryFailedEmailForm(BaseForm):
    submit = SubmitButton("Send the failed e-mails again")


class RetentionMonthsField(IntegerField):
    """A retention period: a whole number of months within bounds, with GOV.UK messages for a
    blank, for anything that is not a whole number and for a number out of range. `what` names
    the period in the messages, e.g. "Months to keep case review details"."""

    def __init__(self, label: str, what: str, **kwargs):
        self.what = what
        super().__init__(
            label,
            widget=GovTextInput(),
            validators=[
                NumberRange(
                    min=MIN_RETENTION_MONTHS,
                    max=MAX_RETENTION_MONTHS,
                    message=f"{what} must be between {MIN_RETENTION_MONTHS} and "
                    f"{MAX_RETENTION_MONTHS}",
                )
            ],
            **kwargs,
        )

    def process_formdata(self, valuelist):
        if valuelist and not valuelist[0].strip():
            raise ValueError(f"Enter the {self.what.lower()}")
        try:
            super().process_formdata(valuelist)
        except ValueError:
            raise ValueError(f"{self.what} must be a whole number, like 12") from None

    def pre_validate(self, form) -> None:
        if self.process_errors:  # already says what is wrong
            raise StopValidation()


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
    case_review_retention_months = RetentionMonthsField(
        "How many months to keep case review details",
        "Months to keep case review details",
        default=DEFAULT_CASE_REVIEW_RETENTION_MONTHS,
        description="After the minutes of the meeting that finished a closed case review are "
        "published. Then its summary, stage comments and overall view are deleted; the ratings, "
        "other facts, lessons and published minutes are kept.",
    )
    live_case_retention_months = RetentionMonthsField(
        "How many months to keep closed live case details",
        "Months to keep closed live case details",
        default=DEFAULT_LIVE_CASE_RETENTION_MONTHS,
        description="After a live case closes. Then its risk reason and summary, and its "
        "finished interventions’ descriptions and update notes, are deleted; the outcome, "
        "types, statuses and dates are kept.",
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
            "case_review_retention_months": self.case_review_retention_months.data,
            "live_case_retention_months": self.live_case_retention_months.data,
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
    """`users` are the people offered: not already on the panel, those found by a search (a
    few at a time: `queries.people_to_add`), or the one chosen."""

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


class PersonSearchForm(SearchForm):
    q = text_field("Find a person by name or email address", 254)


def _action_or_all(value) -> AuditAction | None:
    try:
        return AuditAction(value)
    except ValueError:
        return None


# Ids are 32-bit integers: PostgreSQL refuses to compare them with anything larger.
LARGEST_ID = 2**31 - 1


class AuditFilterForm(SearchForm):
    """The audit trail's filters. Each filter with an error is left out and the message shown
    beside it, while the others still apply, so the admin sees what they can and why."""

    # Typed, not chosen from lists: nationally there are 20,000 people and thousands of
    # organisations.
    who = text_field("Who: their email address", 254)
    organisation = text_field("Their organisation", 200)
    # An unknown action reads as "All actions": a filter has nothing to correct.
    action = SelectField(
        "Action",
        choices=options(AuditAction.choices(), "All actions"),
        coerce=_action_or_all,
        validate_choice=False,
        widget=GovSelect(),
    )
    object_type = OptionalChoiceField(
        "About", "Select a kind of object from the list", widget=GovSelect()
    )
    object_id = text_field(
        "Object ID", 18, description="The number in its address, like 42 in /case-reviews/42"
    )
    q = text_field("Actor email or object", 254)
    occurred_from = DateField(
        "Date from", "", required=False, description="For example, 27 3 2026 (UK time)"
    )
    occurred_to = DateField("Date to", "", required=False, description="For example, 27 3 2026")

    def __init__(self, *args, object_types, **kwargs):
        super().__init__(*args, **kwargs)
        self.actor: User | None = None
        self.actors_organisation: Organisation | None = None
        self.object_type.choices = options(
            ((name, object_type_label(name)) for name in object_types), "Anything"
        )
        # A link or bookmark made with a table's former name selects the same kind of object.
        if self.object_type.data:
            self.object_type.data = object_type_now(self.object_type.data)

    def validate_who(self, field) -> None:
        if field.data:
            self.actor = accounts.find_user_by_email(field.data)
            if self.actor is None:
                raise ValidationError(f"Nobody has the email address ‘{field.data}’")

    def validate_organisation(self, field) -> None:
        if field.data:
            self.actors_organisation = queries.organisation_named(field.data)
            if self.actors_organisation is None:
                raise ValidationError(no_organisation_called(field.data))

    def validate_object_id(self, field) -> None:
        if not field.data:
            return
        if not field.data.isdecimal():
            raise ValidationError("Object ID must be a whole number, like 42")
        if int(field.data) > LARGEST_ID:
            raise ValidationError(f"Object ID must be {LARGEST_ID:,} or less")
        if self.object_type.data is None:
            raise ValidationError("Select what the object ID is of, under ‘About’")

    def validate_occurred_to(self, field) -> None:
        start = self.occurred_from.data
        if field.data is not None and start is not None and field.data < start:
            raise ValidationError("‘Date to’ must be the same as or after ‘Date from’")

    def filters(self) -> AuditFilters:
        """The filters as given; one with an error is left out (the page says which)."""

        def value(field_):
            return None if field_.errors else field_.data

        object_id = value(self.object_id)
        return AuditFilters(
            action=self.action.data,
            search=value(self.q) or None,
            actor_id=self.actor.id if self.actor and not self.who.errors else None,
            organisation_id=(
                self.actors_organisation.id
                if self.actors_organisation and not self.organisation.errors
                else None
            ),
            object_type=value(self.object_type),
            object_id=int(object_id) if object_id else None,
            occurred_from=value(self.occurred_from),
            occurred_to=value(self.occurred_to),
        )

    @property
    def active(self) -> bool:
        """Whether any filter was given, even one with an error."""
        filters = dataclasses.astuple(self.filters())
        return bool(self.errors) or any(value is not None for value in filters)


class ResetTwoFactorForm(BaseForm):
    submit = SubmitButton("Reset two-factor sign-in")
