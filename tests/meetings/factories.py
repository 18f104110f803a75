"""Builders for meetings in tests."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from panel.accounts.models import User
from panel.extensions import db
from panel.meetings import services
from panel.meetings.models import AgendaItem, Meeting, MeetingStatus
from panel.panels.models import Panel, Role
from tests import factories


def coordinator_of(panel: Panel) -> User:
    """A newcomer who coordinates `panel` and sits on no other: whom a test sets up another
    panel's meetings as, since the services refuse anyone who may not manage them."""
    person = factories.user(full_name="Priya Kaur")
    factories.membership(panel, person, Role.COORDINATOR)
    return person


def meeting_on(
    panel: Panel,
    *,
    days_from_now: int = 7,
    status: MeetingStatus = MeetingStatus.SCHEDULED,
    place: str = "Coventry Council House",
) -> Meeting:
    start = datetime.now(UTC).replace(hour=17, minute=0, second=0, microsecond=0)
    meeting = Meeting(
        panel=panel,
        starts_at=start + timedelta(days=days_from_now),
        duration_minutes=120,
        place=place,
        status=status,
    )
    db.session.add(meeting)
    db.session.commit()
    return meeting


def meeting_with_agenda(
    actor: User, panel: Panel, *, status: MeetingStatus = MeetingStatus.SCHEDULED
) -> Meeting:
    """A meeting in three weeks at 6pm, scheduled through the service so that it has the panel's
    standing agenda items."""
    venue = services.Venue(
        start_time=time(18), duration_minutes=120, place="Coventry Council House", online_link=None
    )
    meeting = services.schedule_meeting(actor, panel, date.today() + timedelta(days=21), venue)
    meeting.status = status
    db.session.commit()
    return meeting


def agenda_items(meeting: Meeting) -> list[AgendaItem]:
    """The meeting's agenda items in order, as stored now."""
    return list(
        db.session.scalars(
            db.select(AgendaItem)
            .where(AgendaItem.meeting_id == meeting.id)
            .order_by(AgendaItem.position)
        )
    )
