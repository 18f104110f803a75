"""Meetings in calendars: a meeting's .ics file, the private feed, and creating, resetting and
stopping the feed's link. Calendar entries carry the panel, time, place and a link, never cases."""

from datetime import UTC, datetime, time, timedelta

import pytest
from icalendar import Calendar

from panel.accounts.models import User
from panel.core.audit import AuditAction, AuditEvent
from panel.core.database import utcnow
from panel.core.time import UK
from panel.extensions import db as _db
from panel.meetings import services
from panel.meetings.calendar import services as calendar
from panel.meetings.models import (
    AgendaItem,
    AgendaItemKind,
    Attendance,
    AttendanceStatus,
    Guest,
    InterestDeclaration,
    Meeting,
    MeetingAction,
    MeetingStatus,
)
from panel.panels.models import Role
from tests import factories
from tests.conftest import sign_in
from tests.querycount import count_queries

CASE_TEXT = "ISP-2026-014 victim narrative"


def _meeting(panel, starts_at, **fields) -> Meeting:
    meeting = Meeting(
        panel=panel,
        starts_at=starts_at,
        duration_minutes=fields.pop("duration_minutes", 120),
        place=fields.pop("place", "Coventry Council House"),
        **fields,
    )
    _db.session.add(meeting)
    _db.session.commit()
    return meeting


def _in_days(days: int) -> datetime:
    return utcnow().replace(hour=17, minute=0, second=0, microsecond=0) + timedelta(days=days)


def _events(body: bytes) -> list:
    return Calendar.from_ical(body).walk("VEVENT")


def _unfolded(body: bytes) -> str:
    """The calendar as one string with long lines joined again, so that a phrase split across a
    folded line is still found."""
    return body.replace(b"\r\n ", b"").decode()


def _feed_url(user) -> str:
    return f"/calendar/{user.calendar_token}.ics"


def _with_feed(user) -> str:
    calendar.issue_calendar_token(user)
    return _feed_url(user)


# --- A meeting's .ics file -----------------------------------------------------------------------


def test_meeting_ics_has_the_panel_time_place_and_link(client, people):
    meeting = _meeting(
        people.panel,
        datetime(2027, 1, 5, 18, 0, tzinfo=UK),
        online_link="https://teams.example.org/l/meetup-join/123",
    )
    sign_in(client, people.member)
    response = client.get(f"/meetings/{meeting.id}/calendar.ics")

    assert response.status_code == 200
    assert response.content_type == "text/calendar; charset=utf-8"
    assert response.headers["Content-Disposition"] == (
        'attachment; filename="panel-meeting-2027-01-05.ics"'
    )
    parsed = Calendar.from_ical(response.data)
    assert parsed["METHOD"] == "PUBLISH"
    assert parsed["X-WR-CALNAME"] == "Panel meetings"
    (event,) = parsed.walk("VEVENT")
    assert event["SUMMARY"] == "Coventry Hate Crime Panel meeting"
    assert event.decoded("DTSTART") == datetime(2027, 1, 5, 18, 0, tzinfo=UTC)
    assert event.decoded("DTEND") == datetime(2027, 1, 5, 20, 0, tzinfo=UTC)
    assert event["LOCATION"] == (
        "Coventry Council House, https://teams.example.org/l/meetup-join/123"
    )
    assert event["URL"] == f"http://localhost/meetings/{meeting.id}"
    assert event["UID"] == f"meeting-{meeting.id}@localhost"
    assert event["STATUS"] == "CONFIRMED"
    assert event["SEQUENCE"] == 0


def test_meeting_in_british_summer_time_starts_an_hour_earlier_in_utc(client, people):
    meeting = _meeting(people.panel, datetime(2027, 7, 6, 18, 0, tzinfo=UK))
    sign_in(client, people.member)
    body = client.get(f"/meetings/{meeting.id}/calendar.ics").data

    (event,) = _events(body)
    assert event.decoded("DTSTART") == datetime(2027, 7, 6, 17, 0, tzinfo=UTC)
    assert event.decoded("DTEND") == datetime(2027, 7, 6, 19, 0, tzinfo=UTC)
    assert "DTSTART:20270706T170000Z" in _unfolded(body)


def test_file_name_has_the_uk_date_of_a_meeting_just_after_midnight(db, people):
    # 00:30 on 1 July in the UK is still 30 June in UTC.
    meeting = _meeting(people.panel, datetime(2027, 7, 1, 0, 30, tzinfo=UK))
    assert calendar.filename_for(meeting) == "panel-meeting-2027-07-01.ics"


