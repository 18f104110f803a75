"""Scheduling meetings (one, or a series by its rule) and moving them through their lifecycle,
and the actions agreed at a meeting. Each operation asks `access` whether the actor may manage the
panel's meetings (as the pages do), writes and audits; the unit of work commits.

The dates of a series are plain functions of its rule, no database (`every_n_weeks`,
`monthly_on_weekday`). Series are worked out in UK local time, so a 6pm meeting stays at 6pm
across the clocks changing.

An action agreed at a meeting has an owning organisation and perhaps a due date. An open action
comes back under "minutes of the last meeting and matters arising" at every later meeting of its
panel until it is closed (see `matters_arising`).

Where a meeting is, its online link, why it was cancelled and what an action says are typed in,
and may name someone: the audit trail records that they were given or changed, never the words
(an online link may carry its passcode too), and names an action by number and meeting.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

import sqlalchemy as sa

from panel import access
from panel.access import Action
from panel.accounts.models import Organisation, User
from panel.core.audit import AuditAction, apply_changes, masked, record, text_set
from panel.core.database import utcnow
from panel.core.time import UK
from panel.extensions import db
from panel.meetings import lifecycle
from panel.meetings.attendance.services import check_record_open, meeting_label
from panel.meetings.models import (
    MAX_ACTIONS,
    ActionStatus,
    AgendaItem,
    AgendaItemKind,
    AgendaTemplateItem,
    Meeting,
    MeetingAction,
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

# A meeting's free text, which the audit trail records only as set or changed.
TEXT_FIELDS = frozenset({"place", "online_link", "cancellation_reason"})


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
        starts_at=local_start(day, venue.start_time),
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
            "place": text_set(meeting.place),
            "online_link": text_set(meeting.online_link),
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
        days = every_n_weeks(
            series.first_date, series.interval_weeks, until=series.until, count=series.count
        )
    else:
        if series.weekday is None or series.week_of_month is None:
            raise ValueError("a monthly series needs weekday and week_of_month")
        days = monthly_on_weekday(
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
    changes = masked(
        apply_changes(
            meeting,
            {
                "starts_at": local_start(day, venue.start_time),
                "duration_minutes": venue.duration_minutes,
                "place": venue.place or None,
                "online_link": venue.online_link or None,
            },
        ),
        TEXT_FIELDS,
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
    changes = masked(apply_changes(meeting, fields), TEXT_FIELDS)
    record(actor, AuditAction.UPDATE, meeting, label=_label(meeting), changes=changes)
    db.session.flush()
    return meeting


def _label(meeting: Meeting) -> str:
    local = meeting.starts_at.astimezone(UK)
    return f"{meeting.panel.name} meeting on {local:%d %B %Y at %H:%M}"


# --- The dates of a series ---------------------------------------------------------------------

# A series longer than this is almost certainly a typing mistake (every week for 50 years...).
MAX_MEETINGS = 200


def every_n_weeks(
    first: date, interval_weeks: int, *, until: date | None = None, count: int | None = None
) -> list[date]:
    """`first`, then every `interval_weeks` weeks, until a date (inclusive) or for a count."""
    _check_end(until, count)
    step = timedelta(weeks=interval_weeks)
    dates: list[date] = []
    current = first
    while _more(dates, current, until, count):
        dates.append(current)
        current += step
    return dates


def nth_weekday(year: int, month: int, weekday: int, week_of_month: int) -> date:
    """E.g. the 2nd Tuesday (weekday=1, week_of_month=2), or the last Friday (week_of_month=-1)."""
    days = [
        day
        for day in calendar.Calendar().itermonthdates(year, month)
        if day.month == month and day.weekday() == weekday
    ]
    return days[-1] if week_of_month == -1 else days[week_of_month - 1]


def monthly_on_weekday(
    first: date,
    weekday: int,
    week_of_month: int,
    *,
    until: date | None = None,
    count: int | None = None,
) -> list[date]:
    """The given weekday of each month (e.g. the first Wednesday), from `first`'s month on; a
    month whose date falls before `first` is skipped."""
    _check_end(until, count)
    dates: list[date] = []
    year, month = first.year, first.month
    while True:
        candidate = nth_weekday(year, month, weekday, week_of_month)
        if candidate >= first:
            if not _more(dates, candidate, until, count):
                return dates
            dates.append(candidate)
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)


def local_start(day: date, start_time: time) -> datetime:
    """A UK wall-clock date and time as an aware datetime (stored as UTC by the model)."""
    return datetime.combine(day, start_time, tzinfo=UK)


def _check_end(until: date | None, count: int | None) -> None:
    if (until is None) == (count is None):
        raise ValueError("a series ends either on a date or after a number of meetings")
    if count is not None and not 1 <= count <= MAX_MEETINGS:
        raise ValueError(f"a series has between 1 and {MAX_MEETINGS} meetings")


def _more(dates: list[date], candidate: date, until: date | None, count: int | None) -> bool:
    if len(dates) >= MAX_MEETINGS:
        return False
    if count is not None:
        return len(dates) < count
    assert until is not None  # one of the two, checked by `_check_end`
    return candidate <= until


# --- Actions agreed at a meeting ---------------------------------------------------------------


class ActionRefused(Exception):
    """A change to an action that is not allowed; the message is written for the user."""


def add_action(
    actor: User,
    meeting: Meeting,
    description: str,
    owner: Organisation,
    due_date: date | None = None,
    *,
    now: datetime | None = None,
) -> MeetingAction:
    """Record an action agreed at `meeting`; it can be added once the meeting has started, up
    to MAX_ACTIONS at one meeting."""
    access.require(actor, Action.MANAGE_MEETINGS, meeting)
    check_record_open(meeting, now)
    raised = db.session.scalar(
        db.select(sa.func.count(MeetingAction.id)).where(MeetingAction.meeting_id == meeting.id)
    )
    if raised >= MAX_ACTIONS:
        raise ActionRefused(
            f"A meeting can agree at most {MAX_ACTIONS} actions, and this one has. Close or "
            "combine some, or record the rest at the next meeting."
        )
    action = MeetingAction(
        panel_id=meeting.panel_id,
        meeting=meeting,
        description=description.strip(),
        owner_organisation=owner,
        due_date=due_date,
        status=ActionStatus.OPEN,
    )
    db.session.add(action)
    db.session.flush()
    record(
        actor,
        AuditAction.CREATE,
        action,
        label=_action_label(action),
        changes={
            "description": text_set(action.description),
            "owner_organisation": owner.name,
            "due_date": due_date.isoformat() if due_date else None,
        },
    )
    db.session.flush()
    return action


def close_action(actor: User, action: MeetingAction, *, now: datetime | None = None) -> None:
    """Close an open action, at any later meeting of its panel (as a matter arising)."""
    access.require(actor, Action.MANAGE_MEETINGS, action.meeting)
    if action.status == ActionStatus.CLOSED:
        raise ActionRefused("This action is already closed.")
    changes = apply_changes(action, {"status": ActionStatus.CLOSED, "closed_at": now or utcnow()})
    record(actor, AuditAction.UPDATE, action, label=_action_label(action), changes=changes)
    db.session.flush()


def _action_label(action: MeetingAction) -> str:
    """An action by number and meeting, never by what it says."""
    return f"Action {action.id} of the {meeting_label(action.meeting)}"
