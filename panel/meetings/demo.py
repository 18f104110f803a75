"""Demo meetings, relative to today so there is always a recent past and a near future: the
Coventry panel's fortnightly series with attendance and open actions, the scrutiny panel's
quarterly meetings, and the Dudley IAG's monthly ones."""

from __future__ import annotations

from datetime import date, time, timedelta

from panel.accounts.models import Organisation, User
from panel.core.database import utcnow
from panel.extensions import db
from panel.meetings import services
from panel.meetings.attendance import services as attendance
from panel.meetings.models import (
    AttendanceStatus,
    Meeting,
    MeetingSeries,
    MeetingStatus,
    Recurrence,
)
from panel.panels.models import Panel

COVENTRY_ROOM = "Coventry Council House, Committee Room 2"


def _weekday_on_or_before(day: date, weekday: int) -> date:
    return day - timedelta(days=(day.weekday() - weekday) % 7)


def _series(actor, panel, recurrence, first, venue, **rule) -> list[Meeting]:
    series = MeetingSeries(recurrence=recurrence, first_date=first, **rule)
    return services.schedule_series(actor, panel, series, venue)


def _hold(actor: User, meeting: Meeting, apologies: set[str], deputies: dict[str, str]) -> None:
    """Record a past meeting as held, with everyone present except the apologies and deputies
    (keyed by e-mail)."""
    services.change_status(actor, meeting, MeetingStatus.HELD)
    marks = {}
    for entry in attendance.register_of(meeting):
        email = entry.user.email
        if email in deputies:
            marks[entry.user.id] = attendance.Mark(AttendanceStatus.DEPUTY, deputies[email])
        elif email in apologies:
            marks[entry.user.id] = attendance.Mark(AttendanceStatus.APOLOGIES)
        else:
            marks[entry.user.id] = attendance.Mark(AttendanceStatus.PRESENT)
    attendance.record_register(actor, meeting, marks)


def load_demo_meetings(panels: dict[str, Panel], coordinator: User, iag_chair: User) -> int:
    """Schedule the demo meetings for any demo panel that has none; returns how many."""
    today = utcnow().date()
    added = 0
    organisations = {org.name: org for org in db.session.scalars(db.select(Organisation))}

    def has_meetings(panel: Panel) -> bool:
        return (
            db.session.scalar(db.select(Meeting.id).where(Meeting.panel_id == panel.id).limit(1))
            is not None
        )

    coventry = panels["Coventry Hate Crime Panel"]
    if not has_meetings(coventry):
        first = _weekday_on_or_before(today - timedelta(days=35), 1)  # a Tuesday, 5 weeks ago
        meetings = _series(
            coordinator,
            coventry,
            Recurrence.EVERY_N_WEEKS,
            first,
            services.Venue(
                time(10),
                120,
                COVENTRY_ROOM,
                "https://teams.example.org/l/coventry-hate-crime-panel",
            ),
            interval_weeks=2,
            count=16,
        )
        past = [m for m in meetings if m.starts_at.date() < today]
        for number, meeting in enumerate(past):
            _hold(
                coordinator,
                meeting,
                apologies={"cst@panel.example"} if number % 2 else {"mind@panel.example"},
                deputies={"council@panel.example": "Ravi Sharma"}
                if number == len(past) - 1
                else {},
            )
        if past:
            latest = past[-1]
            services.add_action(
                coordinator,
                latest,
                "Share the community tension assessment for the Foleshill area with partners",
                organisations["West Midlands Police, Coventry NPU"],
                today + timedelta(days=7),
            )
            services.add_action(
                coordinator,
                latest,
                "Confirm how partners refer cases to the restorative justice service",
                organisations["Restorative Justice West Midlands"],
                today + timedelta(days=14),
            )
            services.add_action(
                coordinator,
                past[0],
                "Circulate the updated third-party reporting centre list",
                organisations["Coventry City Council"],
                today - timedelta(days=10),
            )
        added += len(meetings)

    isp = panels["West Midlands Independent Scrutiny Panel"]
    if not has_meetings(isp):
        first = _weekday_on_or_before(today - timedelta(days=70), 3)  # a Thursday, 10 weeks ago
        meetings = _series(
            coordinator,
            isp,
            Recurrence.EVERY_N_WEEKS,
            first,
            services.Venue(time(14), 150, "CPS West Midlands, Birmingham office", None),
            interval_weeks=13,
            count=4,
        )
        _hold(coordinator, meetings[0], apologies={"courts@panel.example"}, deputies={})
        added += len(meetings)

    dudley = panels["Dudley Independent Advisory Group"]
    if not has_meetings(dudley):
        meetings = _series(
            iag_chair,
            dudley,
            Recurrence.MONTHLY_ON_WEEKDAY,
            today.replace(day=1),
            services.Venue(time(18, 30), 90, None, "https://teams.example.org/l/dudley-iag"),
            weekday=2,
            week_of_month=1,
            count=6,
        )
        added += len(meetings)
    return added
