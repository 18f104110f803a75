"""A held scrutiny panel meeting with everything minutes are made of, built through the services:
attendance (present, a deputy, apologies, a guest), case reviews on the agenda with a finding
for every stage, lessons with recommendations, a theme across cases, an intervention and actions
agreed, the next meeting, and notes in both layers under every agenda item.

Used by the PDF and CLI tests and by `tests/bench_minutes.py`, so it needs an application context
but no pytest fixture. The phrases below are what tests look for: each layer's text is distinct.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from panel.accounts.models import Organisation, User
from panel.cases import services as cases
from panel.cases.models import CaseReview
from panel.cases.vocabularies import Rating, Stage, Strand
from panel.core.time import uk_today
from panel.extensions import db
from panel.interventions import services as interventions
from panel.lessons import services as lessons
from panel.lessons.models import LessonKind
from panel.meetings import services as meetings
from panel.meetings.attendance import services as attendance
from panel.meetings.models import AgendaItem, AttendanceStatus, Meeting, MeetingStatus
from panel.minutes import services as minutes_services
from panel.minutes.models import Minutes
from panel.panels.models import Panel
from tests.cases import factories as case_factories
from tests.interventions.conftest import local_for_now
from tests.meetings.factories import meeting_on

RESTRICTED_NOTE = (
    "The officer in the case had not seen the earlier reports to the housing provider."
)
PUBLIC_NOTE = "The panel agreed the lessons below and thanked the partners for their candour."
STAGE_COMMENT = "Members only: the THRIVE record was completed within the hour"
OVERALL_VIEW = "Members only overall view: well handled apart from one missed referral."
AOB_RESTRICTED = "A member raised a confidential concern about a school exclusion."
AOB_PUBLIC = "The chair reminded members of the community forum in March."
INTERVENTION_PLACE = "Foleshill Road shops"
THEME = "Victims were rarely told of the hostility uplift at sentencing."
# Typed into the notes: must come out as text, never as markup.
XSS_PUBLIC = '<script>alert("minutes")</script>'
XSS_RESTRICTED = "</td></tr></table><h1>Injected heading</h1>"

NARRATIVE = (
    "The victim, a {role}, was abused by a stranger on {place} in the city centre. The "
    "incident was reported by telephone the same evening; Suspect 1 was identified from CCTV, "
    "interviewed under caution and charged with a racially aggravated public order offence. The "
    "victim gave a Victim Personal Statement and was supported by a specialist caseworker "
    "throughout."
)
ROLES = ("bus driver", "shop worker", "taxi driver", "nurse", "student", "delivery rider")
PLACES = ("an evening bus route", "a high street", "a station forecourt", "a car park")
RATINGS = (Rating.GOOD_PRACTICE, Rating.SATISFACTORY, Rating.AREA_FOR_IMPROVEMENT)


@dataclass
class MinutedMeeting:
    meeting: Meeting
    minutes: Minutes
    case_reviews: list[CaseReview]
    next_meeting: Meeting
    chair: User
    coordinator: User

    @property
    def panel(self) -> Panel:
        return self.meeting.panel

    def publish(self, render) -> None:
        """Submit, approve (the chair) and publish the minutes with `render`."""
        minutes = self.minutes
        minutes_services.submit(self.coordinator, minutes, minutes.edit_version)
        minutes_services.approve(self.chair, minutes, minutes.edit_version)
        minutes_services.publish(self.chair, minutes, minutes.edit_version, render)


def lesson_text(reference: str, number: int) -> str:
    return (
        f"Lesson {number} of {reference}: no interpreter was offered at the first account, so "
        "the statement missed the hostility the victim described."
    )


def build(
    panel: Panel,
    *,
    chair: User,
    coordinator: User,
    organisations: list[Organisation],
    case_count: int = 3,
    lessons_per_case: int = 2,
    recommendations_per_lesson: int = 2,
    days_ago: int = 14,
    notes: bool = True,
) -> MinutedMeeting:
    """A held meeting of `panel` with its minutes started (a draft) and, if `notes`, written."""
    meeting = meeting_on(panel, days_from_now=-days_ago, status=MeetingStatus.HELD)
    meeting.agenda_items = [
        AgendaItem(position=item.position, kind=item.kind, title=item.title)
        for item in meetings.agenda_template(panel)
    ]
    db.session.commit()
    next_meeting = meeting_on(panel, days_from_now=28)

    _attendance(coordinator, meeting)
    attendance.add_guest(coordinator, meeting, "Priya Nair", "Tell MAMA")
    case_reviews = [
        _case_review(
            chair,
            coordinator,
            meeting,
            organisations,
            index,
            lessons_per_case=lessons_per_case,
            recommendations_per_lesson=recommendations_per_lesson,
        )
        for index in range(case_count)
    ]
    lessons.record_lesson(
        chair,
        lessons.LessonDetails(kind=LessonKind.IMPROVEMENT, strands=[Strand.RACE], text=THEME),
        meeting=meeting,
    )
    kind = interventions.intervention_types(panel)[0]
    # The minutes show what was agreed at the meeting whatever the panel's kind; the service
    # agrees interventions on local panels only.
    with local_for_now(panel):
        interventions.agree_intervention(
            coordinator,
            panel,
            interventions.InterventionDetails(
                type=kind,
                description="Reassurance visits to the traders.",
                owner=organisations[0],
                due_date=uk_today() + timedelta(days=30),
            ),
            place_or_community=INTERVENTION_PLACE,
            meeting=meeting,
        )
    for number, organisation in enumerate(organisations, start=1):
        meetings.add_action(
            coordinator,
            meeting,
            f"Action {number}: share the panel's findings with {organisation.name}",
            organisation,
            uk_today() + timedelta(days=21),
        )

    minutes = minutes_services.start(coordinator, meeting)
    if notes:
        write_notes(coordinator, minutes)
    return MinutedMeeting(meeting, minutes, case_reviews, next_meeting, chair, coordinator)


def write_notes(actor: User, minutes: Minutes) -> Minutes:
    """Notes in both layers under every agenda item, with markup typed into them."""
    notes = {}
    for item in minutes.meeting.agenda_items:
        restricted = "\n".join(
            [
                f"{item.title}: {RESTRICTED_NOTE}",
                "Members discussed the victim's wishes and the support offered at each stage, "
                "and noted the housing provider's part in the early response.",
                XSS_RESTRICTED,
            ]
        )
        public = "\n".join(
            [
                f"{item.title}: {PUBLIC_NOTE}",
                "The panel recorded its ratings for each stage and the lessons learnt, and "
                "agreed who would take each recommendation forward.",
                XSS_PUBLIC,
            ]
        )
        notes[item.id] = minutes_services.ItemNotes(restricted=restricted, public=public)
    aob = minutes_services.ItemNotes(restricted=AOB_RESTRICTED, public=AOB_PUBLIC)
    return minutes_services.save_notes(actor, minutes, notes, aob, minutes.edit_version)


def _attendance(actor: User, meeting: Meeting) -> None:
    """Everyone on the register present, except one deputy and one apology when there are
    enough members."""
    register = attendance.register_of(meeting)
    marks = {}
    for index, entry in enumerate(register):
        status = AttendanceStatus.PRESENT
        if len(register) > 3 and index == len(register) - 1:
            status = AttendanceStatus.APOLOGIES
        elif len(register) > 3 and index == len(register) - 2:
            status = AttendanceStatus.DEPUTY
        marks[entry.user.id] = attendance.Mark(
            status, "Sam Deputy" if status == AttendanceStatus.DEPUTY else None
        )
    attendance.record_register(actor, meeting, marks)


def _case_review(
    chair: User,
    coordinator: User,
    meeting: Meeting,
    organisations: list[Organisation],
    index: int,
    *,
    lessons_per_case: int,
    recommendations_per_lesson: int,
) -> CaseReview:
    narrative = NARRATIVE.format(role=ROLES[index % len(ROLES)], place=PLACES[index % len(PLACES)])
    case_review = case_factories.case_review(coordinator, meeting.panel, narrative=narrative)
    cases.place_on_agenda(coordinator, case_review, meeting)
    findings = {
        stage: cases.FindingDetails(
            RATINGS[(index + position) % len(RATINGS)], f"{STAGE_COMMENT} ({stage.label})."
        )
        for position, stage in enumerate(Stage)
    }
    cases.record_stage_findings(chair, case_review, findings, OVERALL_VIEW)
    stages = list(Stage)
    for number in range(1, lessons_per_case + 1):
        lesson = lessons.record_lesson(
            chair,
            lessons.LessonDetails(
                kind=LessonKind.IMPROVEMENT,
                strands=[Strand.RACE],
                text=lesson_text(case_review.reference, number),
                stage=stages[number % len(stages)],
            ),
            case_review=case_review,
        )
        for count in range(recommendations_per_lesson):
            lessons.add_recommendation(
                chair,
                lesson,
                lessons.RecommendationDetails(
                    organisation=organisations[count % len(organisations)],
                    text="Remind response officers to offer an interpreter before taking a "
                    "first account, and check it in supervision.",
                    due_date=uk_today() + timedelta(days=60 + count),
                ),
                notify=False,
            )
    return case_review
