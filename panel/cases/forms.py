"""Forms for case reviews: the facts of a case, the panel's stage findings, and the meeting a case
goes on. Free text passes the personal-data guard before it is saved."""

from __future__ import annotations

from calendar import month_name
from typing import TYPE_CHECKING

from govuk_frontend_wtf.wtforms_widgets import (
    GovCharacterCount,
    GovCheckboxInput,
    GovRadioInput,
    GovSelect,
    GovTextInput,
)
from wtforms import BooleanField, HiddenField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional, StopValidation, ValidationError

from panel.cases.services import CaseReviewDetails, FindingDetails
from panel.cases.vocabularies import (
    STAGE_PROMPTS,
    AgeBand,
    Answer,
    LocationType,
    OffenceCategory,
    Outcome,
    OutOfCourtDisposal,
    Rating,
    ReportingRoute,
    Stage,
    Strand,
    UpliftAnswer,
)
from panel.core.database import utcnow
from panel.core.forms import (
    BaseForm,
    ChoiceField,
    MultipleChoiceField,
    OptionalChoiceField,
    SubmitButton,
    options,
)
from panel.core.guard import INCIDENT_NARRATIVE, STRICT, GuardedForm
from panel.core.time import UK, format_datetime

if TYPE_CHECKING:
    from panel.meetings.models import Meeting

NARRATIVE_LENGTH = 5_000
COMMENT_LENGTH = 2_000
OVERALL_VIEW_LENGTH = 5_000
LEGISLATION_LENGTH = 200
POLICING_AREA_LENGTH = 120
# Case reviews look at finalised cases; nothing the panels review is older than this.
EARLIEST_YEAR = 2000


class YearField(StringField):
    """A year typed as four digits, from `EARLIEST_YEAR` up to this year."""

    def __init__(self, label: str, message: str, **kwargs):
        super().__init__(label, widget=GovTextInput(), **kwargs)
        self.missing_message = message

    def process_data(self, value):
        self.data = value

    def _value(self):
        return "" if self.data is None else str(self.data)

    def pre_validate(self, form) -> None:
        text = "" if self.data is None else str(self.data)
        if not text:
            raise StopValidation(self.missing_message)
        if not (text.isascii() and text.isdigit() and len(text) == 4):
            raise StopValidation(f"{self.label.text} must be a year in 4 numbers, like 2025")
        self.data = int(text)
        if self.data < EARLIEST_YEAR:
            raise StopValidation(f"{self.label.text} must be {EARLIEST_YEAR} or later")


def _choice(label: str, message: str, enum_class, *, radios: bool = False, **kwargs):
    placeholder = None if radios else "Select one"
    return ChoiceField(
        label,
        message,
        coerce=enum_class,
        choices=options(enum_class.choices(), placeholder),
        widget=GovRadioInput() if radios else GovSelect(),
        **kwargs,
    )


def _text(label: str, max_length: int, *, required: str | None = None, widget=None, **kwargs):
    first = DataRequired(message=required) if required else Optional()
    field_class = TextAreaField if isinstance(widget, GovCharacterCount) else StringField
    return field_class(
        label,
        widget=widget or GovTextInput(),
        validators=[
            first,
            Length(
                max=max_length,
                message=f"{label.split(' (')[0]} must be {max_length:,} characters or fewer",
            ),
        ],
        **kwargs,
    )


