"""The minutes' lifecycle: start (from a held meeting), write notes, submit, approve (chair,
freezes the version), publish (chair, after the redaction review: renders the PDF of each layer,
the readers' and the full minutes, once and stores it with its SHA-256), and change after approval
(a new version).

The drafter of a version is whoever last started it (the minutes, or a new version) or changed its
notes: the person who last decided what it says. Submitting is not drafting, so a chair who only
submits or approves a coordinator's draft is not its drafter. A panel may require that the approver
is not the drafter (`Panel.minutes_approver_not_drafter`); `approval_refused` says why someone may
not approve, for the service and the confirmation page alike.

Each operation checks, writes, audits and commits in one transaction, and keeps the meeting's
status in step (minutes drafted, approved, published): the minutes own those statuses.

With the notes, the drafter records what this meeting decided about the previous meeting's
minutes (`Decision`). An agreement is what marks the previous minutes as agreed, at this meeting;
changing the decision while the minutes are a draft moves that mark with it. Nothing is marked
that nobody recorded.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

import sqlalchemy as sa
from sqlalchemy.orm.attributes import flag_modified

from panel import access
from panel.access import Action
from panel.accounts.models import User
from panel.cases.services import record_views
from panel.core import locking
from panel.core.audit import AuditAction, apply_changes, record
from panel.core.database import utcnow
from panel.core.guard import GuardOutcome
from panel.core.time import format_datetime
from panel.extensions import db
from panel.meetings import queries as meeting_queries
from panel.meetings.models import Meeting, MeetingStatus
from panel.minutes import queries
from panel.minutes.document import (
    FULL,
    PUBLIC,
    Document,
    amendment_lines,
    assemble,
)
from panel.minutes.key_messages import services as key_messages
from panel.minutes.models import (
    Minutes,
    MinutesNote,
    MinutesStatus,
    MinutesVersion,
    PreviousMinutesDecision,
)
from panel.panels.models import Panel
from panel.panels.services import check_override, record_override

NO_FINDINGS = GuardOutcome()
S = MinutesStatus

STALE = (
    "Someone else saved these minutes while you were working on them. Check what they say "
    "now, then save again: your text is still in the form."
)
# What the meeting's status becomes with each minutes status.
MEETING_STATUS = {
    S.DRAFT: MeetingStatus.MINUTES_DRAFTED,
    S.SUBMITTED: MeetingStatus.MINUTES_DRAFTED,
    S.APPROVED: MeetingStatus.MINUTES_APPROVED,
    S.PUBLISHED: MeetingStatus.MINUTES_PUBLISHED,
}
# Which action each step of the minutes needs (`panel.access` decides who holds each). Approving
# and publishing check the chair's action themselves, to say why (`approval_refused`).
STEP_ACTIONS = {
    "start": Action.EDIT_MINUTES,
    "save_notes": Action.EDIT_MINUTES,
    "submit": Action.EDIT_MINUTES,
    "send_back": Action.APPROVE_MINUTES,
    "approve": Action.APPROVE_MINUTES,
    "publish": Action.APPROVE_MINUTES,
    "new_version": Action.EDIT_MINUTES,
    "set_approver_rule": Action.APPROVE_MINUTES,
}
# Meetings whose minutes can be started: held, or marked drafted before minutes were in Panel.
STARTABLE = frozenset({MeetingStatus.HELD, MeetingStatus.MINUTES_DRAFTED})


class MinutesRefused(Exception):
    """A step the lifecycle does not allow now; the message is written for the user."""


@dataclass(frozen=True)
class ItemNotes:
    restricted: str | None
    public: str | None


@dataclass(frozen=True)
class Decision:
    """What the meeting decided about the previous minutes (None: nothing recorded) and the
    amendments, one a line."""

    outcome: PreviousMinutesDecision | None
    amendments: str | None = None


def start(actor: User, meeting: Meeting) -> Minutes:
    """Start the minutes of a held meeting: a draft assembled from what Panel knows."""
    access.require(actor, STEP_ACTIONS["start"], meeting)
    existing = db.session.scalar(db.select(Minutes).where(Minutes.meeting_id == meeting.id))
    if existing is not None:
        return existing
    if meeting.status not in STARTABLE:
        raise MinutesRefused(
            "Minutes can be started once the meeting is recorded as held. This meeting is "
            f"{meeting.status.label.lower()}."
        )
    now = utcnow()
    minutes = Minutes(
        meeting=meeting,
        status=S.DRAFT,
        version_number=1,
        started_at=now,
        started_by_id=actor.id,
        drafted_at=now,
        drafted_by_id=actor.id,
    )
    db.session.add(minutes)
    db.session.flush()
    record(actor, AuditAction.CREATE, minutes, label=label(minutes))
    _meeting_follows(actor, minutes)
    db.session.flush()
    return minutes


def save_notes(
    actor: User,
    minutes: Minutes,
    notes: dict[int, ItemNotes],
    aob: ItemNotes,
    edit_version: int,
    guard: GuardOutcome = NO_FINDINGS,
    previous: Decision | None = None,
) -> Minutes:
    """Save the notes of each agenda item (by agenda item id) and any other business, and with
    them, if given, what the meeting decided about the `previous` minutes. Approved or
    published minutes must be reopened first (a new version)."""
    access.require(actor, STEP_ACTIONS["save_notes"], minutes.meeting)
    _check_editable(minutes)
    locking.check_version(minutes.edit_version, edit_version, _stale)
    check_override(actor, minutes.meeting.panel, guard, MinutesRefused)
    agenda_ids = {item.id for item in minutes.meeting.agenda_items}
    with locking.saving(_stale):
        changed = []
        for agenda_item_id, text in notes.items():
            if agenda_item_id not in agenda_ids:
                raise MinutesRefused("That item is not on this meeting's agenda.")
            note = minutes.note_for(agenda_item_id)
            fields = {"restricted": text.restricted or None, "public": text.public or None}
            if note is None:
                if not (fields["restricted"] or fields["public"]):
                    continue
                minutes.notes.append(
                    MinutesNote(agenda_item_id=agenda_item_id, updated_by_id=actor.id, **fields)
                )
                changed.append(agenda_item_id)
            elif apply_changes(note, fields):
                note.updated_by_id = actor.id
                changed.append(agenda_item_id)
        aob_changes = apply_changes(
            minutes, {"aob_restricted": aob.restricted or None, "aob_public": aob.public or None}
        )
        if changed or aob_changes:
            _drafted(actor, minutes)
            # The words are case material: the trail says which items changed, not what.
            record(
                actor,
                AuditAction.UPDATE,
                minutes,
                label=label(minutes),
                changes={
                    "notes_of_items": sorted(changed),
                    **({"any_other_business": "(changed)"} if aob_changes else {}),
                },
            )
            _touch(minutes)
        if previous is not None and _decide_previous(actor, minutes, previous):
            _drafted(actor, minutes)
        record_override(actor, minutes, guard, label(minutes))
    return minutes


def submit(actor: User, minutes: Minutes, edit_version: int) -> Minutes:
    """Send the draft to the chair for approval."""
    access.require(actor, STEP_ACTIONS["submit"], minutes.meeting)
    locking.check_version(minutes.edit_version, edit_version, _stale)
    _move(actor, minutes, {S.DRAFT}, S.SUBMITTED, "submitted for approval")
    return minutes


def send_back(actor: User, minutes: Minutes, edit_version: int) -> Minutes:
    """The chair returns submitted minutes to draft, to be changed."""
    access.require(actor, STEP_ACTIONS["send_back"], minutes.meeting)
    locking.check_version(minutes.edit_version, edit_version, _stale)
    _move(actor, minutes, {S.SUBMITTED}, S.DRAFT, "sent back to draft")
    return minutes


NOT_THE_CHAIR = "Only the chair of the panel can {what} its minutes."
APPROVER_DRAFTED = (
    "You cannot approve these minutes because you drafted this version. This panel requires the "
    "minutes to be approved by someone other than the person who drafted them: another chair of "
    "the panel can approve them, or send them back to draft for someone else to complete."
)


def approval_refused(actor: User, minutes: Minutes) -> str | None:
    """Why `actor` may not approve the version being drafted, whatever its status; None if they
    may."""
    if not access.can(actor, STEP_ACTIONS["approve"], minutes.meeting):
        return NOT_THE_CHAIR.format(what="approve")
    if minutes.panel.minutes_approver_not_drafter and minutes.drafted_by_id == actor.id:
        return APPROVER_DRAFTED
    return None


def approve(actor: User, minutes: Minutes, edit_version: int) -> MinutesVersion:
    """The chair approves the submitted draft: the document is frozen as this version and can
    no longer be changed, except by starting a new version. The version keeps who drafted,
    submitted and approved it, and when."""
    locking.check_version(minutes.edit_version, edit_version, _stale)
    _check_status(minutes, {S.SUBMITTED}, "approved")
    refused = approval_refused(actor, minutes)
    if refused:
        raise MinutesRefused(refused)
    document = assemble(minutes)
    now = utcnow()
    version = MinutesVersion(
        number=minutes.version_number,
        content=document.with_approval(
            minutes.version_number,
            S.APPROVED.label,
            actor.full_name,
            format_datetime(now, "date"),
        ).to_json(),
        drafted_at=minutes.drafted_at,
        drafted_by_id=minutes.drafted_by_id,
        submitted_at=minutes.submitted_at,
        submitted_by_id=minutes.submitted_by_id,
        approved_at=now,
        approved_by_id=actor.id,
    )
    with locking.saving(_stale):
        _check_status(minutes, {S.SUBMITTED}, "approved")
        minutes.versions.append(version)
        _set_status(actor, minutes, S.APPROVED, f"version {minutes.version_number} approved")
    return version


class Render(Protocol):
    """Makes the PDF of a document (`panel.minutes.pdf.render_pdf`), dated `created`."""

    def __call__(self, document: Document, *, created: datetime) -> bytes: ...


def publish(
    actor: User,
    minutes: Minutes,
    edit_version: int,
    render: Render,
    render_key_messages: key_messages.Render | None = None,
) -> MinutesVersion:
    """Publish the approved version to readers: `render` makes the PDF of each layer of the
    frozen document once, dated with the publication; the bytes and their SHA-256 are stored and
    served as they are from now on, the readers' to readers and the full one to members.

    The version's key messages are published with it as their own OFFICIAL document, rendered
    once by `render_key_messages` (`panel.minutes.key_messages.pdf.render_pdf` unless given)."""
    locking.check_version(minutes.edit_version, edit_version, _stale)
    _check_status(minutes, {S.APPROVED}, "published")
    if not access.can(actor, STEP_ACTIONS["publish"], minutes.meeting):
        raise MinutesRefused(NOT_THE_CHAIR.format(what="publish"))
    version = minutes.versions[-1]
    published_at = utcnow()
    pdfs = {
        layer: render(document, created=published_at)
        for layer, document in queries.published_documents(version).items()
    }
    from panel.minutes.key_messages.pdf import render_pdf  # WeasyPrint, loaded when needed

    render_official: key_messages.Render = render_key_messages or render_pdf
    official = key_messages.render_publication(minutes, version, render_official, published_at)
    with locking.saving(_stale):
        key_messages.publish(actor, minutes, version, official, published_at)
        version.full_pdf = pdfs[FULL]
        version.full_sha256 = hashlib.sha256(pdfs[FULL]).hexdigest()
        version.published_pdf = pdfs[PUBLIC]
        version.published_sha256 = hashlib.sha256(pdfs[PUBLIC]).hexdigest()
        version.published_at = published_at
        version.published_by_id = actor.id
        _set_status(actor, minutes, S.PUBLISHED, f"version {version.number} published")
    return version


def new_version(actor: User, minutes: Minutes, edit_version: int) -> Minutes:
    """Change approved (or published) minutes: a new draft version, to be approved again. The
    earlier versions stay as they were, and readers keep the published one until the new one is
    published."""
    access.require(actor, STEP_ACTIONS["new_version"], minutes.meeting)
    locking.check_version(minutes.edit_version, edit_version, _stale)
    with locking.saving(_stale):
        _check_status(minutes, {S.APPROVED, S.PUBLISHED}, "changed as a new version")
        minutes.version_number += 1
        _drafted(actor, minutes)
        _set_status(actor, minutes, S.DRAFT, f"version {minutes.version_number} started")
    return minutes


def set_approver_rule(actor: User, panel: Panel, approver_not_drafter: bool) -> Panel:
    """The chair decides whether the approver of the panel's minutes must be someone other than
    the person who drafted the version."""
    access.require(actor, STEP_ACTIONS["set_approver_rule"], panel)
    if not access.can(actor, access.Action.APPROVE_MINUTES, panel):
        raise MinutesRefused("Only the chair of the panel can change how its minutes are approved.")
    changes = apply_changes(panel, {"minutes_approver_not_drafter": approver_not_drafter})
    if changes:
        record(actor, AuditAction.UPDATE, panel, changes=changes)
        db.session.flush()
    return panel


# --- Why a page is closed ----------------------------------------------------------------------
# Opened for minutes in a status where its step cannot be taken, a page takes the editor or chair
# back to the minutes with one of these reasons, before any form. A step posted anyway is refused
# by the operations above, with reasons of their own.

_NOTES_LOCKED = {
    S.SUBMITTED: "These minutes are with the chair for approval, so their notes cannot be "
    "changed. The chair can send them back to draft.",
    S.APPROVED: "These minutes are approved and locked. Start a new version to change them.",
    S.PUBLISHED: "These minutes are published and locked. Start a new version to change them.",
}
_NOT_APPROVABLE = {
    S.DRAFT: "These minutes are a draft: they are approved once submitted for approval.",
    S.APPROVED: "This version is already approved.",
    S.PUBLISHED: "This version is already approved and published.",
}
_NOT_PUBLISHABLE = {
    S.DRAFT: "These minutes are a draft: submit them and approve them first.",
    S.SUBMITTED: "Approve these minutes first.",
    S.PUBLISHED: "This version is already published.",
}


def notes_locked(minutes: Minutes) -> str | None:
    """Why the notes of `minutes` cannot be changed now; None while they are a draft."""
    return _NOTES_LOCKED.get(minutes.status)


def approval_closed(minutes: Minutes) -> str | None:
    """Why `minutes` cannot be approved now, by anyone (`approval_refused` says why a person
    may not); None once submitted."""
    return _NOT_APPROVABLE.get(minutes.status)


def publication_closed(minutes: Minutes) -> str | None:
    """Why `minutes` cannot be published now; None once approved."""
    reason = _NOT_PUBLISHABLE.get(minutes.status)
    return f"Only approved minutes can be published. {reason}" if reason else None


def record_case_views(actor: User, meeting: Meeting, *documents: Document) -> None:
    """Minutes carry case review text (in full: the narrative, stage comments and overall view;
    for readers: the narrative, as each case's anonymised summary), so a page or download of the
    minutes of `meeting` records each case review in `documents` (what it shows `actor`) as
    opened, in one statement for all (`panel.cases.services.record_views`)."""
    record_views(actor, queries.case_reviews_shown(meeting, documents))


def label(minutes: Minutes) -> str:
    meeting = minutes.meeting
    return f"Minutes of {meeting.panel.name}, {format_datetime(meeting.starts_at, 'date')}"[:200]


# --- Helpers -----------------------------------------------------------------------------------


def _decide_previous(actor: User, minutes: Minutes, decision: Decision) -> bool:
    """Record what the meeting of `minutes` decided about the previous minutes, audit it, and
    mark the previous minutes agreed at this meeting (or no longer, if the decision changed).
    Part of `save_notes`, which asks `access`; True if anything changed."""
    amendments = (
        "\n".join(amendment_lines(decision.amendments))
        if decision.outcome == PreviousMinutesDecision.AGREED_WITH_AMENDMENTS
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
        label=label(minutes),
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
    if agreed and (previous := meeting_queries.previous_meeting(meeting)) is not None:
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
        record(actor, AuditAction.UPDATE, minutes, label=label(minutes), changes=changes)


def _move(actor, minutes, sources, target, what) -> None:
    with locking.saving(_stale):
        _check_status(minutes, sources, what)
        if target == S.SUBMITTED:
            minutes.submitted_at = utcnow()
            minutes.submitted_by_id = actor.id
        _set_status(actor, minutes, target, what)


def _drafted(actor: User, minutes: Minutes) -> None:
    minutes.drafted_by_id = actor.id
    minutes.drafted_at = utcnow()


def _set_status(actor: User, minutes: Minutes, target: MinutesStatus, what: str) -> None:
    changes = apply_changes(minutes, {"status": target, "version_number": minutes.version_number})
    record(
        actor, AuditAction.UPDATE, minutes, label=label(minutes), changes={**changes, "step": what}
    )
    _meeting_follows(actor, minutes)


def _meeting_follows(actor: User, minutes: Minutes) -> None:
    meeting = minutes.meeting
    status = MEETING_STATUS[minutes.status]
    if minutes.published_version is not None:
        # Readers keep the published version while a new one is drafted: the meeting's minutes
        # stay published.
        status = MeetingStatus.MINUTES_PUBLISHED
    changes = apply_changes(meeting, {"status": status})
    if changes:
        record(actor, AuditAction.UPDATE, meeting, label=label(minutes), changes=changes)


def _touch(minutes: Minutes) -> None:
    """Notes are rows of their own: mark the minutes row changed too, so that its version moves
    and a concurrent save of the same minutes is refused."""
    if "aob_public" not in sa.inspect(minutes).dict:  # a row inserted in this unit of work
        db.session.refresh(minutes, ["aob_public"])
    flag_modified(minutes, "aob_public")


def _check_status(minutes: Minutes, sources: set[MinutesStatus], what: str) -> None:
    if minutes.status not in sources:
        raise MinutesRefused(
            f"These minutes are {minutes.status.label.lower()}, so they cannot be {what} now."
        )


def _check_editable(minutes: Minutes) -> None:
    if minutes.status in (S.APPROVED, S.PUBLISHED):
        raise MinutesRefused(
            "These minutes are approved and locked. Start a new version to change them."
        )
    if minutes.status == S.SUBMITTED:
        raise MinutesRefused(
            "These minutes are with the chair for approval. The chair can send them back to draft."
        )


def _stale() -> MinutesRefused:
    return MinutesRefused(STALE)
