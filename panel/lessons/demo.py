"""Demo lessons and recommendations for the scrutiny panel, drawn from its demo case reviews, so
that a new user sees each step of the lifecycle: open, accepted, overdue, implemented and waiting
for the chair, and closed. Dates are relative to today."""

from __future__ import annotations

from datetime import timedelta

from panel.accounts.models import Organisation, User
from panel.cases.models import CaseReview
from panel.cases.vocabularies import Stage, Strand
from panel.extensions import db
from panel.lessons import services
from panel.lessons.lifecycle import Move
from panel.lessons.models import Lesson, LessonKind, Recommendation
from panel.lessons.models import RecommendationStatus as S
from panel.lessons.queries import uk_today
from panel.meetings.models import Meeting, MeetingStatus
from panel.panels.models import Panel

GOOD, IMPROVE = LessonKind.GOOD_PRACTICE, LessonKind.IMPROVEMENT


def load_demo_lessons(panel: Panel, people: dict[str, User]) -> int:
    """Add the demo lessons to `panel` if it has none; returns how many were added. `people`
    holds "chair", "coordinator", "police" (answers for the police) and "courts"."""
    if db.session.scalar(db.select(Lesson.id).where(Lesson.panel_id == panel.id).limit(1)):
        return 0
    cases = list(
        db.session.scalars(
            db.select(CaseReview).where(CaseReview.panel_id == panel.id).order_by(CaseReview.id)
        )
    )
    if len(cases) < 3:
        return 0
    bus, online, neighbour = cases[:3]
    chair, coordinator = people["chair"], people["coordinator"]
    police, courts = people["police"], people["courts"]
    today = uk_today()

    def lesson(case, stage, kind, strands, text) -> Lesson:
        details = services.LessonDetails(kind=kind, strands=strands, text=text, stage=stage)
        return services.record_lesson(coordinator, details, case_review=case)

    def recommend(lesson_, organisation: Organisation, text: str, days: int) -> Recommendation:
        details = services.RecommendationDetails(organisation, text, today + timedelta(days=days))
        return services.add_recommendation(chair, lesson_, details, notify=False).recommendation

    lesson(
        bus,
        Stage.REPORT,
        GOOD,
        [Strand.RACE],
        "Flagging the call as a hate crime from the start and seizing the CCTV the same night "
        "made an early guilty plea possible. Share with control room supervisors.",
    )
    lesson(
        bus,
        Stage.SENTENCING,
        GOOD,
        [Strand.RACE],
        "The court applied the uplift for hostility and said so in open court, as the "
        "Sentencing Act 2020 s.66 requires. The Community Impact Statement helped.",
    )
    care = lesson(
        bus,
        Stage.VICTIM_CARE,
        IMPROVE,
        [Strand.RACE],
        "No referral to victim support was recorded and the victim learnt the sentence only "
        "by asking. Every victim of a hate crime should be referred and told the outcome.",
    )
    closed = recommend(
        care,
        police.organisation,
        "Add a mandatory victim support referral check to the hate crime investigation plan.",
        45,
    )
    services.move_recommendation(
        police,
        closed,
        Move.RESPOND,
        S.ACCEPTED,
        "Accepted. The check is being added to the investigation plan template.",
        1,
    )
    services.move_recommendation(
        police,
        closed,
        Move.IMPLEMENT,
        S.IMPLEMENTED,
        "The template was changed and briefed to every investigation team.",
        2,
    )
    services.move_recommendation(chair, closed, Move.CLOSE, S.CLOSED, None, 3)
    court = lesson(
        bus,
        Stage.COURT,
        IMPROVE,
        [Strand.RACE],
        "The Victim Personal Statement was taken the day before the hearing, too late for the "
        "prosecutor to prepare it.",
    )
    implemented = recommend(
        court,
        courts.organisation,
        "List hate crime cases with a reminder that the Victim Personal Statement is read "
        "before sentence.",
        30,
    )
    services.move_recommendation(
        courts, implemented, Move.RESPOND, S.ACCEPTED, "Accepted for the listing office.", 1
    )
    services.move_recommendation(
        courts,
        implemented,
        Move.IMPLEMENT,
        S.IMPLEMENTED,
        "Listing notes for hate crime cases now carry the reminder.",
        2,
    )
    resolution = lesson(
        online,
        Stage.CHARGING,
        IMPROVE,
        [Strand.RELIGION, Strand.RACE],
        "There is no record that the victim was told what a community resolution would and "
        "would not do, or that the repeat pattern was weighed before choosing it.",
    )
    accepted = recommend(
        resolution,
        police.organisation,
        "Record on every hate crime community resolution what the victim was told and why a "
        "repeat pattern did not call for a charge.",
        40,
    )
    services.move_recommendation(
        police,
        accepted,
        Move.RESPOND,
        S.ACCEPTED,
        "Accepted. Guidance for supervisors is being drafted.",
        1,
    )
    flag = lesson(
        neighbour,
        Stage.REPORT,
        IMPROVE,
        [Strand.DISABILITY],
        "The report was not flagged as disability hate crime until the second incident, so "
        "the pattern was missed.",
    )
    overdue = recommend(
        flag,
        police.organisation,
        "Audit a sample of third-party reports for missing disability hate crime flags and "
        "report the findings to the panel.",
        20,
    )
    # Addressed at an earlier meeting and now past its date: overdue, waiting for the police.
    overdue.due_date = today - timedelta(days=5)
    recommend(
        flag,
        coordinator.organisation,
        "Brief third-party reporting centres on recording the victim's disability and the "
        "hostility shown.",
        10,
    )
    held = db.session.scalar(
        db.select(Meeting)
        .where(Meeting.panel_id == panel.id, Meeting.status == MeetingStatus.HELD)
        .order_by(Meeting.starts_at.desc())
        .limit(1)
    )
    count = 7
    if held is not None:
        services.record_lesson(
            chair,
            services.LessonDetails(
                kind=IMPROVE,
                strands=[],
                text="Across the cases reviewed, third-party reports waited too long for "
                "allocation. Partners should agree a target time.",
            ),
            meeting=held,
        )
        count += 1
    return count
