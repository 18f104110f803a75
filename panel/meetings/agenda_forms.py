"""Forms for agenda items, the panel's standing items and declarations of interest."""

from __future__ import annotations

from govuk_frontend_wtf.wtforms_widgets import GovSelect, GovTextArea, GovTextInput
from wtforms import IntegerField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from panel.accounts.models import Organisation, User
from panel.forms import BaseForm, ChoiceField, SubmitButton, options, required_text
from panel.guard import GuardedForm
from panel.meetings.agenda import ItemDetails
from panel.meetings.models import AgendaItem
from panel.meetings.queries import Presenters

MAX_DURATION = 240
DURATION_MESSAGE = f"Duration must be between 1 and {MAX_DURATION} minutes"


class MinutesField(IntegerField):
    """An optional whole number of minutes, with a GOV.UK message for anything else typed."""

    def __init__(self, label: str, **kwargs):
        super().__init__(
            label,
            widget=GovTextInput(),
            validators=[
                Optional(),
                NumberRange(min=1, max=MAX_DURATION, message=DURATION_MESSAGE),
            ],
            **kwargs,
        )

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError:
            raise ValueError(DURATION_MESSAGE) from None


def _title():
    return required_text("Title", "Enter the item title", 200)


def _duration():
    return MinutesField(
        "Duration (optional)",
        description="In minutes, for example 15. Used to work out when each item starts.",
    )


class AgendaItemForm(GuardedForm):
    """An item on one meeting's agenda. The presenter is one select: a member of the panel
    (value ``user-<id>``) or one of the members' organisations (``organisation-<id>``)."""

    guarded_fields = ("title",)

    title = _title()
    presenter = ChoiceField(
        "Presenter (optional)",
        "Select a presenter from the list",
        default="",
        widget=GovSelect(),
        description="A member of the panel, or one of the organisations on it",
    )
    duration_minutes = _duration()
    submit = SubmitButton("Save item")

    def __init__(self, *args, presenters: Presenters, item: AgendaItem | None = None, **kwargs):
        if item is not None and "data" not in kwargs:
            kwargs["data"] = {
                "title": item.title,
                "duration_minutes": item.duration_minutes,
                "presenter": _presenter_value(item.presenter_user, item.presenter_organisation),
            }
        super().__init__(*args, **kwargs)
        people = list(presenters.people)
        organisations = list(presenters.organisations)
        # Someone who has left the panel stays a choice on the item they already present.
        if item is not None and item.presenter_user and item.presenter_user not in people:
            people.append(item.presenter_user)
        if (
            item is not None
            and item.presenter_organisation
            and item.presenter_organisation not in organisations
        ):
            organisations.append(item.presenter_organisation)
        self._people = {_presenter_value(person, None): person for person in people}
        self._organisations = {
            _presenter_value(None, organisation): organisation for organisation in organisations
        }
        self.presenter.choices = options(
            [
                *(
                    (value, f"{person.full_name} ({person.organisation.name})")
                    for value, person in self._people.items()
                ),
                *(
                    (value, f"{organisation.name} (organisation)")
                    for value, organisation in self._organisations.items()
                ),
            ],
            "No presenter",
        )

    def details(self) -> ItemDetails:
        return ItemDetails(
            title=self.title.data,
            duration_minutes=self.duration_minutes.data,
            presenter_user=self._people.get(self.presenter.data),
            presenter_organisation=self._organisations.get(self.presenter.data),
        )


def _presenter_value(user: User | None, organisation: Organisation | None) -> str:
    if user is not None:
        return f"user-{user.id}"
    if organisation is not None:
        return f"organisation-{organisation.id}"
    return ""


class StandingItemForm(GuardedForm):
    guarded_fields = ("title",)
    title = _title()
    duration_minutes = _duration()
    submit = SubmitButton("Save standing item")


class DeclarationForm(GuardedForm):
    guarded_fields = ("reason",)
    reason = TextAreaField(
        "Why do you have an interest in this item?",
        widget=GovTextArea(),
        description="For example, your organisation supports someone involved. "
        "Do not include names or case details.",
        validators=[
            DataRequired(message="Enter why you have an interest in this item"),
            Length(max=500, message="Reason must be 500 characters or fewer"),
        ],
    )
    submit = SubmitButton("Declare interest")


class ConfirmForm(BaseForm):
    """A confirmation with nothing to fill in, such as removing an item: only the CSRF token."""

    submit = SubmitButton("Remove item")
