"""Attendance at a meeting: each member's status, guests, which organisations were represented,
whether the panel was quorate, and each organisation's attendance rate over the last year.

A member is present, sends apologies, is absent, or is represented by a named deputy from their
own organisation. Apologies (and a deputy) can be sent before the meeting, by the member or by the
chair or coordinator for them; they are attendance rows like any other, so the register taken at
the meeting starts from them. The organisation is stored on the attendance row as it was on the
day, so rates and old registers stay right after someone moves organisation. A panel's quorum
is a number of organisations, not people: two officers from one police unit count once, and
guests never count.

Recording the register, guests and the quorum asks `access` whether the actor may manage the
panel's meetings, as the pages do. Apologies are checked by `_check_may_answer_for`: a member
answers for themselves, the chair or coordinator for anyone, and a refusal says which.

Deputies' and guests' names (and guests' organisations) are typed in: the audit trail records
that they were given or changed, never the words, and names a guest by number.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import NamedTuple

import sqlalchemy as sa
from sqlalchemy.orm import joinedload
from sqlalchemy.orm.attributes import set_committed_value

from panel import access
from panel.accounts.models import Organisation, User
from panel.core.audit import (
    TEXT_HIDDEN,
    TEXT_SET,
    AuditAction,
    apply_changes,
    masked,
    record,
    text_removed,
    text_set,
)
from panel.core.database import utcnow
from panel.core.time import UK
from panel.extensions import db
from panel.meetings.models import (
    MAX_GUESTS,
    REPRESENTED,
    Attendance,
    AttendanceStatus,
    Guest,
    Meeting,
    MeetingStatus,
)
from panel.panels.models import Membership, Panel, Role

# Once the minutes are approved they are locked: the record they were written from stays put.
LOCKED = frozenset({MeetingStatus.MINUTES_APPROVED, MeetingStatus.MINUTES_PUBLISHED})
RATE_PERIOD = timedelta(days=365)
MAX_QUORUM = 100
# The register form takes this many members at a time, by organisation then name.
REGISTER_PAGE_SIZE = 50
# What a member can send before the meeting: apologies, with or without a deputy.
SENT_IN_ADVANCE = frozenset({AttendanceStatus.APOLOGIES, AttendanceStatus.DEPUTY})

# Typed names: the trail says that they changed, not what they say.
TEXT_FIELDS = frozenset({"deputy_name"})


class AttendanceRefused(Exception):
    """A change to a meeting's record that its state does not allow; the message is for the user."""


def check_record_open(meeting: Meeting, now: datetime | None = None) -> None:
    """Raise `AttendanceRefused` unless attendance, guests and actions may be recorded now: from
    the meeting's start until its minutes are approved, and never for a cancelled meeting."""
    if meeting.status == MeetingStatus.CANCELLED:
        raise AttendanceRefused("This meeting was cancelled, so there is no attendance to record.")
    if meeting.status in LOCKED:
        raise AttendanceRefused(
            "The minutes of this meeting are approved, so its attendance can no longer change."
        )
    if meeting.starts_at > (now or utcnow()):
        raise AttendanceRefused(
            "Attendance can be recorded once the meeting has started. "
            f"This meeting starts on {_local(meeting.starts_at)}."
        )


# --- The register ------------------------------------------------------------------------------


@dataclass(frozen=True)
class RegisterEntry:
    """One line of the register form: a member, the organisation they attend for, and what has
    been recorded for them so far (None before the first save)."""

    user: User
    organisation: Organisation
    attendance: Attendance | None

    @property
    def status(self) -> AttendanceStatus | None:
        return self.attendance.status if self.attendance else None

    @property
    def deputy_name(self) -> str | None:
        return self.attendance.deputy_name if self.attendance else None


@dataclass(frozen=True)
class Mark:
    """What the register says about one member."""

    status: AttendanceStatus
    deputy_name: str | None = None


