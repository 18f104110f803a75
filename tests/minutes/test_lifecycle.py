"""The minutes' lifecycle through the pages, as the coordinator and the chair use them: start,
write notes, submit, send back, approve (the chair only), locked, publish after the redaction
review, and a new version whose change the versions page shows."""

from __future__ import annotations

import hashlib
from types import SimpleNamespace

from panel.core.audit import AuditAction, AuditEvent
from panel.meetings.models import MeetingStatus
from panel.minutes import services
from panel.minutes.models import Minutes, MinutesStatus
from tests.conftest import sign_in
from tests.minutes.conftest import (
    PUBLIC_NOTE,
    RESTRICTED_NOTE,
    approved,
    notes_form,
)

CHANGED_NOTE = "The panel agreed the first response was prompt and the referral to support timely."


def _post(client, path: str, minutes: Minutes, **data):
    return client.post(path, data={"edit_version": str(minutes.edit_version), **data})


def test_coordinator_and_chair_take_the_minutes_from_start_to_a_second_version(
    app, client, held, db
):
    people, meeting = held.people, held.meeting
    base = f"/meetings/{meeting.id}/minutes"
    case_item = held.case_item()

    sign_in(client, people.coordinator)
    meeting_page = client.get(f"/meetings/{meeting.id}").get_data(as_text=True)
    assert "Start the minutes" in meeting_page
    started = client.post(f"{base}/start")
    assert started.location == f"{base}/edit"
    minutes = held.minutes()
    assert minutes.status == MinutesStatus.DRAFT
    db.session.refresh(meeting)
    assert meeting.status == MeetingStatus.MINUTES_DRAFTED

    saved = client.post(
        f"{base}/edit",
        data=notes_form(minutes, {case_item.id: (RESTRICTED_NOTE, PUBLIC_NOTE)}),
    )
    assert saved.location == base
    page = client.get(base).get_data(as_text=True)
    assert "Notes saved." in page
    assert RESTRICTED_NOTE in page and PUBLIC_NOTE in page
    assert "Restricted: panel members only" in page

    db.session.refresh(minutes)
    assert _post(client, f"{base}/submit", minutes).location == base
    db.session.refresh(minutes)
    assert minutes.status == MinutesStatus.SUBMITTED
    page = client.get(base).get_data(as_text=True)
    assert "Minutes submitted to the chair for approval." in page
    assert "Approve" not in page.split('id="minutes-document"')[0]
    # The coordinator cannot approve: that is the chair's.
    assert _post(client, f"{base}/approve", minutes).status_code == 403
    # Nor change the notes while the chair has them.
    assert client.get(f"{base}/edit").location == base
    client.post("/sign-out")

    sign_in(client, people.chair)
    page = client.get(base).get_data(as_text=True)
    assert "Send back to draft" in page and "Review and approve" in page
    assert _post(client, f"{base}/send-back", minutes).location == base
    db.session.refresh(minutes)
    assert minutes.status == MinutesStatus.DRAFT
    client.post("/sign-out")

    sign_in(client, people.coordinator)
    db.session.refresh(minutes)
    _post(client, f"{base}/submit", minutes)
    client.post("/sign-out")

    sign_in(client, people.chair)
    db.session.refresh(minutes)
    # Approval goes through its confirmation page.
    confirmation = client.get(f"{base}/approve").get_data(as_text=True)
    assert "Approve minutes" in confirmation and PUBLIC_NOTE in confirmation
    assert _post(client, f"{base}/approve", minutes).location == base
    db.session.refresh(minutes)
    db.session.refresh(meeting)
    assert minutes.status == MinutesStatus.APPROVED
    assert meeting.status == MeetingStatus.MINUTES_APPROVED
    (version,) = minutes.versions
    assert version.approved_by_id == people.chair.id
    page = client.get(base).get_data(as_text=True)
    assert "Version 1 approved and locked." in page
    assert "Harriet Lang" in page and "Review and publish" in page

    # The review shows the public layer only, and publishing needs the confirmation.
    review = client.get(f"{base}/publish").get_data(as_text=True)
    assert PUBLIC_NOTE in review and RESTRICTED_NOTE not in review
    unchecked = _post(client, f"{base}/publish", minutes)
    assert unchecked.status_code == 200
    text = unchecked.get_data(as_text=True)
    assert "There is a problem" in text
    assert text.count("Select to confirm that you have checked what readers will see") == 2
    db.session.refresh(minutes)
    assert minutes.status == MinutesStatus.APPROVED
    assert _post(client, f"{base}/publish", minutes, checked="y").location == base
    db.session.expire_all()
    assert minutes.status == MinutesStatus.PUBLISHED
    assert meeting.status == MeetingStatus.MINUTES_PUBLISHED
    assert version.published_by_id == people.chair.id
    assert version.published_sha256 == hashlib.sha256(version.published_pdf).hexdigest()
    page = client.get(base).get_data(as_text=True)
    assert version.published_sha256 in page
    assert f'href="/minutes/{minutes.id}.pdf"' in page
    client.post("/sign-out")

    sign_in(client, people.coordinator)
    db.session.refresh(minutes)
    assert _post(client, f"{base}/new-version", minutes).location == base
    db.session.refresh(minutes)
    assert (minutes.status, minutes.version_number) == (MinutesStatus.DRAFT, 2)
    client.post(
        f"{base}/edit",
        data=notes_form(minutes, {case_item.id: (RESTRICTED_NOTE, CHANGED_NOTE)}),
    )
    versions = client.get(f"{base}/versions").get_data(as_text=True)
    assert "Version 1" in versions and version.published_sha256 in versions
    assert f"{base}/compare?from=1&amp;to=draft" in versions
    compare = client.get(f"{base}/compare?from=1&to=draft").get_data(as_text=True)
    assert f"Removed: </span>{PUBLIC_NOTE}</del>" in compare
    assert f"Added: </span>{CHANGED_NOTE}</ins>" in compare
    assert "1 line added and 1 line removed" in compare


