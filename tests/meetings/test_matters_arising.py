"""Actions agreed at meetings, and matters arising: what earlier meetings left open, listed at
each later meeting of the panel until it is closed."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from panel.core import registry
from panel.core.audit import AuditAction, AuditEvent
from panel.core.database import UTCDateTime
from panel.extensions import db
from panel.meetings import matters as matters_arising
from panel.meetings import services
from panel.meetings.attendance.services import AttendanceRefused
from panel.meetings.matters import MatterArising
from panel.meetings.models import ActionStatus, AgendaItem, MeetingAction, MeetingStatus
from tests import factories
from tests.conftest import sign_in
from tests.meetings.factories import coordinator_of, meeting_on

HOUSING = "Coventry Homes Partnership"


def with_standing_agenda(meeting):
    """The meeting with the panel's standing items, matters arising among them, as scheduling
    gives it."""
    meeting.agenda_items = [
        AgendaItem(position=item.position, kind=item.kind, title=item.title)
        for item in services.agenda_template(meeting.panel)
    ]
    db.session.commit()
    return meeting


def held(panel, days_ago: int):
    return with_standing_agenda(
        meeting_on(panel, days_from_now=-days_ago, status=MeetingStatus.HELD)
    )


def upcoming(panel, days_from_now: int = 7):
    return with_standing_agenda(meeting_on(panel, days_from_now=days_from_now))


def housing(people):
    return people.member.organisation


def agenda_section(page: str) -> str:
    """The agenda part of the meeting page, where matters arising are listed."""
    return page[page.index('id="agenda"') : page.index('id="attendance"')]


@pytest.fixture
def three_meetings(people):
    """A meeting a month ago, one a fortnight ago, and the next one, in a week."""
    return held(people.panel, 28), held(people.panel, 14), upcoming(people.panel)


def test_open_action_appears_at_later_meetings_until_closed(client, people, db, three_meetings):
    first, second, upcoming = three_meetings
    action = services.add_action(
        people.coordinator,
        first,
        "Write to the housing provider about the repairs",
        housing(people),
    )
    sign_in(client, people.member)
    for meeting in (second, upcoming):
        page = agenda_section(client.get(f"/meetings/{meeting.id}").get_data(as_text=True))
        assert "Write to the housing provider about the repairs" in page
        assert HOUSING in page
    raised_at = agenda_section(client.get(f"/meetings/{first.id}").get_data(as_text=True))
    assert "Write to the housing provider" not in raised_at

    services.close_action(people.chair, action)
    page = agenda_section(client.get(f"/meetings/{upcoming.id}").get_data(as_text=True))
    assert "Write to the housing provider" not in page
    assert "Nothing is open from earlier meetings." in page


def test_actions_of_another_panel_never_arise(db, people, app):
    other = factories.panel("Dudley Hate Crime Panel")
    earlier = held(other, 14)
    # Agreed by the other panel's coordinator: ours may not record its actions.
    services.add_action(coordinator_of(other), earlier, "Dudley's action", housing(people))
    meeting = upcoming(people.panel)
    with app.test_request_context():
        assert list(matters_arising.matters_arising(meeting)) == []


def test_matter_arising_says_who_owns_it_when_it_is_due_and_if_it_is_overdue(db, people, app):
    first = held(people.panel, 28)
    services.add_action(
        people.coordinator,
        first,
        "Reassurance patrols",
        housing(people),
        date.today() - timedelta(1),
    )
    services.add_action(people.coordinator, first, "Bystander training", housing(people))
    meeting = upcoming(people.panel)
    with app.test_request_context():
        items = matters_arising.matters_arising(meeting).items
    assert [(i.kind, i.description, i.owner, i.overdue) for i in items] == [
        ("Action", "Reassurance patrols", HOUSING, True),
        ("Action", "Bystander training", HOUSING, False),
    ]
    assert items[0].raised_at == first.starts_at
    assert items[0].url == f"/meetings/{first.id}#actions"


def test_sources_from_other_packages_are_listed_with_the_actions(
    client, people, monkeypatch, three_meetings
):
    first, second, _ = three_meetings
    services.add_action(people.coordinator, first, "Write to the council", housing(people))
    # Read now: the source runs inside the request, where the test's objects are not to be loaded.
    raised_at = first.starts_at - timedelta(days=14)

    def open_items(panel, meeting, viewer):
        # One item, raised a fortnight before the first meeting, whose id is 7.
        return sa.select(
            sa.literal(7).label("id"), sa.literal(raised_at, UTCDateTime()).label("raised_at")
        )

    def load(meeting, ids):
        return [
            MatterArising(
                kind="Intervention",
                description=f"Target hardening at the victim's home ({item_id})",
                owner=HOUSING,
                due_date=None,
                raised_at=raised_at,
                url=None,
                overdue=False,
            )
            for item_id in ids
        ]

    interventions = matters_arising.Source(kind="Intervention", open_items=open_items, load=load)
    # A source listed twice is still listed once.
    sources = registry.current().matters_arising
    contributions = registry.Registry(matters_arising=[*sources, interventions, interventions])
    monkeypatch.setattr(registry.current(), "matters_arising", contributions.matters_arising)
    sign_in(client, people.member)
    page = agenda_section(client.get(f"/meetings/{second.id}").get_data(as_text=True))
    assert page.count("Target hardening at the victim&#39;s home (7)") == 1
    assert page.index("Target hardening") < page.index("Write to the council")  # oldest first


# --- Adding and closing actions ----------------------------------------------------------------


def test_coordinator_adds_an_action_with_an_owner_and_due_date(client, people, db):
    meeting = held(people.panel, 1)
    sign_in(client, people.coordinator)
    due = date.today() + timedelta(days=30)
    response = client.post(
        f"/meetings/{meeting.id}/actions/new",
        data={
            "description": "Refer the family to the LGBT+ centre",
            "owner_organisation_id": str(housing(people).id),
            "due_date": [str(due.day), str(due.month), str(due.year)],
        },
    )
    assert response.status_code == 302
    page = client.get(response.location).get_data(as_text=True)
    assert "Action added." in page
    assert "Refer the family to the LGBT+ centre" in page
    (action,) = db.session.scalars(db.select(MeetingAction)).all()
    assert (action.panel_id, action.owner_organisation, action.due_date) == (
        people.panel.id,
        housing(people),
        due,
    )
    assert action.status == ActionStatus.OPEN
    event = db.session.scalar(
        db.select(AuditEvent).where(AuditEvent.object_type == "meeting_action")
    )
    assert event.action == AuditAction.CREATE
    assert event.changes["owner_organisation"] == HOUSING


def test_owners_are_the_organisations_of_members_but_not_readers(client, people):
    meeting = held(people.panel, 1)
    sign_in(client, people.chair)
    page = client.get(f"/meetings/{meeting.id}/actions/new").get_data(as_text=True)
    assert HOUSING in page and "West Midlands Police, Coventry NPU" in page
    assert "Coventry Community Voices" not in page


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"description": ""}, "Enter what the action is"),
        ({"description": "x" * 10_000}, "Action must be 500 characters or fewer"),
        ({"owner_organisation_id": ""}, "Select the organisation that owns the action"),
        ({"owner_organisation_id": "999999"}, "Select the organisation that owns the action"),
        ({"owner_organisation_id": "housing"}, "Select the organisation that owns the action"),
        ({"due_date": ["31", "2", "2030"]}, "Due date must be a real date"),
        ({"due_date": ["", "2", "2030"]}, "Due date must include a day"),
        ({"due_date": ["1"]}, "Due date must include a month and year"),
    ],
)
def test_bad_action_input_is_named_beside_the_field(client, people, db, data, message):
    meeting = held(people.panel, 1)
    sign_in(client, people.coordinator)
    posted = {
        "description": "Refer the family to the LGBT+ centre",
        "owner_organisation_id": str(housing(people).id),
        **data,
    }
    response = client.post(f"/meetings/{meeting.id}/actions/new", data=posted)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "There is a problem" in page and message in page
    assert db.session.scalars(db.select(MeetingAction)).all() == []


def test_an_organisation_outside_the_panel_cannot_own_an_action(client, people, db):
    meeting = held(people.panel, 1)
    sign_in(client, people.coordinator)
    response = client.post(
        f"/meetings/{meeting.id}/actions/new",
        data={"description": "Anything", "owner_organisation_id": people.outsider.organisation_id},
    )
    assert "Select the organisation that owns the action" in response.get_data(as_text=True)


def test_actions_cannot_be_added_before_the_meeting_starts(client, people, db):
    meeting = meeting_on(people.panel, days_from_now=3)
    with pytest.raises(AttendanceRefused):
        services.add_action(people.coordinator, meeting, "Too early", housing(people))
    sign_in(client, people.coordinator)
    page = client.get(f"/meetings/{meeting.id}").get_data(as_text=True)
    assert "Add an action" not in page


def test_closing_an_action_from_a_later_meeting_is_audited(client, people, db, three_meetings):
    first, second, _ = three_meetings
    action = services.add_action(people.coordinator, first, "Mediation", housing(people))
    sign_in(client, people.chair)
    page = client.get(f"/meetings/{second.id}").get_data(as_text=True)
    close = f"/meetings/{second.id}/actions/{action.id}/close"
    assert f'action="{close}"' in page
    response = client.post(close)
    assert response.status_code == 302
    assert response.location.endswith(f"/meetings/{second.id}#agenda")
    db.session.refresh(action)
    assert action.status == ActionStatus.CLOSED and action.closed_at is not None
    event = db.session.scalars(
        db.select(AuditEvent)
        .where(AuditEvent.object_type == "meeting_action")
        .order_by(AuditEvent.id.desc())
    ).first()
    assert event.action == AuditAction.UPDATE and event.changes["status"] == ["open", "closed"]
    again = client.post(close, follow_redirects=True).get_data(as_text=True)
    assert "This action is already closed." in again


def test_member_sees_actions_but_cannot_add_or_close_them(client, people, three_meetings):
    first, second, _ = three_meetings
    action = services.add_action(people.coordinator, first, "Mediation", housing(people))
    sign_in(client, people.member)
    page = client.get(f"/meetings/{second.id}").get_data(as_text=True)
    assert "Mediation" in page
    assert "/close" not in page and "Add an action" not in page
    assert client.post(f"/meetings/{second.id}/actions/{action.id}/close").status_code == 403
    assert client.get(f"/meetings/{second.id}/actions/new").status_code == 403


def test_another_panels_action_is_404(client, people, db):
    other = factories.panel("Dudley Hate Crime Panel")
    # Agreed by the other panel's coordinator: ours may not record its actions.
    theirs = services.add_action(coordinator_of(other), held(other, 7), "Theirs", housing(people))
    ours = held(people.panel, 7)
    sign_in(client, people.coordinator)
    assert client.post(f"/meetings/{ours.id}/actions/{theirs.id}/close").status_code == 404
    assert client.post(f"/meetings/{ours.id}/actions/999999/close").status_code == 404
    db.session.refresh(theirs)
    assert theirs.status == ActionStatus.OPEN
