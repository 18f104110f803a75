"""Forms for a meeting's record: apologies before it, the register, guests, actions, and the
panel's quorum."""

from __future__ import annotations

from typing import TYPE_CHECKING

from govuk_frontend_wtf.wtforms_widgets import GovRadioInput, GovSelect, GovTextArea, GovTextInput
from wtforms import StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from panel.core.forms import (
    BaseForm,
    ChoiceField,
    DateField,
    SubmitButton,
    options,
    required_text,
    text_field,
)
from panel.core.guard import PROGRESS_NOTE, GuardedForm
from panel.meetings.attendance.services import MAX_QUORUM, Mark, RegisterEntry
from panel.meetings.models import AttendanceStatus

if TYPE_CHECKING:
    from panel.accounts.models import Organisation, User

DEPUTY_NAME_LENGTH = 120


class RegisterForm(BaseForm):
    """The whole register on one page. Its fields are made per member by `register_form`: a
    status (``status_<user id>``) and a deputy's name (``deputy_<user id>``) for each."""

    submit = SubmitButton("Save attendance")
    entries: tuple[RegisterEntry, ...] = ()

    def status_field(self, entry: RegisterEntry):
        return self[f"status_{entry.user.id}"]

    def deputy_field(self, entry: RegisterEntry):
        return self[f"deputy_{entry.user.id}"]

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        # The deputy's name is needed only for a member represented by a deputy.
        for entry in self.entries:
            deputy = self.deputy_field(entry)
            if (
                self.status_field(entry).data == AttendanceStatus.DEPUTY
                and not deputy.data
                and not deputy.errors
            ):
                deputy.errors = [f"Enter the name of the deputy from {entry.organisation.name}"]
                valid = False
        return valid

    def marks(self) -> dict[int, Mark]:
        return {
            entry.user.id: Mark(self.status_field(entry).data, self.deputy_field(entry).data)
            for entry in self.entries
        }


def register_form(entries: list[RegisterEntry]) -> RegisterForm:
    """A register form for these members, filled in with what was recorded before."""

    class Form(RegisterForm):
        pass

    Form.entries = tuple(entries)
    data = {}
    for entry in entries:
        name, organisation = entry.user.full_name, entry.organisation.name
        setattr(
            Form,
            f"status_{entry.user.id}",
            ChoiceField(
                f"{name}, {organisation}",
                f"Select whether {name} attended",
                coerce=AttendanceStatus,
                choices=options(AttendanceStatus.choices()),
                widget=GovRadioInput(),
            ),
        )
        setattr(Form, f"deputy_{entry.user.id}", text_field("Deputy’s name", DEPUTY_NAME_LENGTH))
        data[f"status_{entry.user.id}"] = entry.status
        data[f"deputy_{entry.user.id}"] = entry.deputy_name
    return Form(data=data)


def _deputy_name_field() -> StringField:
    return StringField(
        "Deputy’s name (optional)",
        widget=GovTextInput(),
        validators=[
            Optional(),
            Length(
                max=DEPUTY_NAME_LENGTH,
                message=f"Deputy’s name must be {DEPUTY_NAME_LENGTH} characters or fewer",
            ),
        ],
    )


class ApologiesForm(BaseForm):
    """A member's own apologies, naming a deputy from their organisation if one will come."""

    deputy_name = _deputy_name_field()
    submit = SubmitButton("Send apologies")

    def __init__(self, *args, organisation: Organisation, **kwargs):
        super().__init__(*args, **kwargs)
        self.deputy_name.description = (
            f"Someone from {organisation.name} who will come in your place. Leave this blank "
            "if nobody will."
        )


class RecordApologiesForm(BaseForm):
    """Apologies the chair or coordinator records for a member. `entries` are the members on the
    register, to choose from."""

    user_id = ChoiceField(
        "Who sent apologies?",
        "Select the member who sent apologies",
        coerce=int,
        widget=GovSelect(),
    )
    deputy_name = _deputy_name_field()
    submit = SubmitButton("Record apologies")

    def __init__(self, *args, entries: list[RegisterEntry], **kwargs):
        super().__init__(*args, **kwargs)
        self.entries = {entry.user.id: entry for entry in entries}
        self.user_id.choices = options(
            (
                (str(entry.user.id), f"{entry.user.full_name}, {entry.organisation.name}")
                for entry in entries
            ),
            "Select a member",
        )
        self.deputy_name.description = (
            "Someone from the member’s organisation who will come in their place. Leave this "
            "blank if nobody will."
        )

    @property
    def member(self) -> User:
        return self.entries[self.user_id.data].user


class GuestForm(BaseForm):
    name = required_text("Name", "Enter the guest’s name", 120)
    organisation_name = required_text(
        "Organisation", "Enter the organisation the guest came from", 200
    )
    submit = SubmitButton("Add guest")


class ActionForm(GuardedForm):
    """An action agreed at the meeting. `organisations` are the owners to choose from."""

    guarded_fields = {"description": PROGRESS_NOTE}

    description = TextAreaField(
        "What is the action?",
        widget=GovTextArea(),
        description="Do not include names or other details that identify the people in a case.",
        validators=[
            DataRequired(message="Enter what the action is"),
            Length(max=500, message="Action must be 500 characters or fewer"),
        ],
    )
    owner_organisation_id = ChoiceField(
        "Which organisation owns it?",
        "Select the organisation that owns the action",
        coerce=int,
        widget=GovSelect(),
    )
    due_date = DateField(
        "Due date",
        message="Enter the due date",
        required=False,
        description="Optional. For example, 27 3 2026",
    )
    submit = SubmitButton("Add action")

    def __init__(self, *args, organisations: list[Organisation], **kwargs):
        super().__init__(*args, **kwargs)
        self.organisations = {organisation.id: organisation for organisation in organisations}
        self.owner_organisation_id.choices = options(
            ((str(organisation.id), organisation.name) for organisation in organisations),
            "Select an organisation",
        )

    @property
    def owner(self) -> Organisation:
        return self.organisations[self.owner_organisation_id.data]


class QuorumForm(BaseForm):
    quorum = StringField(
        "How many organisations must be represented for a meeting to be quorate?",
        widget=GovTextInput(),
        description="Members represented by a deputy count for their organisation. Guests do "
        "not count.",
        validators=[DataRequired(message="Enter the number of organisations for a quorum")],
    )
    submit = SubmitButton("Save quorum")

    def validate_quorum(self, field):
        # Checked as text first: int() accepts other scripts' digits and refuses huge numbers.
        text = field.data or ""
        if not (len(text) <= 3 and text.isascii() and text.isdigit()) or not (
            1 <= int(text) <= MAX_QUORUM
        ):
            raise ValidationError(f"Quorum must be a whole number from 1 to {MAX_QUORUM}")
        field.data = int(text)
