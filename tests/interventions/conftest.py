"""Fixtures for local panels' live cases and interventions: builders that go through the same
services the app uses, on the Coventry panel of tests/conftest.py."""

from __future__ import annotations

import contextlib
import dataclasses
from collections.abc import Iterator
from datetime import date, timedelta

import pytest

from panel.accounts.models import Organisation, User
from panel.cases.agreement import services as agreement
from panel.cases.vocabularies import Strand
from panel.core.time import uk_today
from panel.interventions import services
from panel.interventions.models import Intervention, LiveCase
from panel.interventions.services import InterventionDetails, LiveCaseDetails
from panel.interventions.vocabularies import RiskLevel, VictimNeed
from panel.panels.models import Panel, PanelKind, Role
from tests import factories
from tests.conftest import PanelPeople

RISK_REASON = (
    "Repeat victim: Suspect 1 lives next door and the abuse has escalated from insults to threats."
)
SUMMARY = (
    "The victim, a wheelchair user, has been abused by a neighbour for several months and is "
    "afraid to leave home. The housing provider has logged three reports."
)
INTERVENTION_TEXT = "Tenancy warning to Suspect 1 and a visit to the victim."


def case_details(**overrides) -> LiveCaseDetails:
    """A high-risk disability hate crime case needing housing and safety support, due for review
    in four weeks; override any field, e.g. ``case_details(risk_level=RiskLevel.STANDARD)``."""
    return dataclasses.replace(
        LiveCaseDetails(
            strands=[Strand.DISABILITY],
            policing_area="Coventry NPU",
            risk_level=RiskLevel.HIGH,
            risk_reason=RISK_REASON,
            needs=[VictimNeed.HOUSING, VictimNeed.SAFETY],
            review_date=uk_today() + timedelta(days=28),
            summary=SUMMARY,
        ),
        **overrides,
    )


def live_case(actor: User, panel: Panel, **overrides) -> LiveCase:
    """A live case referred through the service, as a coordinator would."""
    return services.refer_case(actor, panel, case_details(**overrides))


def intervention(
    actor: User,
    live_case: LiveCase,
    owner: Organisation,
    *,
    type_name: str | None = None,
    description: str = INTERVENTION_TEXT,
    due_in_days: int = 28,
) -> Intervention:
    """An intervention for `live_case` owned by `owner`, agreed through the service; its type
    is the panel's first, or the one named `type_name`."""
    kinds = services.intervention_types(live_case.panel)
    kind = next(k for k in kinds if type_name in (None, k.name))
    return services.agree_intervention(
        actor,
        live_case.panel,
        InterventionDetails(
            type=kind,
            description=description,
            owner=owner,
            due_date=uk_today() + timedelta(days=due_in_days),
        ),
        live_case=live_case,
    ).intervention


@pytest.fixture(autouse=True)
def _agreement_accepted(request) -> None:
    """Live cases are case material: the Coventry panel's chair, coordinator and member have
    accepted its confidentiality agreement (tests/interventions/test_agreement.py shows the page
    in front of someone who has not)."""
    if "people" not in request.fixturenames:
        return
    people = request.getfixturevalue("people")
    accept_agreement(people)


def accept_agreement(people: PanelPeople) -> None:
    """The panel's chair, coordinator and member accept its confidentiality agreement."""
    for person in (people.chair, people.coordinator, people.member):
        agreement.accept(person, people.panel)


# --- Interventions: agreeing, updating, reassigning and the lists ------------------------------


@dataclasses.dataclass
class Partners:
    """The Coventry panel's people with a live case, and a second partner on the panel (an LGBT+
    centre) whose interventions the housing member must never see."""

    people: PanelPeople
    police: Organisation
    housing: Organisation
    centre: Organisation
    centre_member: User
    live_case: LiveCase

    @property
    def panel(self) -> Panel:
        return self.people.panel


@pytest.fixture
def partners(people) -> Partners:
    centre = factories.organisation("Coventry LGBT+ Centre")
    centre_member = factories.user(
        email="centre@example.org", full_name="Ade Okonkwo", organisation_=centre
    )
    factories.membership(people.panel, centre_member, Role.MEMBER)
    agreement.accept(centre_member, people.panel)
    return Partners(
        people=people,
        police=people.chair.organisation,
        housing=people.member.organisation,
        centre=centre,
        centre_member=centre_member,
        live_case=live_case(people.coordinator, people.panel),
    )


def agreed(
    actor: User,
    panel: Panel,
    owner: Organisation,
    *,
    due: date,
    live_case: LiveCase | None = None,
    place: str | None = None,
    lead: User | None = None,
    description: str = INTERVENTION_TEXT,
) -> Intervention:
    """An intervention due on `due` (past dates too) for a case, or for `place` when no case is
    given, agreed through the service with the panel's first type."""
    return services.agree_intervention(
        actor,
        panel,
        InterventionDetails(
            type=services.intervention_types(panel)[0],
            description=description,
            owner=owner,
            due_date=due,
            lead=lead,
        ),
        live_case=live_case,
        place_or_community=None if live_case else (place or "Foleshill, around the shops"),
    ).intervention


@contextlib.contextmanager
def local_for_now(panel: Panel) -> Iterator[Panel]:
    """Interventions are agreed on local hate crime panels only (`panel.access`), so one on a
    panel of another kind was agreed while it was a local one: an administrator may change a
    panel's kind. A builder that needs one there (minutes, lists that must leave it out) agrees
    it inside this block, through the service, as the panel's organisers."""
    kind = panel.kind
    panel.kind = PanelKind.LOCAL_HATE_CRIME_PANEL
    try:
        yield panel
    finally:
        panel.kind = kind


def date_fields(name: str, day: date) -> dict:
    """A GOV.UK date input's three values as a browser posts them."""
    return {name: [str(day.day), str(day.month), str(day.year)]}
