"""Forms for the pool: uploading an extract, confirming it, adding a case by hand, discarding
the pool, and drawing cases."""

from __future__ import annotations

from calendar import month_name
from typing import TYPE_CHECKING

from flask_wtf.file import FileField
from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxInput,
    GovFileInput,
    GovRadioInput,
    GovSelect,
    GovTextInput,
)
from wtforms import BooleanField, StringField
from wtforms.validators import StopValidation

from panel.cases.forms import YearField
from panel.cases.pool.services import (
    MAX_DRAW,
    DrawFilters,
    PoolCaseDetails,
    read_month,
)
from panel.cases.pool.vocabularies import (
    AGENCY_REFERENCE_LENGTH,
    POLICING_AREA_LENGTH,
    OutcomeGroup,
)
from panel.cases.vocabularies import OffenceCategory, Outcome, Strand
from panel.core.forms import (
    BaseForm,
    ChoiceField,
    MultipleChoiceField,
    OptionalChoiceField,
    SubmitButton,
    options,
    required_text,
    text_field,
)
from panel.core.guard import STRICT, GuardedForm, GuardPolicy
from panel.core.time import format_datetime, uk_today

if TYPE_CHECKING:
    from panel.meetings.models import Meeting

# The agency's reference is a crime number or URN by nature; the guard still refuses a name,
# an address or anything else in it.
AGENCY_REFERENCE = GuardPolicy("agency reference", allows=frozenset({"CRIME_REF", "DATE"}))
# No meeting chosen: the case reviews wait for one.
NO_MEETING = 0


class CsvFileField(FileField):
    """A required .csv file, read whole (the app refuses a request over 2 MB before this)."""

    def pre_validate(self, form) -> None:
        upload = self.data
        if upload is None or not getattr(upload, "filename", ""):
            raise StopValidation("Select a CSV file")
        if not upload.filename.lower().endswith(".csv"):
            raise StopValidation("The selected file must be a CSV file")


class UploadForm(BaseForm):
    extract = CsvFileField(
        "Upload an extract of finalised cases",
        widget=GovFileInput(),
        description="A CSV file of up to 5,000 cases and 2 MB.",
    )
    submit = SubmitButton("Upload and check")


class ConfirmForm(BaseForm):
    submit = SubmitButton("Add these cases to the pool")


class DiscardForm(BaseForm):
    confirmed = BooleanField(
        "I want to take every case not yet drawn out of the pool",
        widget=GovCheckboxInput(),
    )
    submit = SubmitButton("Discard the pool")

    def validate_confirmed(self, field) -> None:
        if not field.data:
            raise StopValidation("Confirm that you want to discard the pool")


def _month_field(label: str, message: str) -> ChoiceField:
    return ChoiceField(
        label,
        message,
        coerce=int,
        choices=options(((str(n), month_name[n]) for n in range(1, 13)), "Select a month"),
        widget=GovSelect(),
    )


class PoolCaseForm(GuardedForm):
    """One finalised case, by hand: the same coarse facts an extract gives."""

    guarded_fields = {"policing_area": STRICT, "agency_reference": AGENCY_REFERENCE}

    strands = MultipleChoiceField(
        "Hate crime strands",
        "Select at least one hate crime strand",
        coerce=Strand,
        choices=options(Strand.choices()),
        description="Select all that apply.",
    )
    offence_category = ChoiceField(
        "Offence category",
        "Select the offence category",
        coerce=OffenceCategory,
        choices=options(OffenceCategory.choices(), "Select one"),
        widget=GovSelect(),
    )
    outcome = ChoiceField(
        "Outcome (Home Office outcome type)",
        "Select the outcome",
        coerce=Outcome,
        choices=options(Outcome.choices(), "Select one"),
        widget=GovSelect(),
    )
    finalised_month = _month_field("Month", "Select the month the case was finalised")
    finalised_year = YearField("Year", "Enter the year the case was finalised")
    policing_area = required_text(
        "Policing area (NPU)",
        "Enter the policing area",
        POLICING_AREA_LENGTH,
        description="The neighbourhood policing unit or town, for example Coventry North",
    )
    agency_reference = text_field(
        "Agency’s reference (optional)",
        AGENCY_REFERENCE_LENGTH,
        description="The crime number or URN, so that you can find the file if the case is "
        "drawn. Only you see it, and it is deleted once the case review is checked.",
    )
    submit = SubmitButton("Add to the pool")

    def validate_finalised_year(self, field) -> None:
        today = uk_today()
        if (field.data, self.finalised_month.data or 0) > (today.year, today.month):
            raise StopValidation("The month the case was finalised must be in the past")

    def details(self) -> PoolCaseDetails:
        return PoolCaseDetails(
            strands=self.strands.data,
            offence_category=self.offence_category.data,
            outcome=self.outcome.data,
            finalised_year=self.finalised_year.data,
            finalised_month=self.finalised_month.data,
            policing_area=self.policing_area.data,
            agency_reference=self.agency_reference.data or None,
        )


