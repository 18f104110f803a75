"""Scheduling meetings and series through the pages, moving and cancelling one of a series."""

from datetime import date, time, timedelta

import pytest

from panel.core.audit import AuditAction, AuditEvent
from panel.core.time import UK
from panel.meetings import services
from panel.meetings.models import (
    AgendaItemKind,
    Meeting,
    MeetingSeries,
    MeetingStatus,
    Recurrence,
)
from panel.panels.models import Role
from tests import factories
from tests.conftest import sign_in
from tests.meetings.factories import meeting_on
from tests.querycount import count_queries


def _date(day: date, name: str) -> dict:
    return {name: [str(day.day), str(day.month), str(day.year)]}


NEXT_MONTH = date.today() + timedelta(days=30)
VENUE = {"start_time": "6pm", "duration_minutes": "120", "place": "Coventry Council House"}


def _meetings(db, panel):
    return db.session.scalars(
        db.select(Meeting).where(Meeting.panel_id == panel.id).order_by(Meeting.starts_at)
    ).all()


def test_coordinator_schedules_a_meeting_with_the_standing_agenda(client, people, db):
    sign_in(client, people.coordinator)
    response = client.post(
        f"/panels/{people.panel.id}/meetings/new", data={**_date(NEXT_MONTH, "day"), **VENUE}
    )
    assert response.status_code == 302
    page = client.get(response.location).get_data(as_text=True)
    assert "Meeting scheduled." in page
    assert "6pm to 8pm" in page
    assert "Minutes of the last meeting and matters arising" in page
    (meeting,) = _meetings(db, people.panel)
    kinds = [item.kind for item in meeting.agenda_items]
    assert kinds.count(AgendaItemKind.MATTERS_ARISING) == 1 and len(kinds) == 4
    assert (
        db.session.scalar(
            db.select(AuditEvent).where(
                AuditEvent.object_type == "meeting", AuditEvent.action == AuditAction.CREATE
            )
        )
        is not None
    )


def test_fortnightly_series_for_six_months_schedules_thirteen_meetings(client, people, db):
    sign_in(client, people.coordinator)
    first = NEXT_MONTH
    response = client.post(
        f"/panels/{people.panel.id}/meetings/new-series",
        data={
            **_date(first, "first_date"),
            **VENUE,
            "recurrence": "every_n_weeks",
            "interval_weeks": "2",
            "ends": "until",
            **_date(first + timedelta(days=181), "until"),
        },
    )
    assert response.status_code == 302
    assert "13 meetings scheduled." in client.get(response.location).get_data(as_text=True)
    meetings = _meetings(db, people.panel)
    assert len(meetings) == 13
    assert all(m.series_id == meetings[0].series_id for m in meetings)
    gaps = {
        (b.starts_at.date() - a.starts_at.date()).days
        for a, b in zip(meetings, meetings[1:], strict=False)
    }
    assert gaps == {14}
    assert {m.starts_at.astimezone(UK).hour for m in meetings} == {18}  # across the clock change


def test_monthly_series_for_a_count(client, people, db):
    sign_in(client, people.chair)
    client.post(
        f"/panels/{people.panel.id}/meetings/new-series",
        data={
            **_date(NEXT_MONTH, "first_date"),
            **VENUE,
            "recurrence": "monthly_on_weekday",
            "week_of_month": "1",
            "weekday": "2",
            "ends": "count",
            "count": "6",
        },
    )
    meetings = _meetings(db, people.panel)
    assert len(meetings) == 6
    assert all(m.starts_at.weekday() == 2 and m.starts_at.day <= 7 for m in meetings)


def _series(people, weeks=4):
    series = MeetingSeries(
        recurrence=Recurrence.EVERY_N_WEEKS, first_date=NEXT_MONTH, interval_weeks=1, count=weeks
    )
    venue = services.Venue(
        start_time=time(18), duration_minutes=120, place="Coventry Council House", online_link=None
    )
    return services.schedule_series(people.coordinator, people.panel, series, venue)


