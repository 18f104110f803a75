"""Demo case reviews for the scrutiny panel: three finalised cases, anonymised as the panel would
write them, at different points of their review. One is reviewed at the last meeting, one is
carried over to the next, one is being prepared for it. Every text passes the personal-data
guard, as anything typed into the app must."""

from __future__ import annotations

from panel.accounts.models import User
from panel.cases import services
from panel.cases.models import CaseReview
from panel.cases.services import CaseReviewDetails, FindingDetails
from panel.cases.vocabularies import (
    AgeBand,
    Answer,
    LocationType,
    OffenceCategory,
    Outcome,
    OutOfCourtDisposal,
    Rating,
    ReportingRoute,
    Stage,
    Strand,
    UpliftAnswer,
)
from panel.core.database import utcnow
from panel.extensions import db
from panel.meetings.models import Meeting, MeetingStatus
from panel.panels.models import Membership, Panel, Role

R = Rating


def _cases(year: int) -> list[tuple[CaseReviewDetails, dict[Stage, FindingDetails], str | None]]:
    """(details, findings, overall view) for each demo case; incidents a year or two back."""
    bus = CaseReviewDetails(
        strands=[Strand.RACE],
        offence_category=OffenceCategory.PUBLIC_ORDER,
        legislation="Crime and Disorder Act 1998 s.31(1)(b); Public Order Act 1986 s.4A",
        reporting_route=ReportingRoute.TELEPHONE,
        incident_month=3,
        incident_year=year - 1,
        policing_area="Coventry NPU",
        location_type=LocationType.PUBLIC_TRANSPORT,
        victim_age_band=AgeBand.AGE_45_54,
        victim_key_worker=Answer.YES,
        repeat_victim=Answer.NO,
        suspect_identified=Answer.YES,
        outcome=Outcome.OC1,
        out_of_court_disposal=OutOfCourtDisposal.NONE,
        uplift_applied=UpliftAnswer.YES,
        uplift_announced=UpliftAnswer.YES,
        victim_wishes_recorded=Answer.YES,
        narrative=(
            "The victim, a bus driver, was racially abused by a passenger who refused to pay "
            "the fare on an evening route through the city centre. The driver pressed the "
            "alarm and called 999 at the end of the route. Officers attended within the hour, "
            "seized the on-board CCTV and took a first account.\n\n"
            "Suspect 1 was identified from the CCTV, arrested and interviewed, and made no "
            "comment. The CPS charged a racially aggravated offence. Suspect 1 pleaded guilty "
            "at the first hearing; the court applied the uplift for hostility and said so in "
            "open court. The bus operator provided a Community Impact Statement."
        ),
    )
    bus_findings = {
        Stage.REPORT: FindingDetails(
            R.GOOD_PRACTICE,
            "Call handled promptly, flagged as hate crime from the start, CCTV seized the same "
            "night.",
        ),
        Stage.INVESTIGATION: FindingDetails(
            R.SATISFACTORY, "Arrest within a week. The investigation plan was brief."
        ),
        Stage.CHARGING: FindingDetails(
            R.GOOD_PRACTICE, "The right aggravated offence, hate crime flag on the file."
        ),
        Stage.COURT: FindingDetails(
            R.SATISFACTORY,
            "The Victim Personal Statement was taken late, the day before the hearing.",
        ),
        Stage.SENTENCING: FindingDetails(
            R.GOOD_PRACTICE, "Uplift applied and announced in open court."
        ),
        Stage.VICTIM_CARE: FindingDetails(
            R.AREA_FOR_IMPROVEMENT,
            "No referral to victim support was recorded, and the victim was not told of the "
            "sentence until asked.",
        ),
        Stage.OUTCOME: FindingDetails(R.GOOD_PRACTICE, "A proportionate outcome."),
    }
    bus_view = (
        "A well handled prosecution let down by victim care. Lesson for partners: refer "
        "every victim of a hate crime to support, and tell them the outcome without waiting "
        "to be asked."
    )

    online = CaseReviewDetails(
        strands=[Strand.RELIGION, Strand.RACE],
        offence_category=OffenceCategory.MALICIOUS_COMMUNICATIONS,
        legislation="Malicious Communications Act 1988 s.1",
        reporting_route=ReportingRoute.TELL_MAMA,
        incident_month=9,
        incident_year=year - 1,
        policing_area="Birmingham East NPU",
        location_type=LocationType.ONLINE,
        victim_age_band=AgeBand.AGE_25_34,
        victim_key_worker=Answer.NO,
        repeat_victim=Answer.YES,
        suspect_identified=Answer.YES,
        outcome=Outcome.OC8,
        out_of_court_disposal=OutOfCourtDisposal.COMMUNITY_RESOLUTION,
        uplift_applied=UpliftAnswer.NOT_APPLICABLE,
        uplift_announced=UpliftAnswer.NOT_APPLICABLE,
        victim_wishes_recorded=Answer.YES,
        narrative=(
            "The victim, a Muslim woman, received abusive messages about her faith and "
            "ethnicity over several weeks from an account linked to a former neighbour "
            "(Suspect 1). She reported through Tell MAMA, which passed the report to the "
            "force.\n\n"
            "Suspect 1 admitted sending the messages in a voluntary interview. The victim said "
            "she wanted an apology and for the messages to stop rather than a prosecution. The "
            "case was resolved by a community resolution with a written apology and an "
            "agreement to make no further contact."
        ),
    )
    online_findings = {
        Stage.REPORT: FindingDetails(
            R.SATISFACTORY,
            "The third-party report reached the force quickly but waited nine days for allocation.",
        ),
        Stage.INVESTIGATION: FindingDetails(
            R.GOOD_PRACTICE, "Screenshots preserved and the account attributed promptly."
        ),
        Stage.CHARGING: FindingDetails(
            R.AREA_FOR_IMPROVEMENT,
            "No record that the victim was told what a community resolution would and would "
            "not do, or that the repeat pattern was weighed.",
        ),
        Stage.VICTIM_CARE: FindingDetails(
            R.SATISFACTORY, "The victim’s wishes were recorded; no follow-up call afterwards."
        ),
    }

    neighbour = CaseReviewDetails(
        strands=[Strand.DISABILITY],
        offence_category=OffenceCategory.HARASSMENT,
        legislation="Protection from Harassment Act 1997 s.2",
        reporting_route=ReportingRoute.THIRD_PARTY_CENTRE,
        incident_month=1,
        incident_year=year - 1,
        policing_area="Dudley NPU",
        location_type=LocationType.HOME,
        victim_age_band=AgeBand.AGE_55_64,
        victim_key_worker=Answer.NO,
        repeat_victim=Answer.YES,
        suspect_identified=Answer.YES,
        outcome=Outcome.OC16,
        out_of_court_disposal=OutOfCourtDisposal.NONE,
        uplift_applied=UpliftAnswer.NOT_APPLICABLE,
        uplift_announced=UpliftAnswer.NOT_APPLICABLE,
        victim_wishes_recorded=Answer.NOT_KNOWN,
        narrative=(
            "The victim, who has a learning disability, was repeatedly taunted and had "
            "rubbish left at their door by a neighbour over several months. A housing "
            "provider's third-party reporting centre took the report.\n\n"
            "The neighbour (Suspect 1) was spoken to but not interviewed under caution. The "
            "victim later withdrew support and the case was filed for evidential difficulties. "
            "The housing provider issued a tenancy warning."
        ),
    )
    neighbour_findings = {
        Stage.REPORT: FindingDetails(
            R.AREA_FOR_IMPROVEMENT,
            "The report was not flagged as disability hate crime until the second incident.",
        ),
        Stage.INVESTIGATION: FindingDetails(
            R.AREA_FOR_IMPROVEMENT,
            "The suspect's account was never obtained under caution; no Inspector's review "
            "before filing.",
        ),
    }
    return [
        (bus, bus_findings, bus_view),
        (online, online_findings, None),
        (neighbour, neighbour_findings, None),
    ]


