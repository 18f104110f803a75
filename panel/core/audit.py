"""The audit trail: an append-only record of who did what to which object, and when.

Services call `record` inside the same transaction as the change it describes, so the change and
its record are saved together or not at all. Rows are never updated or deleted: the ORM refuses
here, and database triggers (see the migration that creates the table) refuse for anyone else.

The trail is also tamper-evident: each event carries a sequence number, the hash of the event
before it and its own hash over both (a hash chain). Someone with database access who changes,
deletes or reorders events breaks the chain, and `flask audit-verify` (`verify_chain`) says
where. The chain's head (last sequence and hash) is one row, locked while events are added, so
concurrent transactions extend the chain one after the other instead of forking it.

Two things keep the chain honest against someone who can write the whole database, triggers and
head included:

- Each link is an HMAC-SHA256 keyed with `AUDIT_CHAIN_KEY`, which lives outside the database
  (panel/config.py). Without it nobody can recompute the links after changing an event. Events
  recorded before the chain was keyed (migration 0027) keep their plain SHA-256 links; the head
  says from which event links are keyed, signed with the key, so that boundary cannot be moved to
  pass keyed events off as plain ones, and the first keyed link covers every plain one before it.
- An anchor (`flask audit-anchor`) is a line stating the chain's length and last hash when it was
  taken, signed with the key, which the operator keeps elsewhere. Deleting events from the end
  and rewriting the head to match leaves a chain that links up, but one shorter than an anchor
  says it was, or ending elsewhere: `flask audit-verify --anchor` notices.
"""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import click
import sqlalchemy as sa
from flask import current_app, has_request_context, request
from flask.cli import with_appcontext
from sqlalchemy import event
from sqlalchemy.orm import Mapped, Session, mapped_column

from panel.core.database import LabelledEnum, UTCDateTime, enum_column, utcnow
from panel.extensions import db

# Fields whose values must never be copied into the trail: only the fact of a change is kept.
SECRET_FIELDS = frozenset({"password_hash", "session_token", "calendar_token"})

# What the trail keeps of free text people typed (case text, and anything else that may name
# someone or say something about them: agenda titles, places, actions, guests' names): that it
# was given, changed or removed, never the words. Administrators read the trail; the text is for
# the panel, on its pages.
TEXT_SET, TEXT_HIDDEN, TEXT_CHANGED = "(set)", "(hidden)", "(changed)"


def text_set(value: str | None) -> str | None:
    """What the trail keeps of free text an event gives: "(set)", or None when there is none."""
    return TEXT_SET if value else None


def text_removed(value: str | None) -> str | None:
    """What the trail keeps of free text an event removes: "(hidden)", or None if there was none."""
    return TEXT_HIDDEN if value else None


def masked(changes: dict[str, Any], fields: frozenset[str]) -> dict[str, Any]:
    """`changes` (from `apply_changes`) with each of the free text `fields` that changed said to
    have changed, without the words: ["(hidden)", "(changed)"]."""
    return {
        key: [TEXT_HIDDEN, TEXT_CHANGED] if key in fields else value
        for key, value in changes.items()
    }


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
    # Proved who they are again before a sensitive change (panel/core/reauth.py).
    IDENTITY_CONFIRMED = ("confirmed", "Confirmed it was them")
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

    def computed_hash(self, key: bytes | None = None) -> str:
        """The hash this event should carry, from its content and the previous hash, keyed with
        `key` (by default the app's `AUDIT_CHAIN_KEY`)."""
        return chain_hash(key or chain_key(), *(getattr(self, name) for name in CHAINED))

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


def chain_key() -> bytes:
    """The key of the chain's links and anchors: `AUDIT_CHAIN_KEY`, kept outside the database."""
    return current_app.config["AUDIT_CHAIN_KEY"].encode()


def _link(previous_hash, sequence, occurred_at, actor_id, actor_email, action, *rest) -> bytes:
    """What a link hashes: the previous hash, then the event's content (`CHAINED`, in order)."""
    payload = json.dumps(
        [sequence, occurred_at.astimezone(UTC).isoformat(), actor_id, actor_email, action.value]
        + list(rest),
        sort_keys=True,
        separators=(",", ":"),
        default=str,
    )
    return f"{previous_hash or ''}|{payload}".encode()


def chain_hash(key: bytes, *values) -> str:
    """An event's link: HMAC-SHA256 under `key` (`chain_key()`) of its `CHAINED` values."""
    return hmac.digest(key, _link(*values), "sha256").hex()


def plain_chain_hash(*values) -> str:
    """How events recorded before the chain was keyed (migration 0027) were linked: plain
    SHA-256, which anyone can recompute. Only `verify_chain` uses it, for those events."""
    return hashlib.sha256(_link(*values)).hexdigest()


