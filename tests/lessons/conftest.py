"""Fixtures for lessons: the scrutiny panel of tests/cases with a police member on it, a case
review, and builders for lessons and recommendations."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import pytest

from panel.accounts.models import Organisation, OrganisationKind, User
from panel.cases.agreement import services as agreement
from panel.cases.models import CaseReview
from panel.cases.vocabularies import Stage, Strand
from panel.lessons import services
from panel.lessons.models import Lesson, LessonKind, Recommendation
from panel.lessons.queries import uk_today
from panel.panels.models import Role
from tests import factories
from tests.cases import factories as case_factories
from tests.cases.conftest import isp  # noqa: F401  (the scrutiny panel, used below)
from tests.conftest import PanelPeople

LESSON_TEXT = (
    "The officer in the case did not offer an interpreter at the first account, so the victim's "
    "statement missed the hostility shown."
)
RECOMMENDATION_TEXT = (
    "Remind response officers to offer an interpreter before taking a first account."
)


@dataclass
class Scrutiny:
    """The scrutiny panel's people, a police member who answers for the police, and a case."""

    people: PanelPeople
    police: Organisation
    police_member: User
    case_review: CaseReview

    @property
    def panel(self):
        return self.people.panel

    @property
    def chair(self) -> User:
        return self.people.chair


@pytest.fixture
def scrutiny(isp) -> Scrutiny:  # noqa: F811
    return scrutiny_of(isp)


def scrutiny_of(panel_people: PanelPeople) -> Scrutiny:
    """What `scrutiny` gives, for a fixture of wider scope (in an application context)."""
    police = factories.organisation("West Midlands Police", OrganisationKind.POLICE)
    officer = factories.user(
        email="inspector@police.example.org", full_name="Dev Sharma", organisation_=police
    )
    factories.membership(panel_people.panel, officer, Role.MEMBER)
    agreement.accept(officer, panel_people.panel)
    case_review = case_factories.case_review(panel_people.coordinator, panel_people.panel)
    return Scrutiny(
        people=panel_people, police=police, police_member=officer, case_review=case_review
    )


def lesson(
    actor: User,
    case_review: CaseReview,
    *,
    kind: LessonKind = LessonKind.IMPROVEMENT,
    stage: Stage = Stage.INVESTIGATION,
    text: str = LESSON_TEXT,
    strands: list[Strand] | None = None,
) -> Lesson:
    return services.record_lesson(
        actor,
        services.LessonDetails(kind=kind, strands=strands or [Strand.RACE], text=text, stage=stage),
        case_review=case_review,
    )


def recommendation(
    actor: User,
    lesson_: Lesson,
    organisation: Organisation,
    *,
    text: str = RECOMMENDATION_TEXT,
    due_date: date | None = None,
) -> Recommendation:
    details = services.RecommendationDetails(
        organisation=organisation,
        text=text,
        due_date=due_date or uk_today() + timedelta(days=60),
    )
    return services.add_recommendation(actor, lesson_, details).recommendation
