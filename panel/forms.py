"""Form pieces shared by every domain: GOV.UK widgets with messages in GOV.UK style."""

from __future__ import annotations

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovSubmitInput, GovTextInput
from wtforms import StringField, SubmitField
from wtforms.validators import DataRequired, Length

__all__ = ["BaseForm", "required_text", "SubmitButton", "text_field"]


class BaseForm(FlaskForm):
    """All Panel forms: CSRF-protected, with whitespace trimmed from text."""

    class Meta:
        def bind_field(self, form, unbound_field, options):
            filters = unbound_field.kwargs.get("filters", [])
            if issubclass(unbound_field.field_class, StringField) and _strip not in filters:
                unbound_field.kwargs["filters"] = [_strip, *filters]
            return unbound_field.bind(form=form, **options)


def _strip(value):
    return value.strip() if isinstance(value, str) else value


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


def SubmitButton(label: str = "Save") -> SubmitField:  # noqa: N802 - reads like a field class
    return SubmitField(label, widget=GovSubmitInput())
