"""Adding and changing case reviews: the panel's own reference, every fact stored, GOV.UK
messages for anything wrong, and an audit trail that never holds the narrative."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from panel.cases import forms, services
from panel.cases.models import CaseReview, CaseReviewStatus
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
from panel.core.audit import AuditAction, AuditEvent
from panel.core.database import utcnow
from panel.panels.models import PanelKind
from tests import factories
from tests.cases import factories as cases
from tests.conftest import sign_in


def _new(client, panel, **overrides):
    return client.post(f"/panels/{panel.id}/case-reviews/new", data=cases.form_data(**overrides))


def _only_case(db) -> CaseReview:
    return db.session.scalars(db.select(CaseReview)).one()


def test_coordinator_adds_a_case_review_with_every_fact_stored(client, isp, db):
    sign_in(client, isp.coordinator)
    response = _new(client, isp.panel)

    case_review = _only_case(db)
    assert response.status_code == 302
    assert response.location == f"/case-reviews/{case_review.id}"
    year = utcnow().year
    assert case_review.reference == f"ISP-{year}-001"
    assert case_review.status == CaseReviewStatus.ADDED
    assert case_review.strands == [Strand.RACE, Strand.RELIGION]
    assert case_review.offence_category == OffenceCategory.PUBLIC_ORDER
    assert case_review.legislation == "Crime and Disorder Act 1998 s.31(1)(b)"
    assert case_review.reporting_route == ReportingRoute.THIRD_PARTY_CENTRE
    assert (case_review.incident_month, case_review.incident_year) == (3, 2025)
    assert case_review.policing_area == "Coventry NPU"
    assert case_review.location_type == LocationType.PUBLIC_TRANSPORT
    assert case_review.victim_age_band == AgeBand.AGE_45_54
    assert case_review.victim_key_worker == Answer.YES
    assert case_review.repeat_victim == Answer.NO
    assert case_review.suspect_identified == Answer.YES
    assert case_review.outcome == Outcome.OC1A
    assert case_review.out_of_court_disposal == OutOfCourtDisposal.NONE
    assert case_review.uplift_applied == UpliftAnswer.YES
    assert case_review.uplift_announced == UpliftAnswer.NO
    assert case_review.victim_wishes_recorded == Answer.NOT_KNOWN
    assert case_review.narrative == cases.NARRATIVE
    assert case_review.created_by_id == isp.coordinator.id

    page = client.get(response.location).get_data(as_text=True)
    assert f"Case review ISP-{year}-001 added." in page
    assert "Race (including nationality and ethnicity)" in page
    assert "Religion or belief" in page
    assert "March 2025" in page
    assert "1A: Charged or summonsed, alternative offence" in page
    assert "(a positive outcome)" in page


def test_the_chair_can_add_a_case_review_too(client, isp, db):
    sign_in(client, isp.chair)
    assert _new(client, isp.panel).status_code == 302
    assert _only_case(db).created_by_id == isp.chair.id


def test_references_run_in_sequence_per_panel_and_year(app, isp, db):
    with app.test_request_context():
        first = cases.case_review(isp.coordinator, isp.panel)
        second = cases.case_review(isp.coordinator, isp.panel)
        next_year = services.create_case_review(
            isp.coordinator, isp.panel, cases.details(), now=datetime(2031, 1, 2, tzinfo=UTC)
        )
    year = utcnow().year
    assert [first.reference, second.reference] == [f"ISP-{year}-001", f"ISP-{year}-002"]
    assert next_year.reference == "ISP-2031-001"


def test_other_panels_use_their_initials_and_their_own_sequence(app, isp, people, db):
    with app.test_request_context():
        cases.case_review(isp.coordinator, isp.panel)
        local = cases.case_review(people.coordinator, people.panel)
    assert local.reference == f"CHCP-{utcnow().year}-001"


def test_reference_prefix_leaves_out_small_words(db):
    panel = factories.panel("Panel of the Black Country", PanelKind.LOCAL_HATE_CRIME_PANEL)
    assert services.reference_prefix(panel) == "PBC"


def test_a_reference_taken_meanwhile_is_retried_with_the_next(app, isp, db, monkeypatch):
    """Two coordinators saving at once pick the same number; the second takes the next."""
    year = utcnow().year
    with app.test_request_context():
        cases.case_review(isp.coordinator, isp.panel)
        stale = iter([f"ISP-{year}-001"])
        real = services.next_reference
        monkeypatch.setattr(
            services, "next_reference", lambda panel, y: next(stale, None) or real(panel, y)
        )
        second = cases.case_review(isp.coordinator, isp.panel)
    assert second.reference == f"ISP-{year}-002"


def test_adding_is_audited_without_the_narrative(client, isp, db):
    sign_in(client, isp.coordinator)
    _new(client, isp.panel)
    event = db.session.scalar(
        db.select(AuditEvent).where(
            AuditEvent.object_type == "case_review", AuditEvent.action == AuditAction.CREATE
        )
    )
    assert event.actor_id == isp.coordinator.id
    assert event.changes["reference"].startswith("ISP-")
    assert event.changes["outcome"] == "1A"
    assert event.changes["narrative"] == "(set)"
    assert "bus driver" not in str(event.changes)


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"strands": None}, "Select at least one hate crime strand"),
        ({"strands": ["race", "astrology"]}, "Select at least one hate crime strand"),
        ({"offence_category": "arson"}, "Select the offence category"),
        ({"reporting_route": ""}, "Select how the case was reported"),
        ({"incident_month": "13"}, "Select the month of the incident"),
        ({"incident_month": "March"}, "Select the month of the incident"),
        ({"incident_year": ""}, "Enter the year of the incident"),
        ({"incident_year": "twenty"}, "Year must be a year in 4 numbers, like 2025"),
        ({"incident_year": "1999"}, "Year must be 2000 or later"),
        ({"incident_year": str(utcnow().year + 1)}, "Incident must be in the past"),
        ({"policing_area": " "}, "Enter the policing area"),
        ({"policing_area": "N" * 121}, "Policing area must be 120 characters or fewer"),
        ({"legislation": "s" * 201}, "Legislation must be 200 characters or fewer"),
        ({"location_type": None}, "Select the type of location"),
        ({"victim_age_band": "42"}, "Select the victim’s age band"),
        ({"victim_key_worker": "maybe"}, "Select whether the victim was a key worker"),
        ({"repeat_victim": None}, "Select whether the victim was a repeat victim"),
        ({"suspect_identified": None}, "Select whether a suspect was identified"),
        ({"outcome": "19"}, "Select the outcome"),
        ({"out_of_court_disposal": None}, "Select the out-of-court disposal, or none"),
        ({"uplift_applied": None}, "Select whether a sentence uplift was applied"),
        ({"uplift_announced": None}, "Select whether the uplift was announced in open court"),
        (
            {"uplift_applied": "no", "uplift_announced": "yes"},
            "An uplift can only be announced if it was applied",
        ),
        ({"victim_wishes_recorded": None}, "Select whether the victim’s wishes were recorded"),
        ({"narrative": ""}, "Enter a summary of the case"),
        ({"narrative": "x" * 10_000}, "Summary of the case must be 5,000 characters or fewer"),
    ],
)
def test_bad_input_is_refused_with_a_govuk_message(client, isp, db, overrides, message):
    sign_in(client, isp.coordinator)
    response = _new(client, isp.panel, **overrides)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "There is a problem" in page
    assert message in page
    assert db.session.scalar(db.select(db.func.count()).select_from(CaseReview)) == 0


def test_a_later_month_of_this_year_is_in_the_future(client, isp, db, monkeypatch):
    monkeypatch.setattr(forms, "utcnow", lambda: datetime(2026, 6, 15, 12, tzinfo=UTC))
    sign_in(client, isp.coordinator)
    later = _new(client, isp.panel, incident_month="7", incident_year="2026")
    assert "Incident must be in the past" in later.get_data(as_text=True)
    assert _new(client, isp.panel, incident_month="6", incident_year="2026").status_code == 302


def test_an_empty_form_names_every_missing_answer(client, isp, db):
    sign_in(client, isp.coordinator)
    response = client.post(f"/panels/{isp.panel.id}/case-reviews/new", data={})
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    for message in [
        "Select at least one hate crime strand",
        "Select the offence category",
        "Select the month of the incident",
        "Enter the year of the incident",
        "Enter the policing area",
        "Enter a summary of the case",
    ]:
        assert message in page
    assert 'href="#strands"' in page  # the error summary links to the first checkbox


def test_the_form_offers_no_field_for_a_crime_number_or_exact_date(client, isp):
    sign_in(client, isp.coordinator)
    page = client.get(f"/panels/{isp.panel.id}/case-reviews/new").get_data(as_text=True)
    assert "crime number" in page  # only in the advice not to enter it
    assert 'name="crime_reference"' not in page and 'type="date"' not in page
    assert 'name="incident_month"' in page and 'name="incident_year"' in page


def test_coordinator_changes_a_case_review_and_the_change_is_audited(app, client, isp, db):
    with app.test_request_context():
        case_review = cases.case_review(isp.coordinator, isp.panel)
    sign_in(client, isp.coordinator)
    edit = f"/case-reviews/{case_review.id}/edit"
    form = client.get(edit).get_data(as_text=True)
    assert "Coventry NPU" in form and 'value="race" checked' in form

    response = client.post(
        edit,
        data=cases.form_data(
            strands=["race", "disability"],
            policing_area="Dudley NPU",
            narrative="A shorter summary of the case.",
        ),
    )
    assert response.status_code == 302
    db.session.refresh(case_review)
    assert case_review.strands == [Strand.RACE, Strand.DISABILITY]
    assert case_review.policing_area == "Dudley NPU"
    assert case_review.reference.startswith("ISP-")  # the reference never changes
    event = db.session.scalar(db.select(AuditEvent).where(AuditEvent.action == AuditAction.UPDATE))
    assert event.changes["policing_area"] == ["Coventry NPU", "Dudley NPU"]
    assert event.changes["strands"] == [
        "Race (including nationality and ethnicity)",
        "Race (including nationality and ethnicity), Disability",
    ]
    assert event.changes["narrative"] == ["(hidden)", "(changed)"]
    assert "shorter summary" not in str(event.changes)


def test_members_cannot_add_or_change_case_reviews(app, client, isp, db):
    with app.test_request_context():
        case_review = cases.case_review(isp.coordinator, isp.panel)
    sign_in(client, isp.member)
    assert client.get(f"/panels/{isp.panel.id}/case-reviews/new").status_code == 403
    assert _new(client, isp.panel).status_code == 403
    assert client.get(f"/case-reviews/{case_review.id}/edit").status_code == 403
    page = client.get(f"/case-reviews/{case_review.id}").get_data(as_text=True)
    assert "Change the case details" not in page and "Record stage findings" not in page
