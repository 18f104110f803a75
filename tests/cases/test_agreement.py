"""The confidentiality agreement: accepted before case material, renewed yearly and on change."""

from datetime import timedelta

import pytest

from panel import access
from panel.cases.agreement import services as agreement
from panel.core.audit import AuditAction, AuditEvent
from panel.core.database import utcnow
from tests.conftest import sign_in


def test_member_accepts_the_agreement_and_is_sent_on(client, people, db):
    sign_in(client, people.member)
    url = f"/panels/{people.panel.id}/confidentiality"
    page = client.get(url).get_data(as_text=True)
    assert "special category data" in page  # the default text until the chair sets one
    response = client.post(f"{url}?next=/panels/{people.panel.id}", data={"agree": "y"})
    assert response.location == f"/panels/{people.panel.id}"
    assert "You accepted this agreement on" in client.get(url).get_data(as_text=True)
    assert (
        db.session.scalar(
            db.select(AuditEvent).where(AuditEvent.object_type == "agreement_acceptance")
        ).actor_id
        == people.member.id
    )


def test_accepting_needs_the_box_ticked(client, people, db):
    sign_in(client, people.member)
    page = client.post(f"/panels/{people.panel.id}/confidentiality", data={}).get_data(as_text=True)
    assert "Confirm that you agree to the confidentiality agreement" in page
    assert not agreement.agreement_accepted(people.member, people.panel)


def test_acceptance_lapses_after_a_year(app, db, people):
    with app.test_request_context():
        agreement.accept(people.member, people.panel)
        assert agreement.agreement_accepted(people.member, people.panel)
    with app.test_request_context():
        later = utcnow() + timedelta(days=366)
        assert not agreement.agreement_accepted(people.member, people.panel, now=later)


def test_changing_the_text_asks_everyone_again(app, client, people, db):
    with app.test_request_context():
        agreement.accept(people.member, people.panel)
    sign_in(client, people.chair)
    response = client.post(
        f"/panels/{people.panel.id}/confidentiality/edit",
        data={"text": "Keep everything confidential."},
    )
    assert response.status_code == 302
    with app.test_request_context():
        assert not agreement.agreement_accepted(people.member, people.panel)
        assert agreement.agreement_text(people.panel) == "Keep everything confidential."


def test_saving_the_same_text_asks_nobody_again(app, client, people, db):
    sign_in(client, people.chair)
    client.post(f"/panels/{people.panel.id}/confidentiality/edit", data={"text": "Same text."})
    with app.test_request_context():
        agreement.accept(people.member, people.panel)
    client.post(f"/panels/{people.panel.id}/confidentiality/edit", data={"text": "Same text."})
    with app.test_request_context():
        assert agreement.agreement_accepted(people.member, people.panel)


def test_only_the_chair_sets_the_text(client, people):
    sign_in(client, people.coordinator)
    assert client.get(f"/panels/{people.panel.id}/confidentiality/edit").status_code == 403


def test_the_services_refuse_whoever_the_pages_refuse(app, people, db):
    """A command or another service: a reader accepts nothing, only the chair sets the text."""
    with app.test_request_context():
        with pytest.raises(access.NotAllowed):
            agreement.accept(people.reader, people.panel)
        with pytest.raises(access.NotAllowed):
            agreement.set_agreement_text(people.coordinator, people.panel, "Tell no one.")
        assert agreement.last_acceptance(people.reader, people.panel) is None
        assert agreement.agreement_text(people.panel) == agreement.DEFAULT_TEXT
    assert db.session.scalar(db.select(db.func.count()).select_from(AuditEvent)) == 0


def test_empty_agreement_text_is_refused(client, people):
    sign_in(client, people.chair)
    page = client.post(
        f"/panels/{people.panel.id}/confidentiality/edit", data={"text": "  "}
    ).get_data(as_text=True)
    assert "Enter the text of the confidentiality agreement" in page


def test_readers_have_no_agreement_to_accept(client, people):
    sign_in(client, people.reader)
    assert client.get(f"/panels/{people.panel.id}/confidentiality").status_code == 404


def test_changes_to_the_text_are_audited_without_the_text(client, people, db):
    sign_in(client, people.chair)
    client.post(f"/panels/{people.panel.id}/confidentiality/edit", data={"text": "First."})
    client.post(f"/panels/{people.panel.id}/confidentiality/edit", data={"text": "Second."})
    events = db.session.scalars(
        db.select(AuditEvent)
        .where(AuditEvent.object_type == "confidentiality_agreement")
        .order_by(AuditEvent.id)
    ).all()
    assert [e.action for e in events] == [AuditAction.CREATE, AuditAction.UPDATE]
    assert "Second." not in str(events[-1].changes)


def test_a_form_posted_before_accepting_returns_to_its_page_after_accepting(client, people):
    from panel.meetings.models import MeetingStatus
    from tests.meetings.factories import meeting_on

    meeting = meeting_on(people.panel, days_from_now=-2, status=MeetingStatus.HELD)
    sign_in(client, people.coordinator)
    # Submitting the minutes is a button only (no page offers it at its own address).
    response = client.post(
        f"/meetings/{meeting.id}/minutes/submit",
        headers={"Referer": f"http://localhost/meetings/{meeting.id}"},
    )
    assert response.status_code == 302
    assert "/confidentiality" in response.location
    assert f"next=/meetings/{meeting.id}" in response.location.replace("%2F", "/")
    assert "minutes/submit" not in response.location
