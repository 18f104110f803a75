"""The dates of a series of meetings: plain functions of the rule, no database.

Series are worked out in UK local time, so a 6pm meeting stays at 6pm across the clocks changing.
"""

from __future__ import annotations

import calendar
from datetime import date, datetime, time, timedelta

from panel.core.time import UK

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
    return candidate <= until