def test_cancelled_meeting_is_cancelled_in_calendars_with_a_higher_sequence(app, client, people):
    meeting = _meeting(people.panel, _in_days(14))
    with app.test_request_context():
        services.change_status(
            people.coordinator, meeting, MeetingStatus.CANCELLED, reason=CASE_TEXT
        )
    sign_in(client, people.member)
    body = client.get(f"/meetings/{meeting.id}/calendar.ics").data

    (event,) = _events(body)
    assert event["STATUS"] == "CANCELLED"
    assert event["SUMMARY"] == "Cancelled: Coventry Hate Crime Panel meeting"
    assert event["SEQUENCE"] == 1
    assert CASE_TEXT not in _unfolded(body)


def test_each_move_raises_the_sequence(app, client, people):
    meeting = _meeting(people.panel, _in_days(14))
    venue = services.Venue(
        start_time=time(18, 0),
        duration_minutes=90,
        place="Foleshill Community Centre",
        online_link=None,
    )
    with app.test_request_context():
        services.move_meeting(people.coordinator, meeting, _in_days(21).date(), venue)
        services.move_meeting(people.coordinator, meeting, _in_days(28).date(), venue)
    sign_in(client, people.member)
    (event,) = _events(client.get(f"/meetings/{meeting.id}/calendar.ics").data)
    assert event["SEQUENCE"] == 2
    assert event["LOCATION"] == "Foleshill Community Centre"


@pytest.mark.parametrize("role", [Role.CHAIR, Role.COORDINATOR, Role.MEMBER])
def test_panel_members_may_download_a_meeting(client, people, role):
    meeting = _meeting(people.panel, _in_days(7))
    sign_in(client, people.by_role(role))
    assert client.get(f"/meetings/{meeting.id}/calendar.ics").status_code == 200


def test_reader_is_refused_a_meeting_ics(client, people):
    meeting = _meeting(people.panel, _in_days(7))
    sign_in(client, people.reader)
    assert client.get(f"/meetings/{meeting.id}/calendar.ics").status_code == 404


def test_another_panels_meeting_ics_is_404(client, people):
    other = _meeting(factories.panel("Dudley Independent Advisory Group"), _in_days(7))
    sign_in(client, people.member)
    response = client.get(f"/meetings/{other.id}/calendar.ics")
    assert response.status_code == 404
    assert "Dudley" not in response.get_data(as_text=True)


def test_signed_out_visitor_is_sent_to_sign_in_for_a_meeting_ics(client, people):
    meeting = _meeting(people.panel, _in_days(7))
    response = client.get(f"/meetings/{meeting.id}/calendar.ics")
    assert response.status_code == 302
    assert response.location.startswith("/sign-in")


def test_meeting_page_links_to_its_ics(client, people):
    meeting = _meeting(people.panel, _in_days(7))
    sign_in(client, people.member)
    page = client.get(f"/meetings/{meeting.id}").get_data(as_text=True)
    assert f'href="/meetings/{meeting.id}/calendar.ics"' in page
    assert "Add this meeting to your calendar (.ics file)" in page


# --- Nothing about cases ever leaves in a calendar -----------------------------------------------


@pytest.fixture
def meeting_with_case_material(db, people) -> Meeting:
    """A cancelled meeting whose agenda, notes, attendance, guests, actions and declarations all
    mention a case."""
    meeting = _meeting(people.panel, _in_days(10))
    meeting.agenda_items = [
        AgendaItem(position=1, kind=AgendaItemKind.STANDING, title="Welcome and apologies"),
        AgendaItem(
            position=2,
            kind=AgendaItemKind.CASE_REVIEW,
            title=f"Case review: {CASE_TEXT}",
            notes=f"The panel discussed {CASE_TEXT} and the housing response at length.",
            presenter_user=people.chair,
        ),
    ]
    meeting.attendance = [
        Attendance(
            user=people.member,
            organisation=people.member.organisation,
            status=AttendanceStatus.DEPUTY,
            deputy_name="Deputy for Grace Mensah",
        )
    ]
    meeting.guests = [Guest(name="Aisha Rahman", organisation_name="Coventry Rape Crisis")]
    _db.session.add_all(
        [
            MeetingAction(
                panel=people.panel,
                meeting=meeting,
                description=f"Follow up {CASE_TEXT} with the landlord",
            ),
            InterestDeclaration(
                agenda_item=meeting.agenda_items[1],
                user=people.coordinator,
                reason=f"Knows the family in {CASE_TEXT}",
            ),
        ]
    )
    meeting.status = MeetingStatus.CANCELLED
    meeting.cancellation_reason = f"Postponed while {CASE_TEXT} is at court"
    _db.session.commit()
    return meeting


