"""Form pieces shared by every domain: GOV.UK widgets with messages in GOV.UK style."""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date, time
from urllib.parse import urlsplit

import wtforms
from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import (
    GovCharacterCount,
    GovCheckboxesInput,
    GovDateInput,
    GovSubmitInput,
    GovTextInput,
)
from wtforms import SelectField, SelectMultipleField, StringField, SubmitField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional, StopValidation, ValidationError

from panel.extensions import db

__all__ = ["BaseForm", "ChoiceField", "options", "required_text", "SubmitButton", "text_field"]


class BaseForm(FlaskForm):
    """All Panel forms: CSRF-protected, with whitespace trimmed from text."""

    class Meta:
        def bind_field(self, form, unbound_field, options):
            filters = unbound_field.kwargs.get("filters", [])
            if issubclass(unbound_field.field_class, StringField) and _strip not in filters:
                unbound_field.kwargs["filters"] = [_strip, *filters]
            return unbound_field.bind(form=form, **options)

    def refuse(self, field, refused: Exception, *, saved=None, version: str = "version") -> None:
        """A service refused what was submitted: keep what they typed and say why beside `field`.
        Given `saved` (the object as stored now), reload it and take its version into the hidden
        field of that name, so they can save again on top of what someone else saved meanwhile."""
        field.errors = [*field.errors, str(refused)]
        if saved is not None:
            db.session.refresh(saved)
            getattr(self, version).data = getattr(saved, version)


class ChoiceField(SelectField):
    """A required choice (select or radios) with one GOV.UK-style `message` for a missing, unknown
    or malformed value, where WTForms would give "Not a valid choice" or fail to coerce.

    `coerce` turns a submitted value into the field's data, e.g. an enumeration class or `int`.
    """

    def __init__(self, label: str, message: str, *, coerce=str, **kwargs):
        def safe_coerce(value):
            try:
                return coerce(value)
            except (TypeError, ValueError):
                return None

        super().__init__(label, coerce=safe_coerce, **kwargs)
        self.message = message

    def pre_validate(self, form) -> None:
        if self.data is None or not any(choice.selected for choice in self.iter_choices()):
            raise StopValidation(self.message)


class MultipleChoiceField(SelectMultipleField):
    """Checkboxes of which at least one is chosen (unless `required` is False), with one
    GOV.UK-style `message` for none, an unknown value or a malformed one (where WTForms would
    fail to coerce)."""

    def __init__(self, label: str, message: str, *, coerce, required: bool = True, **kwargs):
        def safe_coerce(value):
            try:
                return coerce(value)
            except (TypeError, ValueError):
                return None

        super().__init__(label, coerce=safe_coerce, widget=GovCheckboxesInput(), **kwargs)
        self.message = message
        self.required = required

    def pre_validate(self, form) -> None:
        allowed = {self.coerce(choice.value) for choice in self.choices}
        if (self.required and not self.data) or any(v not in allowed for v in self.data or []):
            raise StopValidation(self.message)


class OptionalChoiceField(ChoiceField):
    """A choice that may be left unmade (data None), but an unknown value is refused."""

    def pre_validate(self, form) -> None:
        if not self.raw_data or not self.raw_data[0]:
            self.data = None
            return
        super().pre_validate(form)


def options(pairs: Iterable[tuple[str, str]], placeholder: str | None = None) -> list[SelectChoice]:
    """Choices from (value, label) pairs, e.g. ``options(Role.choices())``; a `placeholder` comes
    first with an empty value, as the unchosen state of a select."""
    first = [SelectChoice("", placeholder)] if placeholder else []
    return [*first, *(SelectChoice(value, label) for value, label in pairs)]


def _strip(value):
    # NUL is never meant, and PostgreSQL refuses it in text (a 500 for a crafted form or search).
    return value.replace("\x00", "").strip() if isinstance(value, str) else value


def required_text(label: str, message: str, max_length: int, **kwargs) -> StringField:
    """A required one-line text field, e.g. required_text("Name", "Enter the name", 200)."""
    return StringField(
        label,
        widget=GovTextInput(),
        validators=[
            DataRequired(message=message),
            Length(max=max_length, message=f"{label} must be {max_length} characters or fewer"),
        ],
        **kwargs,
    )


def text_field(label: str, max_length: int, **kwargs) -> StringField:
    """An optional one-line text field."""
    from wtforms.validators import Optional

    return StringField(
        label,
        widget=GovTextInput(),
        validators=[
            Optional(),
            Length(max=max_length, message=f"{label} must be {max_length} characters or fewer"),
        ],
        **kwargs,
    )


