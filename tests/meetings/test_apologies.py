"""Apologies before the meeting: a member sends theirs (naming a deputy from their organisation if
they like) or withdraws them, the chair or coordinator records them for a member, and the register
taken at the meeting starts from them. None of it is offered once the meeting has started."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from panel.core.audit import AuditAction, AuditEvent
from panel.core.database import utcnow
from panel.meetings.attendance import services as attendance
from panel.meetings.models import Attendance, AttendanceStatus, MeetingStatus
from panel.panels.models import Role
from tests import factories
from tests.conftest import sign_in
from tests.meetings.factories import meeting_on
from tests.querycount import count_queries

APOLOGIES, DEPUTY, PRESENT = (
    AttendanceStatus.APOLOGIES,
    AttendanceStatus.DEPUTY,
    AttendanceStatus.PRESENT,
)


def rows(db, meeting) -> dict[str, tuple]:
    found = db.session.scalars(db.select(Attendance).where(Attendance.meeting_id == meeting.id))
    return {row.user.full_name: (row.status, row.deputy_name) for row in found}


def events(db) -> list[AuditEvent]:
    return list(
        db.session.scalars(
            db.select(AuditEvent)
            .where(AuditEvent.object_type == "attendance")
            .order_by(AuditEvent.id)
        )
    )


def started(db, meeting, minutes_ago: int = 10):
    """The day comes: the meeting started `minutes_ago` minutes ago."""
    meeting.starts_at = utcnow() - timedelta(minutes=minutes_ago)
    db.session.commit()
    return meeting


def checked(page: str, field: str, value: str) -> bool:
    """Whether the radio `field` has `value` selected on the page."""
    for tag in re.findall(r"<input[^>]*>", page):
        if f'name="{field}"' in tag and f'value="{value}"' in tag:
            return "checked" in tag
    raise AssertionError(f"no radio {field}={value} on the page")


# --- A member sends and withdraws their apologies ----------------------------------------------


def test_member_sends_apologies_with_a_deputy_a_week_before(client, people, db):
    meeting = meeting_on(people.panel, days_from_now=7)
    sign_in(client, people.member)
    page = client.get(f"/meetings/{meeting.id}").get_data(as_text=True)
    assert "Send your apologies" in page
    form = client.get(f"/meetings/{meeting.id}/apologies").get_data(as_text=True)
    assert "Someone from Coventry Homes Partnership" in form
    response = client.post(
        f"/meetings/{meeting.id}/apologies", data={"deputy_name": "  Sam Collins  "}
    )
    assert response.status_code == 302
    assert rows(db, meeting) == {"Grace Mensah": (DEPUTY, "Sam Collins")}
    page = client.get(response.location).get_data(as_text=True)
    assert "Your apologies have been sent." in page
    assert "Represented by a deputy: Sam Collins" in page
    assert "Sent by Grace Mensah on" in page
    assert "Withdraw your apologies" in page
    assert "Send your apologies" not in page
    # Before the meeting nobody is in the room yet: no quorum to judge.
    assert "Quorum not met" not in page
    (event,) = events(db)
    assert (event.action, event.actor_id) == (AuditAction.CREATE, people.member.id)
    assert event.changes["status"] == "deputy"
    # A typed name: the trail says one was given (issue 18, finding 7).
    assert event.changes["deputy_name"] == "(set)"
    assert event.changes["sent_by"] == "Grace Mensah"


def test_member_sends_apologies_without_a_deputy_then_names_one(client, people, db):
    meeting = meeting_on(people.panel, days_from_now=7)
    sign_in(client, people.member)
    client.post(f"/meetings/{meeting.id}/apologies", data={"deputy_name": ""})
    assert rows(db, meeting) == {"Grace Mensah": (APOLOGIES, None)}
    form = client.get(f"/meetings/{meeting.id}/apologies").get_data(as_text=True)
    assert "You sent your apologies on" in form
    client.post(f"/meetings/{meeting.id}/apologies", data={"deputy_name": "Sam Collins"})
    assert rows(db, meeting) == {"Grace Mensah": (DEPUTY, "Sam Collins")}
    created, updated = events(db)
    assert updated.action == AuditAction.UPDATE
    assert updated.changes["status"] == ["apologies", "deputy"]
    assert updated.changes["deputy_name"] == ["(hidden)", "(changed)"]


def test_member_withdraws_their_apologies(client, people, db):
    meeting = meeting_on(people.panel, days_from_now=7)
    sign_in(client, people.member)
    client.post(f"/meetings/{meeting.id}/apologies", data={"deputy_name": "Sam Collins"})
    response = client.post(f"/meetings/{meeting.id}/apologies/withdraw")
    assert response.status_code == 302
    assert rows(db, meeting) == {}
    page = client.get(response.location).get_data(as_text=True)
    assert "Your apologies have been withdrawn." in page
    assert "Send your apologies" in page
    created, deleted = events(db)
    assert (deleted.action, deleted.actor_id) == (AuditAction.DELETE, people.member.id)
    assert deleted.changes["deputy_name"] == "(hidden)"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"deputy_name": "x" * 10_000}, "Deputy’s name must be 120 characters or fewer"),
    ],
)
def test_bad_deputy_name_is_named_beside_the_field(client, people, db, data, message):
    meeting = meeting_on(people.panel, days_from_now=7)
    sign_in(client, people.member)
    response = client.post(f"/meetings/{meeting.id}/apologies", data=data)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "There is a problem" in page and 'href="#deputy_name"' in page
    assert page.count(message) == 2  # in the summary and beside the field
    assert rows(db, meeting) == {}


# --- The chair or coordinator records them for a member ----------------------------------------


def test_coordinator_records_apologies_for_another_member(client, people, db):
    meeting = meeting_on(people.panel, days_from_now=7)
    sign_in(client, people.coordinator)
    page = client.get(f"/meetings/{meeting.id}").get_data(as_text=True)
    assert "Record apologies for a member" in page
    form = client.get(f"/meetings/{meeting.id}/apologies/record").get_data(as_text=True)
    assert "Grace Mensah, Coventry Homes Partnership" in form
    assert "Tom Whitfield" not in form  # a reader does not attend
    response = client.post(
        f"/meetings/{meeting.id}/apologies/record",
        data={"user_id": str(people.member.id), "deputy_name": ""},
    )
    assert response.status_code == 302
    assert rows(db, meeting) == {"Grace Mensah": (APOLOGIES, None)}
    page = client.get(response.location).get_data(as_text=True)
    assert "Apologies recorded for Grace Mensah." in page
    assert "Recorded by Imran Sadiq on" in page
    (event,) = events(db)
    assert (event.action, event.actor_id) == (AuditAction.CREATE, people.coordinator.id)
    assert event.changes["sent_by"] == "Imran Sadiq"
    row = db.session.scalar(db.select(Attendance))
    assert row.apologies_sent_by == people.coordinator
    assert row.apologies_sent_at is not None


def test_coordinator_withdraws_apologies_for_a_member(client, people, db):
    meeting = meeting_on(people.panel, days_from_now=7)
    attendance.send_apologies(people.member, meeting, people.member, None)
    sign_in(client, people.coordinator)
    response = client.post(f"/meetings/{meeting.id}/apologies/{people.member.id}/withdraw")
    assert response.status_code == 302
    assert rows(db, meeting) == {}
    assert "Apologies withdrawn for Grace Mensah." in client.get(response.location).get_data(
        as_text=True
    )
    assert [(e.action, e.actor_id) for e in events(db)][-1] == (
        AuditAction.DELETE,
        people.coordinator.id,
    )


def test_coordinator_must_choose_a_member_who_attends(client, people, db):
    meeting = meeting_on(people.panel, days_from_now=7)
    sign_in(client, people.coordinator)
    for user_id in ("", str(people.reader.id), str(people.outsider.id), "x"):
        response = client.post(
            f"/meetings/{meeting.id}/apologies/record", data={"user_id": user_id}
        )
        page = response.get_data(as_text=True)
        assert response.status_code == 200
        assert "Select the member who sent apologies" in page
    assert rows(db, meeting) == {}


def test_a_member_cannot_record_apologies_for_someone_else(client, people, db):
    meeting = meeting_on(people.panel, days_from_now=7)
    attendance.send_apologies(people.chair, meeting, people.chair, None)
    sign_in(client, people.member)
    page = client.get(f"/meetings/{meeting.id}").get_data(as_text=True)
    assert "Record apologies for a member" not in page
    assert client.get(f"/meetings/{meeting.id}/apologies/record").status_code == 403
    data = {"user_id": str(people.coordinator.id)}
    assert client.post(f"/meetings/{meeting.id}/apologies/record", data=data).status_code == 403
    url = f"/meetings/{meeting.id}/apologies/{people.chair.id}/withdraw"
    assert client.post(url).status_code == 403
    assert rows(db, meeting) == {"Claire Doyle": (APOLOGIES, None)}
    with pytest.raises(attendance.AttendanceRefused):
        attendance.send_apologies(people.member, meeting, people.coordinator, None)


def test_readers_cannot_send_apologies(client, people, db):
    meeting = meeting_on(people.panel, days_from_now=7)
    sign_in(client, people.reader)
    assert client.get(f"/meetings/{meeting.id}/apologies").status_code == 404
    assert client.post(f"/meetings/{meeting.id}/apologies", data={}).status_code == 404
    assert client.post(f"/meetings/{meeting.id}/apologies/withdraw").status_code == 404
    assert rows(db, meeting) == {}
    with pytest.raises(attendance.AttendanceRefused):
        attendance.send_apologies(people.reader, meeting, people.reader, None)


def test_someone_on_another_panel_cannot_find_the_meeting(client, people, db):
    meeting = meeting_on(people.panel, days_from_now=7)
    sign_in(client, people.outsider)
    assert client.get(f"/meetings/{meeting.id}/apologies").status_code == 404
    assert client.post(f"/meetings/{meeting.id}/apologies/withdraw").status_code == 404


# --- The register at the meeting starts from them ----------------------------------------------


def test_the_register_at_the_meeting_starts_from_the_apologies(client, people, db):
    meeting = meeting_on(people.panel, days_from_now=7)
    sign_in(client, people.member)
    client.post(f"/meetings/{meeting.id}/apologies", data={"deputy_name": "Sam Collins"})
    client.post("/sign-out")
    sign_in(client, people.coordinator)
    client.post(f"/meetings/{meeting.id}/apologies/record", data={"user_id": str(people.chair.id)})
    started(db, meeting)
    page = client.get(f"/meetings/{meeting.id}/attendance").get_data(as_text=True)
    assert "Apologies sent before the meeting are already filled in" in page
    member, chair, coordinator = people.member.id, people.chair.id, people.coordinator.id
    assert checked(page, f"status_{member}", "deputy")
    assert 'value="Sam Collins"' in page
    assert checked(page, f"status_{chair}", "apologies")
    assert not any(checked(page, f"status_{coordinator}", s.value) for s in AttendanceStatus)
    # The deputy did not come after all; the coordinator was there.
    data = {
        f"status_{member}": "apologies",
        f"status_{chair}": "apologies",
        f"status_{coordinator}": "present",
    }
    assert client.post(f"/meetings/{meeting.id}/attendance", data=data).status_code == 302
    assert rows(db, meeting) == {
        "Grace Mensah": (APOLOGIES, None),
        "Claire Doyle": (APOLOGIES, None),
        "Imran Sadiq": (PRESENT, None),
    }
    # Apologies sent in advance stay recorded as sent in advance.
    row = db.session.scalar(db.select(Attendance).where(Attendance.user_id == member))
    assert row.apologies_sent_by == people.member


def test_a_member_marked_present_no_longer_shows_apologies_sent(client, people, db):
    meeting = meeting_on(people.panel, days_from_now=7)
    attendance.send_apologies(people.member, meeting, people.member, None)
    started(db, meeting)
    attendance.record_register(
        people.coordinator, meeting, {people.member.id: attendance.Mark(PRESENT)}
    )
    row = db.session.scalar(db.select(Attendance))
    assert (row.status, row.apologies_sent_at, row.apologies_sent_by) == (PRESENT, None, None)


# --- Not once the meeting has started ----------------------------------------------------------


STARTED = "Apologies can only be sent before the meeting starts"
CANCELLED = "This meeting was cancelled, so no apologies are needed."


@pytest.mark.parametrize(
    ("status", "message"),
    [
        (MeetingStatus.SCHEDULED, STARTED),
        (MeetingStatus.HELD, STARTED),
        (MeetingStatus.CANCELLED, CANCELLED),
    ],
)
def test_apologies_are_not_offered_once_the_meeting_has_started(
    client, people, db, status, message
):
    meeting = started(db, meeting_on(people.panel, days_from_now=0, status=status))
    for person in (people.member, people.coordinator):
        sign_in(client, person)
        page = client.get(f"/meetings/{meeting.id}").get_data(as_text=True)
        assert "Send your apologies" not in page
        assert "Record apologies for a member" not in page
        response = client.post(
            f"/meetings/{meeting.id}/apologies",
            data={"deputy_name": "Sam Collins"},
            follow_redirects=True,
        )
        assert message in response.get_data(as_text=True)
        client.post("/sign-out")
    assert rows(db, meeting) == {}


def test_a_cancelled_meeting_takes_no_apologies(client, people, db):
    meeting = meeting_on(people.panel, days_from_now=7, status=MeetingStatus.CANCELLED)
    sign_in(client, people.member)
    assert "Send your apologies" not in client.get(f"/meetings/{meeting.id}").get_data(as_text=True)
    with pytest.raises(attendance.AttendanceRefused, match="cancelled"):
        attendance.send_apologies(people.member, meeting, people.member, None)


def test_apologies_cannot_be_withdrawn_once_the_meeting_has_started(client, people, db):
    meeting = meeting_on(people.panel, days_from_now=7)
    attendance.send_apologies(people.member, meeting, people.member, "Sam Collins")
    started(db, meeting)
    sign_in(client, people.member)
    page = client.get(f"/meetings/{meeting.id}").get_data(as_text=True)
    assert "Withdraw your apologies" not in page
    response = client.post(f"/meetings/{meeting.id}/apologies/withdraw", follow_redirects=True)
    assert STARTED in response.get_data(as_text=True)
    assert rows(db, meeting) == {"Grace Mensah": (DEPUTY, "Sam Collins")}


def test_apologies_are_judged_against_the_time_given(db, people):
    meeting = meeting_on(people.panel, days_from_now=7)
    later = utcnow() + timedelta(days=8)
    with pytest.raises(attendance.AttendanceRefused):
        attendance.send_apologies(people.member, meeting, people.member, None, now=later)
    attendance.send_apologies(people.member, meeting, people.member, None)
    with pytest.raises(attendance.AttendanceRefused):
        attendance.withdraw_apologies(people.member, meeting, people.member, now=later)


# --- Queries that do not grow ------------------------------------------------------------------


def test_meeting_page_queries_do_not_grow_with_apologies(client, people, db):
    meeting = meeting_on(people.panel, days_from_now=7)

    def new_member():
        member = factories.user()
        factories.membership(people.panel, member, Role.MEMBER)
        return member

    def apologies_from(how_many: int) -> None:
        """Half sent by members themselves (some with a deputy), half recorded for them."""
        for n in range(how_many):
            member = new_member()
            attendance.send_apologies(member, meeting, member, f"Deputy {n}" if n % 2 else None)
            attendance.send_apologies(people.coordinator, meeting, new_member(), None)

    page_url = f"/meetings/{meeting.id}"  # the page's queries, not the test's own
    apologies_from(1)
    sign_in(client, people.coordinator)
    with count_queries() as few:
        assert client.get(page_url).status_code == 200
    apologies_from(20)
    with count_queries() as many:
        page = client.get(page_url).get_data(as_text=True)
    assert page.count("Recorded by Imran Sadiq on") == 21
    assert page.count("Sent by ") == 21
    assert len(many) == len(few)
