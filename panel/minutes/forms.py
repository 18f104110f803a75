"""Forms for the minutes: the notes of each agenda item in two layers (restricted and public),
each step of the lifecycle, the chair's confirmations before approval and publication, and the
panel's rule on who may approve. Notes pass the personal-data guard before they are saved."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import TYPE_CHECKING

from flask import request
from govuk_frontend_wtf.wtforms_widgets import GovCharacterCount, GovCheckboxInput, GovRadioInput
from wtforms import BooleanField, HiddenField, RadioField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, Optional, ValidationError

from panel.core.forms import BaseForm, SubmitButton, options
from panel.core.guard import MINUTES_NOTE, GuardedForm
from panel.core.locking import seen_version
from panel.meetings.queries import previous_meeting
from panel.minutes.document import which_minutes
from panel.minutes.models import Minutes, MinutesNote, PreviousMinutesDecision
from panel.minutes.services import Decision, ItemNotes

if TYPE_CHECKING:
    from panel.meetings.models import AgendaItem
    from panel.panels.models import Panel

NOTES_LENGTH = 10_000
AMENDMENTS_LABEL = "Amendments to the previous minutes"
WITH_AMENDMENTS = PreviousMinutesDecision.AGREED_WITH_AMENDMENTS.value
RESTRICTED_LABEL = "Restricted notes (panel members only)"
PUBLIC_LABEL = "Public notes (readers will see these)"


def _notes(name: str) -> TextAreaField:
    """A notes field; `name` says which notes in messages, e.g. "Public notes on item 3"."""
    return TextAreaField(
        name,
        widget=GovCharacterCount(),
        validators=[
            Optional(),
            Length(
                max=NOTES_LENGTH, message=f"{name} must be {NOTES_LENGTH:,} characters or fewer"
            ),
        ],
    )


class NotesForm(GuardedForm):
    """The notes of every agenda item, built for one agenda by `for_agenda`: for each item
    ``restricted_<agenda item id>`` and ``public_<agenda item id>``, then, when the agenda has no
    item of its own for it, ``aob_restricted`` and ``aob_public``; and what the meeting decided
    about the previous minutes, ``previous_decision`` with ``previous_amendments`` (guarded)."""

    # The minutes' edit version the page was drawn from: a save on top of another is refused.
    edit_version = HiddenField()
    submit = SubmitButton("Save notes")

    agenda: tuple[AgendaItem, ...] = ()

    @classmethod
    def for_agenda(
        cls,
        agenda: list[AgendaItem],
        *,
        with_aob: bool,
        minutes: Minutes,
        notes: Mapping[int, MinutesNote],
        withheld: Collection[int] = frozenset(),
        **kwargs,
    ) -> NotesForm:
        """The notes fields of each agenda item, except an item whose case review is in
        `withheld` (the editor declared an interest in it): it has none, so its notes are
        neither shown to them nor changed by their saving."""
        fields = {}
        for number, item in enumerate(agenda, start=1):
            if item.case_review_id in withheld:
                continue
            fields[f"restricted_{item.id}"] = _notes(f"Restricted notes on item {number}")
            fields[f"public_{item.id}"] = _notes(f"Public notes on item {number}")
        if with_aob:
            fields["aob_restricted"] = _notes("Restricted notes on any other business")
            fields["aob_public"] = _notes("Public notes on any other business")
        fields["previous_amendments"] = TextAreaField(
            AMENDMENTS_LABEL,
            widget=GovCharacterCount(),
            description="One amendment a line, only if the minutes were agreed with amendments. "
            "Readers will see these.",
            validators=[
                Length(
                    max=NOTES_LENGTH,
                    message=f"{AMENDMENTS_LABEL} must be {NOTES_LENGTH:,} characters or fewer",
                )
            ],
        )
        which = which_minutes(previous_meeting(minutes.meeting))
        decision = RadioField(
            f"What did this meeting decide about {which}?",
            widget=GovRadioInput(),
            choices=options(PreviousMinutesDecision.choices()),
            validators=[Optional()],
        )
        form_class = type(
            "MeetingNotesForm",
            (cls,),
            {
                **fields,
                "previous_decision": decision,
                "guarded_fields": dict.fromkeys(fields, MINUTES_NOTE),
                "agenda": tuple(item for item in agenda if item.case_review_id not in withheld),
            },
        )
        return form_class(data=cls.data_of(minutes, notes), **kwargs)

    @staticmethod
    def data_of(minutes: Minutes, notes: Mapping[int, MinutesNote]) -> dict:
        """The saved notes (`notes`, by agenda item id) and the rest, to fill the form in."""
        data = {
            "edit_version": minutes.edit_version,
            "aob_restricted": minutes.aob_restricted,
            "aob_public": minutes.aob_public,
            "previous_decision": (
                minutes.previous_decision.value if minutes.previous_decision else None
            ),
            "previous_amendments": minutes.previous_amendments,
        }
        for note in notes.values():
            data[f"restricted_{note.agenda_item_id}"] = note.restricted
            data[f"public_{note.agenda_item_id}"] = note.public
        return data

    @property
    def with_aob(self) -> bool:
        return "aob_public" in self

    def restricted_field(self, item: AgendaItem):
        return self[f"restricted_{item.id}"]

    def public_field(self, item: AgendaItem):
        return self[f"public_{item.id}"]

    def first_field(self):
        """Where a refusal of the whole save is shown."""
        return self[next(iter(self.guarded_fields))]

    def notes(self) -> dict[int, ItemNotes]:
        return {
            item.id: ItemNotes(self.restricted_field(item).data, self.public_field(item).data)
            for item in self.agenda
        }

    def validate_previous_amendments(self, field) -> None:
        if self.previous_decision.data == WITH_AMENDMENTS and not (field.data or "").strip():
            raise ValidationError("Enter the amendments to the previous minutes")

    def previous(self) -> Decision:
        """What the meeting decided about the previous minutes, as entered."""
        value = self.previous_decision.data
        return Decision(
            PreviousMinutesDecision(value) if value else None, self.previous_amendments.data
        )

    def aob(self, minutes: Minutes) -> ItemNotes:
        """Any other business as written here; as it was, when the agenda has an item for it."""
        if not self.with_aob:
            return ItemNotes(minutes.aob_restricted, minutes.aob_public)
        return ItemNotes(self.aob_restricted.data, self.aob_public.data)

    def details(self, minutes: Minutes) -> dict:
        """Everything `services.save_notes` saves from this form, as its keyword arguments."""
        return {
            "notes": self.notes(),
            "aob": self.aob(minutes),
            "edit_version": seen_version(self.edit_version.data),
            "guard": self.guard_outcome,
            "previous": self.previous(),
        }


class StepForm(BaseForm):
    """One step of the lifecycle (submit, send back, start a new version)."""

    edit_version = HiddenField()


class ApproveForm(BaseForm):
    """The chair's confirmation of approval, sent with the version the page was drawn from."""

    edit_version = HiddenField()
    submit = SubmitButton("Approve minutes")