def long_text(
    label: str, max_length: int, *, required: str | None = None, description: str | None = None
) -> TextAreaField:
    """A text area with a character count: required (with `required` as its message) or not,
    at most `max_length` characters, e.g. long_text("Lesson learnt", 2000, required="Enter...")."""
    name = label.split(" (")[0]
    return TextAreaField(
        label,
        widget=GovCharacterCount(),
        description=description,
        validators=[
            DataRequired(message=required) if required else Optional(),
            Length(max=max_length, message=f"{name} must be {max_length:,} characters or fewer"),
        ],
    )


def SubmitButton(label: str = "Save") -> SubmitField:  # noqa: N802 - reads like a field class
    return SubmitField(label, widget=GovSubmitInput())


# --- Dates and times --------------------------------------------------------------------------


class _SafeGovDateInput(GovDateInput):
    """govuk-frontend-wtf's date widget unpacks exactly three submitted values and raises (a 500)
    when a crafted form leaves the date out or sends too many; give it three, blank if need be."""

    def map_gov_params(self, field, **kwargs):
        if field.raw_data is not None and len(field.raw_data) != 3:
            field.raw_data = [*field.raw_data, "", "", ""][:3]
        return super().map_gov_params(field, **kwargs)


class DateField(wtforms.DateField):
    """A GOV.UK date input (day, month, year) with GOV.UK error messages.

    `message` is the message for a missing date, e.g. "Enter the date of the meeting".
    """

    def __init__(self, label: str, message: str, *, required: bool = True, validators=(), **kwargs):
        super().__init__(
            label,
            format="%d %m %Y",
            widget=_SafeGovDateInput(),
            validators=list(validators),
            **kwargs,
        )
        self.missing_message = message
        self.required = required

    def process_formdata(self, valuelist):
        self.raw_data = valuelist
        parts = [value.strip() for value in valuelist[:3]] if valuelist else []
        self.data = None
        if not any(parts):
            return
        if len(parts) != 3 or not all(parts):
            missing = [
                name
                for name, value in zip(("day", "month", "year"), [*parts, "", "", ""], strict=False)
                if not value
            ][:3]
            raise ValueError(f"{self.label.text} must include a {' and '.join(missing)}")
        try:
            day, month, year = (int(part) for part in parts)
            if year < 1000:
                raise ValueError
            self.data = date(year, month, day)
        except (ValueError, OverflowError):  # OverflowError: a year too big for date() to take
            raise ValueError(f"{self.label.text} must be a real date") from None

    def pre_validate(self, form):
        if self.data is None and not self.process_errors and self.required:
            raise StopValidation(self.missing_message)


_TIME = re.compile(r"^(\d{1,2})(?:[:.](\d{2}))?\s*(am|pm)?$", re.IGNORECASE)


def parse_time(text: str) -> time | None:
    """A time of day as people write it: "18:00", "6pm", "6.30pm", "0930"; None if it is not."""
    text = text.strip().lower().replace(" ", "")
    if text in ("midday", "noon", "12noon"):
        return time(12, 0)
    if re.fullmatch(r"\d{4}", text):
        text = f"{text[:2]}:{text[2:]}"
    match = _TIME.match(text)
    if not match:
        return None
    hour, minute, half = int(match[1]), int(match[2] or 0), match[3]
    if half:
        if not 1 <= hour <= 12:
            return None
        hour = hour % 12 + (12 if half == "pm" else 0)
    if hour > 23 or minute > 59:
        return None
    return time(hour, minute)


class TimeField(StringField):
    """A time of day in a text input, read as people write it ("18:00", "6pm")."""

    def __init__(self, label: str, message: str, **kwargs):
        kwargs.setdefault("description", "For example, 18:00 or 6pm")
        super().__init__(label, widget=GovTextInput(), **kwargs)
        self.missing_message = message

    def process_formdata(self, valuelist):
        self.raw_data = valuelist
        self.data = valuelist[0].strip() if valuelist else None

    def _value(self):
        if isinstance(self.data, time):
            return self.data.strftime("%H:%M")
        return self.data or ""

    def pre_validate(self, form):
        if not self.data:
            raise StopValidation(self.missing_message)
        if isinstance(self.data, str):
            parsed = parse_time(self.data[:20])
            if parsed is None:
                raise StopValidation(f"{self.label.text} must be a real time, like 18:00 or 6pm")
            self.data = parsed


def https_url(form, field):
    """A web link that is safe to put in a page and an invitation: https only."""
    if not field.data:
        return
    parts = urlsplit(field.data)
    if parts.scheme != "https" or not parts.netloc or " " in field.data:
        raise ValidationError("Enter a full web address starting with https://")
