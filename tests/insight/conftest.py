"""A small scrutiny panel and local panel whose every figure is worked out by hand in the tests.

Rows are written directly, with the times each test needs (a service would stamp them now); the
panels, organisations and people come from tests/factories.py."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import pytest

from panel.accounts.models import Organisation, User
from panel.cases.models import CaseReview, StageFinding
from panel.cases.vocabularies import (
    Answer,
    OffenceCategory,
    Outcome,
    Rating,
    Stage,
    Strand,
)
from panel.extensions import db
from panel.interventions.models import Intervention, InterventionType, LiveCase
from panel.interventions.vocabularies import (
    InterventionStatus,
    LiveCaseStatus,
    RiskLevel,
    VictimNeed,
    VictimOutcome,
)
from panel.lessons.models import (
    Lesson,
    LessonKind,
    Recommendation,
    RecommendationEvent,
    RecommendationStatus,
)
from panel.meetings.models import Attendance, AttendanceStatus, Meeting, MeetingStatus
from panel.panels.models import Panel, PanelKind, Role
from tests import factories
from tests.cases import factories as case_factories


def at(year: int, month: int, day: int, hour: int = 10, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def case_review(
    panel: Panel,
    created: datetime,
    strands: list[Strand],
    offence: OffenceCategory,
    outcome: Outcome,
) -> CaseReview:
    """A case review made at `created` (the service would date it now), with the facts of
    tests/cases/factories.py but these strands, offence and outcome."""
    facts = case_factories.details(strands=strands, offence_category=offence, outcome=outcome)
    review = CaseReview(
        panel=panel,
        reference=f"ISP-{next(_references):04d}",
        created_at=created,
        **facts.columns(),
    )
    review.strands = facts.strands
    db.session.add(review)
    return review


_references = iter(range(1, 10_000))


def findings(stage: Stage, rating: Rating, reviews: list[CaseReview]) -> None:
    """The same rating of `stage` in each of `reviews`."""
    db.session.add_all(
        StageFinding(case_review=review, stage=stage, rating=rating) for review in reviews
    )


def lessons_about(
    reviews: list[CaseReview], stage: Stage, kind: LessonKind, text: str, created: datetime
) -> list[Lesson]:
    """One lesson from each of `reviews`, all alike."""
    found = [
        Lesson(
            panel=review.panel,
            case_review=review,
            stage=stage,
            kind=kind,
            text=text,
            created_at=created,
        )
        for review in reviews
    ]
    db.session.add_all(found)
    return found


@dataclass
class Scrutiny:
    panel: Panel
    chair: User
    coordinator: User
    member: User
    reader: User
    police: Organisation
    housing: Organisation
    reviews: list[CaseReview]


def build_scrutiny(today: date) -> Scrutiny:
    """The scrutiny panel's year, 2025 to 2026 (financial year from 1 April 2025):

    - 18 case reviews in the year: 5 race public order charged (OC1) in May; 7 race harassment
      (OC14) in August; 4 religion and 1 sexual orientation criminal damage, community resolution
      (OC8) in November; 1 race and disability public order charged at 00:30 on 1 April 2025 UK
      time (23:30 UTC on 31 March: in the year). One more at 23:30 UK time on 31 March 2025,
      the year before.
    - Stage findings: report good practice in the 6 public order cases; investigation an area
      for improvement in 5 harassment cases and not assessed in a sixth.
    - Lessons: 3 areas for improvement at investigation, 5 good practice at report.
    - Recommendations made on 1 June 2025: 6 to the police, accepted after 10, 20 ... 60 days,
      the first 5 implemented after 100, 110 ... 140 days, the sixth due 1 September 2025 (so
      overdue); 5 to housing, open, due 1 July 2025 (overdue).
    - 5 meetings held: the police present at each, housing at 3 with apologies at 2.
    """
    panel = factories.panel("West Midlands Scrutiny Panel", PanelKind.SCRUTINY_PANEL)
    police = factories.organisation("West Midlands Police")
    housing = factories.organisation("Coventry Homes Partnership")
    people = {}
    for role, organisation in [
        (Role.CHAIR, police),
        (Role.COORDINATOR, police),
        (Role.MEMBER, housing),
        (Role.READER, factories.organisation("Community Voices")),
    ]:
        person = factories.user(email=f"isp.{role.value}@example.org", organisation_=organisation)
        factories.membership(panel, person, role)
        people[role.value] = person

    R, S = Strand, OffenceCategory
    public_order = [
        case_review(panel, at(2025, 5, 10), [R.RACE], S.PUBLIC_ORDER, Outcome.OC1) for _ in range(5)
    ]
    harassment = [
        case_review(panel, at(2025, 8, 10), [R.RACE], S.HARASSMENT, Outcome.OC14) for _ in range(7)
    ]
    damage = [
        case_review(panel, at(2025, 11, 10), [R.RELIGION], S.CRIMINAL_DAMAGE, Outcome.OC8)
        for _ in range(4)
    ] + [
        case_review(panel, at(2025, 11, 10), [R.SEXUAL_ORIENTATION], S.CRIMINAL_DAMAGE, Outcome.OC8)
    ]
    first_hour = case_review(
        panel, at(2025, 3, 31, 23, 30), [R.RACE, R.DISABILITY], S.PUBLIC_ORDER, Outcome.OC1
    )
    case_review(panel, at(2025, 3, 31, 22, 30), [R.RACE], S.PUBLIC_ORDER, Outcome.OC1)
    db.session.flush()

    findings(Stage.REPORT, Rating.GOOD_PRACTICE, [*public_order, first_hour])
    findings(Stage.INVESTIGATION, Rating.AREA_FOR_IMPROVEMENT, harassment[:5])
    findings(Stage.INVESTIGATION, Rating.NOT_ASSESSED, harassment[5:6])
    lessons = [
        *lessons_about(
            harassment[:3],
            Stage.INVESTIGATION,
            LessonKind.IMPROVEMENT,
            "No interpreter offered.",
            at(2025, 8, 20),
        ),
        *lessons_about(
            public_order,
            Stage.REPORT,
            LessonKind.GOOD_PRACTICE,
            "Prompt attendance.",
            at(2025, 5, 20),
        ),
    ]
    made = at(2025, 6, 1)
    for i in range(6):
        implemented = i < 5
        recommendation = Recommendation(
            lesson=lessons[0],
            panel=panel,
            organisation=police,
            text="Offer an interpreter first.",
            due_date=date(2025, 9, 1),
            status=RecommendationStatus.IMPLEMENTED
            if implemented
            else RecommendationStatus.ACCEPTED,
            created_at=made,
        )
        recommendation.events = [
            RecommendationEvent(status=RecommendationStatus.OPEN, at=made),
            RecommendationEvent(
                status=RecommendationStatus.ACCEPTED, at=made + timedelta(days=10 * (i + 1))
            ),
        ]
        if implemented:
            recommendation.events.append(
                RecommendationEvent(
                    status=RecommendationStatus.IMPLEMENTED,
                    at=made + timedelta(days=100 + 10 * i),
                )
            )
        db.session.add(recommendation)
    for _ in range(5):
        db.session.add(
            Recommendation(
                lesson=lessons[1],
                panel=panel,
                organisation=housing,
                text="Check the tenancy file.",
                due_date=date(2025, 7, 1),
                created_at=made,
                events=[RecommendationEvent(status=RecommendationStatus.OPEN, at=made)],
            )
        )

    for month in range(5, 10):
        meeting = Meeting(
            panel=panel, starts_at=at(2025, month, 15), status=MeetingStatus.MINUTES_PUBLISHED
        )
        db.session.add(meeting)
        meeting.attendance = [
            Attendance(user=people["chair"], organisation=police, status=AttendanceStatus.PRESENT),
            Attendance(
                user=people["member"],
                organisation=housing,
                status=AttendanceStatus.PRESENT if month < 8 else AttendanceStatus.APOLOGIES,
            ),
        ]
    db.session.commit()
    return Scrutiny(
        panel=panel,
        police=police,
        housing=housing,
        reviews=[*public_order, *harassment, *damage, first_hour],
        **people,
    )


@pytest.fixture
def scrutiny(db) -> Scrutiny:
    return build_scrutiny(date(2026, 4, 15))


@dataclass
class Local:
    panel: Panel
    coordinator: User
    police: Organisation
    housing: Organisation


def build_local() -> Local:
    """The local panel's 2025 to 2026 year:

    - live cases: 6 race, high risk, needing safety, referred on 1 May 2025, each with a
      target hardening intervention (owned by the police) agreed 2, 4, 6, 8, 10 and 12 days
      later, all completed; 3 disability, standard risk, needing housing, referred on
      1 June 2025 with a housing action (owned by housing) agreed 30 days later, in progress.
      The 6 race cases closed on 1 December 2025, the victim's needs met, 5 of them feeling
      safer. One case referred and closed in 2024 is outside the year.
    """
    panel = factories.panel("Coventry Hate Crime Panel", PanelKind.LOCAL_HATE_CRIME_PANEL)
    police = factories.organisation("West Midlands Police, Coventry NPU")
    housing = factories.organisation("Coventry Homes")
    coordinator = factories.user(email="chcp.coordinator@example.org", organisation_=police)
    factories.membership(panel, coordinator, Role.COORDINATOR)
    hardening = InterventionType(panel=panel, name="Target hardening", position=1)
    housing_action = InterventionType(panel=panel, name="Housing action", position=2)
    db.session.add_all([hardening, housing_action])
    number = iter(range(1, 100))

    def live_case(created, strand, risk, need, **kwargs) -> LiveCase:
        case = LiveCase(
            panel=panel,
            reference=f"CHCP-{next(number):03d}",
            policing_area="Coventry NPU",
            risk_level=risk,
            risk_reason="Repeat victim.",
            review_date=date(2026, 1, 1),
            created_at=created,
            **kwargs,
        )
        case.strands = [strand]
        case.needs = [need]
        db.session.add(case)
        return case

    for i in range(6):
        case = live_case(
            at(2025, 5, 1),
            Strand.RACE,
            RiskLevel.HIGH,
            VictimNeed.SAFETY,
            status=LiveCaseStatus.CLOSED,
            closed_at=at(2025, 12, 1),
            victim_outcome=VictimOutcome.NEEDS_MET,
            felt_safer=Answer.YES if i < 5 else Answer.NO,
        )
        db.session.add(
            Intervention(
                panel=panel,
                live_case=case,
                type=hardening,
                description="New locks.",
                owner_organisation=police,
                due_date=date(2025, 7, 1),
                status=InterventionStatus.COMPLETED,
                created_at=at(2025, 5, 1) + timedelta(days=2 * (i + 1)),
            )
        )
    for _ in range(3):
        case = live_case(at(2025, 6, 1), Strand.DISABILITY, RiskLevel.STANDARD, VictimNeed.HOUSING)
        db.session.add(
            Intervention(
                panel=panel,
                live_case=case,
                type=housing_action,
                description="Tenancy warning.",
                owner_organisation=housing,
                due_date=date(2025, 9, 1),
                status=InterventionStatus.IN_PROGRESS,
                created_at=at(2025, 7, 1),
            )
        )
    live_case(
        at(2024, 5, 1),
        Strand.RACE,
        RiskLevel.HIGH,
        VictimNeed.SAFETY,
        status=LiveCaseStatus.CLOSED,
        closed_at=at(2024, 9, 1),
    )
    db.session.commit()
    return Local(panel=panel, coordinator=coordinator, police=police, housing=housing)


@pytest.fixture
def local(db) -> Local:
    return build_local()
