"""Meetings in people's calendars: an .ics file per meeting and a private feed per user.

A calendar entry leaves Panel for systems it does not control (phones, mail servers, shared
calendars), so it carries the panel's name, the time, the place and a link back, and nothing else:
never agenda items, notes, attendance, cancellation reasons or anything else about cases. The place
and the online link are the only text a person typed that goes in.

The feed's address holds a secret token, which is the only credential a calendar app can send.
Issuing a new token replaces the old one, so resetting the link revokes the old address.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Iterable
from datetime import datetime, timedelta
from urllib.parse import urlsplit

import sqlalchemy as sa
from icalendar import Calendar, Event, vDuration
from sqlalchemy.orm import joinedload

from panel.access import PANEL_PERMISSIONS, Action
from panel.accounts.models import User
from panel.core.audit import AuditAction, AuditEvent, record
from panel.core.database import utcnow
from panel.core.time import UK
from panel.extensions import db
from panel.meetings.models import Meeting, MeetingStatus
from panel.panels.models import Membership

PRODID = "-//Panel//Hate crime panel meetings//EN"
CALENDAR_NAME = "Panel meetings"
# The one sentence an entry says about itself; it must stay free of anything about cases.
DESCRIPTION = "Details of this meeting are in Panel, for people who may see them:"
# How far back the feed reaches: recent meetings stay in calendars, older ones drop out. How far
# ahead it reaches, and the most meetings it holds (the soonest first): a feed costs the same
# however long the panels' history and however far ahead they have scheduled.
FEED_HISTORY = timedelta(days=92)
FEED_AHEAD = timedelta(days=366)
FEED_MOST = 250
# How often subscribed calendars should fetch the feed again, so moves and cancellations arrive.
REFRESH_INTERVAL = timedelta(hours=1)


# --- Building calendars --------------------------------------------------------------------------


def meeting_event(
    meeting: Meeting,
    url: str,
    *,
    sequence: int = 0,
    last_modified: datetime | None = None,
    now: datetime | None = None,
) -> Event:
    """The VEVENT for one meeting, with times in UTC so no client has to know UK clock rules.

    `sequence` counts the meeting's changes since it was scheduled: calendar apps keep the copy
    with the highest SEQUENCE, so it must grow whenever the meeting is moved or cancelled.
    """
    event = Event()
    # The host of the link keeps UIDs apart between Panel installations.
    event.add("uid", f"meeting-{meeting.id}@{urlsplit(url).hostname or 'panel'}")
    event.add("dtstamp", now or utcnow())
    event.add("dtstart", meeting.starts_at)
    event.add("dtend", meeting.ends_at)
    event.add("sequence", sequence)
    event.add("last-modified", last_modified or meeting.created_at)
    cancelled = meeting.status == MeetingStatus.CANCELLED
    # Some apps ignore STATUS, so the title says it too.
    event.add("summary", f"Cancelled: {meeting.title}" if cancelled else meeting.title)
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    location = ", ".join(part for part in (meeting.place, meeting.online_link) if part)
    if location:
        event.add("location", location)
    event.add("url", url)
    event.add("description", f"{DESCRIPTION} {url}")
    event.add("class", "PRIVATE")
    return event


def calendar_for(
    meetings: Iterable[Meeting],
    url_for_meeting: Callable[[Meeting], str],
    *,
    now: datetime | None = None,
) -> bytes:
    """A VCALENDAR holding one event per meeting, as bytes to send."""
    meetings = list(meetings)
    revisions = _revisions([meeting.id for meeting in meetings])
    now = now or utcnow()
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", CALENDAR_NAME)
    calendar.add("refresh-interval", REFRESH_INTERVAL, parameters={"VALUE": "DURATION"})
    calendar.add("x-published-ttl", vDuration(REFRESH_INTERVAL))  # Apple and Outlook read this one
    for meeting in meetings:
        sequence, last_modified = revisions.get(meeting.id, (0, None))
        calendar.add_component(
            meeting_event(
                meeting,
                url_for_meeting(meeting),
                sequence=sequence,
                last_modified=last_modified,
                now=now,
            )
        )
    return calendar.to_ical()


def _revisions(meeting_ids: list[int]) -> dict[int, tuple[int, datetime]]:
    """{meeting id: (number of changes, when last changed)}, from the audit trail, in one query.

    Every move and change of status is audited as an update of the meeting, and the trail is
    append-only, so the count only ever grows: exactly what SEQUENCE needs.
    """
    if not meeting_ids:
        return {}
    rows = db.session.execute(
        sa.select(AuditEvent.object_id, sa.func.count(), sa.func.max(AuditEvent.occurred_at))
        .where(
            AuditEvent.object_type == Meeting.__tablename__,
            AuditEvent.action == AuditAction.UPDATE,
            AuditEvent.object_id.in_(meeting_ids),
        )
        .group_by(AuditEvent.object_id)
    )
    return {object_id: (count, last) for object_id, count, last in rows}


def filename_for(meeting: Meeting) -> str:
    """E.g. ``panel-meeting-2027-01-05.ics``, dated as people in the UK read the meeting's day."""
    return f"panel-meeting-{meeting.starts_at.astimezone(UK):%Y-%m-%d}.ics"


# --- The private feed ----------------------------------------------------------------------------


def user_for_token(token: str) -> User | None:
    """The active user whose feed this token opens, or None.

    Looking the token up through its unique index is safe against timing: tokens are 256 random
    bits, far too many to learn one a character at a time.
    """
    user = db.session.scalar(sa.select(User).where(User.calendar_token == token))
    return user if user is not None and user.active else None


def feed_meetings(user: User, now: datetime | None = None) -> list[Meeting]:
    """The meetings in the user's feed: every panel where they may see meetings, from three months
    ago to a year ahead (at most FEED_MOST, the earliest first), cancelled ones included so that
    calendars take them out."""
    now = now or utcnow()
    panels = (
        sa.select(Membership.panel_id)
        .where(
            Membership.user_id == user.id,
            Membership.role.in_(PANEL_PERMISSIONS[Action.VIEW_MEETINGS]),
        )
        .scalar_subquery()
    )
    return list(
        db.session.scalars(
            sa.select(Meeting)
            .options(joinedload(Meeting.panel))
            .where(
                Meeting.panel_id.in_(panels),
                Meeting.starts_at >= now - FEED_HISTORY,
                Meeting.starts_at < now + FEED_AHEAD,
            )
            .order_by(Meeting.starts_at, Meeting.id)
            .limit(FEED_MOST)
        )
    )


def issue_calendar_token(user: User) -> str:
    """Give the user a new feed address; any old address stops working at once."""
    replaced = user.calendar_token is not None
    user.calendar_token = secrets.token_urlsafe(32)
    # The token is a credential: the trail says what happened, never its value.
    record(
        user,
        AuditAction.UPDATE,
        user,
        changes={"calendar_feed": "reset" if replaced else "created"},
    )
    db.session.flush()
    return user.calendar_token


def revoke_calendar_token(user: User) -> None:
    """Stop the user's feed address working. Nothing to do (and nothing to audit) if none."""
    if user.calendar_token is None:
        return
    user.calendar_token = None
    record(user, AuditAction.UPDATE, user, changes={"calendar_feed": "stopped"})
    db.session.flush()