class PublishForm(BaseForm):
    """The chair's redaction review: publication only once they confirm what readers will see."""

    checked = BooleanField(
        # Members' and guests' names are part of a committee record; the people in the cases
        # are not.
        "I have checked that this is what readers may see, and that nothing in it identifies "
        "the people in the cases",
        widget=GovCheckboxInput(),
        validators=[
            DataRequired(
                message="Select to confirm that you have checked what readers will see and "
                "that nothing in it identifies the people in the cases"
            )
        ],
    )
    edit_version = HiddenField()
    submit = SubmitButton("Publish minutes")


YES, NO = "yes", "no"


class ApproverRuleForm(BaseForm):
    """Whether the approver of the panel's minutes must be someone other than their drafter."""

    approver_not_drafter = RadioField(
        "Must the minutes be approved by someone other than the person who drafted them?",
        widget=GovRadioInput(),
        description="The drafter of a version is whoever last started it or changed its notes. "
        "Only a chair of the panel can approve minutes.",
        choices=options(
            [
                (YES, "Yes, someone other than the drafter must approve them"),
                (NO, "No, the chair may approve minutes they drafted"),
            ]
        ),
        validators=[
            InputRequired(
                message="Select whether the minutes must be approved by someone other than "
                "the person who drafted them"
            )
        ],
    )
    submit = SubmitButton("Save")

    @classmethod
    def for_panel(cls, panel: Panel) -> ApproverRuleForm:
        """The form, showing the panel's rule as it stands when the page is first opened."""
        current = YES if panel.minutes_approver_not_drafter else NO
        return cls(data={"approver_not_drafter": current} if request.method == "GET" else None)
