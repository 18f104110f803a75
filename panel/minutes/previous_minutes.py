"""The minutes of the last meeting, decided at this one.

Under "minutes of the last meeting" a meeting agrees the previous meeting's minutes as a correct
record, agrees them with amendments (which are listed), or does not agree them yet. Whoever drafts
this meeting's minutes records that decision with the notes (`decide`, called by
`services.save_notes`); it is what these minutes say (`statement`), and an agreement is what marks
the previous minutes as agreed, at this meeting. Changing the decision while the minutes are a
draft moves that mark with it. Nothing is said or marked that nobody recorded: the previous
minutes' own approval by the chair is not this meeting's decision.
"""

from __future__ import annotations

from dataclasses import dataclass

from panel.accounts.models import User
from panel.core.audit import AuditAction, apply_changes, record
from panel.core.time import format_datetime
from panel.extensions import db
from panel.meetings.models import Meeting, MeetingStatus
from panel.minutes.models import Minutes, PreviousMinutesDecision

D = PreviousMinutesDecision


@dataclass(frozen=True)
class Decision:
    """What the meeting decided (None: nothing recorded) and the amendments, one a line."""

    outcome: PreviousMinutesDecision | None
    amendments: str | None = None


def previous_meeting(meeting: Meeting) -> Meeting | None:
    """The panel's last meeting before `meeting`, leaving out cancelled ones."""
    return db.session.scalar(
        db.select(Meeting)
        .where(
            Meeting.panel_id == meeting.panel_id,
            Meeting.starts_at < meeting.starts_at,
            Meeting.status != MeetingStatus.CANCELLED,
        )
        .order_by(Meeting.starts_at.desc())
        .limit(1)
    )


def which_minutes(previous: Meeting | None) -> str:
    """ "the minutes of the meeting on 10 November 2026", or of the last meeting when it was
    held before the panel used Panel."""
    if previous is None:
        return "the minutes of the last meeting"
    return f"the minutes of the meeting on {format_datetime(previous.starts_at, 'date')}"


def amendment_lines(text: str | None) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


def statement(minutes: Minutes, previous: Meeting | None) -> tuple[str, list[str]]:
    """What the minutes say the meeting decided, as a decision, with the amendments; nothing
    ("") when no decision was recorded."""
    decision = minutes.previous_decision
    which = which_minutes(previous)
    if decision is None:
        return "", []
    if decision == D.AGREED:
        return f"Agreed: {which} are a correct record.", []
    if decision == D.AGREED_WITH_AMENDMENTS:
        return (
            f"Agreed: {which} are a correct record, with these amendments:",
            amendment_lines(minutes.previous_amendments),
        )
    return f"{which[0].upper()}{which[1:]} were not agreed at this meeting.", []


def decide(actor: User, minutes: Minutes, decision: Decision) -> bool:
    """Record what the meeting of `minutes` decided about the previous minutes, audit it, and
    mark the previous minutes agreed at this meeting (or no longer, if the decision changed).
    Adds to the caller's transaction; True if anything changed."""
    amendments = (
        "\n".join(amendment_lines(decision.amendments))
        if decision.outcome == D.AGREED_WITH_AMENDMENTS
        else None
    )
    changes = apply_changes(
        minutes,
        {"previous_decision": decision.outcome, "previous_amendments": amendments or None},
    )
    agreed = bool(decision.outcome and decision.outcome.agreed)
    if not changes:
        # The previous minutes may have been started since: mark them too.
        _mark_previous(actor, minutes, agreed=agreed)
        return False
    record(
        actor,
        AuditAction.UPDATE,
        minutes,
        label=_label(minutes),
        changes={
            "previous_minutes": decision.outcome.label if decision.outcome else "Not recorded",
            # The amendments are minutes text: the trail says they changed, not what they say.
            **({"amendments": "(changed)"} if "previous_amendments" in changes else {}),
        },
    )
    _mark_previous(actor, minutes, agreed=agreed)
    return True


def _mark_previous(actor: User, minutes: Minutes, *, agreed: bool) -> None:
    meeting = minutes.meeting
    target = None
    if agreed and (previous := previous_meeting(meeting)) is not None:
        target = db.session.scalar(db.select(Minutes).where(Minutes.meeting_id == previous.id))
    marked = db.session.scalars(
        db.select(Minutes).where(Minutes.agreed_at_meeting_id == meeting.id)
    )
    for other in marked:
        if other is not target:
            _set_agreed(actor, other, None)
    if target is not None:
        _set_agreed(actor, target, meeting)


def _set_agreed(actor: User, minutes: Minutes, meeting: Meeting | None) -> None:
    changes = apply_changes(
        minutes,
        {
            "agreed_at": meeting.starts_at if meeting else None,
            "agreed_at_meeting_id": meeting.id if meeting else None,
        },
    )
    if changes:
        record(actor, AuditAction.UPDATE, minutes, label=_label(minutes), changes=changes)


def _label(minutes: Minutes) -> str:
    meeting = minutes.meeting
    return f"Minutes of {meeting.panel.name}, {format_datetime(meeting.starts_at, 'date')}"[:200]
