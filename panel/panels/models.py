"""Panels and memberships: a user may sit on several panels, with a role on each."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from panel.accounts.models import User
from panel.core import anonymise
from panel.core.database import UTCDateTime, enum_column, utcnow
from panel.extensions import db
from panel.panels.vocabularies import (
    DEFAULT_CASE_REVIEW_RETENTION_MONTHS,
    DEFAULT_LIVE_CASE_RETENTION_MONTHS,
    PanelKind,
    Role,
)

# The time a case review is given on an agenda unless the coordinator says otherwise.
DEFAULT_CASE_REVIEW_MINUTES = 20


class Panel(db.Model):
    __tablename__ = "panel"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(200), unique=True)
    kind: Mapped[PanelKind] = mapped_column(enum_column(PanelKind))
    # The area the panel covers, e.g. "Coventry" or "West Midlands": town, city or force level.
    area: Mapped[str] = mapped_column(sa.String(120))
    description: Mapped[str | None] = mapped_column(sa.Text)
    # How many organisations must be represented for a meeting to be quorate.
    quorum: Mapped[int] = mapped_column(default=3, server_default=sa.text("3"))
    # The handling caveat on every page of the panel's documents (minutes, agendas).
    protective_marking: Mapped[str] = mapped_column(
        sa.String(60), default="OFFICIAL-SENSITIVE", server_default="OFFICIAL-SENSITIVE"
    )
    # Months after the minutes of the meeting that finished a case review are published, and
    # after a live case closes, before their narrative free text is deleted.
    case_review_retention_months: Mapped[int] = mapped_column(
        default=DEFAULT_CASE_REVIEW_RETENTION_MONTHS, server_default=sa.text("24")
    )
    live_case_retention_months: Mapped[int] = mapped_column(
        default=DEFAULT_LIVE_CASE_RETENTION_MONTHS, server_default=sa.text("12")
    )
    # Minutes a case review is given when it is added to an agenda (the coordinator may change
    # it for each case), so that every item after it still has a start time.
    default_case_review_minutes: Mapped[int] = mapped_column(
        default=DEFAULT_CASE_REVIEW_MINUTES, server_default=sa.text("20")
    )
    # Whether the person who approves the minutes must not be the one who drafted the version
    # (see `Minutes.drafted_by`): set by the chair; off unless the panel asks for it.
    minutes_approver_not_drafter: Mapped[bool] = mapped_column(
        default=False, server_default=sa.false()
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    memberships: Mapped[list[Membership]] = relationship(
        back_populates="panel", cascade="all, delete-orphan"
    )

    def __repr__(self) -> str:
        return f"<Panel {self.id} {self.name!r}>"


class Membership(db.Model):
    __tablename__ = "membership"
    __table_args__ = (sa.UniqueConstraint("panel_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # The unique constraint's index serves look-ups by panel; user_id has its own.
    panel_id: Mapped[int] = mapped_column(sa.ForeignKey("panel.id"))
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id"), index=True)
    role: Mapped[Role] = mapped_column(enum_column(Role))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    panel: Mapped[Panel] = relationship(back_populates="memberships")
    user: Mapped[User] = relationship(back_populates="memberships")

    def __repr__(self) -> str:
        return f"<Membership panel={self.panel_id} user={self.user_id} {self.role.value}>"


# --- Text saved past the personal-data guard ------------------------------------------------------


class GuardOverride(db.Model):
    __tablename__ = "guard_override"
    __table_args__ = (sa.Index("ix_guard_override_panel_saved", "panel_id", "saved_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    panel_id: Mapped[int] = mapped_column(sa.ForeignKey("panel.id"))
    # The case review the text belongs to, if any: left out for someone it is withheld from.
    case_review_id: Mapped[int | None] = mapped_column(sa.ForeignKey("case_review.id"))
    # What was saved (a table name and id, as in the audit trail) and what it was called then.
    object_type: Mapped[str] = mapped_column(sa.String(60))
    object_id: Mapped[int]
    label: Mapped[str] = mapped_column(sa.String(200))
    actor_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id"))
    reason: Mapped[str] = mapped_column(sa.String(500))
    # The kinds of personal data kept, e.g. ["DATE", "NAME"]; never the text.
    kinds: Mapped[list[str]] = mapped_column(sa.JSON)
    saved_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    actor: Mapped[User] = relationship()
    panel: Mapped[Panel] = relationship()

    @property
    def kind_labels(self) -> list[str]:
        """E.g. ["an exact date", "a person's name"]."""
        return [anonymise.KIND_LABELS.get(kind, kind) for kind in self.kinds]
