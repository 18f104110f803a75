"""Forms for agenda items, case reviews added to an agenda, the panel's standing items, its
default duration for a case review, and declarations of interest."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from govuk_frontend_wtf.wtforms_widgets import GovSelect, GovTextArea, GovTextInput
from wtforms import IntegerField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional, StopValidation

from panel.cases.vocabularies import strand_labels
from panel.core.forms import (
    BaseForm,
    ChoiceField,
    MultipleChoiceField,
    SubmitButton,
    options,
    required_text,
)
from panel.core.guard import STRICT, GuardedForm
from panel.meetings.agenda.services import ItemDetails
from panel.meetings.models import AgendaItem, AgendaItemKind
from panel.meetings.queries import Presenters

if TYPE_CHECKING:
    from panel.accounts.models import Organisation, User
    from panel.cases.models import CaseReview

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
    (value ``user-<id>``) or one of the members' organisations (``organisation-<id>``).

    A case review's item has no title field: it is called by the case's reference, which the
    coordinator cannot change, so only its presenter and duration are asked for."""

    guarded_fields = {"title": STRICT}

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
        self.item = item
        if item is not None and item.kind == AgendaItemKind.CASE_REVIEW:
            del self.title
            self.guarded_fields = {}
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
            title=self.title.data if "title" in self else self.item.title,
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
    guarded_fields = {"title": STRICT}
    title = _title()
    duration_minutes = _duration()
    submit = SubmitButton("Save standing item")


class DeclarationForm(GuardedForm):
    guarded_fields = {"reason": STRICT}
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


# --- Case reviews added from the agenda page, and the panel's default duration for one ----------


def _whole_minutes(text: str | None) -> int | None:
    """The minutes typed, or None unless they are a whole number (checked as text first: int()
    takes other scripts' digits and spaces, and refuses huge numbers)."""
    text = (text or "").strip()
    if not (0 < len(text) <= 4 and text.isascii() and text.isdigit()):
        return None
    return int(text)


class _ReadyCaseReviewsField(MultipleChoiceField):
    def pre_validate(self, form) -> None:
        if not self.data:
            raise StopValidation(self.message)
        allowed = {self.coerce(choice.value) for choice in self.choices}
        if any(value not in allowed for value in self.data):
            raise StopValidation(
                "Select case reviews from the list: one you selected is no longer ready for "
                "this meeting"
            )


class CaseReviewsForm(BaseForm):
    """Case reviews to add to a meeting's agenda: the ticked ones (``case_review_ids``), each with
    a duration in minutes (``duration_<case review id>``, made per case by
    `case_reviews_form`). Only the ticked cases' durations are checked."""

    case_review_ids = _ReadyCaseReviewsField(
        "Which case reviews should this meeting discuss?",
        "Select at least one case review",
        coerce=int,
        description="They go on the agenda before “Any other business”, in the order listed "
        "here. You can move them afterwards.",
    )
    submit = SubmitButton("Add to the agenda")
    case_reviews: tuple[CaseReview, ...] = ()

    def duration_field(self, case_review: CaseReview):
        return self[f"duration_{case_review.id}"]

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        for case_review in self.ticked():
            field = self.duration_field(case_review)
            minutes = _whole_minutes(field.data)
            if minutes is None:
                field.errors = [
                    f"Enter the duration of case review {case_review.reference} in minutes, "
                    "as a whole number"
                ]
                valid = False
            elif not 1 <= minutes <= MAX_DURATION:
                field.errors = [
                    f"The duration of case review {case_review.reference} must be between 1 "
                    f"and {MAX_DURATION} minutes"
                ]
                valid = False
        return valid

    def ticked(self) -> list[CaseReview]:
        """The ticked case reviews, in the order they are listed."""
        chosen = set(self.case_review_ids.data or ())
        return [case_review for case_review in self.case_reviews if case_review.id in chosen]

    def chosen(self) -> list[tuple[CaseReview, int]]:
        return [
            (case_review, int(self.duration_field(case_review).data))
            for case_review in self.ticked()
        ]


def case_reviews_form(case_reviews: list[CaseReview], default_minutes: int) -> CaseReviewsForm:
    """A form offering these case reviews, each duration starting at the panel's default."""

    class Form(CaseReviewsForm):
        pass

    Form.case_reviews = tuple(case_reviews)
    data = {}
    for case_review in case_reviews:
        name = f"duration_{case_review.id}"
        label = f"Duration of case review {case_review.reference}"
        setattr(Form, name, StringField(label, widget=GovTextInput()))
        data[name] = str(default_minutes)
    form = Form(data=data)
    form.case_review_ids.choices = options(
        (str(case_review.id), case_review.reference) for case_review in case_reviews
    )
    return form


def case_review_hint(case_review: CaseReview) -> str:
    """What the list says of each case: coarse facts only, enough to choose by."""
    month = date(case_review.incident_year, case_review.incident_month, 1)
    facts = [
        case_review.offence_category.label,
        strand_labels(case_review.strands),
        f"{month:%B %Y}",
        case_review.status.label,
        None if case_review.is_checked else "not checked for identifying detail yet",
    ]
    return "; ".join(fact for fact in facts if fact)


class CaseReviewMinutesForm(BaseForm):
    """The panel's default duration for a case review on an agenda."""

    minutes = StringField(
        "How long is a case review on the agenda, unless you say otherwise?",
        widget=GovTextInput(),
        description="In minutes, for example 20. Each case review added to an agenda starts "
        "with this duration; you can change it for each case.",
        validators=[
            DataRequired(message="Enter how long a case review is on the agenda, in minutes")
        ],
    )
    submit = SubmitButton("Save duration")

    def validate_minutes(self, field):
        minutes = _whole_minutes(field.data)
        if minutes is None:
            raise StopValidation("Enter the duration in minutes as a whole number, for example 20")
        if not 1 <= minutes <= MAX_DURATION:
            raise StopValidation(DURATION_MESSAGE)
        field.data = minutes


class ConfirmForm(BaseForm):
    """A confirmation with nothing to fill in, such as removing an item: only the CSRF token."""

    submit = SubmitButton("Remove item")
