"""Forms for interventions: agreeing one (for a live case, or for a place or community), the
one-step update (on its page, and inline in a partner's list), reassigning, and the filters of a
panel's list. Free text passes the personal-data guard before it is saved."""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING

from flask import request
from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxInput,
    GovRadioInput,
    GovSelect,
    GovTextInput,
)
from wtforms import BooleanField, HiddenField, StringField
from wtforms.validators import Length, Optional, StopValidation, ValidationError

from panel.accounts import queries as accounts
from panel.core.forms import (
    BaseForm,
    ChoiceField,
    DateField,
    OptionalChoiceField,
    SubmitButton,
    long_text,
    options,
    required_text,
)
from panel.core.guard import PROGRESS_NOTE, STRICT, GuardedForm
from panel.core.locking import seen_version
from panel.core.time import format_datetime, uk_today
from panel.interventions import lifecycle, queries, services
from panel.interventions.models import Intervention, InterventionType
from panel.interventions.queries import InterventionFilters
from panel.interventions.services import REASSIGN_THEN, InterventionDetails, not_on_panel
from panel.interventions.vocabularies import InterventionStatus

if TYPE_CHECKING:
    from panel.accounts.models import Organisation, User
    from panel.meetings.models import Meeting
    from panel.panels.models import Panel

TEXT_LENGTH = 2_000
PLACE_LENGTH = 200
# The update form's choice for "add an update, leave the status as it is".
UNCHANGED = "unchanged"


_long_text = functools.partial(long_text, max_length=TEXT_LENGTH)


def lead_label(person: User) -> str:
    """How a possible lead is offered: "Grace Mensah (Coventry Homes Partnership)"."""
    return f"{person.full_name} ({person.organisation.name})"


def meeting_label(meeting: Meeting) -> str:
    return f"{format_datetime(meeting.starts_at, 'weekday')} ({meeting.status.label.lower()})"


class _OwnerField(ChoiceField):
    """The owning organisation, from those represented on the panel. Another organisation (a
    page drawn before its last member left, or a crafted form) is refused with how to add it."""

    def pre_validate(self, form) -> None:
        if self.data is not None and not any(choice.selected for choice in self.iter_choices()):
            organisation = accounts.organisation_by_id(self.data)
            if organisation is not None:
                raise StopValidation(not_on_panel(organisation, form.owner_then))
        super().pre_validate(form)


def _owner_field() -> ChoiceField:
    return _OwnerField(
        "Owning organisation",
        "Select the organisation that owns the intervention",
        coerce=int,
        widget=GovSelect(),
        description="It carries the intervention out and reports on it. Only organisations "
        "with someone on the panel are listed: an administrator adds people to the panel.",
    )


def _lead_field() -> OptionalChoiceField:
    return OptionalChoiceField(
        "Lead person (optional)",
        "Select a lead person from the list",
        coerce=int,
        widget=GovSelect(),
        description="Someone from the owning organisation who sits on the panel.",
    )


def _due_date_field() -> DateField:
    return DateField("Due date", "Enter the due date", description="For example, 27 3 2027")


class _OwnerAndLead:
    """The owning organisation and its lead (one of the panel's active members, from that
    organisation), shared by agreeing and reassigning. The fields are declared in each form, in
    the order the page shows them. A member logging their own organisation's intervention has
    no owner field: `fixed_owner` is theirs."""

    # How the owner refusal ends: "..., then agree the intervention."
    owner_then = "agree the intervention"
    fixed_owner: Organisation | None = None

    def _choose_from(self, organisations: list[Organisation], leads: list[User]) -> None:
        self.organisations = {organisation.id: organisation for organisation in organisations}
        self.leads = {person.id: person for person in leads}
        if self.fixed_owner is None:
            self.owner_organisation_id.choices = options(
                ((str(o.id), o.name) for o in organisations), "Select an organisation"
            )
        else:
            del self.owner_organisation_id
        self.lead_id.choices = options(
            ((str(p.id), lead_label(p)) for p in leads), "No lead person yet"
        )

    def _chosen_owner(self) -> Organisation | None:
        if self.fixed_owner is not None:
            return self.fixed_owner
        return self.organisations.get(self.owner_organisation_id.data)

    def validate_lead_id(self, field) -> None:
        owner = self._chosen_owner()
        lead = self.leads.get(field.data)
        # The service refuses it too; saying so here puts it beside the field at the first try.
        if owner is not None and lead is not None and lead.organisation_id != owner.id:
            raise ValidationError(
                f"Select a lead person who works for {owner.name}, or no lead person"
            )

    def owner(self) -> Organisation:
        return self._chosen_owner()

    def refuse_owner(self, refused: Exception, *, saved: Intervention | None = None) -> None:
        """Show the service's refusal of the owner beside the owner field, or (for a member,
        whose organisation is fixed) beside the lead field; see `BaseForm.refuse` for `saved`."""
        field = self.lead_id if self.fixed_owner is not None else self.owner_organisation_id
        self.refuse(field, refused, saved=saved)

    def lead(self) -> User | None:
        return self.leads.get(self.lead_id.data)


