"""Scheduling meetings and moving them through their lifecycle. Each operation asks `access`
whether the actor may manage the panel's meetings (as the pages do), writes and audits; the unit of
work commits."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time

from panel import access
from panel.access import Action
from panel.accounts.models import User
from panel.core.audit import AuditAction, apply_changes, record
from panel.core.database import utcnow
from panel.core.time import UK
from panel.extensions import db
from panel.meetings import lifecycle, schedule
from panel.meetings.models import (
    AgendaItem,
    AgendaItemKind,
    AgendaTemplateItem,
    Meeting,
    MeetingSeries,
    MeetingStatus,
    Recurrence,
)
from panel.panels.models import Panel

# The standing items a panel starts with; its coordinator can change them.
DEFAULT_STANDING_ITEMS = (
    ("Welcome and apologies", AgendaItemKind.STANDING, 5),
    ("Minutes of the last meeting and matters arising", AgendaItemKind.MATTERS_ARISING, 15),
    ("Community tension update", AgendaItemKind.STANDING, 15),
    ("Any other business", AgendaItemKind.STANDING, 10),
)


@dataclass(frozen=True)
class Venue:
    """When and where, as a person enters it: a UK local start time, a length, a place or link."""

    start_time: time
    duration_minutes: int
    place: str | None
    online_link: str | None


def agenda_template(panel: Panel) -> list[AgendaTemplateItem]:
    """The panel's standing items, creating the default set the first time they are asked for."""
    items = list(
        db.session.scalars(
            db.select(AgendaTemplateItem)
            .where(AgendaTemplateItem.panel_id == panel.id)
            .order_by(AgendaTemplateItem.position)
        )
    )
    if items:
        return items
    items = [
        AgendaTemplateItem(panel=panel, position=n, title=title, kind=kind, duration_minutes=mins)
        for n, (title, kind, mins) in enumerate(DEFAULT_STANDING_ITEMS, start=1)
    ]
    db.session.add_all(items)
    db.session.flush()
    return items


def _new_meeting(
    panel: Panel,
    day: date,
    venue: Venue,
    series: MeetingSeries | None,
    template: list[AgendaTemplateItem],
) -> Meeting:
    meeting = Meeting(
        panel=panel,
        series=series,
        starts_at=schedule.local_start(day, venue.start_time),
        duration_minutes=venue.duration_minutes,
        place=venue.place or None,
        online_link=venue.online_link or None,
        status=MeetingStatus.SCHEDULED,
    )
    meeting.agenda_items = [
        AgendaItem(
            position=item.position,
            kind=item.kind,
            title=item.title,
            duration_minutes=item.duration_minutes,
        )
        for item in template
    ]
    db.session.add(meeting)
    return meeting


def schedule_meeting(actor: User, panel: Panel, day: date, venue: Venue) -> Meeting:
    access.require(actor, Action.MANAGE_MEETINGS, panel)
    meeting = _new_meeting(panel, day, venue, None, agenda_template(panel))
    db.session.flush()
    record(
        actor,
        AuditAction.CREATE,
        meeting,
        label=_label(meeting),
        changes={
            "starts_at": meeting.starts_at.isoformat(),
            "place": meeting.place,
            "online_link": meeting.online_link,
        },
    )
    db.session.flush()
    return meeting


def schedule_series(
    actor: User,
    panel: Panel,
    series: MeetingSeries,
    venue: Venue,
) -> list[Meeting]:
    """Create the series and one meeting per date of its rule, each with the standing agenda."""
    access.require(actor, Action.MANAGE_MEETINGS, panel)
    if series.recurrence == Recurrence.EVERY_N_WEEKS:
        if series.interval_weeks is None:
            raise ValueError("a series every n weeks needs interval_weeks")
        days = schedule.every_n_weeks(
            series.first_date, series.interval_weeks, until=series.until, count=series.count
        )
    else:
        if series.weekday is None or series.week_of_month is None:
            raise ValueError("a monthly series needs weekday and week_of_month")
        days = schedule.monthly_on_weekday(
            series.first_date,
            series.weekday,
            series.week_of_month,
            until=series.until,
            count=series.count,
        )
    series.panel = panel
    series.created_by_id = actor.id
    db.session.add(series)
    template = agenda_template(panel)
    meetings = [_new_meeting(panel, day, venue, series, template) for day in days]
    db.session.flush()
    record(
        actor,
        AuditAction.CREATE,
        series,
        label=f"Series of {len(meetings)} meetings of {panel.name}",
        changes={"recurrence": series.recurrence.value, "meetings": [m.id for m in meetings]},
    )
    db.session.flush()
    return meetings


def move_meeting(actor: User, meeting: Meeting, day: date, venue: Venue) -> Meeting:
    """Change one meeting's date, time or place; the rest of its series stays as it was."""
    access.require(actor, Action.MANAGE_MEETINGS, meeting)
    if meeting.status != MeetingStatus.SCHEDULED:
        raise lifecycle.TransitionRefused(
            f"Only a scheduled meeting can be moved; this one is {meeting.status.label.lower()}."
        )
    changes = apply_changes(
        meeting,
        {
            "starts_at": schedule.local_start(day, venue.start_time),
            "duration_minutes": venue.duration_minutes,
            "place": venue.place or None,
            "online_link": venue.online_link or None,
        },
    )
    if changes:
        record(actor, AuditAction.UPDATE, meeting, label=_label(meeting), changes=changes)
        db.session.flush()
    return meeting


def change_status(
    actor: User,
    meeting: Meeting,
    target: MeetingStatus,
    *,
    reason: str | None = None,
    now: datetime | None = None,
) -> Meeting:
    """Move a meeting along its lifecycle, or raise `lifecycle.TransitionRefused`."""
    access.require(actor, Action.MANAGE_MEETINGS, meeting)
    lifecycle.check(meeting, target, now or utcnow())
    fields: dict = {"status": target}
    if target == MeetingStatus.CANCELLED:
        fields["cancellation_reason"] = reason or None
    changes = apply_changes(meeting, fields)
    record(actor, AuditAction.UPDATE, meeting, label=_label(meeting), changes=changes)
    db.session.flush()
    return meeting


def _label(meeting: Meeting) -> str:
    local = meeting.starts_at.astimezone(UK)
    return f"{meeting.panel.name} meeting on {local:%d %B %Y at %H:%M}"