def _keyed_from_seal(key: bytes, keyed_from: int) -> str:
    """The head's signature over the first keyed event's sequence number."""
    return hmac.digest(key, f"panel-audit-keyed-from|{keyed_from}".encode(), "sha256").hex()


class AuditChainHead(db.Model):
    """The last link of the hash chain: one row, locked by each transaction that adds events."""

    __tablename__ = "audit_chain_head"

    id: Mapped[int] = mapped_column(primary_key=True)
    last_sequence: Mapped[int] = mapped_column(default=0)
    last_hash: Mapped[str | None] = mapped_column(sa.String(64))
    # Events from this sequence number on are linked with the key; those before it, recorded
    # before the chain was keyed, with plain SHA-256. Signed with the key (`_keyed_from_seal`):
    # moving it on, to recompute keyed links the plain way, breaks the signature.
    keyed_from: Mapped[int] = mapped_column(default=1, server_default="1")
    keyed_from_seal: Mapped[str | None] = mapped_column(sa.String(64))

    @classmethod
    def first(cls, key: bytes) -> AuditChainHead:
        """The head of a chain with no events yet, keyed from its first."""
        return cls(
            id=1,
            last_sequence=0,
            last_hash=None,
            keyed_from=1,
            keyed_from_seal=_keyed_from_seal(key, 1),
        )


# Events are chained in the order they were recorded within a transaction.
_recorded = itertools.count()


@event.listens_for(Session, "before_flush")
def _chain_new_events(session, flush_context, instances) -> None:
    new = [obj for obj in session.new if isinstance(obj, AuditEvent)]
    if new:
        _chain(session, sorted(new, key=lambda e: getattr(e, "_recorded", 0)))


def _chain(session: Session, events: list[AuditEvent]) -> None:
    """Give `events`, in order, the next sequence numbers and their hashes, and move the head on."""
    head = session.scalars(
        sa.select(AuditChainHead).where(AuditChainHead.id == 1).with_for_update()
    ).one_or_none()
    key = chain_key()
    if head is None:  # a database built before the chain existed and never migrated: add it
        head = AuditChainHead.first(key)
        session.add(head)
    for event_ in events:
        event_.occurred_at = event_.occurred_at or utcnow()
        event_.sequence = head.last_sequence + 1
        event_.previous_hash = head.last_hash
        event_.hash = event_.computed_hash(key)
        head.last_sequence, head.last_hash = event_.sequence, event_.hash


@dataclass(frozen=True)
class ChainReport:
    checked: int
    # The first problem found, in words, with the sequence number where it is; None if intact.
    problem: str | None = None
    # The hash of the last event checked: what an anchor of this trail states.
    last_hash: str | None = None

    @property
    def intact(self) -> bool:
        return self.problem is None


ANCHOR_PREFIX = "panel-audit-anchor/1"
_ANCHOR_TIME = "%Y-%m-%dT%H:%M:%SZ"


class NotAnAnchor(ValueError):
    """Text that is not an anchor as `flask audit-anchor` prints them."""


@dataclass(frozen=True)
class Anchor:
    """What the trail was when an anchor was taken: its length and last hash, at a time, signed
    with the chain's key so that nobody without it can make or alter one. Kept outside the
    database, it lets `verify_chain` notice events removed from the end of the trail even when
    the head was rewritten to match, and a trail whose every link was recomputed."""

    sequence: int
    hash: str
    taken_at: datetime
    signature: str

    @classmethod
    def take(cls, key: bytes, sequence: int, hash_: str, taken_at: datetime) -> Anchor:
        taken_at = taken_at.astimezone(UTC).replace(microsecond=0)
        return cls(sequence, hash_, taken_at, _anchor_signature(key, sequence, hash_, taken_at))

    @classmethod
    def parse(cls, text: str) -> Anchor:
        parts = text.split()
        if len(parts) != 5 or parts[0] != ANCHOR_PREFIX:
            raise NotAnAnchor(f"not an anchor from flask audit-anchor: {text.strip()[:80]!r}")
        _, taken, sequence, hash_, signature = parts
        try:
            taken_at = datetime.strptime(taken, _ANCHOR_TIME).replace(tzinfo=UTC)
        except ValueError:
            raise NotAnAnchor(f"an anchor's time is not a UTC time: {taken!r}") from None
        if not (sequence.isascii() and sequence.isdigit() and int(sequence) > 0):
            raise NotAnAnchor(f"an anchor's event number is not a whole number: {sequence!r}")
        return cls(int(sequence), hash_, taken_at, signature)

    def text(self) -> str:
        """One line: the prefix, the time, the event number, its hash and the signature."""
        taken = self.taken_at.strftime(_ANCHOR_TIME)
        return f"{ANCHOR_PREFIX} {taken} {self.sequence} {self.hash} {self.signature}"

    def signed_with(self, key: bytes) -> bool:
        expected = _anchor_signature(key, self.sequence, self.hash, self.taken_at)
        return hmac.compare_digest(expected, self.signature)

    def described(self) -> str:
        return f"the anchor taken at {self.taken_at.strftime('%Y-%m-%d %H:%M:%S')} UTC"


