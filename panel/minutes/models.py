"""Minutes of a held meeting: a governed document, not a text box.

The document is assembled from what the app already knows (see `panel.minutes.document`) plus
the notes editors write per agenda item, each in two layers: restricted notes for panel members,
public notes for readers. The lifecycle is draft -> submitted -> approved (locked) -> published;
a change after approval starts a new version. Each approval freezes the whole document as a
`MinutesVersion`, and publication stores both layers' PDFs once (the readers' and the full
minutes), each with its SHA-256, so that the same bytes are served every time.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, deferred, mapped_column, relationship

from panel.accounts.models import User
from panel.core.database import LabelledEnum, UTCDateTime, enum_column, tag_colours, utcnow
from panel.extensions import db
from panel.meetings.models import AgendaItem, Meeting


class MinutesStatus(LabelledEnum):
    DRAFT = ("draft", "Draft")
    SUBMITTED = ("submitted", "Submitted for approval")
    APPROVED = ("approved", "Approved")
    PUBLISHED = ("published", "Published")

    TAG_COLOURS = tag_colours(
        DRAFT="yellow", SUBMITTED="blue", APPROVED="purple", PUBLISHED="green"
    )


class PreviousMinutesDecision(LabelledEnum):
    """What a meeting decided about the minutes of the meeting before it."""

    AGREED = ("agreed", "Agreed as a correct record")
    AGREED_WITH_AMENDMENTS = (
        "agreed_with_amendments",
        "Agreed as a correct record, with amendments",
    )
    NOT_AGREED = ("not_agreed", "Not yet agreed")

    @property
    def agreed(self) -> bool:
        return self != PreviousMinutesDecision.NOT_AGREED


class Minutes(db.Model):
    __tablename__ = "minutes"

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(sa.ForeignKey("meeting.id"), unique=True)
    status: Mapped[MinutesStatus] = mapped_column(
        enum_column(MinutesStatus), default=MinutesStatus.DRAFT
    )
    # The version being drafted or, once approved, the one approved (1, 2, ...).
    version_number: Mapped[int] = mapped_column(default=1)
    # Any other business: not an agenda item, so its notes live here.
    aob_restricted: Mapped[str | None] = mapped_column(sa.Text)
    aob_public: Mapped[str | None] = mapped_column(sa.Text)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    started_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    submitted_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    # Who drafted the version being written: whoever last started it (the minutes or a new
    # version) or changed its notes. Submitting is not drafting. A panel may require that the
    # approver is someone else (`Panel.minutes_approver_not_drafter`).
    drafted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    drafted_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    # Guards the notes against two editors saving over each other.
    edit_version: Mapped[int] = mapped_column(default=1)
    # What this meeting decided about the previous meeting's minutes (None: nothing recorded),
    # with the amendments, one a line, when agreed with amendments. See `services.save_notes`.
    previous_decision: Mapped[PreviousMinutesDecision | None] = mapped_column(
        enum_column(PreviousMinutesDecision)
    )
    previous_amendments: Mapped[str | None] = mapped_column(sa.Text)
    # When, and at which later meeting, these minutes were agreed as a correct record.
    agreed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    agreed_at_meeting_id: Mapped[int | None] = mapped_column(sa.ForeignKey("meeting.id"))

    meeting: Mapped[Meeting] = relationship(foreign_keys=[meeting_id])
    agreed_at_meeting: Mapped[Meeting | None] = relationship(foreign_keys=[agreed_at_meeting_id])
    started_by: Mapped[User | None] = relationship(foreign_keys=[started_by_id])
    submitted_by: Mapped[User | None] = relationship(foreign_keys=[submitted_by_id])
    drafted_by: Mapped[User | None] = relationship(foreign_keys=[drafted_by_id])
    notes: Mapped[list[MinutesNote]] = relationship(
        back_populates="minutes", cascade="all, delete-orphan"
    )
    versions: Mapped[list[MinutesVersion]] = relationship(
        back_populates="minutes", order_by="MinutesVersion.number", cascade="all, delete-orphan"
    )

    __mapper_args__ = {"version_id_col": edit_version}

    @property
    def panel(self):
        return self.meeting.panel

    def note_for(self, agenda_item_id: int) -> MinutesNote | None:
        return next((n for n in self.notes if n.agenda_item_id == agenda_item_id), None)

    @property
    def published_version(self) -> MinutesVersion | None:
        """The latest version readers were given, if any."""
        published = [v for v in self.versions if v.published_at is not None]
        return published[-1] if published else None

    def __repr__(self) -> str:
        return f"<Minutes {self.id} v{self.version_number} {self.status.value}>"


class MinutesNote(db.Model):
    """What the minutes say under one agenda item, in two layers."""

    __tablename__ = "minutes_note"
    __table_args__ = (sa.UniqueConstraint("minutes_id", "agenda_item_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    minutes_id: Mapped[int] = mapped_column(sa.ForeignKey("minutes.id"))
    agenda_item_id: Mapped[int] = mapped_column(sa.ForeignKey("agenda_item.id"))
    # For panel members only.
    restricted: Mapped[str | None] = mapped_column(sa.Text)
    # What readers (the Independent Advisory Group) may see.
    public: Mapped[str | None] = mapped_column(sa.Text)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))

    minutes: Mapped[Minutes] = relationship(back_populates="notes")
    agenda_item: Mapped[AgendaItem] = relationship()


class MinutesVersion(db.Model):
    """One approved version, frozen: the whole document as it was approved (both layers), who
    drafted, submitted and approved it and when, and once published who published it and both
    layers' PDFs (the readers' and the full minutes) with their SHA-256."""

    __tablename__ = "minutes_version"
    __table_args__ = (sa.UniqueConstraint("minutes_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    minutes_id: Mapped[int] = mapped_column(sa.ForeignKey("minutes.id"))
    number: Mapped[int]
    # The full document (see `panel.minutes.document.Document.to_json`).
    content: Mapped[dict[str, Any]] = mapped_column(sa.JSON)
    # Copied from the minutes at approval (None for versions approved before they were kept).
    drafted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    drafted_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    submitted_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    approved_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    approved_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    published_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    # The readers' PDF, rendered once at publication; loaded only when downloaded.
    published_pdf: Mapped[bytes | None] = deferred(mapped_column(sa.LargeBinary))
    published_sha256: Mapped[str | None] = mapped_column(sa.String(64))
    # The full minutes (panel members') rendered at the same publication, served to members as
    # stored; None for versions published before both layers were kept.
    full_pdf: Mapped[bytes | None] = deferred(mapped_column(sa.LargeBinary))
    full_sha256: Mapped[str | None] = mapped_column(sa.String(64))

    minutes: Mapped[Minutes] = relationship(back_populates="versions")
    drafted_by: Mapped[User | None] = relationship(foreign_keys=[drafted_by_id])
    submitted_by: Mapped[User | None] = relationship(foreign_keys=[submitted_by_id])
    approved_by: Mapped[User | None] = relationship(foreign_keys=[approved_by_id])
    published_by: Mapped[User | None] = relationship(foreign_keys=[published_by_id])
