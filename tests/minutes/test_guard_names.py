"""The guard on the notes of the minutes: the names Panel itself records for the meeting (its
members, everyone on the attendance, their deputies and its guests) and exact dates are part of
the record; any other name is still stopped."""

from __future__ import annotations

from datetime import timedelta

from panel.extensions import db
from panel.meetings import queries
from panel.meetings.attendance import services as attendance
from panel.meetings.attendance.services import Mark
from panel.meetings.models import AttendanceStatus
from panel.panels.models import Membership, Role
from tests import factories
from tests.conftest import sign_in
from tests.minutes.conftest import notes_form
from tests.querycount import count_queries

DEPUTY = "Tomasz Nowak"


def _record_attendance(held):
    """The member sent a deputy; a guest came; a former member attended before leaving."""
    people, meeting = held.people, held.meeting
    after_start = meeting.starts_at + timedelta(hours=1)
    former = factories.user(email="former@example.org", full_name="Ruth Adeyemi")
    factories.membership(held.panel, former, Role.MEMBER)
    attendance.record_register(
        people.coordinator,
        meeting,
        {
            people.member.id: Mark(AttendanceStatus.DEPUTY, DEPUTY),
            people.chair.id: Mark(AttendanceStatus.PRESENT),
            former.id: Mark(AttendanceStatus.PRESENT),
        },
        now=after_start,
    )
    attendance.add_guest(people.coordinator, meeting, "Ayesha Rahman", "Tell MAMA", now=after_start)
    db.session.execute(db.delete(Membership).where(Membership.user_id == former.id))
    db.session.commit()


def _save(client, held, text):
    minutes = held.minutes()
    return client.post(
        f"/meetings/{held.meeting.id}/minutes/edit",
        data=notes_form(minutes, {held.case_item().id: (text, "")}),
    )


def test_a_deputys_name_printed_in_the_attendance_is_accepted_in_the_notes(client, held):
    _record_attendance(held)
    sign_in(client, held.people.coordinator)
    client.post(f"/meetings/{held.meeting.id}/minutes/start")
    assert DEPUTY in client.get(f"/meetings/{held.meeting.id}/minutes").get_data(as_text=True)

    text = (
        f"{DEPUTY}, deputising for Joe Barker, reported that Mr Nowak's team met on 1 December. "
        "Ayesha Rahman presented; Ruth Adeyemi and Harriet Lang asked about delays."
    )
    response = _save(client, held, text)
    assert response.status_code == 302, response.get_data(as_text=True)
    assert held.minutes().note_for(held.case_item().id).restricted == text


def test_a_name_panel_does_not_record_is_still_stopped_in_the_notes(client, held):
    _record_attendance(held)
    sign_in(client, held.people.coordinator)
    client.post(f"/meetings/{held.meeting.id}/minutes/start")
    page = _save(client, held, f"{DEPUTY} said Sarah Connolly had complained.").get_data(
        as_text=True
    )
    assert "contains what looks like a person’s name" in page.replace("&#39;", "’")
    assert "Sarah Connolly</mark>" in page
    assert f"{DEPUTY}</mark>" not in page
    assert held.minutes().note_for(held.case_item().id) is None


def test_the_known_names_come_in_one_query(app, held):
    _record_attendance(held)
    assert held.meeting.panel_id  # loaded before counting
    with app.test_request_context(), count_queries() as queries_run:
        names = queries.known_names(held.meeting)
    assert len(queries_run) == 1
    assert {DEPUTY, "Ayesha Rahman", "Ruth Adeyemi", "Harriet Lang", "Yusuf Ali"} <= set(names)
