"""The audit trail: an append-only record of who did what to which object, and when.

Services call `record` inside the same transaction as the change it describes, so the change and
its record are saved together or not at all. Rows are never updated or deleted: the ORM refuses
here, and database triggers (see the migration that creates the table) refuse for anyone else.

The trail is also tamper-evident: each event carries a sequence number, the hash of the event
before it and its own hash over both (a hash chain). Someone with database access who changes,
deletes or reorders events breaks the chain, and `flask audit-verify` (`verify_chain`) says
where. The chain's head (last sequence and hash) is one row, locked while events are added, so
concurrent transactions extend the chain one after the other instead of forking it.
"""

from __future__ import annotations

import hashlib
import itertools
import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import click
import sqlalchemy as sa
from flask import has_request_context, request
from flask.cli import with_appcontext
from sqlalchemy import event
from sqlalchemy.orm import Mapped, Session, mapped_column

from panel.core.database import LabelledEnum, UTCDateTime, enum_column, utcnow
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
    # Two-factor sign-in and the sign-in lock. Values stay within 14 characters, the column's
    # width.
    TWO_FACTOR_SET_UP = ("2fa_set_up", "Set up two-factor sign-in")
    TWO_FACTOR_FAILED = ("2fa_failed", "Gave a wrong two-factor code")
    TWO_FACTOR_RESET = ("2fa_reset", "Reset two-factor sign-in")
    RECOVERY_CODE_USED = ("recovery_used", "Signed in with a recovery code")
    PASSKEY_ADDED = ("passkey_added", "Added a passkey")
    PASSKEY_RENAMED = ("passkey_named", "Renamed a passkey")
    PASSKEY_REMOVED = ("passkey_gone", "Removed a passkey")
    PASSKEY_FAILED = ("passkey_failed", "Gave a passkey answer that did not check out")
    RECOVERY_CODES_REPLACED = ("recovery_new", "Made new recovery codes")
    ACCOUNT_LOCKED = ("locked", "Sign-in locked after repeated failures")
    # Signed in, asked for their current password again (to change it), and got it wrong.
    PASSWORD_CHECK_FAILED = ("password_wrong", "Gave a wrong current password")
    # Invitation and password reset links (panel/accounts/links.py); the token is never recorded.
    INVITATION_SENT = ("invite_sent", "Sent an invitation")
    INVITATION_ACCEPTED = ("invite_used", "Accepted an invitation")
    RESET_LINK_SENT = ("reset_sent", "Sent a password reset link")
    PASSWORD_RESET = ("reset_used", "Reset their password by a link")
    # Case detail deleted by `flask apply-retention` once the panel's retention period ran out.
    RETENTION_DELETE = ("retention", "Deleted under the retention policy")


