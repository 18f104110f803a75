"""Fixtures for the minutes: the scrutiny panel of tests/cases, a held meeting with its standing
agenda and a case review that has a stage rating, a comment, an overall view and a lesson; and
helpers that take the minutes through their lifecycle as the pages and the services do."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from flask import Flask

from panel.cases import services as case_services
from panel.cases.models import CaseReview
from panel.cases.services import FindingDetails
from panel.cases.vocabularies import Rating, Stage
from panel.extensions import db
from panel.lessons import services as lesson_services
from panel.lessons.models import LessonKind
from panel.meetings.models import AgendaItem, Meeting, MeetingStatus
from panel.minutes import services
from panel.minutes.models import Minutes
from panel.minutes.services import ItemNotes
from panel.panels.models import Panel
from tests.cases import factories as case_factories
from tests.cases.conftest import isp  # noqa: F401  (the scrutiny panel, used below)
from tests.conftest import PanelPeople
from tests.meetings import factories as meeting_factories

PUBLIC_NOTE = (
    "The panel agreed the first response showed good victim care and a prompt referral to support."
)
RESTRICTED_NOTE = (
    "Members noted the investigation file was thin on the suspect account; the coordinator will "
    "raise it with the police lead."
)
STAGE_COMMENT = "The suspect was interviewed late, after the victim chased the officer twice."
OVERALL_VIEW = "A fair outcome, reached more slowly than the victim should have had to wait."
LESSON_TEXT = "Offer an interpreter before taking the first account from a victim."


@dataclass
class Held:
    """A held meeting of the scrutiny panel with its people and the case review on its agenda."""

    people: PanelPeople
    meeting: Meeting
    case_review: CaseReview

    @property
    def panel(self) -> Panel:
        return self.people.panel

    def items(self) -> list[AgendaItem]:
        return meeting_factories.agenda_items(self.meeting)

    def case_item(self) -> AgendaItem:
        return next(item for item in self.items() if item.case_review_id == self.case_review.id)

    def minutes(self) -> Minutes | None:
        return db.session.scalar(db.select(Minutes).where(Minutes.meeting_id == self.meeting.id))


def reviewed_case(people: PanelPeople, meeting: Meeting) -> CaseReview:
    """A case review on the meeting's agenda with an area for improvement found at the
    investigation stage, the panel's overall view, and a lesson learnt."""
    case_review = case_factories.case_review(people.coordinator, people.panel)
    case_services.place_on_agenda(people.coordinator, case_review, meeting)
    case_services.record_stage_findings(
        people.coordinator,
        case_review,
        {Stage.INVESTIGATION: FindingDetails(Rating.AREA_FOR_IMPROVEMENT, STAGE_COMMENT)},
        OVERALL_VIEW,
    )
    lesson_services.record_lesson(
        people.coordinator,
        lesson_services.LessonDetails(
            kind=LessonKind.IMPROVEMENT, strands=[], text=LESSON_TEXT, stage=Stage.INVESTIGATION
        ),
        case_review=case_review,
    )
    return case_review


def held_meeting(people: PanelPeople, cases: int = 1) -> tuple[Meeting, list[CaseReview]]:
    """A meeting with the panel's standing agenda (which has "Any other business") and `cases`
    reviewed case reviews, recorded as held."""
    meeting = meeting_factories.meeting_with_agenda(people.coordinator, people.panel)
    case_reviews = [reviewed_case(people, meeting) for _ in range(cases)]
    meeting.status = MeetingStatus.HELD
    db.session.commit()
    return meeting, case_reviews


@pytest.fixture
def held(app: Flask, isp: PanelPeople) -> Held:  # noqa: F811
    with app.test_request_context():
        meeting, (case_review,) = held_meeting(isp)
    return Held(people=isp, meeting=meeting, case_review=case_review)


def notes_form(minutes: Minutes, notes: dict[int, tuple[str, str]], **more) -> dict:
    """What the notes page posts: (restricted, public) by agenda item id, and the edit version
    the page was drawn from."""
    data = {"edit_version": str(minutes.edit_version)}
    for item_id, (restricted, public) in notes.items():
        data[f"restricted_{item_id}"] = restricted
        data[f"public_{item_id}"] = public
    return {**data, **more}


def approved(app: Flask, held: Held, public: str = PUBLIC_NOTE) -> Minutes:
    """The meeting's minutes with notes on the case review item, submitted and approved."""
    people = held.people
    with app.test_request_context():
        minutes = services.start(people.coordinator, held.meeting)
        services.save_notes(
            people.coordinator,
            minutes,
            {held.case_item().id: ItemNotes(RESTRICTED_NOTE, public)},
            ItemNotes(None, None),
            minutes.edit_version,
        )
        services.submit(people.coordinator, minutes, minutes.edit_version)
        services.approve(people.chair, minutes, minutes.edit_version)
    return minutes


def published(app: Flask, held: Held, public: str = PUBLIC_NOTE) -> Minutes:
    """As `approved`, then published by the chair with the real PDF renderer."""
    from panel.minutes.pdf import render_pdf

    minutes = approved(app, held, public)
    with app.test_request_context():
        services.publish(held.people.chair, minutes, minutes.edit_version, render=render_pdf)
    return minutes
