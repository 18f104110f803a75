"""Forms for the confidentiality agreement."""

from govuk_frontend_wtf.wtforms_widgets import GovCheckboxInput, GovTextArea
from wtforms import BooleanField, TextAreaField
from wtforms.validators import DataRequired, Length

from panel.core.forms import BaseForm, SubmitButton


class AcceptAgreementForm(BaseForm):
    agree = BooleanField(
        "I have read the confidentiality agreement and I agree to it",
        widget=GovCheckboxInput(),
        validators=[
            DataRequired(message="Confirm that you agree to the confidentiality agreement")
        ],
    )
    submit = SubmitButton("Accept and continue")


class AgreementTextForm(BaseForm):
    text = TextAreaField(
        "Confidentiality agreement",
        widget=GovTextArea(),
        description="Members accept this before they open any case review. When you change it, "
        "every member, you included, accepts it again.",
        validators=[
            DataRequired(message="Enter the text of the confidentiality agreement"),
            Length(max=10_000, message="The agreement must be 10,000 characters or fewer"),
        ],
    )
    submit = SubmitButton("Save agreement")