class InterventionForm(_OwnerAndLead, GuardedForm):
    """What was agreed, for whom and by when. For a place or community, where as well."""

    guarded_fields = {"place_or_community": STRICT, "description": PROGRESS_NOTE}

    place_or_community = required_text(
        "Place or community",
        "Enter the place or community",
        PLACE_LENGTH,
        description="An area and a kind of place, never an address: for example, Foleshill, "
        "around the shopping parade.",
    )
    type_id = ChoiceField(
        "Type of intervention",
        "Select the type of intervention",
        coerce=int,
        widget=GovSelect(),
    )
    description = _long_text(
        "What was agreed",
        required="Enter what was agreed",
        description="What the organisation will do, anonymised: say “the victim” or "
        "“Suspect 1”, never a name or an address. Dates of meetings and visits are fine.",
    )
    owner_organisation_id = _owner_field()
    lead_id = _lead_field()
    due_date = _due_date_field()
    agreed_at_id = OptionalChoiceField(
        "Agreed at meeting (optional)",
        "Select a meeting from the list",
        coerce=int,
        widget=GovSelect(),
        description="Meetings of the panel in the last 60 days or the next 30.",
    )
    submit = SubmitButton("Agree intervention")

    def __init__(
        self,
        *args,
        types: list[InterventionType],
        organisations: list[Organisation],
        leads: list[User],
        meetings: list[Meeting],
        for_place: bool,
        fixed_owner: Organisation | None = None,
        **kwargs,
    ):
        self.fixed_owner = fixed_owner
        super().__init__(*args, **kwargs)
        if not for_place:
            del self.place_or_community
            self.guarded_fields = {"description": PROGRESS_NOTE}
        if fixed_owner is not None:
            self.submit.label.text = "Log intervention"
        self.types = {kind.id: kind for kind in types}
        self.meetings = {meeting.id: meeting for meeting in meetings}
        self.type_id.choices = options(((str(t.id), t.name) for t in types), "Select a type")
        self.agreed_at_id.choices = options(
            ((str(m.id), meeting_label(m)) for m in meetings), "Not agreed at a meeting"
        )
        self._choose_from(organisations, leads)

    @classmethod
    def for_panel(
        cls, panel: Panel, *, own: Organisation | None, for_place: bool, allow_override: bool
    ) -> InterventionForm:
        """The form with the panel's choices. The chair and coordinator agree one for any
        organisation on the panel; a member logs what their own organisation (`own`) agreed,
        with its people as possible leads."""
        return cls(
            types=services.intervention_types(panel),
            organisations=[own] if own else queries.owning_organisations(panel),
            leads=queries.possible_leads(panel, own),
            meetings=queries.agreeing_meetings(panel),
            for_place=for_place,
            fixed_owner=own,
            allow_override=allow_override,
        )

    def validate_due_date(self, field) -> None:
        if field.data is not None and field.data < uk_today():
            raise ValidationError("The due date must be today or in the future")

    def details(self) -> InterventionDetails:
        return InterventionDetails(
            type=self.types[self.type_id.data],
            description=self.description.data,
            owner=self.owner(),
            due_date=self.due_date.data,
            lead=self.lead(),
        )

    def place(self) -> str | None:
        return self.place_or_community.data if "place_or_community" in self else None

    def meeting(self) -> Meeting | None:
        return self.meetings.get(self.agreed_at_id.data)


class _StatusField(ChoiceField):
    """Offers "No change" and the moves the lifecycle allows now, and accepts any status: the
    service refuses a move the lifecycle does not allow after it has checked the version, so a
    page drawn before someone else's change says that first."""

    def pre_validate(self, form) -> None:
        if self.data is None:
            raise StopValidation(self.message)


def _status_or_unchanged(value: str):
    return UNCHANGED if value == UNCHANGED else InterventionStatus(value)


