"""Local panels' live cases and the interventions partners agree for them.

A live case is held under the panel's own reference only: the referring agency keeps the
identities in its own systems. Interventions are agreed at a meeting for a case (or for a place
or community), owned by one organisation, and followed through an update log that is never
edited in place.
"""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.orm import Mapped, mapped_column, relationship

from panel.accounts.models import Organisation, User
from panel.cases.vocabularies import Answer, Strand
from panel.core.database import UTCDateTime, choice_list, enum_column, utcnow
from panel.extensions import db
from panel.interventions.vocabularies import (
    ClosureReason,
    InterventionStatus,
    LiveCaseStatus,
    RiskLevel,
    VictimNeed,
    VictimOutcome,
)
from panel.meetings.models import Meeting
from panel.panels.models import Panel


class LiveCase(db.Model):
    __tablename__ = "live_case"
    __table_args__ = (
        sa.UniqueConstraint("panel_id", "reference"),
        # A panel's list, soonest review first: of one status, or of those not closed (most of
        # a panel's cases are closed, so the open ones have an index of their own).
        sa.Index("ix_live_case_panel_status_review", "panel_id", "status", "review_date"),
        sa.Index(
            "ix_live_case_panel_open_review",
            "panel_id",
            "review_date",
            postgresql_where=sa.text("status <> 'closed'"),
            sqlite_where=sa.text("status <> 'closed'"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    panel_id: Mapped[int] = mapped_column(sa.ForeignKey("panel.id"))
    reference: Mapped[str] = mapped_column(sa.String(20))
    referred_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("organisation.id"))
    policing_area: Mapped[str] = mapped_column(sa.String(120))
    risk_level: Mapped[RiskLevel] = mapped_column(enum_column(RiskLevel))
    risk_reason: Mapped[str] = mapped_column(sa.Text)
    # What the panel needs to know to agree interventions, anonymised; optional.
    summary: Mapped[str | None] = mapped_column(sa.Text)
    status: Mapped[LiveCaseStatus] = mapped_column(
        enum_column(LiveCaseStatus), default=LiveCaseStatus.OPEN
    )
    review_date: Mapped[date]
    closure_reason: Mapped[ClosureReason | None] = mapped_column(enum_column(ClosureReason))
    victim_outcome: Mapped[VictimOutcome | None] = mapped_column(enum_column(VictimOutcome))
    felt_safer: Mapped[Answer | None] = mapped_column(enum_column(Answer))
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    version: Mapped[int] = mapped_column(default=1)

    panel: Mapped[Panel] = relationship()
    referred_by: Mapped[Organisation | None] = relationship()
    created_by: Mapped[User | None] = relationship()
    strand_rows: Mapped[list[LiveCaseStrand]] = relationship(
        cascade="all, delete-orphan", order_by="LiveCaseStrand.strand"
    )
    need_rows: Mapped[list[LiveCaseNeed]] = relationship(
        cascade="all, delete-orphan", order_by="LiveCaseNeed.need"
    )
    interventions: Mapped[list[Intervention]] = relationship(
        back_populates="live_case", order_by="Intervention.id"
    )

    __mapper_args__ = {"version_id_col": version}

    # The strands of hate crime it concerns and the victim's needs, in domain.md's order.
    strands = choice_list("strand_rows", "strand", Strand)
    needs = choice_list("need_rows", "need", VictimNeed)

    @property
    def audit_label(self) -> str:
        """How the audit trail names the case: its reference and panel, nothing from the case."""
        return f"Live case {self.reference} of {self.panel.name}"[:200]

    def __repr__(self) -> str:
        return f"<LiveCase {self.id} {self.reference}>"


class LiveCaseStrand(db.Model):
    __tablename__ = "live_case_strand"

    live_case_id: Mapped[int] = mapped_column(sa.ForeignKey("live_case.id"), primary_key=True)
    strand: Mapped[Strand] = mapped_column(enum_column(Strand), primary_key=True)


class LiveCaseNeed(db.Model):
    __tablename__ = "live_case_need"

    live_case_id: Mapped[int] = mapped_column(sa.ForeignKey("live_case.id"), primary_key=True)
    need: Mapped[VictimNeed] = mapped_column(enum_column(VictimNeed), primary_key=True)


class InterventionType(db.Model):
    """One of a panel's kinds of intervention. Retired types stay on past interventions but are
    no longer offered."""

    __tablename__ = "intervention_type"
    __table_args__ = (sa.UniqueConstraint("panel_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    panel_id: Mapped[int] = mapped_column(sa.ForeignKey("panel.id"))
    name: Mapped[str] = mapped_column(sa.String(120))
    position: Mapped[int]
    active: Mapped[bool] = mapped_column(default=True)

    panel: Mapped[Panel] = relationship()


class Intervention(db.Model):
    """What one organisation agreed to do, by when, for a case or a place or community.

    `version` guards against lost updates: a save drawn from an older version is refused.
    """

    __tablename__ = "intervention"
    __table_args__ = (
        sa.CheckConstraint(
            "live_case_id IS NOT NULL OR place_or_community IS NOT NULL",
            name="case_or_place",
        ),
        sa.Index("ix_intervention_panel_status_due", "panel_id", "status", "due_date"),
        # A panel's list, soonest due first: its open ones, then the rest (`queries._open_first`),
        # and the organisations that own its interventions, for its filter.
        sa.Index(
            "ix_intervention_panel_open_due",
            "panel_id",
            "due_date",
            "id",
            postgresql_where=sa.text("status IN ('agreed', 'in_progress')"),
            sqlite_where=sa.text("status IN ('agreed', 'in_progress')"),
        ),
        sa.Index("ix_intervention_panel_due", "panel_id", "due_date", "id"),
        sa.Index("ix_intervention_panel_owner", "panel_id", "owner_organisation_id"),
        sa.Index("ix_intervention_owner_status_due", "owner_organisation_id", "status", "due_date"),
        sa.Index("ix_intervention_live_case", "live_case_id"),
        # The organisers' home page: what partners logged lately on their panels.
        sa.Index(
            "ix_intervention_panel_partner_created", "panel_id", "logged_by_partner", "created_at"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    panel_id: Mapped[int] = mapped_column(sa.ForeignKey("panel.id"))
    live_case_id: Mapped[int | None] = mapped_column(sa.ForeignKey("live_case.id"))
    # For an intervention around a place or community rather than one case, e.g. "Foleshill".
    place_or_community: Mapped[str | None] = mapped_column(sa.String(200))
    type_id: Mapped[int] = mapped_column(sa.ForeignKey("intervention_type.id"))
    description: Mapped[str] = mapped_column(sa.Text)
    owner_organisation_id: Mapped[int] = mapped_column(sa.ForeignKey("organisation.id"))
    lead_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    due_date: Mapped[date]
    status: Mapped[InterventionStatus] = mapped_column(
        enum_column(InterventionStatus), default=InterventionStatus.AGREED
    )
    # Why it was not completed, or cancelled.
    status_reason: Mapped[str | None] = mapped_column(sa.Text)
    agreed_at_id: Mapped[int | None] = mapped_column(sa.ForeignKey("meeting.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    # A member logged what their own organisation agreed, rather than the chair or coordinator
    # agreeing it: the organisers see it on their home page, and may amend or reassign it.
    logged_by_partner: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    version: Mapped[int] = mapped_column(default=1)

    panel: Mapped[Panel] = relationship()
    live_case: Mapped[LiveCase | None] = relationship(back_populates="interventions")
    type: Mapped[InterventionType] = relationship()
    owner_organisation: Mapped[Organisation] = relationship()
    lead: Mapped[User | None] = relationship(foreign_keys=[lead_id])
    agreed_at: Mapped[Meeting | None] = relationship()
    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id])
    updates: Mapped[list[InterventionUpdate]] = relationship(
        back_populates="intervention",
        order_by="InterventionUpdate.id",
        cascade="all, delete-orphan",
    )

    __mapper_args__ = {"version_id_col": version}

    @property
    def about(self) -> str:
        return self.live_case.reference if self.live_case else self.place_or_community

    def __repr__(self) -> str:
        return f"<Intervention {self.id} {self.status.value}>"


class InterventionUpdate(db.Model):
    """One entry in an intervention's log: who, when, what they wrote, and the status it moved
    to (if it moved). Never edited in place."""

    __tablename__ = "intervention_update"
    __table_args__ = (sa.Index("ix_intervention_update_intervention", "intervention_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    intervention_id: Mapped[int] = mapped_column(sa.ForeignKey("intervention.id"))
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    author_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    # The organisation the author acted for, as it was on the day.
    author_organisation_id: Mapped[int | None] = mapped_column(sa.ForeignKey("organisation.id"))
    text: Mapped[str | None] = mapped_column(sa.Text)
    status: Mapped[InterventionStatus | None] = mapped_column(enum_column(InterventionStatus))
    # The owner kept the text within their organisation (the author's, as on the day): everyone
    # else on the panel sees that there was an update, not what it says (`access.reads_update`).
    restricted: Mapped[bool] = mapped_column(default=False, server_default=sa.false())

    intervention: Mapped[Intervention] = relationship(back_populates="updates")
    author: Mapped[User | None] = relationship()
    author_organisation: Mapped[Organisation | None] = relationship()


@event.listens_for(InterventionUpdate, "before_update")
def _refuse_rewrite(mapper, connection, target):
    raise RuntimeError("An intervention's update log is never edited: add a new update.")
