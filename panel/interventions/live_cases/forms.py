"""Forms for a local panel's live cases: referring and changing a case, closing it with its
outcome, and the panel's intervention types. Case text passes the personal-data guard before it
is saved."""

from __future__ import annotations

from typing import TYPE_CHECKING

from govuk_frontend_wtf.wtforms_widgets import (
    GovRadioInput,
    GovSelect,
    GovTextInput,
)
from wtforms import HiddenField, StringField
from wtforms.validators import DataRequired, Length, ValidationError

from panel.cases.vocabularies import Answer, Strand
from panel.core.forms import (
    BaseForm,
    ChoiceField,
    DateField,
    MultipleChoiceField,
    OptionalChoiceField,
    SubmitButton,
    long_text,
    options,
    required_text,
)
from panel.core.guard import INCIDENT_NARRATIVE, STRICT, GuardedForm
from panel.core.time import uk_today
from panel.interventions import queries
from panel.interventions.models import LiveCase
from panel.interventions.services import Closure, LiveCaseDetails
from panel.interventions.vocabularies import (
    ClosureReason,
    LiveCaseStatus,
    RiskLevel,
    VictimNeed,
    VictimOutcome,
)

if TYPE_CHECKING:
    from panel.accounts.models import Organisation
    from panel.panels.models import Panel

POLICING_AREA_LENGTH = 120
RISK_REASON_LENGTH = 2_000
SUMMARY_LENGTH = 5_000
TYPE_NAME_LENGTH = 120


_long_text = long_text


def _radios(label: str, message: str, choices, enum_class, **kwargs) -> ChoiceField:
    return ChoiceField(
        label,
        message,
        coerce=enum_class,
        choices=options(choices),
        widget=GovRadioInput(),
        **kwargs,
    )


