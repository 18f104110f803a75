"""Writing key messages, and publishing them with the minutes.

The organisers (chair and coordinator) write a handful of key messages while the minutes are a
draft or with the chair: each is short, addressed to the community, to an agency on the panel or
to both, and passes the personal-data guard strictly. Key messages go to the public, so nobody
may save one past the guard (`KeyMessageRefused`), whatever a form says, and the text is checked
here again. Approving the minutes freezes them with the rest of the document; after that a
change means a new version of the minutes, as for the notes.

Writing key messages is not drafting the minutes: they are the chair's statement, which the chair
approves with the minutes even where the panel requires the approver not to be the drafter.

`publish` is a step of `panel.minutes.services.publish`: it makes the OFFICIAL document of the
version's key messages (rendered once, stored with its SHA-256) in the same transaction.

Each change checks, writes and audits (the trail says the text was set or changed, never what it
says); it moves the minutes' edit version, so a chair approving from a page drawn before a change
is refused and shown the minutes as they are now.
"""

from __future__ import annotations

import dataclasses
import hashlib
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

import sqlalchemy as sa
from sqlalchemy.orm.attributes import flag_modified

from panel import access
from panel.access import Action
from panel.accounts.models import Organisation, User
from panel.core import anonymise, locking, registry
from panel.core.audit import AuditAction, apply_changes, masked, record, text_removed, text_set
from panel.core.guard import GuardOutcome, describe
from panel.core.time import format_datetime
from panel.extensions import db
from panel.lessons import queries as lesson_queries
from panel.minutes.document import Document, KeyMessageRow
from panel.minutes.key_messages.models import Audience, KeyMessage, KeyMessagesPublication
from panel.minutes.models import Minutes, MinutesStatus, MinutesVersion

# "A handful": more than this is a list, not key messages.
MAX_MESSAGES = 10
MAX_LENGTH = 600
# What the separate document is marked: meant for sharing beyond the panel, unlike the minutes
# (OFFICIAL-SENSITIVE). Nothing in it may identify anyone, which the strict guard holds.
MARKING = "OFFICIAL"
EDITABLE = frozenset({MinutesStatus.DRAFT, MinutesStatus.SUBMITTED})

TOO_MANY = (
    f"A meeting has at most {MAX_MESSAGES} key messages. Remove one, or combine two, before "
    "adding another."
)
LOCKED = (
    "These minutes are approved and locked, and their key messages with them. Start a new "
    "version of the minutes to change the key messages."
)
NO_OVERRIDE = (
    "Key messages are published beyond the panel, so they cannot be saved with personal data. "
    "Reword the key message, or redact it."
)
STALE = (
    "Someone else changed these minutes or their key messages while you were working. Check "
    "the key messages now, then save again: your text is still in the form."
)
NOT_ON_PANEL = "Select an agency that sits on this panel"
NO_AGENCY = "Select the agency the key message is addressed to"


class KeyMessageRefused(Exception):
    """A change the rules do not allow; the message is written for the user, for the `field` it
    is about (the form shows it there)."""

    def __init__(self, message: str, field: str = "text"):
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class KeyMessageDetails:
    text: str
    audience: Audience
    # The agency addressed: required with `Audience.AGENCY` and `BOTH`, ignored with COMMUNITY.
    organisation: Organisation | None = None


NO_FINDINGS = GuardOutcome()


def writing_closed(minutes: Minutes) -> str | None:
    """Why the key messages of `minutes` cannot be changed now; None while they can."""
    return None if minutes.status in EDITABLE else LOCKED


def agencies(minutes: Minutes, also: int | None = None) -> list[Organisation]:
    """The agencies a key message may be addressed to: the organisations on the panel, as for a
    recommendation (`panel.lessons.queries.organisations`), and `also` (the one chosen already)."""
    return lesson_queries.organisations([minutes.meeting.panel_id], also)


def messages_of(minutes: Minutes) -> list[KeyMessage]:
    """The key messages as they stand, in order, with their agencies and authors."""
    return list(
        db.session.scalars(
            db.select(KeyMessage)
            .options(
                sa.orm.joinedload(KeyMessage.organisation),
                sa.orm.joinedload(KeyMessage.updated_by),
            )
            .where(KeyMessage.minutes_id == minutes.id)
            .order_by(KeyMessage.position, KeyMessage.id)
            .limit(MAX_MESSAGES + 1)
        )
    )