def load_attendance(meeting: Meeting) -> list[Attendance]:
    """The meeting's attendance with each member and organisation, in one query, also set as
    `meeting.attendance` so that the functions below read it without querying again."""
    rows = list(
        db.session.scalars(
            db.select(Attendance)
            .options(
                joinedload(Attendance.user),
                joinedload(Attendance.organisation),
                joinedload(Attendance.apologies_sent_by),
            )
            .where(Attendance.meeting_id == meeting.id)
        )
    )
    rows.sort(key=lambda row: (row.organisation.name, row.user.full_name, row.user_id))
    set_committed_value(meeting, "attendance", rows)
    return rows


def register_of(meeting: Meeting) -> list[RegisterEntry]:
    """Everyone on the register: the panel's members who attend meetings (not readers, and not
    deactivated accounts), and anyone already recorded who has since left, by organisation then
    name."""
    recorded = {row.user_id: row for row in load_attendance(meeting)}
    members = db.session.scalars(
        db.select(User)
        .join(Membership, Membership.user_id == User.id)
        .options(joinedload(User.organisation))
        .where(
            Membership.panel_id == meeting.panel_id,
            Membership.role != Role.READER,
            User.active.is_(True),
            User.id.not_in(list(recorded)),
        )
    )
    entries = [RegisterEntry(row.user, row.organisation, row) for row in recorded.values()]
    entries += [RegisterEntry(user, user.organisation, None) for user in members]
    entries.sort(key=lambda e: (e.organisation.name, e.user.full_name, e.user.id))
    return entries


def record_register(
    actor: User,
    meeting: Meeting,
    marks: Mapping[int, Mark],
    *,
    now: datetime | None = None,
) -> list[Attendance]:
    """Save the register: `marks` maps each member's user id to their status. Members not on the
    register are ignored; an existing line keeps the organisation it was first recorded with, and
    apologies sent in advance stay marked as such unless the member came after all."""
    access.require(actor, access.Action.MANAGE_MEETINGS, meeting)
    check_record_open(meeting, now)
    saved, created = [], []
    for entry in register_of(meeting):
        mark = marks.get(entry.user.id)
        if mark is None:
            continue
        deputy = (mark.deputy_name or None) if mark.status == AttendanceStatus.DEPUTY else None
        row = entry.attendance
        if row is None:
            row = Attendance(
                meeting=meeting,
                user=entry.user,
                organisation=entry.organisation,
                status=mark.status,
                deputy_name=deputy,
            )
            db.session.add(row)
            created.append(row)
        else:
            fields = {"status": mark.status, "deputy_name": deputy}
            if mark.status not in SENT_IN_ADVANCE:
                fields |= {"apologies_sent_at": None, "apologies_sent_by_id": None}
            changes = masked(apply_changes(row, fields), TEXT_FIELDS)
            if changes:
                record(actor, AuditAction.UPDATE, row, label=_label(row), changes=changes)
        saved.append(row)
    db.session.flush()  # one flush gives every new line its id for the trail
    for row in created:
        record(
            actor,
            AuditAction.CREATE,
            row,
            label=_label(row),
            changes={
                "organisation": row.organisation.name,
                "status": row.status.value,
                "deputy_name": text_set(row.deputy_name),
            },
        )
    db.session.flush()
    return saved


# --- Apologies before the meeting ---------------------------------------------------------------


def check_apologies_open(meeting: Meeting, now: datetime | None = None) -> None:
    """Raise `AttendanceRefused` unless apologies may be sent, changed or withdrawn now: while the
    meeting is scheduled and has not started. From its start the register says who came."""
    if meeting.status == MeetingStatus.CANCELLED:
        raise AttendanceRefused("This meeting was cancelled, so no apologies are needed.")
    if meeting.status != MeetingStatus.SCHEDULED or meeting.starts_at <= (now or utcnow()):
        raise AttendanceRefused(
            "Apologies can only be sent before the meeting starts. Once it has started, the "
            "register records who attended."
        )


def apologies_of(meeting: Meeting, user_id: int) -> Attendance | None:
    """The apologies a member has sent for the meeting, with or without a deputy, or None."""
    return db.session.scalar(
        db.select(Attendance).where(
            Attendance.meeting_id == meeting.id,
            Attendance.user_id == user_id,
            Attendance.status.in_(SENT_IN_ADVANCE),
        )
    )


