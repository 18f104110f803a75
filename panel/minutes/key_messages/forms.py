"""The key message form: short text, strictly guarded (it goes to the public, so nothing may be
saved past the guard), addressed to the community, an agency on the panel, or both."""

from __future__ import annotations

from typing import TYPE_CHECKING

from govuk_frontend_wtf.wtforms_widgets import GovRadioInput, GovSelect
from wtforms.validators import ValidationError

from panel.core.forms import (
    BaseForm,
    ChoiceField,
    OptionalChoiceField,
    SubmitButton,
    long_text,
    options,
)
from panel.core.guard import STRICT, GuardedForm
from panel.minutes.key_messages.models import Audience, KeyMessage
from panel.minutes.key_messages.services import MAX_LENGTH, NO_AGENCY, KeyMessageDetails

if TYPE_CHECKING:
    from panel.accounts.models import Organisation


class KeyMessageForm(GuardedForm):
    guarded_fields = {"text": STRICT}
    # Published: rewording is the only way past the guard (no redacting, no saving as written).
    allow_redact = False
    reword_advice = (
        "Key messages are shared with the public: remove names, addresses, dates and other "
        "details that could identify someone."
    )

    text = long_text(
        "Key message",
        MAX_LENGTH,
        required="Enter the key message",
        description="One or two plain sentences for people outside the panel, for example "
        "“Take the Victim Personal Statement early, and tell the victim when the court applied a "
        "sentence uplift.” Name nobody, and no case.",
    )
    audience = ChoiceField(
        "Who is it for?",
        "Select who the key message is for",
        coerce=Audience,
        choices=options(Audience.choices()),
        widget=GovRadioInput(),
    )
    organisation_id = OptionalChoiceField(
        "Agency (if it is for an agency)",
        "Select the agency the key message is addressed to",
        coerce=int,
        widget=GovSelect(),
        description="An organisation that sits on the panel.",
    )
    submit = SubmitButton("Save key message")

    def __init__(self, *args, agencies: list[Organisation], **kwargs):
        # Key messages are published: nobody saves one past the guard.
        super().__init__(*args, allow_override=False, **kwargs)
        self.agencies = {agency.id: agency for agency in agencies}
        self.organisation_id.choices = options(
            ((str(a.id), a.name) for a in agencies), "Select an agency"
        )

    def validate_organisation_id(self, field) -> None:
        if self.audience.data is not None and self.audience.data.names_agency and not field.data:
            raise ValidationError(NO_AGENCY)

    def details(self) -> KeyMessageDetails:
        return KeyMessageDetails(
            text=self.text.data,
            audience=self.audience.data,
            organisation=self.agencies.get(self.organisation_id.data or 0),
        )

    @classmethod
    def data_of(cls, message: KeyMessage) -> dict:
        return {
            "text": message.text,
            "audience": message.audience,
            "organisation_id": message.organisation_id,
        }


class ConfirmForm(BaseForm):
    submit = SubmitButton("Remove key message")
