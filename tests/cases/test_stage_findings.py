"""Stage findings: a rating and a comment for each of the seven stages, the panel's overall
view, the case page showing every stage at a glance, and closing a reviewed case."""

from __future__ import annotations

import pytest

from panel.cases import services
from panel.cases.models import CaseReviewStatus, StageFinding
from panel.cases.services import FindingDetails
from panel.cases.vocabularies import Rating, Stage
from panel.core.audit import AuditAction, AuditEvent
from tests.cases import factories as cases
from tests.conftest import sign_in

RATINGS = {
    Stage.REPORT: "good_practice",
    Stage.INVESTIGATION: "area_for_improvement",
    Stage.CHARGING: "satisfactory",
    Stage.COURT: "satisfactory",
    Stage.SENTENCING: "good_practice",
    Stage.VICTIM_CARE: "area_for_improvement",
    Stage.OUTCOME: "not_assessed",
}


@pytest.fixture
def case_review(app, isp):
    with app.test_request_context():
        return cases.case_review(isp.coordinator, isp.panel)


def _all_stages() -> dict:
    data = {}
    for stage, rating in RATINGS.items():
        data[f"{stage.value}_rating"] = rating
        data[f"{stage.value}_comment"] = f"What the panel found about {stage.label.lower()}."
    return data


def test_findings_for_all_seven_stages_make_the_case_reviewed(client, isp, db, case_review):
    sign_in(client, isp.coordinator)
    url = f"/case-reviews/{case_review.id}/findings"
    form = client.get(url).get_data(as_text=True)
    for stage in Stage:
        assert stage.label in form
        assert f'name="{stage.value}_rating"' in form and f'id="{stage.value}_comment"' in form

    response = client.post(
        url, data={**_all_stages(), "overall_view": "Good charging, poor victim care."}
    )
    assert response.status_code == 302
    assert response.location == f"/case-reviews/{case_review.id}#stage-findings"
    db.session.refresh(case_review)
    assert case_review.status == CaseReviewStatus.REVIEWED
    assert case_review.overall_view == "Good charging, poor victim care."
    assert {f.stage: f.rating.value for f in case_review.stage_findings} == RATINGS
    assert all(f.updated_by_id == isp.coordinator.id for f in case_review.stage_findings)

    page = client.get(f"/case-reviews/{case_review.id}").get_data(as_text=True)
    assert "7 of 7 stages rated." in page
    for stage in Stage:
        assert f'<th scope="row" class="govuk-table__header">{stage.label}</th>' in page
        assert f"What the panel found about {stage.label.lower()}." in page
    for rating in Rating:
        assert rating.label in page
    assert "Good charging, poor victim care." in page


def test_stages_without_a_rating_wait_for_later(client, isp, db, case_review):
    sign_in(client, isp.coordinator)
    url = f"/case-reviews/{case_review.id}/findings"
    client.post(url, data={"report_rating": "good_practice", "report_comment": "Quick response."})
    db.session.refresh(case_review)
    assert [f.stage for f in case_review.stage_findings] == [Stage.REPORT]
    assert case_review.status == CaseReviewStatus.ADDED

    page = client.get(f"/case-reviews/{case_review.id}").get_data(as_text=True)
    assert "1 of 7 stages rated." in page
    assert page.count("Not recorded yet") == 7  # six stages and the overall view

    # The form comes back with what was recorded, and the rest is added later.
    form = client.get(url).get_data(as_text=True)
    assert 'value="good_practice" checked' in form and "Quick response." in form
    client.post(url, data=_all_stages())
    db.session.refresh(case_review)
    assert case_review.status == CaseReviewStatus.REVIEWED
    assert db.session.scalar(db.select(db.func.count()).select_from(StageFinding)) == 7


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({}, "Select a rating for at least one stage"),
        ({"court_comment": "No special measures."}, "Select a rating for case progression"),
        ({"court_rating": "excellent"}, "Select a rating for case progression and court:"),
        (
            {"report_rating": "satisfactory", "report_comment": "x" * 2_001},
            "Comment on report and initial response must be 2,000 characters or fewer",
        ),
        (
            {"report_rating": "satisfactory", "overall_view": "x" * 5_001},
            "The panel’s overall view must be 5,000 characters or fewer",
        ),
    ],
)
def test_bad_findings_are_refused_with_a_govuk_message(client, isp, db, case_review, data, message):
    sign_in(client, isp.coordinator)
    response = client.post(f"/case-reviews/{case_review.id}/findings", data=data)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "There is a problem" in page and message in page
    assert db.session.scalar(db.select(db.func.count()).select_from(StageFinding)) == 0


def test_changed_findings_are_audited_without_the_comments(app, isp, db, case_review):
    with app.test_request_context():
        services.record_stage_findings(
            isp.coordinator,
            case_review,
            {Stage.REPORT: FindingDetails(Rating.SATISFACTORY, "Slow to attend.")},
            None,
        )
        services.record_stage_findings(
            isp.chair,
            case_review,
            {Stage.REPORT: FindingDetails(Rating.AREA_FOR_IMPROVEMENT, "Very slow to attend.")},
            None,
        )
    events = db.session.scalars(
        db.select(AuditEvent).where(AuditEvent.action == AuditAction.UPDATE).order_by(AuditEvent.id)
    ).all()
    assert events[0].changes == {
        "report_rating": [None, "satisfactory"],
        "report_comment": ["(hidden)", "(changed)"],
        # The comment is new text, so the check for identifying detail no longer stands.
        "checked_for_identifying_detail": ["yes", "withdrawn: the text changed"],
    }
    assert events[1].changes["report_rating"] == ["satisfactory", "area_for_improvement"]
    assert "slow" not in str([e.changes for e in events]).lower()


def test_chair_closes_a_reviewed_case_and_it_can_no_longer_change(client, isp, db, case_review):
    sign_in(client, isp.chair)
    client.post(f"/case-reviews/{case_review.id}/findings", data=_all_stages())
    page = client.get(f"/case-reviews/{case_review.id}").get_data(as_text=True)
    assert "Close case review" in page

    response = client.post(f"/case-reviews/{case_review.id}/close")
    assert response.status_code == 302
    db.session.refresh(case_review)
    assert case_review.status == CaseReviewStatus.CLOSED
    page = client.get(response.location).get_data(as_text=True)
    assert f"Case review {case_review.reference} closed." in page
    assert "Record stage findings" not in page

    refused = client.post(f"/case-reviews/{case_review.id}/findings", data=_all_stages())
    assert refused.status_code == 302
    assert "This case review is closed" in client.get(refused.location).get_data(as_text=True)
    assert client.get(f"/case-reviews/{case_review.id}/edit").status_code == 302


def test_a_case_is_closed_only_once_reviewed(client, isp, db, case_review):
    sign_in(client, isp.coordinator)
    assert "Close case review" not in client.get(f"/case-reviews/{case_review.id}").get_data(
        as_text=True
    )
    response = client.post(f"/case-reviews/{case_review.id}/close")
    page = client.get(response.location).get_data(as_text=True)
    assert "once every stage has a rating" in page
    db.session.refresh(case_review)
    assert case_review.status == CaseReviewStatus.ADDED


def test_members_cannot_record_findings_or_close(client, isp, db, case_review):
    sign_in(client, isp.member)
    assert client.get(f"/case-reviews/{case_review.id}/findings").status_code == 403
    assert (
        client.post(f"/case-reviews/{case_review.id}/findings", data=_all_stages()).status_code
        == 403
    )
    assert client.post(f"/case-reviews/{case_review.id}/close").status_code == 403