class UpdateForm(GuardedForm):
    """One step: a new status, an update for the log, or both. Not completed and cancelled need
    the reason in the update (the service says so)."""

    guarded_fields = {"text": PROGRESS_NOTE}

    status = _StatusField(
        "New status",
        "Select a new status, or ‘No change’",
        coerce=_status_or_unchanged,
        widget=GovRadioInput(),
        default=UNCHANGED,
    )
    text = _long_text(
        "Update",
        required=None,
        description="What has happened since the last update, anonymised: no names or "
        "addresses, though dates are fine. If the intervention was not completed or is "
        "cancelled, say why.",
    )
    # Offered to the owning organisation's people only (`restrict_for`), labelled with its name.
    restricted = BooleanField(
        "Only your organisation can read this update",
        widget=GovCheckboxInput(),
        description="Everyone else on the panel, the chair and coordinator included, sees that "
        "there was an update but not what it says. The reason an intervention was not "
        "completed or was cancelled is always read by the whole panel.",
    )
    # The version the page was drawn from: a save on top of someone else's is refused.
    version = HiddenField()
    # Where to go once saved: a partner's list sends them back to it.
    next = HiddenField()
    submit = SubmitButton("Save update")

    def __init__(
        self,
        *args,
        current: InterventionStatus,
        restrict_for: Organisation | None = None,
        **kwargs,
    ):
        super().__init__(*args, **kwargs)
        self.offer(current)
        if "restricted" in self:
            if restrict_for is None:
                del self.restricted
            else:
                self.restricted.label.text = f"Only {restrict_for.name} can read this update"

    def is_restricted(self) -> bool:
        return "restricted" in self and bool(self.restricted.data)

    def offer(self, current: InterventionStatus) -> None:
        """Offer the moves allowed from `current` (after a refusal, from the status now)."""
        self.may_change_status = bool(lifecycle.NEXT[current])
        self.status.choices = options(
            [(UNCHANGED, "No change"), *((s.value, s.label) for s in lifecycle.NEXT[current])]
        )

    def target(self) -> InterventionStatus | None:
        return None if self.status.data == UNCHANGED else self.status.data

    def update(self) -> dict:
        """The update as `services.update_intervention` takes it, with the version seen."""
        return {
            "status": self.target(),
            "text": self.text.data,
            "version": seen_version(self.version.data),
            "guard": self.guard_outcome,
            "restricted": self.is_restricted(),
        }

    @classmethod
    def data_of(cls, intervention: Intervention, next_url: str = "") -> dict:
        return {"status": UNCHANGED, "version": intervention.version, "next": next_url}


class InlineUpdateForm(UpdateForm):
    """The same step in one row of a partner's list: a select and a one-line update. It posts
    to the same route as the full form."""

    status = _StatusField(
        "New status",
        "Select a new status, or ‘No change’",
        coerce=_status_or_unchanged,
        widget=GovSelect(),
        default=UNCHANGED,
    )
    text = StringField(
        "Update (optional)",
        widget=GovTextInput(),
        validators=[
            Optional(),
            Length(max=TEXT_LENGTH, message=f"Update must be {TEXT_LENGTH:,} characters or fewer"),
        ],
    )
    submit = SubmitButton("Save")

    @classmethod
    def for_rows(cls, interventions: list[Intervention], back_to: str) -> dict[int, UpdateForm]:
        """A form for each intervention of a page of the list, by its id, coming back to
        `back_to` once saved."""
        return {
            intervention.id: cls(
                formdata=None,
                data=cls.data_of(intervention, back_to),
                current=intervention.status,
            )
            for intervention in interventions
        }


class ReassignForm(_OwnerAndLead, BaseForm):
    """The chair or coordinator moves an open intervention to another organisation or lead, or
    changes its due date."""

    owner_then = REASSIGN_THEN

    owner_organisation_id = _owner_field()
    lead_id = _lead_field()
    due_date = _due_date_field()
    version = HiddenField()
    submit = SubmitButton("Save changes")

    def __init__(
        self,
        *args,
        organisations: list[Organisation],
        leads: list[User],
        intervention: Intervention,
        **kwargs,
    ):
        super().__init__(*args, **kwargs)
        self.current_due_date = intervention.due_date
        self._choose_from(organisations, leads)

    @classmethod
    def for_intervention(cls, intervention: Intervention) -> ReassignForm:
        """The form with the organisations and people on the intervention's panel to choose
        from, filled in with the intervention as it is when the page is asked for (a field left
        out of a form sent back stays empty)."""
        return cls(
            data=cls.data_of(intervention) if request.method == "GET" else None,
            organisations=queries.owning_organisations(intervention.panel),
            leads=queries.possible_leads(intervention.panel),
            intervention=intervention,
        )

    def reassignment(self) -> dict:
        """The reassignment as `services.reassign_intervention` takes it, with the version
        seen."""
        return {
            "owner": self.owner(),
            "lead": self.lead(),
            "due_date": self.due_date.data,
            "version": seen_version(self.version.data),
        }

    def validate_due_date(self, field) -> None:
        # An overdue intervention can change hands and keep its date: it stays overdue.
        moved = field.data != self.current_due_date
        if field.data is not None and moved and field.data < uk_today():
            raise ValidationError("The due date must be today or in the future")

    @classmethod
    def data_of(cls, intervention: Intervention) -> dict:
        return {
            "owner_organisation_id": intervention.owner_organisation_id,
            "lead_id": intervention.lead_id,
            "due_date": intervention.due_date,
            "version": intervention.version,
        }