class LiveCaseForm(GuardedForm):
    """A live case as the panel holds it: strands, area, risk, the victim's needs and when to
    review it. No field takes a name, an exact date of the incident or a crime number: the
    referring agency keeps those in its own systems."""

    guarded_fields = {
        "policing_area": STRICT,
        "risk_reason": INCIDENT_NARRATIVE,
        "summary": INCIDENT_NARRATIVE,
    }

    strands = MultipleChoiceField(
        "Hate crime strands",
        "Select at least one hate crime strand",
        coerce=Strand,
        choices=options(Strand.choices()),
        description="Select all that apply.",
    )
    policing_area = StringField(
        "Policing area (NPU)",
        widget=GovTextInput(),
        description="The neighbourhood policing unit or town, for example Coventry NPU",
        validators=[
            DataRequired(message="Enter the policing area"),
            Length(
                max=POLICING_AREA_LENGTH,
                message=f"Policing area must be {POLICING_AREA_LENGTH} characters or fewer",
            ),
        ],
    )
    referred_by_id = OptionalChoiceField(
        "Referred by (optional)",
        "Select the organisation that referred the case",
        coerce=int,
        widget=GovSelect(),
    )
    risk_level = _radios("Risk level", "Select the risk level", RiskLevel.choices(), RiskLevel)
    risk_reason = _long_text(
        "Reason for the risk level",
        RISK_REASON_LENGTH,
        required="Enter the reason for the risk level",
        description="What makes the risk high, medium or standard, for example repeat "
        "victimisation or threats. Anonymised: no names or dates.",
    )
    needs = MultipleChoiceField(
        "The victim’s needs",
        "Select at least one of the victim’s needs",
        coerce=VictimNeed,
        choices=options(VictimNeed.choices()),
        description="Select all that apply.",
    )
    summary = _long_text(
        "Summary (optional)",
        SUMMARY_LENGTH,
        required=None,
        description="What the panel needs to know to agree interventions. Anonymised: say "
        "“the victim”, “Suspect 1”, “a neighbour”; never a name, an address, an exact date or a "
        "reference number.",
    )
    review_date = DateField(
        "Review date",
        "Enter the review date",
        description="When the panel should next look at the case, for example 27 3 2027",
    )
    # Only when changing a case: closing has its own page, which records the outcome.
    status = _radios(
        "Status",
        "Select whether the case is open or under review",
        [
            (LiveCaseStatus.OPEN.value, LiveCaseStatus.OPEN.label),
            (LiveCaseStatus.UNDER_REVIEW.value, LiveCaseStatus.UNDER_REVIEW.label),
        ],
        LiveCaseStatus,
    )
    # The version the page was drawn from: a save on top of someone else's is refused.
    version = HiddenField()
    submit = SubmitButton("Refer case")

    def __init__(self, *args, organisations: list[Organisation], changing: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.organisations = {organisation.id: organisation for organisation in organisations}
        self.referred_by_id.choices = options(
            ((str(o.id), o.name) for o in organisations), "Not recorded"
        )
        if changing:
            self.submit.label.text = "Save case"
        else:
            del self.status
            del self.version

    @classmethod
    def for_case(
        cls, panel: Panel, live_case: LiveCase | None = None, *, allow_override: bool
    ) -> LiveCaseForm:
        """The form to refer a case to `panel`, or to change `live_case` (filled in with it as it
        is; a submitted form overrides that), with the organisations that may have referred it:
        those on the panel, and the one recorded already."""
        return cls(
            data=cls.data_of(live_case) if live_case is not None else None,
            organisations=queries.referring_organisations(
                panel, live_case.referred_by_id if live_case is not None else None
            ),
            changing=live_case is not None,
            allow_override=allow_override,
        )

    def validate_review_date(self, field) -> None:
        if field.data is not None and field.data < uk_today():
            raise ValidationError("Review date must be today or in the future")

    def details(self) -> LiveCaseDetails:
        return LiveCaseDetails(
            strands=self.strands.data,
            policing_area=self.policing_area.data,
            risk_level=self.risk_level.data,
            risk_reason=self.risk_reason.data,
            needs=self.needs.data,
            review_date=self.review_date.data,
            referred_by=self.organisations.get(self.referred_by_id.data),
            summary=self.summary.data or None,
            status=self.status.data if "status" in self else LiveCaseStatus.OPEN,
        )

    @classmethod
    def data_of(cls, live_case: LiveCase) -> dict:
        """The form's data from a saved case, to change it."""
        return {
            "strands": live_case.strands,
            "policing_area": live_case.policing_area,
            "referred_by_id": live_case.referred_by_id,
            "risk_level": live_case.risk_level,
            "risk_reason": live_case.risk_reason,
            "needs": live_case.needs,
            "summary": live_case.summary,
            "review_date": live_case.review_date,
            "status": live_case.status,
            "version": live_case.version,
        }


class ClosureForm(BaseForm):
    """Why the case closes, what the panel's work achieved for the victim, and whether they
    felt safer: coarse answers the panel can report on."""

    reason = _radios(
        "Why is the case closing?",
        "Select why the case is closing",
        ClosureReason.choices(),
        ClosureReason,
    )
    victim_outcome = _radios(
        "What was the outcome for the victim?",
        "Select the outcome for the victim",
        VictimOutcome.choices(),
        VictimOutcome,
    )
    felt_safer = _radios(
        "Did the victim report feeling safer?",
        "Select whether the victim reported feeling safer",
        Answer.choices(),
        Answer,
    )
    version = HiddenField()
    submit = SubmitButton("Close the case")

    def closure(self) -> Closure:
        return Closure(
            reason=self.reason.data,
            victim_outcome=self.victim_outcome.data,
            felt_safer=self.felt_safer.data,
        )


class InterventionTypeForm(GuardedForm):
    """A kind of intervention the panel agrees, added to its list. Its name labels the insight
    tables and the reader-safe annual report, so it is guarded like case text and may not be
    kept as written."""

    guarded_fields = {"name": STRICT}

    name = required_text(
        "Intervention type", "Enter the name of the intervention type", TYPE_NAME_LENGTH
    )
    submit = SubmitButton("Add intervention type")