def send_apologies(
    actor: User,
    meeting: Meeting,
    member: User,
    deputy_name: str | None,
    *,
    now: datetime | None = None,
) -> Attendance:
    """Record `member`'s apologies for the meeting, naming a deputy from their organisation if one
    will come in their place. The member sends their own; the chair or coordinator may record them
    for any member. Sending again changes the deputy."""
    now = now or utcnow()
    check_apologies_open(meeting, now)
    _check_may_answer_for(actor, meeting, member)
    entry = _register_entry(meeting, member)
    if entry is None:
        raise AttendanceRefused(f"{member.full_name} does not attend this panel’s meetings.")
    deputy = (deputy_name or "").strip() or None
    status = AttendanceStatus.DEPUTY if deputy else AttendanceStatus.APOLOGIES
    sent = {"apologies_sent_at": now, "apologies_sent_by_id": actor.id}
    row = entry.attendance
    if row is None:
        row = Attendance(
            meeting=meeting,
            user=member,
            organisation=entry.organisation,
            status=status,
            deputy_name=deputy,
            **sent,
        )
        db.session.add(row)
        db.session.flush()
        changes = {
            "organisation": row.organisation.name,
            "status": status.value,
            "deputy_name": text_set(deputy),
            "sent_by": actor.full_name,
        }
        record(actor, AuditAction.CREATE, row, label=_label(row), changes=changes)
    else:
        changes = masked(apply_changes(row, {"status": status, "deputy_name": deputy}), TEXT_FIELDS)
        if not changes:
            return row
        changes |= apply_changes(row, sent)
        record(actor, AuditAction.UPDATE, row, label=_label(row), changes=changes)
    db.session.flush()
    return row


def withdraw_apologies(
    actor: User, meeting: Meeting, member_id: int, *, now: datetime | None = None
) -> User | None:
    """Withdraw the apologies sent for a member: they will come after all. The member withdraws
    their own; the chair or coordinator may withdraw anyone's. Returns the member, or None if
    they had sent none."""
    check_apologies_open(meeting, now)
    row = apologies_of(meeting, member_id)
    if row is None:
        return None
    member = row.user
    _check_may_answer_for(actor, meeting, member)
    record(
        actor,
        AuditAction.DELETE,
        row,
        label=_label(row),
        changes={
            "organisation": row.organisation.name,
            "status": row.status.value,
            "deputy_name": text_removed(row.deputy_name),
        },
    )
    db.session.delete(row)
    db.session.flush()
    return member


def _check_may_answer_for(actor: User, meeting: Meeting, member: User) -> None:
    action = (
        access.Action.MANAGE_MEETINGS if actor.id != member.id else access.Action.SEND_APOLOGIES
    )
    if not access.can(actor, action, meeting):
        raise AttendanceRefused(
            "Only the panel’s chair or coordinator can record apologies for someone else."
            if actor.id != member.id
            else "Only members who attend this panel’s meetings can send apologies."
        )


def _register_entry(meeting: Meeting, member: User) -> RegisterEntry | None:
    """The member's line on the register, as `register_of` would list it, or None if they are
    not on it."""
    row = db.session.scalar(
        db.select(Attendance).where(
            Attendance.meeting_id == meeting.id, Attendance.user_id == member.id
        )
    )
    if row is not None:
        return RegisterEntry(member, row.organisation, row)
    role = db.session.scalar(
        db.select(Membership.role).where(
            Membership.panel_id == meeting.panel_id, Membership.user_id == member.id
        )
    )
    if role is None or role == Role.READER or not member.active:
        return None
    return RegisterEntry(member, member.organisation, None)


# --- Guests ------------------------------------------------------------------------------------


def guests_of(meeting: Meeting) -> list[Guest]:
    """The meeting's guests in the order they were added (at most MAX_GUESTS)."""
    return list(
        db.session.scalars(
            db.select(Guest)
            .where(Guest.meeting_id == meeting.id)
            .order_by(Guest.id)
            .limit(MAX_GUESTS)
        )
    )


