"""Matters arising: what earlier meetings of a panel left open, listed at each later meeting under
"minutes of the last meeting and matters arising" until it is closed.

Each kind of open item comes from a source, so this module does not need to know every kind:
a source is a function ``source(panel, meeting, viewer) -> list[MatterArising]`` that returns
the panel's items that are open now and were raised at a meeting that started before `meeting`,
leaving out what `viewer` may not see; a `viewer` of None asks for the panel's record (every
item), as the minutes need.

Open actions (`open_actions`, here) are one source; recommendations (`panel.lessons.matters`) and
interventions (`panel.interventions.matters`) are others. The app factory lists every source in
the registry (`panel.app.contributions`); nothing registers itself on import. A source runs a
fixed number of queries whatever the number of items: the meeting page counts its queries in the
tests.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime

from flask import url_for
from sqlalchemy.orm import contains_eager, joinedload

from panel.accounts.models import User
from panel.core import registry
from panel.core.database import utcnow
from panel.core.time import UK
from panel.extensions import db
from panel.meetings.models import ActionStatus, Meeting, MeetingAction
from panel.panels.models import Panel


@dataclass(frozen=True)
class MatterArising:
    """One open item, as the agenda shows it.

    `url` is where to read or update the item. `close_url`, if set, is an address that closes
    it with a POST from this meeting's page; the page offers it to those who manage meetings.
    `case_reference` names the case review it follows from, if any, so that the minutes (which
    list every item) can withhold it from whoever declared an interest in that case.
    """

    kind: str
    description: str
    owner: str | None
    due_date: date | None
    raised_at: datetime
    url: str | None
    overdue: bool
    close_url: str | None = None
    case_reference: str | None = None


Source = Callable[[Panel, Meeting, "User | None"], list[MatterArising]]


def matters_arising(meeting: Meeting, viewer: User | None = None) -> list[MatterArising]:
    """Every open item raised at an earlier meeting of the panel that `viewer` may see (every
    item, for the panel's record, when `viewer` is None), oldest first."""
    sources = registry.current().matters_arising
    found = [item for source in sources for item in source(meeting.panel, meeting, viewer)]
    return sorted(found, key=lambda item: (item.raised_at, item.kind))


def is_overdue(due_date: date | None, today: date | None = None) -> bool:
    return due_date is not None and due_date < (today or utcnow().astimezone(UK).date())


def open_actions(panel: Panel, meeting: Meeting, viewer: User | None) -> list[MatterArising]:
    rows = db.session.scalars(
        db.select(MeetingAction)
        .join(MeetingAction.meeting)
        .options(
            joinedload(MeetingAction.owner_organisation),
            contains_eager(MeetingAction.meeting),
        )
        .where(
            MeetingAction.panel_id == panel.id,
            MeetingAction.status == ActionStatus.OPEN,
            Meeting.starts_at < meeting.starts_at,
        )
        .order_by(Meeting.starts_at, MeetingAction.id)
    )
    return [
        MatterArising(
            kind="Action",
            description=action.description,
            owner=action.owner_organisation.name if action.owner_organisation else None,
            due_date=action.due_date,
            raised_at=action.meeting.starts_at,
            url=url_for("meetings.show", meeting_id=action.meeting_id, _anchor="actions"),
            overdue=is_overdue(action.due_date),
            close_url=url_for(
                "attendance.close_action", meeting_id=meeting.id, meeting_action_id=action.id
            ),
        )
        for action in rows
    ]
