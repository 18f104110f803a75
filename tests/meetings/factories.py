"""Builders for meetings in tests."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from panel.extensions import db
from panel.meetings.models import Meeting, MeetingStatus
from panel.panels.models import Panel


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