class CaseReviewForm(GuardedForm):
    """The facts of one case: coarse bands and categories, month and year, and an anonymised
    summary. No field takes a name, an exact date or the police crime number."""

    guarded_fields = {
        "narrative": INCIDENT_NARRATIVE,
        "legislation": STRICT,
        "policing_area": STRICT,
    }

    strands = MultipleChoiceField(
        "Hate crime strands",
        "Select at least one hate crime strand",
        coerce=Strand,
        choices=options(Strand.choices()),
        description="Select all that apply.",
    )
    offence_category = _choice("Offence category", "Select the offence category", OffenceCategory)
    legislation = _text(
        "Legislation (optional)",
        LEGISLATION_LENGTH,
        description="For example, Crime and Disorder Act 1998 s.31; Public Order Act 1986 s.4A",
    )
    reporting_route = _choice(
        "How it was reported", "Select how the case was reported", ReportingRoute
    )
    incident_month = ChoiceField(
        "Month",
        "Select the month of the incident",
        coerce=int,
        choices=options(
            ((str(number), month_name[number]) for number in range(1, 13)), "Select a month"
        ),
        widget=GovSelect(),
    )
    incident_year = YearField("Year", "Enter the year of the incident")
    policing_area = _text(
        "Policing area (NPU)",
        POLICING_AREA_LENGTH,
        required="Enter the policing area",
        description="The neighbourhood policing unit or town, for example Coventry NPU",
    )
    location_type = _choice("Type of location", "Select the type of location", LocationType)
    victim_age_band = _choice("Victim’s age band", "Select the victim’s age band", AgeBand)
    victim_key_worker = _choice(
        "Was the victim a key worker?",
        "Select whether the victim was a key worker",
        Answer,
        radios=True,
    )
    repeat_victim = _choice(
        "Was the victim a repeat victim?",
        "Select whether the victim was a repeat victim",
        Answer,
        radios=True,
    )
    suspect_identified = _choice(
        "Was a suspect identified?", "Select whether a suspect was identified", Answer, radios=True
    )
    outcome = _choice("Outcome (Home Office outcome type)", "Select the outcome", Outcome)
    out_of_court_disposal = _choice(
        "Out-of-court disposal",
        "Select the out-of-court disposal, or none",
        OutOfCourtDisposal,
        radios=True,
    )
    uplift_applied = _choice(
        "Was a sentence uplift for hostility applied?",
        "Select whether a sentence uplift was applied",
        UpliftAnswer,
        radios=True,
        description="Sentencing Act 2020 s.66",
    )
    uplift_announced = _choice(
        "Was the uplift announced in open court?",
        "Select whether the uplift was announced in open court",
        UpliftAnswer,
        radios=True,
    )
    victim_wishes_recorded = _choice(
        "Were the victim’s wishes recorded?",
        "Select whether the victim’s wishes were recorded",
        Answer,
        radios=True,
    )
    narrative = _text(
        "Summary of the case",
        NARRATIVE_LENGTH,
        required="Enter a summary of the case",
        widget=GovCharacterCount(),
        description="Anonymised: no names, addresses, postcodes, exact dates or reference "
        "numbers. Say “the victim”, “Suspect 1”, “a neighbour”.",
    )
    submit = SubmitButton("Save case review")

    def validate_incident_year(self, field) -> None:
        today = utcnow().astimezone(UK).date()
        month = self.incident_month.data
        if field.data > today.year or (
            field.data == today.year and month is not None and month > today.month
        ):
            raise ValidationError("Incident must be in the past")

    def validate_uplift_announced(self, field) -> None:
        if field.data == UpliftAnswer.YES and self.uplift_applied.data != UpliftAnswer.YES:
            raise ValidationError("An uplift can only be announced if it was applied")

    def details(self) -> CaseReviewDetails:
        return CaseReviewDetails(
            **{name: getattr(self, name).data for name in CaseReviewDetails.__dataclass_fields__}
        )

    @classmethod
    def data_of(cls, case_review) -> dict:
        """The form's data from a saved case review, to edit it."""
        return {name: getattr(case_review, name) for name in CaseReviewDetails.__dataclass_fields__}


