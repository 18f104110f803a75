"""The meeting lifecycle in one place: which moves are allowed, and why a move is refused.

scheduled -> held -> minutes drafted -> minutes approved -> minutes published; or cancelled.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from panel.meetings.models import Meeting, MeetingStatus

S = MeetingStatus


@dataclass(frozen=True)
class Transition:
    source: MeetingStatus
    target: MeetingStatus
    # What the button says.
    verb: str


TRANSITIONS = (
    Transition(S.SCHEDULED, S.HELD, "Record as held"),
    Transition(S.SCHEDULED, S.CANCELLED, "Cancel meeting"),
    Transition(S.HELD, S.MINUTES_DRAFTED, "Mark minutes as drafted"),
    Transition(S.MINUTES_DRAFTED, S.MINUTES_APPROVED, "Approve minutes"),
    Transition(S.MINUTES_APPROVED, S.MINUTES_PUBLISHED, "Publish minutes"),
)


class TransitionRefused(Exception):
    """A move the lifecycle does not allow; the message is written for the user."""


def allowed_targets(meeting: Meeting) -> list[MeetingStatus]:
    return [t.target for t in TRANSITIONS if t.source == meeting.status]


def available_targets(meeting: Meeting, now: datetime) -> list[MeetingStatus]:
    """The moves `meeting` can make at `now`: the ones to offer on its page. `check` refuses
    the others, so a page never offers a button that would be refused."""
    return [
        target for target in allowed_targets(meeting) if _too_soon(meeting, target, now) is None
    ]


def _too_soon(meeting: Meeting, target: MeetingStatus, now: datetime) -> str | None:
    """Why `meeting` cannot move to `target` yet, or None."""
    if target == S.HELD and meeting.starts_at > now:
        return "A meeting cannot be recorded as held before it has started."
    return None


def check(meeting: Meeting, target: MeetingStatus, now: datetime) -> None:
    """Raise `TransitionRefused` with a clear reason unless `meeting` may move to `target`."""
    if target == meeting.status:
        raise TransitionRefused(f"This meeting is already {target.label.lower()}.")
    if target not in allowed_targets(meeting):
        raise TransitionRefused(
            f"A meeting that is {meeting.status.label.lower()} cannot become "
            f"{target.label.lower()}."
        )
    if (reason := _too_soon(meeting, target, now)) is not None:
        raise TransitionRefused(reason)