def guest_of(meeting: Meeting, guest_id: int) -> Guest | None:
    """One of this meeting's guests; None for another meeting's, so its id is a 404."""
    return db.session.scalar(
        db.select(Guest).where(Guest.id == guest_id, Guest.meeting_id == meeting.id)
    )


def add_guest(
    actor: User, meeting: Meeting, name: str, organisation_name: str, *, now: datetime | None = None
) -> Guest:
    access.require(actor, access.Action.MANAGE_MEETINGS, meeting)
    check_record_open(meeting, now)
    recorded = db.session.scalar(
        db.select(sa.func.count(Guest.id)).where(Guest.meeting_id == meeting.id)
    )
    if recorded >= MAX_GUESTS:
        raise AttendanceRefused(f"A meeting can record at most {MAX_GUESTS} guests.")
    guest = Guest(meeting=meeting, name=name.strip(), organisation_name=organisation_name.strip())
    db.session.add(guest)
    db.session.flush()
    record(
        actor,
        AuditAction.CREATE,
        guest,
        label=_guest_label(guest),
        changes={"name": TEXT_SET, "organisation_name": text_set(guest.organisation_name)},
    )
    db.session.flush()
    return guest


def remove_guest(actor: User, guest: Guest, *, now: datetime | None = None) -> None:
    access.require(actor, access.Action.MANAGE_MEETINGS, guest.meeting)
    meeting = guest.meeting
    check_record_open(meeting, now)
    record(
        actor,
        AuditAction.DELETE,
        guest,
        label=_guest_label(guest),
        changes={"name": TEXT_HIDDEN, "organisation_name": text_removed(guest.organisation_name)},
    )
    db.session.delete(guest)
    db.session.flush()


# --- Quorum ------------------------------------------------------------------------------------


def organisations_represented(meeting: Meeting) -> list[Organisation]:
    """The organisations in the room, in person or through a deputy, by name. Apologies do not
    represent an organisation, and neither do guests."""
    found = {row.organisation for row in meeting.attendance if row.status in REPRESENTED}
    return sorted(found, key=lambda organisation: organisation.name)


def quorum_met(meeting: Meeting) -> bool:
    return len(organisations_represented(meeting)) >= meeting.panel.quorum


def register_taken(register: Sequence[Attendance]) -> bool:
    """Whether attendance was recorded at the meeting, not only apologies sent before it: until
    the register is taken nobody is known to be there, so nothing may be said of the quorum."""
    return any(row.apologies_sent_at is None for row in register)


def set_quorum(actor: User, panel: Panel, quorum: int) -> Panel:
    access.require(actor, access.Action.MANAGE_MEETINGS, panel)
    changes = apply_changes(panel, {"quorum": quorum})
    if changes:
        record(actor, AuditAction.UPDATE, panel, changes=changes)
        db.session.flush()
    return panel


@dataclass(frozen=True)
class MeetingRecord:
    """What the meeting page shows about who was there."""

    register: list[Attendance]
    guests: list[Guest]
    represented: list[Organisation]
    quorum: int
    quorum_met: bool
    # Whether the register was taken at the meeting (not only apologies sent before it).
    taken: bool
    # Why attendance cannot be recorded now, in the user's words; None while it can.
    closed_reason: str | None
    # Why apologies cannot be sent now; None while they can (before the meeting starts). Until
    # then `register` holds only the apologies sent.
    apologies_closed_reason: str | None

    @property
    def open(self) -> bool:
        return self.closed_reason is None

    @property
    def apologies_open(self) -> bool:
        return self.apologies_closed_reason is None

    def attendance_of(self, user: User) -> Attendance | None:
        """The user's own line, e.g. the apologies they sent."""
        return next((row for row in self.register if row.user_id == user.id), None)