class AmendForm(GuardedForm):
    """The chair or coordinator corrects an open intervention's type, what was agreed and its due
    date (typically one a partner logged); who owns it changes by reassigning."""

    guarded_fields = {"description": PROGRESS_NOTE}

    type_id = InterventionForm.type_id
    description = InterventionForm.description
    due_date = _due_date_field()
    version = HiddenField()
    submit = SubmitButton("Save changes")

    def __init__(
        self, *args, types: list[InterventionType], intervention: Intervention, **kwargs
    ) -> None:
        super().__init__(*args, **kwargs)
        self.current_due_date = intervention.due_date
        # Its own type stays on offer even if the panel has retired it since.
        offered = types if intervention.type in types else [*types, intervention.type]
        self.types = {kind.id: kind for kind in offered}
        self.type_id.choices = options(((str(t.id), t.name) for t in offered), "Select a type")

    validate_due_date = ReassignForm.validate_due_date

    @classmethod
    def for_intervention(cls, intervention: Intervention, *, allow_override: bool) -> AmendForm:
        """The form with the panel's intervention types, filled in with the intervention as it
        is when the page is asked for (a field left out of a form sent back stays empty)."""
        return cls(
            data=cls.data_of(intervention) if request.method == "GET" else None,
            types=services.intervention_types(intervention.panel),
            intervention=intervention,
            allow_override=allow_override,
        )

    def chosen_type(self) -> InterventionType:
        return self.types[self.type_id.data]

    def amendment(self) -> dict:
        """The amendment as `services.amend_intervention` takes it, with the version seen."""
        return {
            "type": self.chosen_type(),
            "description": self.description.data,
            "due_date": self.due_date.data,
            "version": seen_version(self.version.data),
            "guard": self.guard_outcome,
        }

    @classmethod
    def data_of(cls, intervention: Intervention) -> dict:
        return {
            "type_id": intervention.type_id,
            "description": intervention.description,
            "due_date": intervention.due_date,
            "version": intervention.version,
        }


# --- A panel's list ----------------------------------------------------------------------------


class FilterForm(BaseForm):
    """The list's filters, read from the query string so that a filtered view can be bookmarked
    and exported as it is."""

    class Meta:
        csrf = False

    status = OptionalChoiceField(
        "Status",
        "Select a status",
        coerce=InterventionStatus,
        choices=options(InterventionStatus.choices(), "Any status"),
        widget=GovSelect(),
    )
    organisation = OptionalChoiceField(
        "Owning organisation", "Select an organisation", coerce=int, widget=GovSelect()
    )
    type = OptionalChoiceField("Type", "Select a type", coerce=int, widget=GovSelect())
    overdue = BooleanField("Only overdue interventions", widget=GovCheckboxInput())
    by_partners = BooleanField("Only interventions logged by partners", widget=GovCheckboxInput())
    submit = SubmitButton("Apply filters")

    def __init__(
        self,
        *args,
        organisations: list[Organisation],
        types: list[InterventionType],
        **kwargs,
    ):
        super().__init__(*args, **kwargs)
        self.organisation.choices = options(
            ((str(o.id), o.name) for o in organisations), "Any organisation"
        )
        self.type.choices = options(((str(t.id), t.name) for t in types), "Any type")

    def filters(self) -> InterventionFilters:
        """The filters as given; a filter with an error is left out (the page says which)."""

        def value(field_):
            return None if field_ is None or field_.errors else field_.data

        return InterventionFilters(
            status=value(self.status),
            owner_organisation_id=value(self.organisation),
            type_id=value(self.type),
            overdue=bool(self.overdue.data),
            logged_by_partner=bool(self.by_partners.data),
        )

    @property
    def active(self) -> bool:
        f = self.filters()
        return any([f.status, f.owner_organisation_id, f.type_id, f.overdue, f.logged_by_partner])
