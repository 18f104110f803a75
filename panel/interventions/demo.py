"""Demo live cases and interventions for the Coventry panel, so that a new user sees a partner's
list with something overdue, due soon and later, an update log, and a closed case with its
outcome. Dates are relative to today; every text is anonymised as the guard requires."""

from __future__ import annotations

from datetime import timedelta

from panel.accounts.models import Organisation, User
from panel.cases.vocabularies import Answer, Strand
from panel.core.time import uk_today
from panel.extensions import db
from panel.interventions import services
from panel.interventions.models import LiveCase
from panel.interventions.services import Closure, InterventionDetails, LiveCaseDetails
from panel.interventions.vocabularies import (
    ClosureReason,
    InterventionStatus,
    RiskLevel,
    VictimNeed,
    VictimOutcome,
)
from panel.meetings.models import Meeting, MeetingStatus
from panel.panels.models import Panel

S = InterventionStatus


def load_demo_interventions(panel: Panel, people: dict[str, User]) -> int:
    """Add the demo live cases to `panel` if it has none; returns how many interventions were
    added. `people` holds "coordinator", "housing", "lgbt", "council" and "police" (a member of
    each organisation)."""
    if db.session.scalar(db.select(LiveCase.id).where(LiveCase.panel_id == panel.id).limit(1)):
        return 0
    coordinator = people["coordinator"]
    today = uk_today()
    held = db.session.scalar(
        db.select(Meeting)
        .where(Meeting.panel_id == panel.id, Meeting.status == MeetingStatus.HELD)
        .order_by(Meeting.starts_at.desc())
        .limit(1)
    )
    types = {t.name: t for t in services.intervention_types(panel)}

    def org(key: str) -> Organisation:
        return people[key].organisation

    def agree(case, kind, description, owner, days, lead=None, place=None):
        details = InterventionDetails(
            type=types[kind],
            description=description,
            owner=org(owner),
            due_date=today + timedelta(days=days),
            lead=people[lead] if lead else None,
        )
        return services.agree_intervention(
            coordinator,
            panel,
            details,
            live_case=case,
            place_or_community=place,
            meeting=held,
            notify=False,
        ).intervention

    tenancy = services.refer_case(
        coordinator,
        panel,
        LiveCaseDetails(
            strands=[Strand.RACE],
            policing_area="Coventry NPU",
            risk_level=RiskLevel.HIGH,
            risk_reason="Repeated racist abuse and damage at the victim's home by a neighbour; "
            "the victim's children are afraid to play outside.",
            needs=[VictimNeed.HOUSING, VictimNeed.SAFETY, VictimNeed.EMOTIONAL_SUPPORT],
            review_date=today + timedelta(days=10),
            referred_by=org("police"),
            summary="A family in social housing targeted by a neighbour (Suspect 1) over "
            "several months. Suspect 1 was arrested and bailed with conditions.",
        ),
    )
    housing_action = agree(
        tenancy,
        "Housing action against a perpetrator",
        "Tenancy warning to Suspect 1 and an acceptable behaviour contract.",
        "housing",
        -3,
        lead="housing",
    )
    services.update_intervention(
        people["housing"],
        housing_action,
        status=S.IN_PROGRESS,
        text="Warning letter served. Meeting with Suspect 1 booked for the contract.",
        version=housing_action.version,
    )
    agree(
        tenancy,
        "Target hardening at the victim’s home",
        "Door camera and a letterbox guard fitted at the victim's home.",
        "police",
        7,
    )
    agree(
        tenancy,
        "Referral to a support group or specialist service",
        "Referral of the family to victim support for emotional support.",
        "council",
        21,
    )

    workplace = services.refer_case(
        coordinator,
        panel,
        LiveCaseDetails(
            strands=[Strand.DISABILITY],
            policing_area="Coventry NPU",
            risk_level=RiskLevel.MEDIUM,
            risk_reason="Disability-related harassment on the way to work; the victim has "
            "stopped going out.",
            needs=[VictimNeed.EMPLOYMENT, VictimNeed.HEALTH_DISABILITY],
            review_date=today + timedelta(days=24),
        ),
    )
    job = agree(
        workplace,
        "Employment or work opportunity",
        "Supported work placement close to home, with a travel buddy for the first month.",
        "council",
        12,
        lead="council",
    )
    services.update_intervention(
        people["council"],
        job,
        status=None,
        text="Two employers interested; interview arranged with the first.",
        version=job.version,
    )

    community = agree(
        None,
        "Reassurance patrols",
        "Extra patrols and a street surgery after graffiti targeting the LGBT+ venue.",
        "police",
        30,
        place="City centre, around the LGBT+ venue",
    )
    services.update_intervention(
        people["police"],
        community,
        status=S.IN_PROGRESS,
        text="Patrols running on Friday and Saturday evenings.",
        version=community.version,
    )

    closed = services.refer_case(
        coordinator,
        panel,
        LiveCaseDetails(
            strands=[Strand.SEXUAL_ORIENTATION],
            policing_area="Coventry NPU",
            risk_level=RiskLevel.STANDARD,
            risk_reason="Homophobic comments from a group of young people at a bus stop.",
            needs=[VictimNeed.EMOTIONAL_SUPPORT, VictimNeed.COMMUNITY],
            review_date=today,
        ),
    )
    support = agree(
        closed,
        "Referral to a support group or specialist service",
        "Introduction to the LGBT+ centre's peer support group.",
        "lgbt",
        -20,
        lead="lgbt",
    )
    services.update_intervention(
        people["lgbt"],
        support,
        status=S.COMPLETED,
        text="The victim has joined the peer support group and attends weekly.",
        version=support.version,
    )
    services.close_case(
        coordinator,
        closed,
        Closure(ClosureReason.RESOLVED, VictimOutcome.NEEDS_MET, Answer.YES),
        version=closed.version,
    )
    return 6
