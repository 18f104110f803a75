"""Builders for case reviews in tests, and the form data a coordinator would submit."""

from __future__ import annotations

import dataclasses

from panel.accounts.models import User
from panel.cases import services
from panel.cases.models import CaseReview
from panel.cases.services import CaseReviewDetails
from panel.cases.vocabularies import (
    AgeBand,
    Answer,
    LocationType,
    OffenceCategory,
    Outcome,
    OutOfCourtDisposal,
    ReportingRoute,
    Strand,
    UpliftAnswer,
)
from panel.core.database import utcnow
from panel.extensions import db
from panel.panels.models import Membership, Panel, Role

NARRATIVE = (
    "The victim, a bus driver, was racially abused by a passenger on an evening route through "
    "the city centre. Suspect 1 was identified from CCTV, interviewed and charged."
)


def details(**overrides) -> CaseReviewDetails:
    return dataclasses.replace(
        CaseReviewDetails(
            strands=[Strand.RACE],
            offence_category=OffenceCategory.PUBLIC_ORDER,
            legislation="Public Order Act 1986 s.4A",
            reporting_route=ReportingRoute.TELEPHONE,
            incident_month=3,
            incident_year=2025,
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
            narrative=NARRATIVE,
        ),
        **overrides,
    )


def case_review(actor: User, panel: Panel, checked: bool = True, **overrides) -> CaseReview:
    """A case review added through the service, as a coordinator would; unless `checked` is
    False, checked for identifying detail by a second person, so it may go on an agenda."""
    added = services.create_case_review(actor, panel, details(**overrides))
    if checked:
        mark_checked(added)
    return added


def mark_checked(case_review: CaseReview) -> CaseReview:
    """Mark the case review's current text checked, as a chair or coordinator of its panel other
    than its author would (set directly: a test of something else needs no confirmation page).
    With no such person on the panel, the check names nobody."""
    second = db.session.scalar(
        db.select(Membership.user_id)
        .where(
            Membership.panel_id == case_review.panel_id,
            Membership.role.in_([Role.CHAIR, Role.COORDINATOR]),
            Membership.user_id != case_review.created_by_id,
        )
        .order_by(Membership.id)
        .limit(1)
    )
    case_review.checked_by_id = second
    case_review.checked_at = utcnow()
    case_review.checked_sha256 = case_review.text_sha256
    db.session.flush()
    return case_review


def form_data(**overrides) -> dict:
    """What the add form posts for `details()`; an override of None leaves the field out."""
    data = {
        "strands": ["race", "religion"],
        "offence_category": "public_order",
        "legislation": "Crime and Disorder Act 1998 s.31(1)(b)",
        "reporting_route": "third_party_centre",
        "incident_month": "3",
        "incident_year": "2025",
        "policing_area": "Coventry NPU",
        "location_type": "public_transport",
        "victim_age_band": "45_54",
        "victim_key_worker": "yes",
        "repeat_victim": "no",
        "suspect_identified": "yes",
        "outcome": "1A",
        "out_of_court_disposal": "none",
        "uplift_applied": "yes",
        "uplift_announced": "no",
        "victim_wishes_recorded": "not_known",
        "narrative": NARRATIVE,
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}
