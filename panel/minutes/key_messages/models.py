"""Key messages of a meeting's minutes, and each publication of them as a document of their own.

A `KeyMessage` is a live row while the minutes are written (draft, or with the chair): short,
guarded text addressed to the community, to an agency, or to both. Approving the minutes freezes
them in the approved `MinutesVersion` with the rest of the document
(`panel.minutes.document.KeyMessageRow`), so a change after approval is a new version, as for the
notes. Publishing the minutes also publishes them as a `KeyMessagesPublication`: the frozen
messages and the OFFICIAL PDF rendered once from them, with its SHA-256, served as stored.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, deferred, mapped_column, relationship

from panel.accounts.models import Organisation, User
from panel.core.database import LabelledEnum, UTCDateTime, enum_column, utcnow
from panel.extensions import db
from panel.meetings.models import Meeting
from panel.minutes.models import Minutes, MinutesVersion


class Audience(LabelledEnum):
    """Who a key message is addressed to: an agency (one organisation) is named with it."""

    COMMUNITY = ("community", "The community")
    AGENCY = ("agency", "An agency")
    BOTH = ("both", "The community and an agency")

    @property
    def names_agency(self) -> bool:
        return self != Audience.COMMUNITY


class KeyMessage(db.Model):
    __tablename__ = "key_message"
    __table_args__ = (sa.Index("ix_key_message_minutes_position", "minutes_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    minutes_id: Mapped[int] = mapped_column(sa.ForeignKey("minutes.id"))
    # 1, 2, 3... in the order the chair put them.
    position: Mapped[int]
    text: Mapped[str] = mapped_column(sa.Text)
    audience: Mapped[Audience] = mapped_column(enum_column(Audience))
    # The agency addressed (an organisation on the panel), with `Audience.AGENCY` or `BOTH`.
    organisation_id: Mapped[int | None] = mapped_column(sa.ForeignKey("organisation.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))

    minutes: Mapped[Minutes] = relationship()
    organisation: Mapped[Organisation | None] = relationship()
    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id])
    updated_by: Mapped[User | None] = relationship(foreign_keys=[updated_by_id])

    @property
    def panel(self):
        return self.minutes.panel

    @property
    def addressed_to(self) -> str:
        """ "The community", "West Midlands Police", "The community and West Midlands Police"."""
        if self.audience == Audience.COMMUNITY or self.organisation is None:
            return Audience.COMMUNITY.label
        if self.audience == Audience.AGENCY:
            return self.organisation.name
        return f"The community and {self.organisation.name}"

    def __repr__(self) -> str:
        return f"<KeyMessage {self.id} {self.position} {self.audience.value}>"


class KeyMessagesPublication(db.Model):
    """The key messages of one published version of a meeting's minutes, as a document of their
    own marked OFFICIAL: the messages as published and the PDF rendered once from them, with its
    SHA-256. A later published version supersedes it (`superseded`); the archive lists the
    current one of each meeting."""

    __tablename__ = "key_messages_publication"
    __table_args__ = (
        # A panel's archive by year: its current publications in meeting order.
        sa.Index(
            "ix_key_messages_publication_panel_meeting",
            "panel_id",
            "superseded",
            "meeting_starts_at",
        ),
        sa.Index("ix_key_messages_publication_meeting", "meeting_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    minutes_version_id: Mapped[int] = mapped_column(
        sa.ForeignKey("minutes_version.id"), unique=True
    )
    minutes_id: Mapped[int] = mapped_column(sa.ForeignKey("minutes.id"))
    # Kept here so that the archive needs no join through the minutes.
    panel_id: Mapped[int] = mapped_column(sa.ForeignKey("panel.id"))
    meeting_id: Mapped[int] = mapped_column(sa.ForeignKey("meeting.id"))
    meeting_starts_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # The document as published: {"title", "panel", "meeting_date", "marking", "messages":
    # [{"number", "audience", "agency", "addressed_to", "text"}, ...]} (see `queries`).
    content: Mapped[dict[str, Any]] = mapped_column(sa.JSON)
    published_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    published_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    pdf: Mapped[bytes] = deferred(mapped_column(sa.LargeBinary, nullable=False))
    sha256: Mapped[str] = mapped_column(sa.String(64))
    superseded: Mapped[bool] = mapped_column(default=False)

    minutes_version: Mapped[MinutesVersion] = relationship()
    minutes: Mapped[Minutes] = relationship()
    meeting: Mapped[Meeting] = relationship()
    published_by: Mapped[User | None] = relationship()

    @property
    def panel(self):
        return self.minutes.panel