def _anchor_signature(key: bytes, sequence: int, hash_: str, taken_at: datetime) -> str:
    statement = f"{ANCHOR_PREFIX}|{taken_at.strftime(_ANCHOR_TIME)}|{sequence}|{hash_}"
    return hmac.digest(key, statement.encode(), "sha256").hex()


def verify_chain(batch: int = 5000, anchors: Sequence[Anchor] = ()) -> ChainReport:
    """Walk the whole trail in sequence order, recomputing each hash with the chain's key: any
    changed, deleted, inserted or reordered event breaks the chain at the first place it was
    touched, even when the links after it were recomputed without the key. With `anchors`
    (signed already: check them with `Anchor.signed_with` first), the trail must reach each
    anchored event and agree with its hash. Reads plain rows in batches, so memory stays flat
    however long the trail."""
    key = chain_key()
    head = db.session.get(AuditChainHead, 1)
    keyed_from = 1  # with no head, every event must be keyed: the strictest reading
    if head is not None:
        keyed_from = head.keyed_from
        if not hmac.compare_digest(
            head.keyed_from_seal or "", _keyed_from_seal(key, head.keyed_from)
        ):
            return ChainReport(
                0,
                "the chain's head does not carry AUDIT_CHAIN_KEY's signature of where keyed "
                "links begin: it was changed",
            )
    anchored: dict[int, list[Anchor]] = {}
    for anchor in anchors:
        anchored.setdefault(anchor.sequence, []).append(anchor)
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
                return ChainReport(expected - 1, f"event {expected} is missing", previous_hash)
            if stored_previous != previous_hash:
                return ChainReport(
                    expected - 1,
                    f"event {expected} does not follow event {expected - 1}",
                    previous_hash,
                )
            values = row[:-1]
            computed = (
                chain_hash(key, *values) if sequence >= keyed_from else plain_chain_hash(*values)
            )
            if not hmac.compare_digest(stored_hash or "", computed):
                return ChainReport(
                    expected - 1,
                    f"event {expected} was changed after it was recorded",
                    previous_hash,
                )
            for anchor in anchored.get(sequence, ()):
                if anchor.hash != stored_hash:
                    return ChainReport(
                        expected - 1,
                        f"event {expected} is not the one {anchor.described()} names: the trail "
                        "was rewritten up to it",
                        previous_hash,
                    )
            previous_hash, expected = stored_hash, expected + 1
    checked = expected - 1
    unchained = db.session.scalar(
        sa.select(sa.func.count()).select_from(AuditEvent).where(AuditEvent.sequence.is_(None))
    )
    if unchained:
        return ChainReport(checked, f"{unchained} events are outside the chain", previous_hash)
    if head is None and checked:
        return ChainReport(checked, "the chain's head is missing", previous_hash)
    if head is not None and (head.last_sequence, head.last_hash) != (checked, previous_hash):
        return ChainReport(
            checked,
            f"the chain should end at event {head.last_sequence}: events were removed from its end",
            previous_hash,
        )
    if checked < keyed_from - 1:
        return ChainReport(
            checked,
            f"the chain had {keyed_from - 1} events when it was keyed: events were removed from "
            "its end",
            previous_hash,
        )
    longest = max(anchors, key=lambda anchor: anchor.sequence, default=None)
    if longest is not None and longest.sequence > checked:
        return ChainReport(
            checked,
            f"the chain ends at event {checked}, but {longest.described()} names event "
            f"{longest.sequence}: events were removed from its end",
            previous_hash,
        )
    return ChainReport(checked, last_hash=previous_hash)


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
    event_ = _event(actor, action, obj, changes=changes, label=label, actor_email=actor_email)
    event_._recorded = next(_recorded)
    db.session.add(event_)
    return event_


def record_each(
    actor, action: AuditAction, labelled: Sequence[tuple[db.Model, str]], at: datetime
) -> None:
    """Add an event of `action` at `at` for each (object, label) of `labelled`, as `record` would,
    in one INSERT: a page that records many at once (each case review of the minutes it shows,
    opened) costs one statement however many there are. The ORM would insert them one by one on
    SQLite, to read back each id. They are chained after every event recorded before them."""
    if not labelled:
        return
    db.session.flush()  # events recorded earlier in the transaction take the earlier links
    events = [_event(actor, action, obj, label=label) for obj, label in labelled]
    for event_ in events:
        event_.occurred_at = at
    _chain(db.session, events)
    columns = (*CHAINED, "hash")
    db.session.execute(
        sa.insert(AuditEvent), [{name: getattr(e, name) for name in columns} for e in events]
    )


