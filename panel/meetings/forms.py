"""Forms for scheduling, moving and cancelling meetings."""

from __future__ import annotations

from datetime import date

from govuk_frontend_wtf.wtforms_widgets import GovRadioInput, GovSelect, GovTextArea, GovTextInput
from wtforms import IntegerField, RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, NumberRange, Optional, ValidationError

from panel.core.forms import BaseForm, DateField, SubmitButton, TimeField, https_url, options
from panel.core.guard import STRICT, GuardedForm
from panel.core.time import UK
from panel.meetings.models import Meeting, MeetingSeries, Recurrence
from panel.meetings.services import MAX_MEETINGS, Venue

DURATIONS = [
    ("30", "30 minutes"),
    ("60", "1 hour"),
    ("90", "1 hour 30 minutes"),
    ("120", "2 hours"),
    ("150", "2 hours 30 minutes"),
    ("180", "3 hours"),
    ("240", "4 hours"),
]
WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
WEEKS_OF_MONTH = [("1", "First"), ("2", "Second"), ("3", "Third"), ("4", "Fourth"), ("-1", "Last")]


def _not_in_the_past(form, field):
    if field.data is not None and field.data < date.today():
        raise ValidationError(f"{field.label.text} must be today or in the future")


class VenueForm(BaseForm):
    """When and where: shared by one meeting, a series, and moving a meeting."""

    start_time = TimeField("Start time", message="Enter the start time")
    duration_minutes = SelectField(
        "How long",
        choices=options(DURATIONS),
        default="120",
        widget=GovSelect(),
        validators=[InputRequired(message="Select how long the meeting is")],
    )
    place = StringField(
        "Place",
        widget=GovTextInput(),
        description="The building and room, for example Coventry Council House, Committee Room 2",
        validators=[Optional(), Length(max=200, message="Place must be 200 characters or fewer")],
    )
    online_link = StringField(
        "Online meeting link",
        widget=GovTextInput(),
        description="For example a Microsoft Teams link. Leave empty for an in-person meeting.",
        validators=[
            Optional(),
            Length(max=500, message="Link must be 500 characters or fewer"),
            https_url,
        ],
    )

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        # Checked here, not on the field: an empty optional field skips its own validators.
        if not self.place.data and not self.online_link.data:
            self.place.errors = [*self.place.errors, "Enter a place or an online meeting link"]
            return False
        return valid

    def venue(self) -> Venue:
        return Venue(
            start_time=self.start_time.data,
            duration_minutes=int(self.duration_minutes.data),
            place=self.place.data,
            online_link=self.online_link.data,
        )


class MeetingForm(VenueForm):
    day = DateField("Date", message="Enter the date of the meeting", validators=[_not_in_the_past])
    submit = SubmitButton("Schedule meeting")


class MoveMeetingForm(VenueForm):
    day = DateField(
        "Date", message="Enter the new date of the meeting", validators=[_not_in_the_past]
    )
    submit = SubmitButton("Save changes")

    @classmethod
    def for_meeting(cls, meeting: Meeting) -> MoveMeetingForm:
        """The form filled in with the meeting as it is (a submitted form overrides these)."""
        local = meeting.starts_at.astimezone(UK)
        return cls(
            data={
                "day": local.date(),
                "start_time": local.time(),
                "duration_minutes": str(meeting.duration_minutes),
                "place": meeting.place,
                "online_link": meeting.online_link,
            }
        )


class SeriesForm(VenueForm):
    first_date = DateField(
        "Date of the first meeting",
        message="Enter the date of the first meeting",
        validators=[_not_in_the_past],
    )
    recurrence = RadioField(
        "How often",
        widget=GovRadioInput(),
        choices=options(
            [
                (Recurrence.EVERY_N_WEEKS.value, "Every few weeks, on the same weekday"),
                (Recurrence.MONTHLY_ON_WEEKDAY.value, "Monthly, on a weekday of the month"),
            ]
        ),
        validators=[InputRequired(message="Select how often the panel meets")],
    )
    interval_weeks = IntegerField(
        "For meetings every few weeks: how many weeks apart",
        widget=GovTextInput(),
        default=2,
        description="For example 2 for fortnightly",
        validators=[
            Optional(),
            NumberRange(min=1, max=12, message="Weeks apart must be between 1 and 12"),
        ],
    )
    week_of_month = SelectField(
        "For monthly meetings: which week of the month",
        widget=GovSelect(),
        choices=options(WEEKS_OF_MONTH),
        validators=[Optional()],
    )
    weekday = SelectField(
        "For monthly meetings: which day",
        widget=GovSelect(),
        choices=options((str(n), name) for n, name in enumerate(WEEKDAYS)),
        validators=[Optional()],
    )
    ends = RadioField(
        "When the series ends",
        widget=GovRadioInput(),
        choices=options([("until", "On a date"), ("count", "After a number of meetings")]),
        validators=[InputRequired(message="Select when the series ends")],
    )
    until = DateField(
        "For a series that ends on a date: the last possible date",
        message="Enter the last possible date",
        required=False,
    )
    count = IntegerField(
        "For a series that ends after a number of meetings: how many meetings",
        widget=GovTextInput(),
        validators=[
            Optional(),
            NumberRange(
                min=1,
                max=MAX_MEETINGS,
                message=f"Number of meetings must be between 1 and {MAX_MEETINGS}",
            ),
        ],
    )
    submit = SubmitButton("Schedule series")

    def validate_until(self, field):
        if self.ends.data != "until":
            return
        if field.data is None:
            if not field.process_errors:
                raise ValidationError("Enter the last possible date")
            return
        if self.first_date.data and field.data < self.first_date.data:
            raise ValidationError("The last possible date must be after the first meeting")
        if self.first_date.data and (field.data - self.first_date.data).days > 3 * 366:
            raise ValidationError("A series can run for up to 3 years")

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        # Which of these is needed depends on another answer, so they are checked here.
        needed = [
            (
                self.recurrence.data == Recurrence.EVERY_N_WEEKS.value,
                self.interval_weeks,
                "Enter how many weeks apart the meetings are, like 2",
            ),
            (self.ends.data == "count", self.count, "Enter how many meetings there are, like 12"),
        ]
        for applies, field, message in needed:
            if applies and field.data is None and not field.errors:
                field.errors = [*field.errors, message]
                valid = False
        return valid

    def series(self) -> MeetingSeries:
        """The series rule as entered; fields for the other kind of series are ignored."""
        recurrence = Recurrence(self.recurrence.data)
        weekly = recurrence == Recurrence.EVERY_N_WEEKS
        return MeetingSeries(
            recurrence=recurrence,
            first_date=self.first_date.data,
            interval_weeks=self.interval_weeks.data if weekly else None,
            week_of_month=None if weekly else int(self.week_of_month.data),
            weekday=None if weekly else int(self.weekday.data),
            until=self.until.data if self.ends.data == "until" else None,
            count=self.count.data if self.ends.data == "count" else None,
        )


class CancelMeetingForm(GuardedForm):
    guarded_fields = {"reason": STRICT}
    reason = TextAreaField(
        "Why is the meeting cancelled?",
        widget=GovTextArea(),
        description="Members see this on the meeting page. Do not include case details.",
        validators=[Optional(), Length(max=500, message="Reason must be 500 characters or fewer")],
    )
    submit = SubmitButton("Cancel meeting")