def test_meeting_ics_never_contains_case_text(client, people, meeting_with_case_material):
    sign_in(client, people.member)
    body = _unfolded(client.get(f"/meetings/{meeting_with_case_material.id}/calendar.ics").data)
    for text in (CASE_TEXT, "ISP-2026", "Case review", "Grace Mensah", "Aisha Rahman", "landlord"):
        assert text not in body


def test_feed_never_contains_case_text(client, people, meeting_with_case_material):
    feed = _with_feed(people.member)
    body = _unfolded(client.get(feed).data)
    assert f"meeting-{meeting_with_case_material.id}@" in body
    for text in (CASE_TEXT, "ISP-2026", "Case review", "Grace Mensah", "Aisha Rahman", "landlord"):
        assert text not in body


def test_a_place_cannot_add_lines_to_the_calendar(app, db, people):
    meeting = _meeting(people.panel, _in_days(7), place=f"Room 4\r\nDESCRIPTION:{CASE_TEXT}")
    with app.test_request_context():
        body = calendar.calendar_for([meeting], lambda m: f"https://panel.example/meetings/{m.id}")
    (event,) = _events(body)
    assert CASE_TEXT not in str(event["DESCRIPTION"])
    assert "\r\nDESCRIPTION:ISP" not in body.decode()


# --- The private feed ----------------------------------------------------------------------------


def test_feed_lists_meetings_of_the_users_panels_only(client, people):
    """Not another panel's meetings, not those of a panel where they are only a reader, and
    nothing older than three months; cancelled ones stay so that calendars remove them."""
    coventry = people.panel
    read_only = factories.panel("Warwickshire Scrutiny Panel")
    factories.membership(read_only, people.member, Role.READER)
    elsewhere = factories.panel("Dudley Independent Advisory Group")
    upcoming = _meeting(coventry, _in_days(7))
    cancelled = _meeting(coventry, _in_days(14), status=MeetingStatus.CANCELLED)
    recent = _meeting(coventry, _in_days(-60), status=MeetingStatus.HELD)
    _meeting(coventry, _in_days(-120), status=MeetingStatus.HELD)
    _meeting(read_only, _in_days(7))
    _meeting(elsewhere, _in_days(7))

    body = client.get(_with_feed(people.member)).data

    assert [event["UID"] for event in _events(body)] == [
        f"meeting-{meeting.id}@localhost" for meeting in (recent, upcoming, cancelled)
    ]
    assert [event["STATUS"] for event in _events(body)] == ["CONFIRMED", "CONFIRMED", "CANCELLED"]


def test_feed_works_without_signing_in_and_is_kept_out_of_caches(client, people):
    _meeting(people.panel, _in_days(7))
    response = client.get(_with_feed(people.chair))
    assert response.status_code == 200
    assert response.content_type == "text/calendar; charset=utf-8"
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["Referrer-Policy"] == "no-referrer"
    (event,) = _events(response.data)
    assert event["SUMMARY"] == "Coventry Hate Crime Panel meeting"


def test_feed_is_the_token_owners_not_the_signed_in_users(client, people):
    other_panel = factories.panel("Dudley Independent Advisory Group")
    factories.membership(other_panel, people.outsider, Role.MEMBER)
    _meeting(other_panel, _in_days(7))
    feed = _with_feed(people.member)
    sign_in(client, people.outsider)
    assert "Dudley" not in _unfolded(client.get(feed).data)


def test_stopped_link_gives_404(client, people):
    feed = _with_feed(people.member)
    assert client.get(feed).status_code == 200
    calendar.revoke_calendar_token(people.member)
    assert client.get(feed).status_code == 404


def test_reset_link_stops_the_old_one_and_the_new_one_works(client, people):
    old = _with_feed(people.member)
    new = _with_feed(people.member)
    assert new != old
    assert client.get(old).status_code == 404
    assert client.get(new).status_code == 200


def test_unknown_link_gives_404(client, people):
    _with_feed(people.member)
    assert client.get("/calendar/not-a-real-token.ics").status_code == 404


def test_deactivated_users_link_gives_404(client, people):
    feed = _with_feed(people.member)
    people.member.active = False
    _db.session.commit()
    assert client.get(feed).status_code == 404


