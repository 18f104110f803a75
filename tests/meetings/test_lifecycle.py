"""The meeting lifecycle: every allowed move, and every refused one with its reason."""

from datetime import UTC, datetime, timedelta

import pytest

from panel.core.audit import AuditAction, AuditEvent
from panel.meetings import lifecycle, services
from panel.meetings.models import MeetingStatus as S
from tests.conftest import sign_in
from tests.meetings.factories import meeting_on

ALLOWED = [
    (S.SCHEDULED, S.HELD),
    (S.SCHEDULED, S.CANCELLED),
    (S.HELD, S.MINUTES_DRAFTED),
    (S.MINUTES_DRAFTED, S.MINUTES_APPROVED),
    (S.MINUTES_APPROVED, S.MINUTES_PUBLISHED),
]
REFUSED = [(source, target) for source in S for target in S if (source, target) not in ALLOWED]


@pytest.mark.parametrize(("source", "target"), ALLOWED)
def test_allowed_move_is_made_and_audited(db, people, source, target):
    meeting = meeting_on(people.panel, days_from_now=-1, status=source)
    services.change_status(people.coordinator, meeting, target)
    assert meeting.status == target
    event = db.session.scalars(
        db.select(AuditEvent).where(
            AuditEvent.object_type == "meeting", AuditEvent.action == AuditAction.UPDATE
        )
    ).all()[-1]
    assert event.changes["status"] == [source.value, target.value]
    assert event.actor_id == people.coordinator.id


@pytest.mark.parametrize(("source", "target"), REFUSED)
def test_refused_move_says_why_and_changes_nothing(db, people, source, target):
    meeting = meeting_on(people.panel, days_from_now=-1, status=source)
    with pytest.raises(lifecycle.TransitionRefused) as refused:
        services.change_status(people.coordinator, meeting, target)
    assert meeting.status == source
    message = str(refused.value)
    assert target.label.lower() in message
    assert message.endswith(".")


def test_a_meeting_cannot_be_held_before_it_starts(db, people):
    meeting = meeting_on(people.panel, days_from_now=3)
    with pytest.raises(lifecycle.TransitionRefused, match="before it has started"):
        services.change_status(people.coordinator, meeting, S.HELD)


def test_cancelling_keeps_the_reason(db, people):
    meeting = meeting_on(people.panel, days_from_now=3)
    services.change_status(people.chair, meeting, S.CANCELLED, reason="Venue unavailable")
    assert meeting.cancellation_reason == "Venue unavailable"


def test_held_is_judged_against_the_time_given(db, people):
    meeting = meeting_on(people.panel, days_from_now=3)
    later = datetime.now(UTC) + timedelta(days=4)
    services.change_status(people.chair, meeting, S.HELD, now=later)
    assert meeting.status == S.HELD


# --- What the meeting page offers --------------------------------------------------------------


def test_holding_is_not_available_before_the_meeting_starts(db, people):
    meeting = meeting_on(people.panel, days_from_now=3)
    now = datetime.now(UTC)
    assert S.HELD not in lifecycle.available_targets(meeting, now)
    assert S.CANCELLED in lifecycle.available_targets(meeting, now)
    assert S.HELD in lifecycle.available_targets(meeting, now + timedelta(days=4))


def test_record_as_held_is_not_offered_before_the_meeting_starts(client, db, people):
    meeting = meeting_on(people.panel, days_from_now=7)
    sign_in(client, people.coordinator)
    page = client.get(f"/meetings/{meeting.id}").get_data(as_text=True)
    assert "Move or change this meeting" in page
    assert "Cancel this meeting" in page
    assert "Record as held" not in page


def test_record_as_held_is_offered_once_the_meeting_has_started(client, db, people):
    meeting = meeting_on(people.panel, days_from_now=0)
    meeting.starts_at = datetime.now(UTC) - timedelta(minutes=5)
    db.session.commit()
    sign_in(client, people.coordinator)
    page = client.get(f"/meetings/{meeting.id}").get_data(as_text=True)
    assert "Record as held" in page
    response = client.post(f"/meetings/{meeting.id}/held", follow_redirects=True)
    assert "Meeting recorded as held." in response.get_data(as_text=True)
    db.session.refresh(meeting)
    assert meeting.status == S.HELD