def add(
    actor: User, minutes: Minutes, details: KeyMessageDetails, guard: GuardOutcome = NO_FINDINGS
) -> KeyMessage:
    """Add a key message at the end of the meeting's list."""
    _check(actor, minutes, details, guard)
    with locking.saving(_stale):
        count = db.session.scalar(
            db.select(sa.func.count()).where(KeyMessage.minutes_id == minutes.id)
        )
        if (count or 0) >= MAX_MESSAGES:
            raise KeyMessageRefused(TOO_MANY)
        message = KeyMessage(
            minutes=minutes,
            position=(count or 0) + 1,
            text=details.text,
            audience=details.audience,
            organisation=_agency(details),
            created_by_id=actor.id,
            updated_by_id=actor.id,
        )
        db.session.add(message)
        _touch(minutes)
    record(
        actor,
        AuditAction.CREATE,
        message,
        label=label(message),
        changes={
            "position": message.position,
            "audience": details.audience.label,
            "agency": message.organisation.name if message.organisation else None,
            "text": text_set(details.text),
        },
    )
    db.session.flush()
    return message


def change(
    actor: User, message: KeyMessage, details: KeyMessageDetails, guard: GuardOutcome = NO_FINDINGS
) -> KeyMessage:
    minutes = message.minutes
    _check(actor, minutes, details, guard, also=message.organisation_id)
    with locking.saving(_stale):
        agency = _agency(details)
        changes = apply_changes(
            message,
            {
                "text": details.text,
                "audience": details.audience,
                "organisation_id": agency.id if agency else None,
            },
        )
        if changes:
            message.updated_by_id = actor.id
            _touch(minutes)
    if changes:
        record(
            actor, AuditAction.UPDATE, message, label=label(message), changes=masked(changes, _TEXT)
        )
        db.session.flush()
    return message


def remove(actor: User, message: KeyMessage) -> None:
    """Remove a key message; those after it move up."""
    minutes = message.minutes
    _check_writable(actor, minutes)
    record(
        actor,
        AuditAction.DELETE,
        message,
        label=label(message),
        changes={"text": text_removed(message.text)},
    )
    with locking.saving(_stale):
        later = [m for m in messages_of(minutes) if m.position > message.position]
        db.session.delete(message)
        for other in later:
            other.position -= 1
        _touch(minutes)


def move(actor: User, message: KeyMessage, *, up: bool) -> KeyMessage:
    """Swap a key message with the one before it (`up`) or after it; at either end, nothing."""
    minutes = message.minutes
    _check_writable(actor, minutes)
    messages = messages_of(minutes)
    index = next(i for i, m in enumerate(messages) if m.id == message.id)
    other_index = index - 1 if up else index + 1
    if not 0 <= other_index < len(messages):
        return message
    other = messages[other_index]
    with locking.saving(_stale):
        # Positions are renumbered 1, 2, 3... in the new order, so gaps never build up.
        messages[index], messages[other_index] = other, message
        for position, each in enumerate(messages, start=1):
            each.position = position
        _touch(minutes)
    record(
        actor,
        AuditAction.UPDATE,
        message,
        label=label(message),
        changes={"position": [index + 1, message.position]},
    )
    db.session.flush()
    return message


def label(message: KeyMessage) -> str:
    meeting = message.minutes.meeting
    return (
        f"Key message {message.position}, {meeting.panel.name}, "
        f"{format_datetime(meeting.starts_at, 'date')}"
    )[:200]


# --- Publication, with the minutes -------------------------------------------------------------


class Render(Protocol):
    """Makes the OFFICIAL PDF of a key messages document (`panel.minutes.key_messages.pdf`)."""

    def __call__(self, content: dict[str, Any], *, created: datetime) -> bytes: ...


def document_content(minutes: Minutes, rows: list[KeyMessageRow]) -> dict[str, Any]:
    """The key messages document as published: what its page shows and its PDF renders."""
    meeting = minutes.meeting
    day = format_datetime(meeting.starts_at, "date")
    return {
        "title": f"Key messages from the {meeting.panel.name} meeting on {day}",
        "panel": meeting.panel.name,
        "meeting_date": day,
        "marking": MARKING,
        "messages": [dataclasses.asdict(row) for row in rows],
    }


