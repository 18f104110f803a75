"""Time as the panels live it: UK calendar days for due dates and "overdue", and dates written
in GOV.UK style. Stored times are UTC (`panel.core.database.utcnow`); people read UK time."""

from __future__ import annotations

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from panel.core.database import utcnow

UK = ZoneInfo("Europe/London")


def uk_today() -> date:
    """Today's date in the UK: due dates and "overdue" are UK calendar days."""
    return utcnow().astimezone(UK).date()


def format_datetime(value: datetime | date | None, style: str = "full") -> str:
    """Dates as GOV.UK style writes them, in UK time: "29 November 2026 at 2:05pm" (full),
    "29 November 2026" (date), "Sunday 29 November 2026" (weekday)."""
    if value is None:
        return ""
    local = value.astimezone(UK) if isinstance(value, datetime) else value
    day = f"{local.day} {local:%B %Y}"
    if style == "date" or not isinstance(local, datetime):
        return day
    if style == "weekday":
        return f"{local:%A} {day}"
    return f"{day} at {format_time(local)}"


def format_time(value: datetime | time) -> str:
    """ "6pm", "6:30pm", "midday" (GOV.UK style), in UK time."""
    if isinstance(value, datetime):
        value = value.astimezone(UK).time()
    if (value.hour, value.minute) == (12, 0):
        return "midday"
    if (value.hour, value.minute) == (0, 0):
        return "midnight"
    hour = value.hour % 12 or 12
    minutes = f":{value.minute:02d}" if value.minute else ""
    return f"{hour}{minutes}{'am' if value.hour < 12 else 'pm'}"
