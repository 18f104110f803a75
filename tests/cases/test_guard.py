"""The personal-data guard on case reviews: text with a postcode or a name is stopped with each
finding highlighted; one click redacts it; the chair or coordinator may save it as written, with
a reason that is audited without the text."""

from __future__ import annotations

from panel.cases.models import CaseReview
from panel.cases.vocabularies import Stage
from panel.core.audit import AuditAction, AuditEvent
from tests.cases import factories as cases
from tests.conftest import sign_in

DIRTY = "Suspect 1 followed the victim home near CV1 5RR. John Smith saw it happen."
REDACTED = "Suspect 1 followed the victim home near [POSTCODE]. [PERSON 1] saw it happen."


def _new(client, panel, **overrides):
    return client.post(
        f"/panels/{panel.id}/case-reviews/new", data=cases.form_data(narrative=DIRTY, **overrides)
    )


def _case_count(db) -> int:
    return db.session.scalar(db.select(db.func.count()).select_from(CaseReview))


def test_narrative_with_a_postcode_and_a_name_is_stopped_and_highlighted(client, isp, db):
    sign_in(client, isp.coordinator)
    response = _new(client, isp.panel)
    page = response.get_data(as_text=True)

    assert response.status_code == 200
    assert _case_count(db) == 0
    assert "There is a problem" in page
    message = (
        "Summary of the case contains what looks like a postcode and a person’s name: "
        "reword it, or redact it"
    )
    assert message.replace("’", "&#39;") in page or message in page
    assert 'href="#narrative"' in page
    assert (
        '<mark class="panel-finding"><span class="govuk-visually-hidden">(a postcode) </span>'
        "CV1 5RR</mark>" in page
    )
    assert "John Smith</mark>" in page
    assert "Redact and save" in page


def test_redact_and_save_stores_the_redacted_narrative(client, isp, db):
    sign_in(client, isp.coordinator)
    response = _new(client, isp.panel, guard_action="redact")
    assert response.status_code == 302
    case_review = db.session.scalars(db.select(CaseReview)).one()
    assert case_review.narrative == REDACTED
    page = client.get(response.location).get_data(as_text=True)
    assert "[POSTCODE]" in page and "CV1 5RR" not in page


def test_legislation_and_policing_area_are_guarded_too(client, isp, db):
    sign_in(client, isp.coordinator)
    page = client.post(
        f"/panels/{isp.panel.id}/case-reviews/new",
        data=cases.form_data(legislation="See crime ref 20/12345/25", policing_area="B1 1AA"),
    ).get_data(as_text=True)
    assert "Legislation contains what looks like a crime, incident or CPS reference" in page
    assert "Policing area (NPU) contains what looks like a postcode" in page
    assert _case_count(db) == 0


def test_coordinator_may_save_as_written_as_the_chair_may(client, isp, db):
    sign_in(client, isp.coordinator)
    page = _new(client, isp.panel).get_data(as_text=True)
    assert "Save as written" in page and "Why must this be saved as written?" in page
    assert "Only the chair can do this" not in page

    saved = _new(client, isp.panel, guard_action="override", override_reason="A fictional case")
    assert saved.status_code == 302
    assert _case_count(db) == 1
    event = db.session.scalar(
        db.select(AuditEvent).where(AuditEvent.action == AuditAction.GUARD_OVERRIDE)
    )
    assert event.actor_id == isp.coordinator.id


def test_chair_must_give_a_reason_to_save_as_written(client, isp, db):
    sign_in(client, isp.chair)
    page = _new(client, isp.panel).get_data(as_text=True)
    assert "Save as written" in page and "Why must this be saved as written?" in page

    response = _new(client, isp.panel, guard_action="override", override_reason="")
    assert response.status_code == 200
    assert "Enter why this must be saved as written" in response.get_data(as_text=True)
    assert _case_count(db) == 0


def test_chair_saves_as_written_and_the_trail_has_the_reason_and_kinds_not_the_text(
    client, isp, db
):
    sign_in(client, isp.chair)
    reason = "The postcode is the police station's, and the name is a fictional example."
    response = _new(client, isp.panel, guard_action="override", override_reason=reason)

    assert response.status_code == 302
    case_review = db.session.scalars(db.select(CaseReview)).one()
    assert case_review.narrative == DIRTY
    event = db.session.scalar(
        db.select(AuditEvent).where(AuditEvent.action == AuditAction.GUARD_OVERRIDE)
    )
    assert event.actor_id == isp.chair.id
    assert event.object_type == "case_review" and event.object_id == case_review.id
    assert event.changes == {"reason": reason, "kinds": {"narrative": ["NAME", "POSTCODE"]}}
    trail = str(
        [e.changes for e in db.session.scalars(db.select(AuditEvent)) if e.changes is not None]
    )
    assert "CV1 5RR" not in trail and "John Smith" not in trail


def test_stage_comments_and_the_overall_view_are_guarded(app, client, isp, db):
    with app.test_request_context():
        case_review = cases.case_review(isp.coordinator, isp.panel)
    sign_in(client, isp.coordinator)
    url = f"/case-reviews/{case_review.id}/findings"
    data = {
        "investigation_rating": "area_for_improvement",
        "investigation_comment": "The officer, PC Jones, never called back.",
        "overall_view": "Lessons for the team at B1 1AA.",
    }
    page = client.post(url, data=data).get_data(as_text=True)
    assert "Comment on investigation contains what looks like a person’s name" in page.replace(
        "&#39;", "’"
    )
    assert "The panel’s overall view contains what looks like a postcode" in page
    assert 'href="#investigation_comment"' in page
    assert "PC Jones</mark>" in page

    assert client.post(url, data={**data, "guard_action": "redact"}).status_code == 302
    db.session.refresh(case_review)
    finding = case_review.finding_for(Stage.INVESTIGATION)
    assert finding.comment == "The officer, [PERSON 1], never called back."
    assert case_review.overall_view == "Lessons for the team at [POSTCODE]."