@dataclass(frozen=True)
class Rendered:
    content: dict[str, Any]
    pdf: bytes


def render_publication(
    minutes: Minutes, version: MinutesVersion, render: Render, created: datetime
) -> Rendered | None:
    """The OFFICIAL document of the key messages approved in `version`, rendered once; None when
    the version has none. Made before the minutes' publication is saved, as their PDFs are."""
    rows = Document.from_json(version.content).key_messages
    if not rows:
        return None
    content = document_content(minutes, rows)
    return Rendered(content, render(content, created=created))


def publish(
    actor: User,
    minutes: Minutes,
    version: MinutesVersion,
    rendered: Rendered | None,
    published_at: datetime,
) -> KeyMessagesPublication | None:
    """Part of publishing the minutes (`panel.minutes.services.publish`, which asks `access`):
    store the key messages of `version` as their own document, superseding the meeting's earlier
    one, if any (a version without key messages leaves none current)."""
    earlier = db.session.scalars(
        db.select(KeyMessagesPublication).where(
            KeyMessagesPublication.minutes_id == minutes.id,
            KeyMessagesPublication.superseded.is_(False),
        )
    )
    for publication in earlier:
        publication.superseded = True
    if rendered is None:
        return None
    meeting = minutes.meeting
    publication = KeyMessagesPublication(
        minutes_version=version,
        minutes_id=minutes.id,
        panel_id=meeting.panel_id,
        meeting_id=meeting.id,
        meeting_starts_at=meeting.starts_at,
        content=rendered.content,
        published_at=published_at,
        published_by_id=actor.id,
        pdf=rendered.pdf,
        sha256=hashlib.sha256(rendered.pdf).hexdigest(),
    )
    db.session.add(publication)
    db.session.flush()
    record(
        actor,
        AuditAction.CREATE,
        publication,
        label=rendered.content["title"][:200],
        changes={
            "version": version.number,
            "key_messages": len(rendered.content["messages"]),
            "sha256": publication.sha256,
        },
    )
    return publication


# --- Helpers -----------------------------------------------------------------------------------

_TEXT = frozenset({"text"})


def _check_writable(actor: User, minutes: Minutes) -> None:
    access.require(actor, Action.WRITE_KEY_MESSAGES, minutes.meeting)
    if closed := writing_closed(minutes):
        raise KeyMessageRefused(closed)


def _check(
    actor: User,
    minutes: Minutes,
    details: KeyMessageDetails,
    guard: GuardOutcome,
    also: int | None = None,
) -> None:
    """Refuse what may not be saved; `also` is the agency a message is addressed to already,
    which it may keep though its organisation has left the panel."""
    _check_writable(actor, minutes)
    if guard.overridden:
        raise KeyMessageRefused(NO_OVERRIDE)
    text = details.text.strip()
    if not text:
        raise KeyMessageRefused("Enter the key message")
    if len(text) > MAX_LENGTH:
        raise KeyMessageRefused(f"Key message must be {MAX_LENGTH} characters or fewer")
    findings = anonymise.find(text, registry.current().own_reference_prefixes())
    if findings:
        raise KeyMessageRefused(
            f"Key message contains what looks like {describe(findings)}: reword it, or redact it"
        )
    if details.audience.names_agency:
        if details.organisation is None:
            raise KeyMessageRefused(NO_AGENCY, "organisation_id")
        if details.organisation.id not in {o.id for o in agencies(minutes, also)}:
            raise KeyMessageRefused(NOT_ON_PANEL, "organisation_id")


def _agency(details: KeyMessageDetails) -> Organisation | None:
    return details.organisation if details.audience.names_agency else None


def _touch(minutes: Minutes) -> None:
    """Key messages are rows of their own: mark the minutes row changed too (as their notes do),
    so that its edit version moves and an approval from an older page is refused."""
    if "aob_public" not in sa.inspect(minutes).dict:
        db.session.refresh(minutes, ["aob_public"])
    flag_modified(minutes, "aob_public")


def _stale() -> KeyMessageRefused:
    return KeyMessageRefused(STALE)