def test_moving_one_meeting_of_a_series_leaves_the_others(client, people, db):
    meetings = _series(people)
    before = [(m.id, m.starts_at, m.place) for m in meetings]
    sign_in(client, people.coordinator)
    new_day = NEXT_MONTH + timedelta(days=9)
    response = client.post(
        f"/meetings/{meetings[1].id}/move",
        data={
            **_date(new_day, "day"),
            "start_time": "10:30",
            "duration_minutes": "90",
            "place": "Foleshill Community Centre",
        },
    )
    assert response.status_code == 302
    db.session.expire_all()
    after = [(m.id, m.starts_at, m.place) for m in _meetings(db, people.panel)]
    moved = db.session.get(Meeting, meetings[1].id)
    assert moved.place == "Foleshill Community Centre"
    assert moved.starts_at.date() == new_day
    assert [row for row in after if row[0] != moved.id] == [
        row for row in before if row[0] != moved.id
    ]


def test_cancelling_one_meeting_of_a_series_leaves_the_others(client, people, db):
    meetings = _series(people)
    sign_in(client, people.coordinator)
    client.post(f"/meetings/{meetings[2].id}/cancel", data={"reason": "Room unavailable"})
    db.session.expire_all()
    statuses = [m.status for m in _meetings(db, people.panel)]
    assert statuses.count(MeetingStatus.CANCELLED) == 1
    assert statuses[2] == MeetingStatus.CANCELLED
    page = client.get(f"/meetings/{meetings[2].id}").get_data(as_text=True)
    assert "Room unavailable" in page and "Cancelled" in page


def test_recording_a_future_meeting_as_held_is_refused_with_a_message(client, people, db):
    meeting = meeting_on(people.panel, days_from_now=5)
    sign_in(client, people.coordinator)
    response = client.post(f"/meetings/{meeting.id}/held", follow_redirects=True)
    assert "cannot be recorded as held before it has started" in response.get_data(as_text=True)
    db.session.refresh(meeting)
    assert meeting.status == MeetingStatus.SCHEDULED


def test_recording_a_past_meeting_as_held(client, people, db):
    meeting = meeting_on(people.panel, days_from_now=-1)
    sign_in(client, people.chair)
    response = client.post(f"/meetings/{meeting.id}/held", follow_redirects=True)
    assert "Meeting recorded as held." in response.get_data(as_text=True)


@pytest.mark.parametrize(("role", "status"), [("member", 403), ("reader", 404), ("outsider", 404)])
def test_only_chair_and_coordinator_schedule(client, people, role, status):
    sign_in(client, getattr(people, role))
    response = client.post(
        f"/panels/{people.panel.id}/meetings/new", data={**_date(NEXT_MONTH, "day"), **VENUE}
    )
    assert response.status_code == status


def test_member_sees_meetings_but_reader_does_not(client, people):
    meeting = meeting_on(people.panel)
    sign_in(client, people.member)
    assert client.get(f"/meetings/{meeting.id}").status_code == 200
    page = client.get(f"/meetings/{meeting.id}").get_data(as_text=True)
    assert "Cancel this meeting" not in page
    client.post("/sign-out")
    sign_in(client, people.reader)
    assert client.get(f"/meetings/{meeting.id}").status_code == 404
    assert client.get(f"/panels/{people.panel.id}/meetings").status_code == 404


