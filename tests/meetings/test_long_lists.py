"""A meeting's pages stay the same size however long its panel's history: matters arising are
listed 25 at a time, what one meeting can hold is bounded, and a big panel's register is recorded
a page of members at a time. (tests/test_bounded_pages.py walks every page at scale.)"""

from __future__ import annotations

import re

import pytest

from panel.meetings import services
from panel.meetings.agenda.services import AgendaRefused
from panel.meetings.attendance import services as attendance
from panel.meetings.attendance.services import AttendanceRefused
from panel.meetings.models import AgendaItem, AgendaItemKind
from panel.meetings.services import ActionRefused
from panel.panels.models import Role
from tests import factories
from tests.conftest import sign_in
from tests.meetings.test_matters_arising import agenda_section, held, housing, upcoming


def test_the_meeting_page_lists_25_matters_arising_and_links_to_a_page_of_all_60(
    client, people, db
):
    # Two earlier meetings' actions (a meeting agrees at most 50).
    for days_ago, numbers in ((42, range(30)), (28, range(30, 60))):
        earlier = held(people.panel, days_ago)
        for number in numbers:
            services.add_action(
                people.coordinator, earlier, f"Action number {number:02d}", housing(people)
            )
    meeting = upcoming(people.panel)
    sign_in(client, people.member)

    page = agenda_section(client.get(f"/meetings/{meeting.id}").get_data(as_text=True))
    listed = re.findall(r"Action number (\d\d)", page)
    assert listed == [f"{n:02d}" for n in range(25)]  # the oldest first
    assert "Showing 25 of 60 matters arising." in page
    assert f'href="/meetings/{meeting.id}/matters-arising"' in page

    all_of_them = client.get(f"/meetings/{meeting.id}/matters-arising").get_data(as_text=True)
    assert "60 matters arising, page 1 of 3." in all_of_them
    assert re.findall(r"Action number (\d\d)", all_of_them) == [f"{n:02d}" for n in range(25)]
    last = client.get(f"/meetings/{meeting.id}/matters-arising?page=3").get_data(as_text=True)
    assert re.findall(r"Action number (\d\d)", last) == [f"{n:02d}" for n in range(50, 60)]


def test_the_matters_arising_page_says_when_nothing_is_open(client, people):
    meeting = upcoming(people.panel)
    sign_in(client, people.member)
    page = client.get(f"/meetings/{meeting.id}/matters-arising").get_data(as_text=True)
    assert "Nothing is open from earlier meetings." in page


def test_an_agenda_holds_at_most_40_items(client, people, db):
    meeting = upcoming(people.panel)
    standing = len(meeting.agenda_items)
    sign_in(client, people.coordinator)
    for number in range(40 - standing):
        client.post(f"/meetings/{meeting.id}/agenda/new", data={"title": f"Item {number}"})
    response = client.post(
        f"/meetings/{meeting.id}/agenda/new", data={"title": "One too many"}, follow_redirects=True
    )
    page = response.get_data(as_text=True)
    assert "An agenda holds at most 40 items, and this one has 40." in page
    assert "One too many" not in page
    db.session.expire_all()
    assert len(meeting.agenda_items) == 40


def test_pages_list_no_more_of_an_agenda_than_it_can_hold(client, people, db):
    """An agenda filled past the limit by other means (an import) shows the 40 it can hold."""
    meeting = upcoming(people.panel)
    db.session.add_all(
        AgendaItem(meeting=meeting, position=100 + n, kind=AgendaItemKind.FREE, title=f"Bulk {n}")
        for n in range(60)
    )
    db.session.commit()
    sign_in(client, people.coordinator)
    for path in ("", "/agenda", "/agenda/print"):
        page = client.get(f"/meetings/{meeting.id}{path}").get_data(as_text=True)
        shown = len(set(re.findall(r"Bulk \d+", page)))
        assert shown == 40 - len(services.agenda_template(people.panel)), path


def test_a_meeting_records_at_most_30_guests_and_50_actions(db, people):
    meeting = held(people.panel, 1)
    for number in range(30):
        attendance.add_guest(people.coordinator, meeting, f"Guest {number}", "Warwick")
    with pytest.raises(AttendanceRefused, match="at most 30 guests"):
        attendance.add_guest(people.coordinator, meeting, "One too many", "Warwick")
    for number in range(50):
        services.add_action(people.coordinator, meeting, f"Action {number}", housing(people))
    with pytest.raises(ActionRefused, match="at most 50 actions"):
        services.add_action(people.coordinator, meeting, "One too many", housing(people))


def test_a_big_panels_register_is_recorded_50_members_a_page(client, people, db):
    for number in range(55):
        person = factories.user(full_name=f"Member {number:02d}")
        factories.membership(people.panel, person, Role.MEMBER)
    meeting = held(people.panel, 1)
    register = attendance.register_of(meeting)
    assert len(register) == 58  # the chair, coordinator and member, and 55 more
    sign_in(client, people.coordinator)

    first = client.get(f"/meetings/{meeting.id}/attendance").get_data(as_text=True)
    assert "Members 1 to 50 of 58, by organisation." in first
    assert first.count('type="radio" value="present"') == 50
    assert "Save and continue" in first
    marks = {f"status_{entry.user.id}": "present" for entry in register[:50]}
    response = client.post(f"/meetings/{meeting.id}/attendance", data=marks)
    assert response.location == f"/meetings/{meeting.id}/attendance?page=2"

    second = client.get(response.location).get_data(as_text=True)
    assert "Attendance saved for members 1 to 50 of 58. Now record the next 50." in second
    assert "Members 51 to 58 of 58, by organisation." in second
    assert second.count('type="radio" value="present"') == 8
    marks = {f"status_{entry.user.id}": "absent" for entry in register[50:]}
    response = client.post(f"/meetings/{meeting.id}/attendance?page=2", data=marks)
    assert response.location.startswith(f"/meetings/{meeting.id}")
    recorded = {row.user_id: row.status.value for row in attendance.load_attendance(meeting)}
    assert list(recorded.values()).count("present") == 50
    assert list(recorded.values()).count("absent") == 8


def test_adding_case_reviews_past_the_limit_is_refused_whole(db, people):
    from tests.cases import factories as case_factories

    meeting = upcoming(people.panel)
    room = 40 - len(meeting.agenda_items)
    cases = [case_factories.case_review(people.coordinator, people.panel) for _ in range(room + 1)]
    from panel.meetings.agenda import services as agenda

    with pytest.raises(AgendaRefused, match="at most 40 items"):
        agenda.add_case_reviews(people.coordinator, meeting, [(case, 20) for case in cases])
    db.session.rollback()
