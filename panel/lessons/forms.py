"""Forms for lessons and recommendations, and the register's filters. Free text passes the
personal-data guard before it is saved."""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING

from govuk_frontend_wtf.wtforms_widgets import (
    GovCharacterCount,
    GovCheckboxInput,
    GovRadioInput,
    GovSelect,
    GovTextInput,
)
from wtforms import BooleanField, HiddenField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from panel.cases.vocabularies import Stage, Strand
from panel.core.forms import (
    BaseForm,
    ChoiceField,
    DateField,
    MultipleChoiceField,
    OptionalChoiceField,
    SubmitButton,
    long_text,
    options,
)
from panel.core.guard import PROGRESS_NOTE, STRICT, GuardedForm
from panel.lessons import lifecycle, queries
from panel.lessons.lifecycle import Move
from panel.lessons.models import Lesson, LessonKind, Recommendation, RecommendationStatus
from panel.lessons.queries import RegisterFilters, uk_today
from panel.lessons.services import LessonDetails, RecommendationDetails

if TYPE_CHECKING:
    from panel.accounts.models import Organisation

TEXT_LENGTH = 2_000
SEARCH_LENGTH = 200


_long_text = functools.partial(long_text, max_length=TEXT_LENGTH)


class LessonForm(GuardedForm):
    """A lesson: its stage (for a case review's lesson), kind, strands and text."""

    guarded_fields = {"text": STRICT}

    stage = ChoiceField(
        "Stage of the criminal justice process",
        "Select the stage the lesson is about",
        coerce=Stage,
        choices=options(Stage.choices(), "Select a stage"),
        widget=GovSelect(),
    )
    kind = ChoiceField(
        "Kind of lesson",
        "Select whether this is good practice or an area for improvement",
        coerce=LessonKind,
        choices=options(LessonKind.choices()),
        widget=GovRadioInput(),
    )
    strands = MultipleChoiceField(
        "Hate crime strands (optional)",
        "Select hate crime strands from the list",
        coerce=Strand,
        choices=options(Strand.choices()),
        required=False,
        description="Select all that the lesson concerns. Leave blank if it applies to every "
        "strand.",
    )
    text = _long_text(
        "Lesson learnt",
        required="Enter the lesson learnt",
        description="What went well or what should change, anonymised: say “the victim”, "
        "“the officer in the case”, never a name or a date.",
    )
    submit = SubmitButton("Save lesson")

    def __init__(self, *args, with_stage: bool, **kwargs):
        super().__init__(*args, **kwargs)
        if not with_stage:
            del self.stage

    def details(self) -> LessonDetails:
        return LessonDetails(
            kind=self.kind.data,
            strands=self.strands.data or [],
            text=self.text.data,
            stage=self.stage.data if "stage" in self else None,
        )

    @classmethod
    def data_of(cls, lesson: Lesson) -> dict:
        return {
            "stage": lesson.stage,
            "kind": lesson.kind,
            "strands": lesson.strands,
            "text": lesson.text,
        }

    @classmethod
    def for_lesson(cls, lesson: Lesson, **kwargs) -> LessonForm:
        """The form to change `lesson`: with a stage if it is a case review's."""
        return cls(data=cls.data_of(lesson), with_stage=lesson.case_review_id is not None, **kwargs)


class RecommendationForm(GuardedForm):
    """What an organisation is asked to do, and by when."""

    guarded_fields = {"text": STRICT}

    organisation_id = ChoiceField(
        "Addressed to",
        "Select the organisation the recommendation is addressed to",
        coerce=int,
        widget=GovSelect(),
        description="Its members on the panel are told by e-mail and can respond in Panel.",
    )
    text = _long_text(
        "Recommendation",
        required="Enter the recommendation",
        description="What the organisation should do, anonymised.",
    )
    due_date = DateField(
        "Response due by",
        "Enter the date the response is due by",
        description="For example, 27 3 2027",
    )
    version = HiddenField()
    submit = SubmitButton("Save recommendation")

    def __init__(self, *args, organisations: list[Organisation], **kwargs):
        super().__init__(*args, **kwargs)
        self.organisations = {organisation.id: organisation for organisation in organisations}
        self.organisation_id.choices = options(
            ((str(o.id), o.name) for o in organisations), "Select an organisation"
        )

    def validate_due_date(self, field) -> None:
        if field.data is not None and field.data < uk_today():
            raise ValidationError("The date the response is due by must be today or in the future")

    def details(self) -> RecommendationDetails:
        return RecommendationDetails(
            organisation=self.organisations[self.organisation_id.data],
            text=self.text.data,
            due_date=self.due_date.data,
        )

    @classmethod
    def data_of(cls, recommendation: Recommendation) -> dict:
        return {
            "organisation_id": recommendation.organisation_id,
            "text": recommendation.text,
            "due_date": recommendation.due_date,
            "version": recommendation.version,
        }

    @classmethod
    def for_recommendation(
        cls, lesson: Lesson, recommendation: Recommendation | None = None, **kwargs
    ) -> RecommendationForm:
        """The form to add a recommendation to `lesson`, or to change `recommendation`, addressed
        to an organisation on the lesson's panel (or the one it is addressed to already)."""
        data = cls.data_of(recommendation) if recommendation else None
        organisations = queries.organisations(
            [lesson.panel_id], recommendation.organisation_id if recommendation else None
        )
        return cls(data=data, organisations=organisations, **kwargs)