class StageFindingsForm(GuardedForm):
    """All seven stages on one page: a rating and a comment for each (``<stage>_rating`` and
    ``<stage>_comment``, e.g. ``investigation_rating``), then the panel's overall view. A stage
    left without a rating is not recorded yet."""

    guarded_fields = {
        **{f"{stage.value}_comment": INCIDENT_NARRATIVE for stage in Stage},
        "overall_view": INCIDENT_NARRATIVE,
    }

    overall_view = _text(
        "The panel’s overall view (optional)",
        OVERALL_VIEW_LENGTH,
        widget=GovCharacterCount(),
        description="What went well, what should change, and any lessons for partners.",
    )
    submit = SubmitButton("Save stage findings")

    def rating_field(self, stage: Stage):
        return self[f"{stage.value}_rating"]

    def comment_field(self, stage: Stage):
        return self[f"{stage.value}_comment"]

    def validate(self, extra_validators=None) -> bool:
        checks = {f"{stage.value}_rating": [self._rated_if_commented(stage)] for stage in Stage}
        checks[f"{Stage.REPORT.value}_rating"].append(self._something_recorded)
        for name, more in (extra_validators or {}).items():
            checks.setdefault(name, []).extend(more)
        return super().validate(checks)

    def _rated_if_commented(self, stage: Stage):
        def check(form, field):
            if field.data is None and self.comment_field(stage).data:
                raise ValidationError(f"Select a rating for {stage.label.lower()}")

        return check

    def _something_recorded(self, form, field) -> None:
        rated = any((self.rating_field(stage).raw_data or [""])[0] for stage in Stage)
        if not rated and not self.overall_view.data:
            raise ValidationError("Select a rating for at least one stage")

    def findings(self) -> dict[Stage, FindingDetails]:
        return {
            stage: FindingDetails(self.rating_field(stage).data, self.comment_field(stage).data)
            for stage in Stage
        }

    def details(self) -> dict:
        """What `services.record_stage_findings` records from this form, as its keyword
        arguments."""
        return {
            "findings": self.findings(),
            "overall_view": self.overall_view.data,
            "guard": self.guard_outcome,
        }

    @classmethod
    def data_of(cls, case_review) -> dict:
        data = {"overall_view": case_review.overall_view}
        for finding in case_review.stage_findings:
            data[f"{finding.stage.value}_rating"] = finding.rating
            data[f"{finding.stage.value}_comment"] = finding.comment
        return data


for _stage in Stage:
    setattr(
        StageFindingsForm,
        f"{_stage.value}_rating",
        OptionalChoiceField(
            _stage.label,
            f"Select a rating for {_stage.label.lower()}: good practice, satisfactory, area "
            "for improvement or not assessed",
            coerce=Rating,
            choices=options(Rating.choices()),
            widget=GovRadioInput(),
            description=STAGE_PROMPTS[_stage],
        ),
    )
    setattr(
        StageFindingsForm,
        f"{_stage.value}_comment",
        _text(
            f"Comment on {_stage.label.lower()}",
            COMMENT_LENGTH,
            widget=GovCharacterCount(),
        ),
    )


class AgendaForm(BaseForm):
    """Which meeting a case review goes on."""

    meeting_id = ChoiceField(
        "Which meeting should discuss this case review?",
        "Select a meeting",
        coerce=int,
        widget=GovRadioInput(),
    )
    submit = SubmitButton("Add to the agenda")

    def __init__(self, *args, meetings: list[Meeting], **kwargs):
        super().__init__(*args, **kwargs)
        self.meetings = {meeting.id: meeting for meeting in meetings}
        self.meeting_id.choices = options(
            (str(meeting.id), _meeting_choice(meeting)) for meeting in meetings
        )

    def meeting(self) -> Meeting:
        return self.meetings[self.meeting_id.data]


class CheckForm(BaseForm):
    """The second pair of eyes: confirming a case review's text checked for identifying detail.
    `seen` carries the fingerprint of the text the page showed, so a change made meanwhile is
    not confirmed unread."""

    checked = BooleanField(
        "I have checked this case review for identifying detail",
        widget=GovCheckboxInput(),
        validators=[
            DataRequired(
                message="Confirm that you have checked the case review for identifying detail"
            )
        ],
    )
    seen = HiddenField()
    submit = SubmitButton("Confirm checked")


def _meeting_choice(meeting: Meeting) -> str:
    return f"{format_datetime(meeting.starts_at, 'weekday')} ({meeting.status.label.lower()})"
