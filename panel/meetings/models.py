"""Meetings and what belongs to one: agenda items, attendance, guests, actions, declarations."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from panel.accounts.models import Organisation, User
from panel.cases.models import CaseReview
from panel.core.database import LabelledEnum, UTCDateTime, enum_column, tag_colours, utcnow
from panel.extensions import db
from panel.panels.models import Panel


class MeetingStatus(LabelledEnum):
    """Where a meeting is in its life; the moves between them live in `lifecycle.py`."""

    SCHEDULED = ("scheduled", "Scheduled")
    HELD = ("held", "Held")
    MINUTES_DRAFTED = ("minutes_drafted", "Minutes drafted")
    MINUTES_APPROVED = ("minutes_approved", "Minutes approved")
    MINUTES_PUBLISHED = ("minutes_published", "Minutes published")
    CANCELLED = ("cancelled", "Cancelled")

    TAG_COLOURS = tag_colours(
        SCHEDULED="blue",
        HELD="turquoise",
        MINUTES_DRAFTED="yellow",
        MINUTES_APPROVED="purple",
        MINUTES_PUBLISHED="green",
        CANCELLED="grey",
    )


class Recurrence(LabelledEnum):
    EVERY_N_WEEKS = ("every_n_weeks", "Every few weeks")
    MONTHLY_ON_WEEKDAY = ("monthly_on_weekday", "Monthly on a weekday")


class MeetingSeries(db.Model):
    """How a run of meetings was scheduled. Each meeting is its own row, so moving or cancelling
    one never touches the others; the series remembers the rule it was generated from."""

    __tablename__ = "meeting_series"

    id: Mapped[int] = mapped_column(primary_key=True)
    panel_id: Mapped[int] = mapped_column(sa.ForeignKey("panel.id"), index=True)
    recurrence: Mapped[Recurrence] = mapped_column(enum_column(Recurrence))
    interval_weeks: Mapped[int | None]
    # Monthly series: the week of the month (1-4, or -1 for the last) and the weekday (0=Monday).
    week_of_month: Mapped[int | None]
    weekday: Mapped[int | None]
    first_date: Mapped[date]
    until: Mapped[date | None]
    count: Mapped[int | None]
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))

    panel: Mapped[Panel] = relationship()


# What one meeting can hold. A meeting is a couple of hours: these are far beyond any real one, and
# keep every page about a meeting (its page, the agenda, the register, the minutes) bounded. The
# services refuse to add more; pages list at most this many.
MAX_AGENDA_ITEMS = 40
MAX_GUESTS = 30
MAX_ACTIONS = 50


class Meeting(db.Model):
    __tablename__ = "meeting"
    __table_args__ = (sa.Index("ix_meeting_panel_starts_at", "panel_id", "starts_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    panel_id: Mapped[int] = mapped_column(sa.ForeignKey("panel.id"))
    series_id: Mapped[int | None] = mapped_column(sa.ForeignKey("meeting_series.id"), index=True)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime())
    duration_minutes: Mapped[int] = mapped_column(default=120)
    # Where: a room, or an online link, or both (hybrid).
    place: Mapped[str | None] = mapped_column(sa.String(200))
    online_link: Mapped[str | None] = mapped_column(sa.String(500))
    status: Mapped[MeetingStatus] = mapped_column(
        enum_column(MeetingStatus), default=MeetingStatus.SCHEDULED
    )
    cancellation_reason: Mapped[str | None] = mapped_column(sa.String(500))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    panel: Mapped[Panel] = relationship()
    series: Mapped[MeetingSeries | None] = relationship()
    agenda_items: Mapped[list[AgendaItem]] = relationship(
        back_populates="meeting", order_by="AgendaItem.position", cascade="all, delete-orphan"
    )
    attendance: Mapped[list[Attendance]] = relationship(
        back_populates="meeting", cascade="all, delete-orphan"
    )
    guests: Mapped[list[Guest]] = relationship(
        back_populates="meeting", order_by="Guest.id", cascade="all, delete-orphan"
    )

    @property
    def ends_at(self) -> datetime:
        return self.starts_at + timedelta(minutes=self.duration_minutes)

    @property
    def title(self) -> str:
        return f"{self.panel.name} meeting"

    def __repr__(self) -> str:
        return f"<Meeting {self.id} panel={self.panel_id} {self.starts_at:%Y-%m-%d %H:%M}>"


class AgendaItemKind(LabelledEnum):
    STANDING = ("standing", "Standing item")
    # The standing item under which open actions and interventions are listed.
    MATTERS_ARISING = ("matters_arising", "Minutes of the last meeting and matters arising")
    CASE_REVIEW = ("case_review", "Case review")
    FREE = ("free", "Item")

    # Standing items and matters arising are the usual furniture of a meeting: no tag.
    TAG_COLOURS = tag_colours(
        STANDING=None, MATTERS_ARISING=None, CASE_REVIEW="purple", FREE="grey"
    )


class AgendaTemplateItem(db.Model):
    """A standing item the coordinator wants on every new meeting of the panel."""

    __tablename__ = "agenda_template_item"

    id: Mapped[int] = mapped_column(primary_key=True)
    panel_id: Mapped[int] = mapped_column(sa.ForeignKey("panel.id"), index=True)
    position: Mapped[int]
    title: Mapped[str] = mapped_column(sa.String(200))
    kind: Mapped[AgendaItemKind] = mapped_column(enum_column(AgendaItemKind))
    duration_minutes: Mapped[int | None]

    panel: Mapped[Panel] = relationship()


class AgendaItem(db.Model):
    __tablename__ = "agenda_item"

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(sa.ForeignKey("meeting.id"), index=True)
    position: Mapped[int]
    kind: Mapped[AgendaItemKind] = mapped_column(enum_column(AgendaItemKind))
    title: Mapped[str] = mapped_column(sa.String(200))
    presenter_user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    presenter_organisation_id: Mapped[int | None] = mapped_column(sa.ForeignKey("organisation.id"))
    duration_minutes: Mapped[int | None]
    # What was said, for the minutes.
    notes: Mapped[str | None] = mapped_column(sa.Text)
    # For a case review item: the case. A case carried over gets an item at each meeting.
    case_review_id: Mapped[int | None] = mapped_column(sa.ForeignKey("case_review.id"), index=True)

    meeting: Mapped[Meeting] = relationship(back_populates="agenda_items")
    presenter_user: Mapped[User | None] = relationship()
    presenter_organisation: Mapped[Organisation | None] = relationship()
    case_review: Mapped[CaseReview | None] = relationship()
    declarations: Mapped[list[InterestDeclaration]] = relationship(
        back_populates="agenda_item", cascade="all, delete-orphan"
    )

    @property
    def panel(self) -> Panel:
        return self.meeting.panel

    @property
    def presenter(self) -> str | None:
        if self.presenter_user is not None:
            return f"{self.presenter_user.full_name}, {self.presenter_user.organisation.name}"
        if self.presenter_organisation is not None:
            return self.presenter_organisation.name
        return None


class AttendanceStatus(LabelledEnum):
    PRESENT = ("present", "Present")
    APOLOGIES = ("apologies", "Apologies")
    ABSENT = ("absent", "Absent")
    DEPUTY = ("deputy", "Represented by a deputy")


# The statuses under which the member's organisation was in the room.
REPRESENTED = frozenset({AttendanceStatus.PRESENT, AttendanceStatus.DEPUTY})


class Attendance(db.Model):
    """One member's attendance at one meeting. The organisation is kept as it was on the day, so
    attendance rates stay right after someone moves organisation."""

    __tablename__ = "attendance"
    __table_args__ = (sa.UniqueConstraint("meeting_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(sa.ForeignKey("meeting.id"))
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id"), index=True)
    organisation_id: Mapped[int] = mapped_column(sa.ForeignKey("organisation.id"), index=True)
    status: Mapped[AttendanceStatus] = mapped_column(enum_column(AttendanceStatus))
    deputy_name: Mapped[str | None] = mapped_column(sa.String(120))
    # Apologies sent before the meeting: when, and by whom (the member, or the chair or
    # coordinator recording them for the member). None for a line first written at the meeting,
    # and cleared if the register then says the member came after all.
    apologies_sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    apologies_sent_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))

    meeting: Mapped[Meeting] = relationship(back_populates="attendance")
    user: Mapped[User] = relationship(foreign_keys=[user_id])
    organisation: Mapped[Organisation] = relationship()
    apologies_sent_by: Mapped[User | None] = relationship(foreign_keys=[apologies_sent_by_id])

    @property
    def sent_by_the_member(self) -> bool:
        return self.apologies_sent_by_id == self.user_id


class Guest(db.Model):
    __tablename__ = "guest"

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(sa.ForeignKey("meeting.id"), index=True)
    name: Mapped[str] = mapped_column(sa.String(120))
    organisation_name: Mapped[str] = mapped_column(sa.String(200))

    meeting: Mapped[Meeting] = relationship(back_populates="guests")


class ActionStatus(LabelledEnum):
    OPEN = ("open", "Open")
    CLOSED = ("closed", "Closed")

    TAG_COLOURS = tag_colours(OPEN="blue", CLOSED="grey")


class MeetingAction(db.Model):
    """An action agreed at a meeting. Open actions come back under matters arising at every later
    meeting of the panel until someone closes them."""

    __tablename__ = "meeting_action"
    __table_args__ = (sa.Index("ix_meeting_action_panel_status", "panel_id", "status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    panel_id: Mapped[int] = mapped_column(sa.ForeignKey("panel.id"))
    meeting_id: Mapped[int] = mapped_column(sa.ForeignKey("meeting.id"), index=True)
    description: Mapped[str] = mapped_column(sa.String(500))
    owner_organisation_id: Mapped[int | None] = mapped_column(sa.ForeignKey("organisation.id"))
    due_date: Mapped[date | None]
    status: Mapped[ActionStatus] = mapped_column(
        enum_column(ActionStatus), default=ActionStatus.OPEN
    )
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    panel: Mapped[Panel] = relationship()
    meeting: Mapped[Meeting] = relationship()
    owner_organisation: Mapped[Organisation | None] = relationship()


class InterestDeclaration(db.Model):
    """A member's declared conflict of interest in an agenda item. For a case review item it also
    hides that case from them."""

    __tablename__ = "interest_declaration"
    __table_args__ = (sa.UniqueConstraint("agenda_item_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    agenda_item_id: Mapped[int] = mapped_column(sa.ForeignKey("agenda_item.id"))
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id"), index=True)
    reason: Mapped[str] = mapped_column(sa.String(500))
    declared_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    agenda_item: Mapped[AgendaItem] = relationship(back_populates="declarations")
    user: Mapped[User] = relationship()

    @property
    def panel(self) -> Panel:
        return self.agenda_item.meeting.panel


__all__ = [
    "ActionStatus",
    "AgendaItem",
    "AgendaItemKind",
    "AgendaTemplateItem",
    "Attendance",
    "AttendanceStatus",
    "Guest",
    "InterestDeclaration",
    "Meeting",
    "MeetingAction",
    "MeetingSeries",
    "MeetingStatus",
    "REPRESENTED",
    "Recurrence",
]