def test_each_page_of_a_step_is_open_only_in_the_status_the_step_starts_from():
    for status in MinutesStatus:
        minutes = SimpleNamespace(status=status)
        assert (services.notes_locked(minutes) is None) == (status == MinutesStatus.DRAFT)
        assert (services.approval_closed(minutes) is None) == (status == MinutesStatus.SUBMITTED)
        closed = services.publication_closed(minutes)
        assert (closed is None) == (status == MinutesStatus.APPROVED)
        assert closed is None or closed.startswith("Only approved minutes can be published. ")


def test_approved_minutes_are_locked(app, client, held, db):
    minutes = approved(app, held)
    base = f"/meetings/{held.meeting.id}/minutes"
    sign_in(client, held.people.coordinator)
    refused = client.get(f"{base}/edit", follow_redirects=True).get_data(as_text=True)
    assert "These minutes are approved and locked. Start a new version to change them." in refused
    posted = client.post(
        f"{base}/edit",
        data=notes_form(minutes, {held.case_item().id: ("", "A change after approval.")}),
    )
    assert posted.status_code == 200
    page = posted.get_data(as_text=True)
    assert "These minutes are approved and locked. Start a new version to change them." in page
    assert "A change after approval." in page  # what they typed is kept
    db.session.refresh(minutes)
    assert minutes.note_for(held.case_item().id).public == PUBLIC_NOTE


def test_a_stale_save_is_refused_next_to_the_field_and_keeps_the_text(app, client, held, db):
    sign_in(client, held.people.coordinator)
    base = f"/meetings/{held.meeting.id}/minutes"
    client.post(f"{base}/start")
    minutes = held.minutes()
    item = held.case_item()
    first = notes_form(minutes, {item.id: ("", "Saved first by someone else.")})
    second = notes_form(minutes, {item.id: ("", "Written at the same time.")})
    assert client.post(f"{base}/edit", data=first).status_code == 302
    clash = client.post(f"{base}/edit", data=second)
    assert clash.status_code == 200
    page = clash.get_data(as_text=True)
    assert "Someone else saved these minutes while you were working on them." in page
    assert 'class="govuk-error-summary' in page and 'class="govuk-error-message' in page
    assert "Written at the same time." in page
    db.session.refresh(minutes)
    # The form now carries the saved version, so saving again goes through.
    assert f'value="{minutes.edit_version}"' in page
    assert minutes.note_for(item.id).public == "Saved first by someone else."


def test_a_step_from_a_stale_page_is_refused_with_a_message(app, client, held, db):
    sign_in(client, held.people.coordinator)
    base = f"/meetings/{held.meeting.id}/minutes"
    client.post(f"{base}/start")
    response = client.post(f"{base}/submit", data={"edit_version": "999"}, follow_redirects=True)
    assert "Someone else saved these minutes" in response.get_data(as_text=True)
    assert held.minutes().status == MinutesStatus.DRAFT


def test_minutes_cannot_start_before_the_meeting_is_held(app, client, held, db):
    held.meeting.status = MeetingStatus.SCHEDULED
    db.session.commit()
    sign_in(client, held.people.coordinator)
    base = f"/meetings/{held.meeting.id}/minutes"
    page = client.get(base).get_data(as_text=True)
    assert "Start the minutes" not in page
    assert "once the meeting is recorded as held" in page
    refused = client.post(f"{base}/start", follow_redirects=True).get_data(as_text=True)
    assert "Minutes can be started once the meeting is recorded as held." in refused
    assert held.minutes() is None


def test_only_organisers_start_and_only_the_chair_approves_or_publishes(app, client, held, db):
    base = f"/meetings/{held.meeting.id}/minutes"
    sign_in(client, held.people.member)
    assert client.post(f"{base}/start").status_code == 403
    assert "Start the minutes" not in client.get(base).get_data(as_text=True)
    client.post("/sign-out")
    minutes = approved(app, held)
    sign_in(client, held.people.coordinator)
    assert client.get(f"{base}/publish").status_code == 403
    assert _post(client, f"{base}/publish", minutes, checked="y").status_code == 403
    assert _post(client, f"{base}/send-back", minutes).status_code == 403
    db.session.refresh(minutes)
    assert minutes.status == MinutesStatus.APPROVED


def test_each_step_is_in_the_audit_trail(app, client, held, db):
    minutes = approved(app, held)
    steps = [
        (event.changes or {}).get("step")
        for event in db.session.scalars(
            db.select(AuditEvent)
            .where(AuditEvent.object_type == "minutes", AuditEvent.object_id == minutes.id)
            .order_by(AuditEvent.id)
        )
        if event.action == AuditAction.UPDATE
    ]
    assert [step for step in steps if step] == ["submitted for approval", "version 1 approved"]
