"""The audit trail keeps what was done to a meeting, never the free text people typed about it
(issue 18, finding 7): agenda item and standing item titles, the meeting's place, online link
and why it was cancelled, action text, guests' names and organisations, deputies' names. As for
case text, it records that such text was set or changed. Each event's label still tells an
administrator what it was about: "Agenda item 4 of the Coventry Hate Crime Panel meeting on
12 March 2026", not the item's title."""

from __future__ import annotations

import html
import json
from datetime import date, time, timedelta

import pytest
import sqlalchemy as sa

from panel.core.audit import AuditEvent
from panel.core.time import UK
from panel.meetings import services
from panel.meetings.agenda import services as agenda
from panel.meetings.attendance import services as attendance
from panel.meetings.models import AttendanceStatus, MeetingStatus
from tests.conftest import sign_in

# What people typed, each of which names someone or says something about them.
PLACE = "Room 4 at Foleshill Community Centre, above the Patel family's shop"
NEW_PLACE = "The back room of the Hussain family home"
LINK = "https://meet.example.org/j/811?pwd=SecretPasscode"
CANCELLED_BECAUSE = "The chair is at the funeral of Mrs Okafor's son"
TITLE = "Tensions after the attack on Daniel Brooks"
NEW_TITLE = "Tensions around the Brooks family's flat"
STANDING = "Update on the Kowalski family's complaint"
NEW_STANDING = "Update on the Kowalski case"
ACTION = "Visit Mr Adeyemi at home about the graffiti"
GUEST = "Fatima Begum"
GUEST_ORGANISATION = "Friend of the victim's mother"
DEPUTY = "Sam Deputy-Whitlock"
TYPED = (
    PLACE,
    NEW_PLACE,
    "SecretPasscode",
    CANCELLED_BECAUSE,
    TITLE,
    NEW_TITLE,
    STANDING,
    NEW_STANDING,
    ACTION,
    GUEST,
    GUEST_ORGANISATION,
    DEPUTY,
)


def _trail(db) -> list[AuditEvent]:
    return db.session.scalars(sa.select(AuditEvent).order_by(AuditEvent.sequence)).all()


def _what_the_trail_says(db) -> str:
    return json.dumps([[e.object_label, e.changes] for e in _trail(db)], ensure_ascii=False)


@pytest.fixture
def everything_typed(app, db, people):
    """A meeting of the Coventry panel, scheduled, moved and given an agenda item, a standing
    item, apologies with a deputy, an action, a guest and a register; then everything typed
    changed or removed, and a second meeting cancelled with a reason."""
    coordinator, panel = people.coordinator, people.panel
    venue = services.Venue(time(18), 120, PLACE, LINK)
    with app.test_request_context():
        meeting = services.schedule_meeting(coordinator, panel, date.today() + timedelta(7), venue)
        services.move_meeting(
            coordinator,
            meeting,
            date.today() + timedelta(8),
            services.Venue(time(18), 90, NEW_PLACE, None),
        )
        item = agenda.add_item(coordinator, meeting, agenda.ItemDetails(TITLE, 20))
        agenda.edit_item(coordinator, item, agenda.ItemDetails(NEW_TITLE, 25))
        agenda.declare_interest(people.member, item, "A neighbour")
        standing = agenda.add_standing_item(coordinator, panel, STANDING, 10)
        agenda.edit_standing_item(coordinator, standing, NEW_STANDING, 10)
        agenda.remove_standing_item(coordinator, standing)
        attendance.send_apologies(people.member, meeting, people.member, DEPUTY)
        attendance.withdraw_apologies(people.member, meeting, people.member.id)
        started = meeting.starts_at + timedelta(minutes=5)
        action = services.add_action(
            coordinator, meeting, ACTION, people.member.organisation, now=started
        )
        services.close_action(coordinator, action, now=started)
        guest = attendance.add_guest(coordinator, meeting, GUEST, GUEST_ORGANISATION, now=started)
        attendance.remove_guest(coordinator, guest, now=started)
        attendance.record_register(
            coordinator,
            meeting,
            {people.member.id: attendance.Mark(AttendanceStatus.DEPUTY, DEPUTY)},
            now=started,
        )
        agenda.withdraw_interest(people.member, item)
        other = services.schedule_meeting(coordinator, panel, date.today() + timedelta(14), venue)
        services.change_status(
            coordinator, other, MeetingStatus.CANCELLED, reason=CANCELLED_BECAUSE
        )
        db.session.commit()
    return meeting, item


def test_the_trail_holds_none_of_the_free_text_typed(db, everything_typed):
    said = _what_the_trail_says(db)
    assert [typed for typed in TYPED if typed in said] == []


def test_the_trail_says_the_free_text_was_set_or_changed(db, everything_typed):
    meeting, item = everything_typed
    events = {(e.object_type, e.action.value): e for e in _trail(db)}
    created = events["meeting", "create"].changes
    assert (created["place"], created["online_link"]) == ("(set)", "(set)")
    assert events["agenda_item", "create"].changes["title"] == "(set)"
    assert events["agenda_item", "update"].changes["title"] == ["(hidden)", "(changed)"]
    assert events["meeting_action", "create"].changes["description"] == "(set)"
    assert events["guest", "create"].changes == {"name": "(set)", "organisation_name": "(set)"}
    assert events["attendance", "create"].changes["deputy_name"] == "(set)"


def test_labels_say_what_each_event_was_about_without_the_text(db, people, everything_typed):
    meeting, item = everything_typed
    events = {(e.object_type, e.action.value): e for e in _trail(db)}
    local = meeting.starts_at.astimezone(UK)
    day = f"{local.day} {local:%B %Y}"
    panel = people.panel.name
    assert events["agenda_item", "update"].object_label == (
        f"Agenda item {item.position} of the {panel} meeting on {day}"
    )
    assert events["interest_declaration", "create"].object_label == (
        f"Grace Mensah’s interest in agenda item {item.position} of the {panel} meeting on {day}"
    )
    standing = events["agenda_template_item", "create"].object_label
    assert standing.startswith("Standing item ") and standing.endswith(f" of {panel}")
    guest = events["guest", "create"]
    assert guest.object_label == f"Guest {guest.object_id} at {panel} meeting on {day}"
    action = events["meeting_action", "create"]
    assert action.object_label == f"Action {action.object_id} of the {panel} meeting on {day}"


def test_administrators_read_none_of_it_in_the_audit_trail(app, db, people, everything_typed):
    admin = app.test_client()
    sign_in(admin, people.admin)
    pages = admin.get("/admin/audit-trail").get_data(as_text=True)
    pages += admin.get("/admin/audit-trail.csv").get_data(as_text=True)
    pages = html.unescape(pages)
    assert "Agenda item" in pages
    assert [typed for typed in TYPED if typed in pages] == []