def record_of(meeting: Meeting, now: datetime | None = None) -> MeetingRecord:
    """The meeting's attendance record, in a fixed number of queries however many attended."""
    register = load_attendance(meeting)
    closed_reason: str | None
    apologies_closed_reason: str | None
    try:
        check_record_open(meeting, now)
    except AttendanceRefused as refused:
        closed_reason = str(refused)
    else:
        closed_reason = None
    try:
        check_apologies_open(meeting, now)
    except AttendanceRefused as refused:
        apologies_closed_reason = str(refused)
    else:
        apologies_closed_reason = None
    return MeetingRecord(
        register=register,
        guests=guests_of(meeting),
        represented=organisations_represented(meeting),
        quorum=meeting.panel.quorum,
        quorum_met=quorum_met(meeting),
        taken=register_taken(register),
        closed_reason=closed_reason,
        apologies_closed_reason=apologies_closed_reason,
    )


# --- Attendance rates --------------------------------------------------------------------------


class AttendanceRate(NamedTuple):
    """How often an organisation was represented at the meetings where it had a member on the
    register."""

    organisation: Organisation
    meetings_expected: int
    meetings_represented: int
    rate: float


# A panel that meets more often than weekly has its rates taken over its latest this many
# meetings of the period, so that its page reads as few rows as any panel's.
RATE_MEETINGS = 52


class AttendanceRates(NamedTuple):
    rates: list[AttendanceRate]
    # RATE_MEETINGS when the period held more meetings: the rates are over the latest of them.
    latest: int | None


def attendance_rates(
    panel: Panel, since: datetime | None = None, *, now: datetime | None = None
) -> AttendanceRates:
    """Each organisation's attendance at the panel's meetings that took place from `since` (by
    default a year ago) until now, at most the latest RATE_MEETINGS of them, by organisation
    name.

    A meeting counts once it has started and was not cancelled, whether or not it was marked as
    held: a register recorded for it shows that it took place. An organisation is expected at the
    meetings where one of its people was on the register, so joining the panel part-way through
    the year does not lower its rate.
    """
    now = now or utcnow()
    since = since or now - RATE_PERIOD
    meeting_ids = list(
        db.session.scalars(
            db.select(Meeting.id)
            .where(
                Meeting.panel_id == panel.id,
                Meeting.status != MeetingStatus.CANCELLED,
                Meeting.starts_at >= since,
                Meeting.starts_at <= now,
            )
            .order_by(Meeting.starts_at.desc())
            .limit(RATE_MEETINGS + 1)
        )
    )
    latest = RATE_MEETINGS if len(meeting_ids) > RATE_MEETINGS else None
    if not meeting_ids:
        return AttendanceRates([], latest)
    represented = sa.case((Attendance.status.in_(REPRESENTED), Attendance.meeting_id))
    rows = db.session.execute(
        db.select(
            Organisation,
            sa.func.count(sa.distinct(Attendance.meeting_id)),
            sa.func.count(sa.distinct(represented)),
        )
        .join(Attendance, Attendance.organisation_id == Organisation.id)
        .where(Attendance.meeting_id.in_(meeting_ids[:RATE_MEETINGS]))
        .group_by(Organisation.id)
        .order_by(Organisation.name)
    )
    return AttendanceRates(
        [
            AttendanceRate(organisation, expected, present, present / expected)
            for organisation, expected, present in rows
        ],
        latest,
    )


# --- Helpers -----------------------------------------------------------------------------------


def _local(moment: datetime) -> str:
    local = moment.astimezone(UK)
    return f"{local.day} {local:%B %Y}"


def _label(row: Attendance) -> str:
    return f"{row.user.full_name} at {meeting_label(row.meeting)}"


def _guest_label(guest: Guest) -> str:
    """A guest by number, never by the name typed: the trail is read by administrators."""
    return f"Guest {guest.id} at {meeting_label(guest.meeting)}"


def meeting_label(meeting: Meeting) -> str:
    """How the audit trail names a meeting in the labels of what belongs to it (its register,
    guests, agenda items, actions): "Coventry Hate Crime Panel meeting on 5 March 2026"."""
    return f"{meeting.panel.name} meeting on {_local(meeting.starts_at)}"
