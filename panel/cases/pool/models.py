"""The pool's tables: the cases in it (with their strands), the draws, and an import waiting for
the coordinator's confirmation."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from panel.accounts.models import User
from panel.cases.models import CaseReview
from panel.cases.vocabularies import OffenceCategory, Outcome, Strand
from panel.core.database import UTCDateTime, choice_list, enum_column, utcnow
from panel.core.time import UK
from panel.extensions import db
from panel.meetings.models import Meeting
from panel.panels.models import Panel


class PoolCase(db.Model):
    """One finalised case in a panel's pool: coarse facts only (strands, offence category,
    outcome, the month it was finalised, a policing area), which are never personal data. Rows
    are never changed once added, except to record the draw that picked them and to delete the
    agency's reference, so that every draw can be run again over the pool as it was."""

    __tablename__ = "pool_case"
    __table_args__ = (sa.Index("ix_pool_case_panel_id", "panel_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    panel_id: Mapped[int] = mapped_column(sa.ForeignKey("panel.id"))
    offence_category: Mapped[OffenceCategory] = mapped_column(enum_column(OffenceCategory))
    outcome: Mapped[Outcome] = mapped_column(enum_column(Outcome))
    finalised_year: Mapped[int]
    finalised_month: Mapped[int]
    policing_area: Mapped[str] = mapped_column(sa.String(120))
    # The police crime number or CPS URN, which lets the coordinator find the file: encrypted
    # at rest (panel/core/encryption.py), shown to the coordinator alone, and deleted when the
    # pool is discarded or, once drawn, when the case review has passed its check for
    # identifying detail (`retention.forget_agency_references`).
    agency_reference_encrypted: Mapped[str | None] = mapped_column(sa.Text)
    added_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    added_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    # Discarded with the rest of the pool: no longer drawn, kept (coarse facts only) so that
    # earlier draws can still be run again.
    discarded_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    draw_id: Mapped[int | None] = mapped_column(sa.ForeignKey("pool_draw.id"), index=True)
    case_review_id: Mapped[int | None] = mapped_column(sa.ForeignKey("case_review.id"), index=True)

    panel: Mapped[Panel] = relationship()
    added_by: Mapped[User | None] = relationship()
    draw: Mapped[PoolDraw | None] = relationship(back_populates="cases")
    case_review: Mapped[CaseReview | None] = relationship()
    strand_rows: Mapped[list[PoolCaseStrand]] = relationship(
        cascade="all, delete-orphan", order_by="PoolCaseStrand.strand"
    )

    strands = choice_list("strand_rows", "strand", Strand)

    @property
    def audit_label(self) -> str:
        return f"Pool case {self.id} of {self.panel.name}"[:200]


class PoolCaseStrand(db.Model):
    __tablename__ = "pool_case_strand"
    __table_args__ = (sa.Index("ix_pool_case_strand_strand", "strand"),)

    pool_case_id: Mapped[int] = mapped_column(sa.ForeignKey("pool_case.id"), primary_key=True)
    strand: Mapped[Strand] = mapped_column(enum_column(Strand), primary_key=True)


class PoolDraw(db.Model):
    """Cases picked at random from the pool, and everything needed to pick them again: the
    filters, the seed, the pool as it was (every case added up to `last_pool_case_id`, less
    those discarded or drawn before), how many were eligible and the fingerprint of their ids."""

    __tablename__ = "pool_draw"
    __table_args__ = (sa.Index("ix_pool_draw_panel_drawn", "panel_id", "drawn_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    panel_id: Mapped[int] = mapped_column(sa.ForeignKey("panel.id"))
    # The meeting whose agenda the cases are for; None if the coordinator chose none.
    meeting_id: Mapped[int | None] = mapped_column(sa.ForeignKey("meeting.id"), index=True)
    drawn_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    drawn_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    how_many: Mapped[int]
    # {"strands": [...], "outcomes": [...], "outcome_groups": [...], "policing_area": ...,
    #  "from": "2025-01", "to": "2025-12", "stratified": bool}, values as stored.
    filters: Mapped[dict[str, Any]] = mapped_column(sa.JSON)
    # 16 hex digits from `secrets`, fed to random.Random.
    seed: Mapped[str] = mapped_column(sa.String(32))
    # How the seed picks: a later change of method keeps old draws reproducible.
    method: Mapped[int] = mapped_column(default=1)
    last_pool_case_id: Mapped[int]
    eligible_count: Mapped[int]
    eligible_sha256: Mapped[str] = mapped_column(sa.String(64))

    panel: Mapped[Panel] = relationship()
    meeting: Mapped[Meeting | None] = relationship()
    drawn_by: Mapped[User | None] = relationship()
    cases: Mapped[list[PoolCase]] = relationship(back_populates="draw", order_by="PoolCase.id")

    @property
    def audit_label(self) -> str:
        return f"Draw {self.id} of {self.panel.name}"[:200]


class PoolImport(db.Model):
    """An uploaded extract, read and checked, waiting for the coordinator to confirm it: the
    rows to be saved (references already encrypted), the refused rows with their reasons (never
    the cells' words), and the columns recognised and dropped. Only its uploader may confirm it,
    within `IMPORT_LIFETIME`; confirming saves exactly what the preview showed."""

    __tablename__ = "pool_import"

    id: Mapped[int] = mapped_column(primary_key=True)
    panel_id: Mapped[int] = mapped_column(sa.ForeignKey("panel.id"), index=True)
    uploaded_by_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id"), index=True)
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    filename: Mapped[str] = mapped_column(sa.String(200))
    # {"rows": [...], "refused": [[row, reason], ...], "recognised": {...}, "dropped": [...],
    #  "ignored": [...], "coarsened": n, "total": n}
    preview: Mapped[dict[str, Any]] = mapped_column(sa.JSON)

    panel: Mapped[Panel] = relationship()


# The placeholder summary a drawn case review starts with, and whether it still has it. A drawn
# case review cannot pass the check for identifying detail while its summary is the placeholder:
# the check deletes the agency's reference (`retention`), and without it the coordinator could no
# longer find the file to write the summary from.


def draft_narrative(draw: PoolDraw) -> str:
    """The summary of a case review drawn in `draw`, until the coordinator replaces it."""
    # Month and year only: the narrative is case text, which never carries an exact date.
    on = f"{draw.drawn_at.astimezone(UK):%B %Y}"
    return (
        f"Drawn at random from the pool in {on} (draw {draw.id}). Replace this with the "
        "anonymised summary of the case from the agency's file, and complete how it was "
        "reported, the type of place, the victim's age band, the uplift and the answers "
        "marked not known. The incident month and year are the month the case was "
        "finalised until you change them."
    )


def has_draft_narrative(case_review: CaseReview) -> bool:
    """Whether `case_review` was drawn from the pool and its summary is still, word for word,
    the placeholder it was drawn with."""
    pool_case = db.session.scalars(
        db.select(PoolCase).where(PoolCase.case_review_id == case_review.id).limit(1)
    ).first()
    if pool_case is None or pool_case.draw is None:
        return False
    return case_review.narrative.strip() == draft_narrative(pool_case.draw).strip()
