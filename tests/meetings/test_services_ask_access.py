"""The meetings services ask `access` themselves, as the pages' route rules do: a command, another
service or a tampered request acting for someone the policy refuses gets a 403 (`NotAllowed`)
before anything is written. Apologies keep their own refusals, which say who may answer for whom
(tests/meetings/test_apologies.py)."""

from __future__ import annotations

from datetime import date, time, timedelta

import pytest

from panel import access
from panel.core.audit import AuditEvent
from panel.extensions import db as _db
from panel.meetings import services
from panel.meetings.agenda import services as agenda
from panel.meetings.attendance import services as attendance
from panel.meetings.models import (
    ActionStatus,
    Attendance,
    AttendanceStatus,
    Guest,
    InterestDeclaration,
    Meeting,
    MeetingSeries,
    MeetingStatus,
    Recurrence,
)
from tests.cases import factories as cases
from tests.meetings.factories import agenda_items, meeting_on, meeting_with_agenda

# Everyone the pages refuse to let manage the panel's meetings: a member, a reader, someone on no
# panel, and an administrator (who manages panels, not their meetings).
REFUSED = ["member", "reader", "outsider", "admin"]
VENUE = services.Venue(time(10), 90, "Coventry Council House", None)


def _audit_events() -> int:
    return _db.session.scalar(_db.select(_db.func.count()).select_from(AuditEvent))


def _count(model) -> int:
    return _db.session.scalar(_db.select(_db.func.count()).select_from(model))


def _refused(*changes) -> None:
    for change in changes:
        with pytest.raises(access.NotAllowed):
            change()
    assert not (_db.session.new or _db.session.dirty or _db.session.deleted)
    _db.session.expire_all()


@pytest.mark.parametrize("who", REFUSED)
def test_only_organisers_schedule_move_and_cancel_meetings(db, people, who):
    person = getattr(people, who)
    meeting = meeting_with_agenda(people.coordinator, people.panel)
    starts_at, before = meeting.starts_at, _audit_events()
    day = date.today() + timedelta(days=40)
    series = MeetingSeries(
        recurrence=Recurrence.EVERY_N_WEEKS, first_date=day, interval_weeks=2, count=3
    )
    _refused(
        lambda: services.schedule_meeting(person, people.panel, day, VENUE),
        lambda: services.schedule_series(person, people.panel, series, VENUE),
        lambda: services.move_meeting(person, meeting, day, VENUE),
        lambda: services.change_status(
            person, meeting, MeetingStatus.CANCELLED, reason="Room unavailable"
        ),
    )
    assert _count(Meeting) == 1 and _count(MeetingSeries) == 0
    assert meeting.starts_at == starts_at and meeting.status == MeetingStatus.SCHEDULED
    assert _audit_events() == before


@pytest.mark.parametrize("who", REFUSED)
def test_only_organisers_change_agendas_and_standing_items(app, db, people, who):
    person = getattr(people, who)
    meeting = meeting_with_agenda(people.coordinator, people.panel)
    with app.test_request_context():
        case_review = cases.case_review(people.coordinator, people.panel)
    titles = [item.title for item in agenda_items(meeting)]
    standing = agenda.standing_items(people.coordinator, people.panel)
    standing_titles = [item.title for item in standing]
    first, item = standing[0], agenda_items(meeting)[0]
    minutes, before = people.panel.default_case_review_minutes, _audit_events()
    new = agenda.ItemDetails(title="Update from the schools liaison officer")
    _refused(
        lambda: agenda.add_item(person, meeting, new),
        lambda: agenda.add_case_reviews(person, meeting, [(case_review, 30)]),
        lambda: agenda.edit_item(person, item, new),
        lambda: agenda.remove_item(person, item),
        lambda: agenda.move_item(person, item, agenda.DOWN),
        lambda: agenda.standing_items(person, people.panel),
        lambda: agenda.add_standing_item(person, people.panel, "Date of next meeting", 5),
        lambda: agenda.edit_standing_item(person, first, "Welcome", 10),
        lambda: agenda.remove_standing_item(person, first),
        lambda: agenda.move_standing_item(person, first, agenda.DOWN),
        lambda: agenda.set_default_case_review_minutes(person, people.panel, minutes + 10),
    )
    assert [item.title for item in agenda_items(meeting)] == titles
    assert [item.title for item in services.agenda_template(people.panel)] == standing_titles
    assert people.panel.default_case_review_minutes == minutes
    assert _audit_events() == before


@pytest.mark.parametrize("who", REFUSED)
def test_only_organisers_record_attendance_guests_actions_and_the_quorum(db, people, who):
    person = getattr(people, who)
    meeting = meeting_on(people.panel, days_from_now=-1, status=MeetingStatus.HELD)
    guest = attendance.add_guest(people.coordinator, meeting, "Ruth Evans", "Victim Support")
    action = services.add_action(
        people.coordinator, meeting, "Write to the school", people.member.organisation
    )
    quorum, before = people.panel.quorum, _audit_events()
    marks = {people.member.id: attendance.Mark(AttendanceStatus.PRESENT)}
    _refused(
        lambda: attendance.record_register(person, meeting, marks),
        lambda: attendance.add_guest(person, meeting, "Omar Hussain", "Tell MAMA"),
        lambda: attendance.remove_guest(person, guest),
        lambda: attendance.set_quorum(person, people.panel, quorum + 1),
        lambda: services.add_action(
            person, meeting, "Call the council", people.member.organisation
        ),
        lambda: services.close_action(person, action),
    )
    assert _count(Attendance) == 0
    assert [guest.name for guest in _db.session.scalars(_db.select(Guest))] == ["Ruth Evans"]
    assert action.status == ActionStatus.OPEN
    assert people.panel.quorum == quorum
    assert _audit_events() == before


@pytest.mark.parametrize("who", ["reader", "outsider", "admin"])
def test_only_members_declare_an_interest(db, people, who):
    person = getattr(people, who)
    item = agenda_items(meeting_with_agenda(people.coordinator, people.panel))[0]
    before = _audit_events()
    _refused(
        lambda: agenda.declare_interest(person, item, "I chair the residents' association."),
        lambda: agenda.withdraw_interest(person, item),
    )
    assert _count(InterestDeclaration) == 0
    assert _audit_events() == before


def test_a_member_who_declared_an_interest_in_a_case_may_still_withdraw_it(app, db, people):
    """The rule is asked of the meeting, not of the item: the case is withheld from the member
    once they declare, and that must not stop them withdrawing."""
    meeting = meeting_with_agenda(people.coordinator, people.panel)
    with app.test_request_context():
        case_review = cases.case_review(people.coordinator, people.panel)
        (item,) = agenda.add_case_reviews(people.coordinator, meeting, [(case_review, 30)])
        agenda.declare_interest(people.member, item, "My organisation houses the victim.")
        assert access.conflicted(people.member, case_review)
        assert agenda.withdraw_interest(people.member, item)
    assert _count(InterestDeclaration) == 0