def test_another_panels_meeting_is_404(client, people):
    other = factories.panel("Dudley Hate Crime Panel")
    meeting = meeting_on(other)
    sign_in(client, people.chair)
    assert client.get(f"/meetings/{meeting.id}").status_code == 404
    assert client.post(f"/meetings/{meeting.id}/held").status_code == 404


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({}, "Enter the date of the meeting"),
        ({"day": ["31", "2", "2030"]}, "Date must be a real date"),
        ({"day": ["", "3", "2030"]}, "Date must include a day"),
        ({"day": ["1", "1", "2020"]}, "Date must be today or in the future"),
        ({"day": ["x"]}, "Date must include a month and year"),
        ({"start_time": "25pm"}, "Start time must be a real time, like 18:00 or 6pm"),
        ({"start_time": ""}, "Enter the start time"),
        ({"place": "", "online_link": ""}, "Enter a place or an online meeting link"),
        (
            {"online_link": "http://teams.example/meet"},
            "Enter a full web address starting with https://",
        ),
        ({"online_link": "javascript:alert(1)"}, "Enter a full web address starting with https://"),
        ({"place": "x" * 10_000}, "Place must be 200 characters or fewer"),
        ({"duration_minutes": "9999"}, "Not a valid choice"),
    ],
)
def test_bad_input_is_named_beside_the_field(client, people, db, data, message):
    sign_in(client, people.coordinator)
    form = {**_date(NEXT_MONTH, "day"), **VENUE, **data}
    if not data:
        form.pop("day")
    response = client.post(f"/panels/{people.panel.id}/meetings/new", data=form)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "There is a problem" in page
    assert message in page
    assert _meetings(db, people.panel) == []


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"recurrence": ""}, "Select how often the panel meets"),
        ({"interval_weeks": ""}, "Enter how many weeks apart the meetings are, like 2"),
        ({"interval_weeks": "40"}, "Weeks apart must be between 1 and 12"),
        ({"ends": ""}, "Select when the series ends"),
        ({"until": ["1", "1", "2027"]}, "The last possible date must be after the first meeting"),
        ({"ends": "count", "count": ""}, "Enter how many meetings there are, like 12"),
        ({"ends": "count", "count": "5000"}, "Number of meetings must be between 1 and 200"),
    ],
)
def test_bad_series_input_is_named_beside_the_field(client, people, db, data, message):
    sign_in(client, people.coordinator)
    first = date(2030, 3, 5)
    form = {
        **_date(first, "first_date"),
        **VENUE,
        "recurrence": "every_n_weeks",
        "interval_weeks": "2",
        "ends": "until",
        **_date(date(2030, 6, 1), "until"),
        **data,
    }
    page = client.post(f"/panels/{people.panel.id}/meetings/new-series", data=form).get_data(
        as_text=True
    )
    assert message in page
    assert _meetings(db, people.panel) == []


def test_home_page_lists_the_users_next_meetings(client, people):
    meeting_on(people.panel, days_from_now=3)
    meeting_on(people.panel, days_from_now=-3)
    sign_in(client, people.member)
    page = client.get("/").get_data(as_text=True)
    assert "Your next meetings" in page
    assert page.count('href="/meetings/') == 1
    client.post("/sign-out")
    sign_in(client, people.reader)
    assert "Your next meetings" not in client.get("/").get_data(as_text=True)


def _add_past_meetings(panel, how_many):
    start = meeting_on(panel, days_from_now=-1).starts_at
    factories.db.session.add_all(
        Meeting(
            panel=panel,
            starts_at=start - timedelta(days=14 * n),
            duration_minutes=120,
            place="Coventry Council House",
            status=MeetingStatus.HELD,
        )
        for n in range(1, how_many)
    )
    factories.db.session.commit()


def test_meeting_lists_and_panel_page_queries_do_not_grow(client, people):
    sign_in(client, people.chair)
    for _ in range(5):
        factories.membership(people.panel, factories.user(), Role.MEMBER)
    _add_past_meetings(people.panel, 5)
    paths = [
        f"/panels/{people.panel.id}",
        f"/panels/{people.panel.id}/meetings?when=past",
        f"/panels/{people.panel.id}/meetings",
    ]
    few = []
    for path in paths:
        with count_queries() as queries:
            assert client.get(path).status_code == 200
        few.append(len(queries))
    _add_past_meetings(people.panel, 495)
    for _ in range(55):
        factories.membership(people.panel, factories.user(), Role.MEMBER)
    many = []
    for path in paths:
        with count_queries() as queries:
            assert client.get(path).status_code == 200
        many.append(len(queries))
    assert many == few
    assert "page=20" in client.get(paths[1]).get_data(as_text=True)