# What each move's page asks, and its button.
MOVE_WORDING = {
    Move.RESPOND: ("Record the response", "Save response"),
    Move.IMPLEMENT: ("Report implementation", "Report as implemented"),
    Move.CLOSE: ("Close the recommendation", "Close recommendation"),
    Move.WITHDRAW: ("Withdraw the recommendation", "Withdraw recommendation"),
}


class MoveForm(GuardedForm):
    """One step of a recommendation's lifecycle. Responding chooses accepted or not accepted;
    each step takes the note its transition needs (the response, the evidence, a reason)."""

    guarded_fields = {"note": PROGRESS_NOTE}

    decision = ChoiceField(
        "Does the organisation accept the recommendation?",
        "Select whether the organisation accepts the recommendation",
        coerce=RecommendationStatus,
        choices=options(
            [
                (RecommendationStatus.ACCEPTED.value, "Accepted"),
                (RecommendationStatus.NOT_ACCEPTED.value, "Not accepted"),
            ]
        ),
        widget=GovRadioInput(),
    )
    note = TextAreaField(widget=GovCharacterCount())
    # The version the page was drawn from: a save on top of someone else's is refused.
    version = HiddenField()
    submit = SubmitButton()

    def __init__(self, *args, move: Move, **kwargs):
        super().__init__(*args, **kwargs)
        self.move = move
        transition = lifecycle.TRANSITIONS[move]
        if move != Move.RESPOND:
            del self.decision
        label = transition.note_label or "Note (optional)"
        self.note.label.text = label
        name = label.split(" (")[0]
        self.note.validators = [
            DataRequired(message=f"Enter {name.lower()}") if transition.note_label else Optional(),
            Length(max=TEXT_LENGTH, message=f"{name} must be {TEXT_LENGTH:,} characters or fewer"),
        ]
        self.submit.label.text = MOVE_WORDING[move][1]

    def target(self) -> RecommendationStatus:
        if "decision" in self:
            return self.decision.data
        (target,) = lifecycle.TRANSITIONS[self.move].targets
        return target


class DeleteForm(BaseForm):
    submit = SubmitButton("Delete lesson")


# --- The register's filters --------------------------------------------------------------------


def _filter_choice(label: str, message: str, enum_class, placeholder: str):
    return OptionalChoiceField(
        label,
        message,
        coerce=enum_class,
        choices=options(enum_class.choices(), placeholder),
        widget=GovSelect(),
    )


class RegisterFilterForm(BaseForm):
    """The register's filters, read from the query string so a filtered view can be bookmarked
    and exported as it is."""

    class Meta:
        csrf = False

    q = StringField(
        "Search lessons and recommendations",
        widget=GovTextInput(),
        validators=[
            Optional(),
            Length(max=SEARCH_LENGTH, message="Search must be 200 characters or fewer"),
        ],
    )
    stage = _filter_choice("Stage", "Select a stage", Stage, "Any stage")
    strand = _filter_choice("Strand", "Select a strand", Strand, "Any strand")
    kind = _filter_choice("Kind", "Select a kind of lesson", LessonKind, "Any kind")
    organisation = OptionalChoiceField(
        "Addressed to",
        "Select an organisation",
        coerce=int,
        widget=GovSelect(),
    )
    status = _filter_choice(
        "Recommendation status",
        "Select a recommendation status",
        RecommendationStatus,
        "Any status",
    )
    overdue = BooleanField("Only overdue recommendations", widget=GovCheckboxInput())
    recorded_from = DateField("Recorded from", "", required=False)
    recorded_to = DateField("Recorded to", "", required=False)
    submit = SubmitButton("Apply filters")

    def __init__(self, *args, organisations: list[Organisation], **kwargs):
        super().__init__(*args, **kwargs)
        self.organisation.choices = options(
            ((str(o.id), o.name) for o in organisations), "Any organisation"
        )

    def validate_recorded_to(self, field) -> None:
        start = self.recorded_from.data
        if field.data is not None and start is not None and field.data < start:
            raise ValidationError("‘Recorded to’ must be the same as or after ‘Recorded from’")

    def filters(self) -> RegisterFilters:
        """The filters as given; a filter with an error is left out (the page says which)."""

        def value(field_):
            return None if field_.errors else field_.data

        return RegisterFilters(
            search=value(self.q) or None,
            stage=value(self.stage),
            strand=value(self.strand),
            kind=value(self.kind),
            organisation_id=value(self.organisation),
            status=value(self.status),
            overdue=bool(self.overdue.data),
            recorded_from=value(self.recorded_from),
            recorded_to=value(self.recorded_to),
        )

    @property
    def active(self) -> bool:
        f = self.filters()
        return any(
            [f.search, f.stage, f.strand, f.kind, f.organisation_id, f.status, f.overdue]
        ) or bool(f.recorded_from or f.recorded_to)