class MonthField(StringField):
    """A month and year typed as people write them ("2025-01", "January 2025"), or nothing."""

    def __init__(self, label: str, **kwargs):
        kwargs.setdefault("description", "For example, 2025-01 or January 2025")
        super().__init__(label, widget=GovTextInput(), **kwargs)
        self.month: tuple[int, int] | None = None

    def pre_validate(self, form) -> None:
        self.month = None
        if not self.data:
            return
        try:
            year, month, exact = read_month(self.data[:30], uk_today())
        except ValueError:
            raise StopValidation(
                f"{self.label.text.removesuffix(' (optional)')} must be a month and year in the "
                "past, like 2025-01 or January 2025"
            ) from None
        if exact:
            raise StopValidation("Enter a month and year, not a day")
        self.month = (year, month)


class DrawForm(BaseForm):
    """How many cases, the theme, and the meeting the case reviews are for."""

    how_many = StringField(
        "How many cases?",
        widget=GovTextInput(),
        description=f"Between 1 and {MAX_DRAW}.",
    )
    strands = MultipleChoiceField(
        "Strands (optional)",
        "Select strands from the list",
        coerce=Strand,
        required=False,
        choices=options(Strand.choices()),
        description="Draw only cases of any of these strands. Leave empty for every strand.",
    )
    stratified = BooleanField(
        "Draw at least one case of each strand chosen",
        widget=GovCheckboxInput(),
    )
    outcome_groups = MultipleChoiceField(
        "Outcome themes (optional)",
        "Select outcome themes from the list",
        coerce=OutcomeGroup,
        required=False,
        choices=options(OutcomeGroup.choices()),
    )
    outcomes = MultipleChoiceField(
        "Outcome types (optional)",
        "Select outcome types from the list",
        coerce=Outcome,
        required=False,
        choices=options(Outcome.choices()),
        description="Draw only cases with any of the outcomes chosen here or in a theme above. "
        "Leave both empty for every outcome.",
    )
    policing_area = OptionalChoiceField(
        "Policing area (optional)",
        "Select a policing area from the list",
        widget=GovSelect(),
    )
    finalised_from = MonthField("Finalised from (optional)")
    finalised_to = MonthField("Finalised up to (optional)")
    meeting_id = ChoiceField(
        "Which meeting are the case reviews for?",
        "Select a meeting, or no meeting yet",
        coerce=int,
        widget=GovRadioInput(),
        description="Each case drawn becomes a draft case review. It goes on the meeting’s "
        "agenda once a chair or coordinator who did not write it has checked it for "
        "identifying detail.",
    )
    submit = SubmitButton("Draw the cases")

    def __init__(
        self,
        *args,
        areas: list[str],
        meetings: list[Meeting],
        for_meeting: int | None = None,
        **kwargs,
    ):
        super().__init__(*args, **kwargs)
        self.policing_area.choices = options(((area, area) for area in areas), "Any area")
        self.meetings = {meeting.id: meeting for meeting in meetings}
        self.meeting_id.choices = options(
            [
                *(
                    (str(meeting.id), format_datetime(meeting.starts_at, "weekday"))
                    for meeting in meetings
                ),
                (str(NO_MEETING), "No meeting yet: I will choose one later"),
            ]
        )
        if not self.is_submitted():
            # Opened from a meeting's page, the draw is for that meeting.
            if for_meeting in self.meetings:
                self.meeting_id.data = for_meeting
            else:
                self.meeting_id.data = meetings[0].id if meetings else NO_MEETING

    def validate_how_many(self, field) -> None:
        text = (field.data or "").strip()
        if not text:
            raise StopValidation("Enter how many cases to draw")
        if not (text.isascii() and text.isdigit()) or not 1 <= int(text) <= MAX_DRAW:
            raise StopValidation(
                f"Enter how many cases to draw, as a whole number from 1 to {MAX_DRAW}"
            )

    def validate_finalised_to(self, field) -> None:
        start, end = self.finalised_from.month, field.month
        if start and end and end < start:
            raise StopValidation("Finalised up to must be the same as or after finalised from")

    def number(self) -> int:
        return int(self.how_many.data.strip())

    def filters(self) -> DrawFilters:
        return DrawFilters(
            strands=tuple(self.strands.data or ()),
            outcomes=tuple(self.outcomes.data or ()),
            outcome_groups=tuple(self.outcome_groups.data or ()),
            policing_area=self.policing_area.data or None,
            finalised_from=self.finalised_from.month,
            finalised_to=self.finalised_to.month,
            stratified=bool(self.stratified.data),
        )

    def meeting(self) -> Meeting | None:
        return self.meetings.get(self.meeting_id.data)
