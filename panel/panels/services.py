"""Operations on panels and memberships: each checks, changes, audits and commits as one."""

from __future__ import annotations

from panel.accounts.models import User
from panel.core.audit import AuditAction, apply_changes, record
from panel.extensions import db
from panel.panels.models import (
    DEFAULT_CASE_REVIEW_RETENTION_MONTHS,
    DEFAULT_LIVE_CASE_RETENTION_MONTHS,
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
    for key, value in fields.items():
        if isinstance(value, str):
            fields[key] = value.strip() or (None if key == "description" else value)
    changes = apply_changes(panel, fields)
    if changes:
        record(actor, AuditAction.UPDATE, panel, changes=changes)
        db.session.flush()
    return panel


def add_member(actor: User | None, panel: Panel, user: User, role: Role) -> Membership:
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
    return membership


def change_role(actor: User, membership: Membership, role: Role) -> Membership:
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
    return membership


def remove_member(actor: User, membership: Membership) -> None:
    record(
        actor,
        AuditAction.DELETE,
        membership,
        label=f"{membership.user.email} on {membership.panel.name}",
        changes={"role": membership.role.value},
    )
    db.session.delete(membership)
    db.session.flush()


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
