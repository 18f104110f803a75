"""Operations on panels and memberships: each asks `access` whether the acting person may manage
panels (an administrator; None is the system: a command or demo data), changes and audits; the
unit of work commits."""

from __future__ import annotations

from panel import access
from panel.access import Action
from panel.accounts.models import User
from panel.core.audit import AuditAction, apply_changes, record
from panel.core.guard import GuardOutcome
from panel.extensions import db
from panel.panels.models import (
    DEFAULT_CASE_REVIEW_RETENTION_MONTHS,
    DEFAULT_LIVE_CASE_RETENTION_MONTHS,
    GuardOverride,
    Membership,
    Panel,
    PanelKind,
    Role,
)

# The handling caveat on a panel's documents unless its administrator sets another.
DEFAULT_MARKING = "OFFICIAL-SENSITIVE"


def create_panel(
    actor: User | None,
    *,
    name: str,
    kind: PanelKind,
    area: str,
    description: str | None = None,
    protective_marking: str = DEFAULT_MARKING,
    case_review_retention_months: int = DEFAULT_CASE_REVIEW_RETENTION_MONTHS,
    live_case_retention_months: int = DEFAULT_LIVE_CASE_RETENTION_MONTHS,
) -> Panel:
    access.require(actor, Action.MANAGE_PANELS)
    panel = Panel(
        name=name.strip(),
        kind=kind,
        area=area.strip(),
        description=(description or "").strip() or None,
        protective_marking=protective_marking.strip() or DEFAULT_MARKING,
        case_review_retention_months=case_review_retention_months,
        live_case_retention_months=live_case_retention_months,
    )
    db.session.add(panel)
    db.session.flush()
    record(
        actor,
        AuditAction.CREATE,
        panel,
        changes={
            "name": panel.name,
            "kind": kind.value,
            "area": panel.area,
            "case_review_retention_months": panel.case_review_retention_months,
            "live_case_retention_months": panel.live_case_retention_months,
        },
    )
    db.session.flush()
    return panel


def update_panel(actor: User, panel: Panel, **fields) -> Panel:
    access.require(actor, Action.MANAGE_PANELS, panel)
    for key, value in fields.items():
        if isinstance(value, str):
            fields[key] = value.strip() or (None if key == "description" else value)
    changes = apply_changes(panel, fields)
    if changes:
        record(actor, AuditAction.UPDATE, panel, changes=changes)
        db.session.flush()
    return panel


def add_member(actor: User | None, panel: Panel, user: User, role: Role) -> Membership:
    access.require(actor, Action.MANAGE_PANELS, panel)
    membership = Membership(panel=panel, user=user, role=role)
    db.session.add(membership)
    db.session.flush()
    record(
        actor,
        AuditAction.CREATE,
        membership,
        label=f"{user.email} on {panel.name}",
        changes={"panel": panel.name, "user": user.email, "role": role.value},
    )
    db.session.flush()
    access.who_sees_what_changed()
    return membership


def change_role(actor: User, membership: Membership, role: Role) -> Membership:
    access.require(actor, Action.MANAGE_PANELS, membership)
    changes = apply_changes(membership, {"role": role})
    if changes:
        record(
            actor,
            AuditAction.UPDATE,
            membership,
            label=f"{membership.user.email} on {membership.panel.name}",
            changes=changes,
        )
        db.session.flush()
        access.who_sees_what_changed()
    return membership


def remove_member(actor: User, membership: Membership) -> None:
    access.require(actor, Action.MANAGE_PANELS, membership)
    record(
        actor,
        AuditAction.DELETE,
        membership,
        label=f"{membership.user.email} on {membership.panel.name}",
        changes={"role": membership.role.value},
    )
    db.session.delete(membership)
    db.session.flush()
    access.who_sees_what_changed()


def panel_name_taken(name: str, *, except_panel: Panel | None = None) -> bool:
    existing = db.session.scalar(
        db.select(Panel).where(db.func.lower(Panel.name) == name.strip().lower())
    )
    return existing is not None and existing is not except_panel


def is_member(panel: Panel, user: User) -> bool:
    return (
        db.session.scalar(
            db.select(Membership.id).where(
                Membership.panel_id == panel.id, Membership.user_id == user.id
            )
        )
        is not None
    )


# --- Text saved past the personal-data guard ------------------------------------------------------
# Text saved past the personal-data guard, for the chair and coordinator to see. Any member may save
# text the guard stopped, with a reason (`panel.core.guard`). The audit trail keeps each override;
# this table keeps the same facts once more with the panel they belong to, so that the home page of
# a panel's chair and coordinator lists the latest in one indexed query, however long the audit
# trail grows (the trail has no panel column, and its `changes` are JSON that neither SQLite nor
# PostgreSQL can index alike). Like the trail, it never holds the text itself: who, when, on what,
# the reason and the kinds of personal data found.


class OverrideRefused(Exception):
    """Someone who may not save past the guard tried to (a tampered form)."""


NOT_ALLOWED = (
    "Only the panel’s members, coordinator and chair can save text the personal-data guard stopped."
)


def check_override(
    actor, panel, outcome: GuardOutcome, refused: type[Exception] = OverrideRefused
) -> None:
    """Raise `refused` (each service passes its own refusal, so that its page shows the message
    beside the form) unless `actor` may save past the guard on `panel`. The form offers the
    override only to those who may; this holds whoever calls a service."""
    if outcome.overridden and not access.can(actor, access.Action.OVERRIDE_GUARD, panel):
        raise refused(NOT_ALLOWED)


def record_override(actor, obj, outcome: GuardOutcome, label: str) -> None:
    """Audit an override with its reason and the kinds found, never the text itself, and note
    it for the panel's chair and coordinator (`note`)."""
    if outcome.overridden:
        record(
            actor,
            AuditAction.GUARD_OVERRIDE,
            obj,
            label=label,
            changes={"reason": outcome.reason, "kinds": outcome.kinds},
        )
        note(actor, obj, outcome, label)


def note(actor: User, obj, outcome, label: str) -> None:
    """Keep an override of the guard (`panel.core.guard.GuardOutcome`) on `obj`, in the caller's
    transaction, beside its audit event."""
    case_review = access.case_review_of(obj)
    panel = access.panel_of(obj)
    if panel is None:
        raise ValueError(f"{obj!r} belongs to no panel")
    db.session.add(
        GuardOverride(
            panel_id=panel.id,
            case_review_id=case_review.id if case_review is not None else None,
            object_type=obj.__tablename__,
            object_id=obj.id,
            label=label[:200],
            actor_id=actor.id,
            reason=outcome.reason,
            kinds=sorted({kind for kinds in outcome.kinds.values() for kind in kinds}),
        )
    )
