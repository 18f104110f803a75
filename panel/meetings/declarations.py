"""Conflicts of interest: a member declares an interest in an agenda item, or withdraws it.

The declaration is part of the meeting's record. For a case review item it also hides that case
from the person who declared: case review pages ask `declared_interest` or `declared_items`.
Declarations follow the agenda: they can be made or withdrawn while the meeting is scheduled or
held, not once its minutes are being written. Only members who may declare an interest at the
meeting may (asked of the meeting, never of the item: a case withheld from someone after they
declared must not stop them withdrawing).
"""

from __future__ import annotations

from panel import access
from panel.access import Action
from panel.accounts.models import User
from panel.core.audit import AuditAction, apply_changes, record
from panel.extensions import db
from panel.meetings.agenda.services import AgendaRefused, is_open
from panel.meetings.models import AgendaItem, InterestDeclaration, Meeting


def declared_interest(user: User, agenda_item: AgendaItem) -> bool:
    """Whether `user` has declared an interest in `agenda_item`."""
    return (
        db.session.scalar(
            db.select(InterestDeclaration.id).where(
                InterestDeclaration.agenda_item_id == agenda_item.id,
                InterestDeclaration.user_id == user.id,
            )
        )
        is not None
    )


def declared_items(user: User, meeting: Meeting) -> set[int]:
    """The ids of the meeting's agenda items in which `user` has declared an interest, in one
    query, for pages that list several items."""
    return set(
        db.session.scalars(
            db.select(InterestDeclaration.agenda_item_id)
            .join(AgendaItem, AgendaItem.id == InterestDeclaration.agenda_item_id)
            .where(AgendaItem.meeting_id == meeting.id, InterestDeclaration.user_id == user.id)
        )
    )


def declaration_of(user: User, agenda_item: AgendaItem) -> InterestDeclaration | None:
    return db.session.scalar(
        db.select(InterestDeclaration).where(
            InterestDeclaration.agenda_item_id == agenda_item.id,
            InterestDeclaration.user_id == user.id,
        )
    )


def declare(actor: User, agenda_item: AgendaItem, reason: str) -> InterestDeclaration:
    """Declare the actor's interest in the item; declaring again changes the reason."""
    access.require(actor, Action.DECLARE_INTEREST, agenda_item.meeting)
    _check_open(agenda_item)
    declaration = declaration_of(actor, agenda_item)
    if declaration is not None:
        changes = apply_changes(declaration, {"reason": reason})
        if changes:
            record(
                actor, AuditAction.UPDATE, declaration, label=_label(declaration), changes=changes
            )
            db.session.flush()
        return declaration
    declaration = InterestDeclaration(agenda_item=agenda_item, user=actor, reason=reason)
    db.session.add(declaration)
    db.session.flush()
    record(
        actor,
        AuditAction.CREATE,
        declaration,
        label=_label(declaration),
        changes={"agenda_item": agenda_item.title, "reason": reason},
    )
    db.session.flush()
    access.who_sees_what_changed()  # the case is withheld from the actor from now on
    return declaration


def withdraw(actor: User, agenda_item: AgendaItem) -> bool:
    """Withdraw the actor's declaration in the item; False if they had none."""
    access.require(actor, Action.DECLARE_INTEREST, agenda_item.meeting)
    _check_open(agenda_item)
    declaration = declaration_of(actor, agenda_item)
    if declaration is None:
        return False
    record(
        actor,
        AuditAction.DELETE,
        declaration,
        label=_label(declaration),
        changes={"agenda_item": agenda_item.title, "reason": declaration.reason},
    )
    agenda_item.declarations.remove(declaration)
    db.session.flush()
    access.who_sees_what_changed()  # the case is open to the actor again
    return True


def _check_open(agenda_item: AgendaItem) -> None:
    if not is_open(agenda_item.meeting):
        raise AgendaRefused(
            "Interests can only be declared or withdrawn while the meeting is scheduled or held. "
            f"This meeting’s status is: {agenda_item.meeting.status.label.lower()}."
        )


def _label(declaration: InterestDeclaration) -> str:
    return f"{declaration.user.full_name}’s interest in “{declaration.agenda_item.title}”"[:200]