def load_demo_case_reviews(panel: Panel, coordinator: User) -> int:
    """Add the demo case reviews to `panel` if it has none; returns how many were added. Placed
    on the panel's last held meeting and its next scheduled one, where it has them."""
    if db.session.scalar(db.select(CaseReview.id).where(CaseReview.panel_id == panel.id).limit(1)):
        return 0
    held = db.session.scalar(
        db.select(Meeting)
        .where(Meeting.panel_id == panel.id, Meeting.status == MeetingStatus.HELD)
        .order_by(Meeting.starts_at.desc())
        .limit(1)
    )
    upcoming = db.session.scalar(
        db.select(Meeting)
        .where(
            Meeting.panel_id == panel.id,
            Meeting.status == MeetingStatus.SCHEDULED,
            Meeting.starts_at > utcnow(),
        )
        .order_by(Meeting.starts_at)
        .limit(1)
    )
    # The second pair of eyes: the chair checks each case for identifying detail before it goes
    # on an agenda, and again once the findings are in.
    chair = db.session.scalar(
        db.select(User)
        .join(Membership, Membership.user_id == User.id)
        .where(
            Membership.panel_id == panel.id,
            Membership.role == Role.CHAIR,
            User.id != coordinator.id,
        )
        .limit(1)
    )
    # Reviewed at the last meeting; carried over from it to the next; new for the next.
    meetings_for = [[held], [held, upcoming], [upcoming]]
    cases = _cases(utcnow().year)
    for (details, findings, overall_view), meetings in zip(cases, meetings_for, strict=True):
        case_review = services.create_case_review(coordinator, panel, details)
        _check(chair, case_review)
        for meeting in meetings:
            if meeting is not None:
                services.place_on_agenda(coordinator, case_review, meeting)
        services.record_stage_findings(coordinator, case_review, findings, overall_view)
        _check(chair, case_review)
    return len(cases)


def _check(chair: User | None, case_review: CaseReview) -> None:
    if chair is not None:
        services.confirm_checked(chair, case_review, case_review.text_sha256)