class AuditEvent(db.Model):
    __tablename__ = "audit_event"
    # The trail is read newest first, whole or by who, what they did, or what it was about: each
    # filter has an index that gives its events newest first (migration 0022). On PostgreSQL,
    # trigram indexes also find part of an actor's e-mail or an object's name, for the search
    # (`TRIGRAM_INDEXES`, below).
    __table_args__ = (
        sa.Index("ix_audit_event_object", "object_type", "object_id"),
        sa.Index("ix_audit_event_actor_occurred", "actor_id", "occurred_at"),
        sa.Index("ix_audit_event_action_occurred", "action", "occurred_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    # The actor's id and e-mail as they were: the e-mail survives a later change of address.
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    actor_email: Mapped[str | None] = mapped_column(sa.String(254))
    action: Mapped[AuditAction] = mapped_column(enum_column(AuditAction))
    object_type: Mapped[str | None] = mapped_column(sa.String(60))
    object_id: Mapped[int | None]
    # What the object was called, so the trail reads well after the object is deleted.
    object_label: Mapped[str | None] = mapped_column(sa.String(200))
    changes: Mapped[dict[str, Any] | None] = mapped_column(sa.JSON)
    remote_addr: Mapped[str | None] = mapped_column(sa.String(45))
    # The hash chain: 1, 2, 3, ... with no gaps; the previous event's hash; this event's hash.
    sequence: Mapped[int | None] = mapped_column(unique=True)
    previous_hash: Mapped[str | None] = mapped_column(sa.String(64))
    hash: Mapped[str | None] = mapped_column(sa.String(64))

    def computed_hash(self) -> str:
        """The hash this event should carry, from its content and the previous hash."""
        return chain_hash(*(getattr(self, name) for name in CHAINED))

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


# The trigram indexes the search reads on PostgreSQL (migrations 0022 and 0023): `lower(column)`
# of each, with pg_trgm's operator class, so that "part of an e-mail or a name" is found without
# reading every event. Not in the model: SQLite has no such index.
TRIGRAM_INDEXES = {
    "ix_audit_event_actor_email_trgm": "actor_email",
    # Only where the object's name is not the actor's own address: most events are people
    # signing in and out, named by their address, which the index above finds already. A fifth
    # of the rows, and a quarter of the time to build it (9 minutes of 14 on the national data).
    # WHERE object_label IS DISTINCT FROM actor_email: the search says the same, so that
    # PostgreSQL may use it (panel/admin/queries.py).
    "ix_audit_event_label_trgm": "object_label",
}


def is_trigram_index(name: str | None) -> bool:
    """Whether a database object is one of the trail's trigram indexes, which the migration
    comparison (and autogenerate) must leave alone, as the model does not describe them."""
    return name in TRIGRAM_INDEXES


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


# What each link hashes, in order: the previous hash, then the event's own content.
CHAINED = (
    "previous_hash",
    "sequence",
    "occurred_at",
    "actor_id",
    "actor_email",
    "action",
    "object_type",
    "object_id",
    "object_label",
    "changes",
    "remote_addr",
)


def chain_hash(previous_hash, sequence, occurred_at, actor_id, actor_email, action, *rest) -> str:
    payload = json.dumps(
        [sequence, occurred_at.astimezone(UTC).isoformat(), actor_id, actor_email, action.value]
        + list(rest),
        sort_keys=True,
        separators=(",", ":"),
        default=str,
    )
    return hashlib.sha256(f"{previous_hash or ''}|{payload}".encode()).hexdigest()


class AuditChainHead(db.Model):
    """The last link of the hash chain: one row, locked by each transaction that adds events."""

    __tablename__ = "audit_chain_head"

    id: Mapped[int] = mapped_column(primary_key=True)
    last_sequence: Mapped[int] = mapped_column(default=0)
    last_hash: Mapped[str | None] = mapped_column(sa.String(64))


# Events are chained in the order they were recorded within a transaction.
_recorded = itertools.count()


@event.listens_for(Session, "before_flush")
def _chain_new_events(session, flush_context, instances) -> None:
    new = [obj for obj in session.new if isinstance(obj, AuditEvent)]
    if not new:
        return
    head = session.scalars(
        sa.select(AuditChainHead).where(AuditChainHead.id == 1).with_for_update()
    ).one_or_none()
    if head is None:  # a database built before the chain existed and never migrated: add it
        head = AuditChainHead(id=1, last_sequence=0, last_hash=None)
        session.add(head)
    for event_ in sorted(new, key=lambda e: getattr(e, "_recorded", 0)):
        event_.occurred_at = event_.occurred_at or utcnow()
        event_.sequence = head.last_sequence + 1
        event_.previous_hash = head.last_hash
        event_.hash = event_.computed_hash()
        head.last_sequence, head.last_hash = event_.sequence, event_.hash


@dataclass(frozen=True)
class ChainReport:
    checked: int
    # The first problem found, in words, with the sequence number where it is; None if intact.
    problem: str | None = None

    @property
    def intact(self) -> bool:
        return self.problem is None


def verify_chain(batch: int = 5000) -> ChainReport:
    """Walk the whole trail in sequence order, recomputing each hash: any changed, deleted,
    inserted or reordered event breaks the chain at the first place it was touched. Reads plain
    rows in batches, so memory stays flat however long the trail."""
    columns = [getattr(AuditEvent, name) for name in CHAINED] + [AuditEvent.hash]
    previous_hash, expected = None, 1
    while True:
        rows = db.session.execute(
            sa.select(*columns)
            .where(AuditEvent.sequence >= expected)
            .order_by(AuditEvent.sequence)
            .limit(batch)
        ).all()
        if not rows:
            break
        for row in rows:
            stored_previous, sequence, *_, stored_hash = row
            if sequence != expected:
                return ChainReport(expected - 1, f"event {expected} is missing")
            if stored_previous != previous_hash:
                return ChainReport(
                    expected - 1, f"event {expected} does not follow event {expected - 1}"
                )
            if stored_hash != chain_hash(*row[:-1]):
                return ChainReport(
                    expected - 1, f"event {expected} was changed after it was recorded"
                )
            previous_hash, expected = stored_hash, expected + 1
    checked = expected - 1
    unchained = db.session.scalar(
        sa.select(sa.func.count()).select_from(AuditEvent).where(AuditEvent.sequence.is_(None))
    )
    if unchained:
        return ChainReport(checked, f"{unchained} events are outside the chain")
    head = db.session.get(AuditChainHead, 1)
    if head is not None and (head.last_sequence, head.last_hash) != (checked, previous_hash):
        return ChainReport(
            checked,
            f"the chain should end at event {head.last_sequence}: events were removed from its end",
        )
    return ChainReport(checked)


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
    _expire_relationships_of(obj, changed)
    return changed


def _expire_relationships_of(obj: db.Model, columns: Iterable[str]) -> None:
    """A relationship already loaded goes on naming the old row when only its foreign key is set;
    expire it so that later code in the same unit of work reads the new one."""
    state = sa.inspect(obj)
    if not state.persistent:
        return
    changed = set(columns)
    stale = [
        relationship.key
        for relationship in state.mapper.relationships
        if {column.key for column in relationship.local_columns} & changed
    ]
    if stale:
        state.session.expire(obj, stale)


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
        # A label built from names people typed can outgrow the column (200) on PostgreSQL.
        object_label=(label or (_label_of(obj) if obj is not None else None) or "")[:200] or None,
        changes=changes or None,
        remote_addr=request.remote_addr if has_request_context() else None,
    )
    event_._recorded = next(_recorded)
    db.session.add(event_)
    return event_


def _label_of(obj: db.Model) -> str:
    for attr in ("name", "email", "title"):
        value = getattr(obj, attr, None)
        if value:
            return str(value)[:200]
    return f"{obj.__tablename__} {getattr(obj, 'id', '')}".strip()


@click.command("audit-verify")
@with_appcontext
def audit_verify_command() -> None:
    """Recompute the audit trail's hash chain from the first event to the last. Exits 1, naming
    the first broken link, if the trail was tampered with; run it from cron and alert on failure."""
    report = verify_chain()
    if not report.intact:
        raise click.ClickException(
            f"The audit trail is broken: {report.problem}. {report.checked} events before it "
            "are intact. Restore the database from a backup taken before that event and "
            "investigate who had write access."
        )
    click.echo(
        f"The audit trail is intact: {report.checked} events, each linked to the one before."
    )