def _event(
    actor,
    action: AuditAction,
    obj: db.Model | None,
    *,
    changes: dict[str, Any] | None = None,
    label: str | None = None,
    actor_email: str | None = None,
) -> AuditEvent:
    return AuditEvent(
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


def _label_of(obj: db.Model) -> str:
    for attr in ("name", "email", "title"):
        value = getattr(obj, attr, None)
        if value:
            return str(value)[:200]
    return f"{obj.__tablename__} {getattr(obj, 'id', '')}".strip()


def read_anchors(values: Iterable[str]) -> list[Anchor]:
    """Anchors given on the command line: each value an anchor's line itself, or the path of a
    file of them, one a line (as `flask audit-anchor --output` appends them)."""
    anchors = []
    for value in values:
        if value.strip().startswith(ANCHOR_PREFIX):
            anchors.append(Anchor.parse(value))
            continue
        try:
            lines = Path(value).read_text().splitlines()
        except OSError as error:
            raise NotAnAnchor(
                f"{value!r} is neither an anchor nor a file of them ({error.strerror})"
            ) from None
        found = [Anchor.parse(line) for line in lines if line.strip()]
        if not found:
            raise NotAnAnchor(f"{value} holds no anchor")
        anchors.extend(found)
    return anchors


@click.command("audit-verify")
@click.option(
    "--anchor",
    "anchor_values",
    multiple=True,
    metavar="ANCHOR_OR_FILE",
    help="An anchor printed by flask audit-anchor, or a file of them: the trail must reach and "
    "agree with each. May be given more than once.",
)
@with_appcontext
def audit_verify_command(anchor_values: tuple[str, ...]) -> None:
    """Recompute the audit trail's hash chain from the first event to the last. Exits 1, naming
    the first broken link, if the trail was tampered with; run it from cron and alert on failure.
    With --anchor, also checks that the trail still reaches, unchanged, where each kept anchor
    says it stood."""
    try:
        anchors = read_anchors(anchor_values)
    except NotAnAnchor as error:
        raise click.ClickException(f"Cannot check the trail against that: {error}.") from None
    key = chain_key()
    for anchor in anchors:
        if not anchor.signed_with(key):
            raise click.ClickException(
                f"The anchor for event {anchor.sequence}, said to be taken at "
                f"{anchor.taken_at.strftime('%Y-%m-%d %H:%M:%S')} UTC, is not signed with this "
                "AUDIT_CHAIN_KEY: it was altered or forged, or made with another key. The trail "
                "was not checked against it."
            )
    report = verify_chain(anchors=anchors)
    if not report.intact:
        raise click.ClickException(
            f"The audit trail is broken: {report.problem}. {report.checked} events before it "
            "are intact. If every event from the first is reported changed, check that "
            "AUDIT_CHAIN_KEY is the key the trail was written with; otherwise restore the "
            "database from a backup taken before that event and investigate who had write access."
        )
    click.echo(
        f"The audit trail is intact: {report.checked} events, each linked to the one before."
    )
    if anchors:
        latest = max(anchors, key=lambda anchor: anchor.sequence)
        click.echo(
            f"It agrees with {len(anchors)} anchor{'s' if len(anchors) > 1 else ''}, up to event "
            f"{latest.sequence} ({latest.described()})."
        )


@click.command("audit-anchor")
@click.option(
    "--output",
    type=click.Path(dir_okay=False, writable=True),
    help="Also add the anchor to the end of this file (kept away from the database's server).",
)
@with_appcontext
def audit_anchor_command(output: str | None) -> None:
    """Check the audit trail, then print an anchor: one line stating how long it is and its last
    hash, signed with AUDIT_CHAIN_KEY. Keep the line where whoever can write the database cannot
    reach (another machine, e-mail, paper); `flask audit-verify --anchor` then notices events
    removed from the end, or a trail rewritten with its links recomputed, up to that point."""
    report = verify_chain()
    if not report.intact:
        raise click.ClickException(
            f"The audit trail is broken ({report.problem}): run flask audit-verify; an anchor "
            "is only taken of an intact trail."
        )
    if not report.checked or report.last_hash is None:
        raise click.ClickException("The audit trail is empty: there is nothing to anchor yet.")
    anchor = Anchor.take(chain_key(), report.checked, report.last_hash, utcnow())
    click.echo(anchor.text())
    if output:
        with open(output, "a", encoding="utf-8") as handle:
            handle.write(anchor.text() + "\n")
    click.echo(
        f"An anchor of the audit trail's {report.checked} events: keep it away from the database "
        "and check against it with flask audit-verify --anchor.",
        err=True,
    )
