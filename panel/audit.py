"""The audit trail: an append-only record of who did what to which object, and when.

Services call `record` inside the same transaction as the change it describes, so the change and
its record are saved together or not at all. Rows are never updated or deleted: the ORM refuses
here, and database triggers (see the migration that creates the table) refuse for anyone else.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from flask import has_request_context, request
from sqlalchemy import event
from sqlalchemy.orm import Mapped, mapped_column

from panel.database import LabelledEnum, UTCDateTime, enum_column, utcnow
from panel.extensions import db

# Fields whose values must never be copied into the trail: only the fact of a change is kept.
SECRET_FIELDS = frozenset({"password_hash", "session_token", "calendar_token"})


class AuditAction(LabelledEnum):
    SIGN_IN = ("sign_in", "Signed in")
    SIGN_IN_FAILED = ("sign_in_failed", "Failed sign-in")
    SIGN_OUT = ("sign_out", "Signed out")
    CREATE = ("create", "Created")
    UPDATE = ("update", "Changed")
    DELETE = ("delete", "Deleted")
    EXPORT = ("export", "Exported")
    DOWNLOAD = ("download", "Downloaded")
    VIEW = ("view", "Viewed")
    # Saved despite the personal-data guard's findings, with the chair's reason.
    GUARD_OVERRIDE = ("guard_override", "Saved past the personal-data guard")


class AuditEvent(db.Model):
    __tablename__ = "audit_event"
    __table_args__ = (sa.Index("ix_audit_event_object", "object_type", "object_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    # The actor's id and e-mail as they were: the e-mail survives a later change of address.
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"), index=True)
    actor_email: Mapped[str | None] = mapped_column(sa.String(254))
    action: Mapped[AuditAction] = mapped_column(enum_column(AuditAction))
    object_type: Mapped[str | None] = mapped_column(sa.String(60))
    object_id: Mapped[int | None]
    # What the object was called, so the trail reads well after the object is deleted.
    object_label: Mapped[str | None] = mapped_column(sa.String(200))
    changes: Mapped[dict[str, Any] | None] = mapped_column(sa.JSON)
    remote_addr: Mapped[str | None] = mapped_column(sa.String(45))

    def change_lines(self) -> list[str]:
        """The changes as short lines for people reading the trail, e.g. "Role: member to chair"."""
        lines = []
        for field, value in (self.changes or {}).items():
            label = FIELD_LABELS.get(field, field.replace("_", " ").capitalize())
            if isinstance(value, list) and len(value) == 2:  # [old, new] from apply_changes
                lines.append(f"{label}: {_readable(value[0])} to {_readable(value[1])}")
            else:
                lines.append(f"{label}: {_readable(value)}")
        return lines


# How the trail names fields whose column names read badly.
FIELD_LABELS = {
    "email": "Email address",
    "is_admin": "Administrator",
    "active": "Account active",
    "password_hash": "Password",
    "session_token": "Sessions",
}


def _readable(value: Any) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    return "none" if value in (None, "") else str(value)


@event.listens_for(AuditEvent, "before_update")
@event.listens_for(AuditEvent, "before_delete")
def _refuse_rewrite(mapper, connection, target):
    raise RuntimeError("The audit trail is append-only: events are never changed or deleted.")


def _plain(value: Any) -> Any:
    """A JSON-safe form of a column value."""
    if isinstance(value, LabelledEnum):
        return value.value
    if isinstance(value, datetime):
        return value.isoformat()
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    return str(value)


def apply_changes(obj: db.Model, fields: dict[str, Any]) -> dict[str, list[Any]]:
    """Set `fields` on `obj` and return what really changed, as ``{field: [old, new]}``.

    Reading each old value first loads it if it had expired, so the record is right even for an
    object fetched before an earlier commit.
    """
    changed: dict[str, list[Any]] = {}
    for key, new in fields.items():
        old = getattr(obj, key)
        if _plain(old) == _plain(new):
            continue
        setattr(obj, key, new)
        secret = key in SECRET_FIELDS
        changed[key] = ["(hidden)", "(changed)"] if secret else [_plain(old), _plain(new)]
    return changed


def record(
    actor,
    action: AuditAction,
    obj: db.Model | None = None,
    *,
    changes: dict[str, Any] | None = None,
    label: str | None = None,
    actor_email: str | None = None,
) -> AuditEvent:
    """Add an audit event to the current transaction; the caller commits it with the change.

    For a new object, flush first so that it has an id.
    """
    event_ = AuditEvent(
        actor_id=getattr(actor, "id", None),
        actor_email=actor_email or getattr(actor, "email", None),
        action=action,
        object_type=obj.__tablename__ if obj is not None else None,
        object_id=getattr(obj, "id", None),
        object_label=(label or (_label_of(obj) if obj is not None else None)),
        changes=changes or None,
        remote_addr=request.remote_addr if has_request_context() else None,
    )
    db.session.add(event_)
    return event_


def _label_of(obj: db.Model) -> str:
    for attr in ("name", "email", "title"):
        value = getattr(obj, attr, None)
        if value:
            return str(value)[:200]
    return f"{obj.__tablename__} {getattr(obj, 'id', '')}".strip()
