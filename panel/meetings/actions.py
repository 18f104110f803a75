"""Actions agreed at a meeting: who owns each, by when, and closing it once done.

An open action comes back under "minutes of the last meeting and matters arising" at every later
meeting of its panel until it is closed (see `matters_arising`). Adding and closing one asks
`access` whether the actor may manage the panel's meetings, as the pages do.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy.orm import joinedload

from panel import access
from panel.access import Action
from panel.accounts.models import Organisation, User
from panel.core.audit import AuditAction, apply_changes, record
from panel.core.database import utcnow
from panel.extensions import db
from panel.meetings.attendance.services import check_record_open
from panel.meetings.models import ActionStatus, Meeting, MeetingAction
from panel.panels.models import Membership, Panel, Role


class ActionRefused(Exception):
    """A change to an action that is not allowed; the message is written for the user."""


def owner_organisations(panel: Panel) -> list[Organisation]:
    """The organisations that may own an action: those of the panel's members (not readers)."""
    return list(
        db.session.scalars(
            db.select(Organisation)
            .where(
                Organisation.id.in_(
                    db.select(User.organisation_id)
                    .join(Membership, Membership.user_id == User.id)
                    .where(Membership.panel_id == panel.id, Membership.role != Role.READER)
                )
            )
            .order_by(Organisation.name)
        )
    )


def actions_raised_at(meeting: Meeting) -> list[MeetingAction]:
    """The actions agreed at this meeting, open and closed, in the order they were added."""
    return list(
        db.session.scalars(
            db.select(MeetingAction)
            .options(joinedload(MeetingAction.owner_organisation))
            .where(MeetingAction.meeting_id == meeting.id)
            .order_by(MeetingAction.id)
        )
    )


def action_of(meeting: Meeting, meeting_action_id: int) -> MeetingAction | None:
    """An action of this meeting's panel (raised here or earlier); None for another panel's."""
    return db.session.scalar(
        db.select(MeetingAction).where(
            MeetingAction.id == meeting_action_id, MeetingAction.panel_id == meeting.panel_id
        )
    )


def add_action(
    actor: User,
    meeting: Meeting,
    description: str,
    owner: Organisation,
    due_date: date | None = None,
    *,
    now: datetime | None = None,
) -> MeetingAction:
    """Record an action agreed at `meeting`; it can be added once the meeting has started."""
    access.require(actor, Action.MANAGE_MEETINGS, meeting)
    check_record_open(meeting, now)
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
        label=_label(action),
        changes={
            "description": action.description,
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
    record(actor, AuditAction.UPDATE, action, label=_label(action), changes=changes)
    db.session.flush()


def _label(action: MeetingAction) -> str:
    return f"Action: {action.description}"[:200]