def test_feed_of_200_meetings_runs_as_many_queries_as_a_feed_of_one(app, client, people):
    feed = _with_feed(people.member)
    first = _meeting(people.panel, _in_days(1))
    with app.test_request_context():
        services.change_status(people.coordinator, first, MeetingStatus.CANCELLED)
    with count_queries() as one:
        assert client.get(feed).status_code == 200

    second_panel = factories.panel("Solihull Hate Crime Panel")
    factories.membership(second_panel, people.member, Role.MEMBER)
    _db.session.add_all(
        Meeting(panel=(people.panel, second_panel)[n % 2], starts_at=_in_days(n + 2))
        for n in range(199)
    )
    _db.session.commit()
    with count_queries() as many:
        response = client.get(feed)
    assert len(_events(response.data)) == 200
    assert len(many) == len(one) <= 3, many.statements


def test_feed_reaches_a_year_ahead_and_holds_at_most_250_meetings_the_soonest_first(client, people):
    """Years of weekly meetings scheduled ahead, and ten years of history, make a feed no
    longer: three months back to a year ahead, and no more than 250 meetings."""
    feed = _with_feed(people.member)
    _db.session.add_all(
        Meeting(panel=people.panel, starts_at=_in_days(days)) for days in range(-3650, 3650, 7)
    )
    _db.session.commit()
    starts = [event["DTSTART"].dt for event in _events(client.get(feed).data)]
    assert min(starts) >= _in_days(-92)
    assert max(starts) < _in_days(366)
    assert starts == sorted(starts)

    _db.session.add_all(
        Meeting(panel=people.panel, starts_at=_in_days(1) + timedelta(hours=hour))
        for hour in range(300)
    )
    _db.session.commit()
    starts = [event["DTSTART"].dt for event in _events(client.get(feed).data)]
    assert len(starts) == 250
    assert min(starts) >= _in_days(-92) and starts == sorted(starts)


# --- Creating, resetting and stopping the link ---------------------------------------------------


def _feed_events(db, user) -> list[AuditEvent]:
    return db.session.scalars(
        db.select(AuditEvent)
        .where(
            AuditEvent.object_type == "user_account",
            AuditEvent.object_id == user.id,
            AuditEvent.action == AuditAction.UPDATE,
        )
        .order_by(AuditEvent.id)
    ).all()


def test_creating_resetting_and_stopping_the_link_are_audited_without_the_token(client, people, db):
    sign_in(client, people.member)
    tokens = []
    for path in ("/account/calendar", "/account/calendar", "/account/calendar/revoke"):
        response = client.post(path)
        assert response.status_code == 302
        assert response.location == "/account#calendar"
        db.session.refresh(people.member)
        tokens.append(people.member.calendar_token)

    assert tokens[0] and tokens[1] and tokens[0] != tokens[1] and tokens[2] is None
    events = _feed_events(db, people.member)
    assert [event.changes for event in events] == [
        {"calendar_feed": "created"},
        {"calendar_feed": "reset"},
        {"calendar_feed": "stopped"},
    ]
    assert all(event.actor_id == people.member.id for event in events)


def test_stopping_when_there_is_no_link_changes_nothing(client, people, db):
    sign_in(client, people.member)
    assert client.post("/account/calendar/revoke").status_code == 302
    assert _feed_events(db, people.member) == []


def test_signed_out_visitor_cannot_create_a_link(client, people, db):
    response = client.post("/account/calendar")
    assert response.status_code == 302
    assert response.location.startswith("/sign-in")
    assert db.session.scalars(db.select(User.calendar_token)).all() == [None] * 6


def test_account_page_shows_the_link_and_its_buttons(client, people, db):
    sign_in(client, people.member)
    page = client.get("/account").get_data(as_text=True)
    assert "Create a calendar link" in page
    assert "/calendar/" not in page
    assert "Anyone with the link can see when and where your panels meet" in page

    page = client.get(client.post("/account/calendar").location).get_data(as_text=True)
    db.session.refresh(people.member)
    assert "Your calendar link has been created." in page
    assert '<label class="govuk-label govuk-label--s" for="calendar-link">' in page
    assert f'value="http://localhost/calendar/{people.member.calendar_token}.ics"' in page
    assert "readonly" in page
    assert "Reset the link" in page and "Stop the calendar link" in page
    assert "Create a calendar link" not in page

    page = client.get(client.post("/account/calendar/revoke").location).get_data(as_text=True)
    assert "Your calendar link has been stopped." in page
    assert "/calendar/" not in page
    assert "Create a calendar link" in page


def test_deactivating_an_account_stops_its_link_for_good(client, people):
    from panel.accounts import services as accounts

    feed = _with_feed(people.member)
    accounts.update_user(people.admin, people.member, active=False)
    accounts.update_user(people.admin, people.member, active=True)
    assert people.member.calendar_token is None
    assert client.get(feed).status_code == 404
