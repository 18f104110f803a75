"""Case reviews, their stage findings, each panel's confidentiality agreement, and the viewing
record of who has opened a case review or a live case."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from panel.accounts.models import User
from panel.cases.vocabularies import (
    AgeBand,
    Answer,
    LocationType,
    OffenceCategory,
    Outcome,
    OutOfCourtDisposal,
    Rating,
    ReportingRoute,
    Stage,
    Strand,
    UpliftAnswer,
)
from panel.core.database import (
    LabelledEnum,
    UTCDateTime,
    choice_list,
    enum_column,
    tag_colours,
    utcnow,
)
from panel.extensions import db
from panel.panels.models import Panel


class CaseReviewStatus(LabelledEnum):
    ADDED = ("added", "Added")
    ON_AGENDA = ("on_agenda", "On an agenda")
    REVIEWED = ("reviewed", "Reviewed")
    CLOSED = ("closed", "Closed")

    TAG_COLOURS = tag_colours(ADDED="grey", ON_AGENDA="blue", REVIEWED="turquoise", CLOSED="green")


class CaseReview(db.Model):
    """One finalised case, anonymised: coarse facts only, and a narrative that has passed the
    personal-data guard. The reference is the panel's own, never the police crime number."""

    __tablename__ = "case_review"
    __table_args__ = (
        sa.UniqueConstraint("panel_id", "reference"),
        # A panel's list, newest first.
        sa.Index("ix_case_review_panel_created", "panel_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    panel_id: Mapped[int] = mapped_column(sa.ForeignKey("panel.id"))
    reference: Mapped[str] = mapped_column(sa.String(20))
    status: Mapped[CaseReviewStatus] = mapped_column(
        enum_column(CaseReviewStatus), default=CaseReviewStatus.ADDED
    )
    offence_category: Mapped[OffenceCategory] = mapped_column(enum_column(OffenceCategory))
    legislation: Mapped[str | None] = mapped_column(sa.String(200))
    reporting_route: Mapped[ReportingRoute] = mapped_column(enum_column(ReportingRoute))
    incident_month: Mapped[int]
    incident_year: Mapped[int]
    policing_area: Mapped[str] = mapped_column(sa.String(120))
    location_type: Mapped[LocationType] = mapped_column(enum_column(LocationType))
    victim_age_band: Mapped[AgeBand] = mapped_column(enum_column(AgeBand))
    victim_key_worker: Mapped[Answer] = mapped_column(enum_column(Answer))
    repeat_victim: Mapped[Answer] = mapped_column(enum_column(Answer))
    suspect_identified: Mapped[Answer] = mapped_column(enum_column(Answer))
    outcome: Mapped[Outcome] = mapped_column(enum_column(Outcome))
    out_of_court_disposal: Mapped[OutOfCourtDisposal] = mapped_column(
        enum_column(OutOfCourtDisposal)
    )
    uplift_applied: Mapped[UpliftAnswer] = mapped_column(enum_column(UpliftAnswer))
    uplift_announced: Mapped[UpliftAnswer] = mapped_column(enum_column(UpliftAnswer))
    victim_wishes_recorded: Mapped[Answer] = mapped_column(enum_column(Answer))
    narrative: Mapped[str] = mapped_column(sa.Text)
    # The panel's overall view once the stages are reviewed.
    overall_view: Mapped[str | None] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    # When it was closed: with its minutes' publication, this starts the retention period.
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # The second pair of eyes: who (a chair or coordinator, not its author) confirmed the text
    # "checked for identifying detail", when, and the fingerprint of the text they checked. The
    # check stands only while the text still has that fingerprint, so any change to it, by
    # whatever path, withdraws the check (`is_checked`).
    checked_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    checked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    checked_sha256: Mapped[str | None] = mapped_column(sa.String(64))

    panel: Mapped[Panel] = relationship()
    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id])
    checked_by: Mapped[User | None] = relationship(foreign_keys=[checked_by_id])
    strand_rows: Mapped[list[CaseReviewStrand]] = relationship(
        cascade="all, delete-orphan", order_by="CaseReviewStrand.strand"
    )
    stage_findings: Mapped[list[StageFinding]] = relationship(
        back_populates="case_review", cascade="all, delete-orphan"
    )

    # The strands of hate crime it concerns, in the order domain.md lists them.
    strands = choice_list("strand_rows", "strand", Strand)

    def finding_for(self, stage: Stage) -> StageFinding | None:
        return next((f for f in self.stage_findings if f.stage == stage), None)

    @property
    def text_sha256(self) -> str:
        """The fingerprint of its text as it is now: narrative, stage comments, overall view."""
        return text_sha256(
            self.narrative,
            ((finding.stage.value, finding.comment) for finding in self.stage_findings),
            self.overall_view,
        )

    @property
    def is_checked(self) -> bool:
        """Whether a second person has checked its current text for identifying detail."""
        return self.checked_sha256 is not None and self.checked_sha256 == self.text_sha256

    @property
    def audit_label(self) -> str:
        """How the audit trail names the case: its reference and panel, nothing from the case."""
        return f"Case review {self.reference} of {self.panel.name}"[:200]

    def __repr__(self) -> str:
        return f"<CaseReview {self.id} {self.reference}>"


def text_sha256(
    narrative: str, comments: Iterable[tuple[str, str | None]], overall_view: str | None
) -> str:
    """The SHA-256 of a case review's text (its stage comments given as (stage value, comment)),
    in one canonical form: the same words give the same fingerprint however they were saved."""
    text = {
        "narrative": narrative,
        "comments": {stage: comment for stage, comment in comments if comment},
        "overall_view": overall_view or None,
    }
    return hashlib.sha256(json.dumps(text, sort_keys=True).encode()).hexdigest()


class CaseReviewStrand(db.Model):
    """A case can have more than one strand; a row each, so registers can filter by strand."""

    __tablename__ = "case_review_strand"
    __table_args__ = (sa.Index("ix_case_review_strand_strand", "strand"),)

    case_review_id: Mapped[int] = mapped_column(sa.ForeignKey("case_review.id"), primary_key=True)
    strand: Mapped[Strand] = mapped_column(enum_column(Strand), primary_key=True)


class StageFinding(db.Model):
    __tablename__ = "stage_finding"
    __table_args__ = (sa.UniqueConstraint("case_review_id", "stage"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_review_id: Mapped[int] = mapped_column(sa.ForeignKey("case_review.id"))
    stage: Mapped[Stage] = mapped_column(enum_column(Stage))
    rating: Mapped[Rating] = mapped_column(enum_column(Rating))
    comment: Mapped[str | None] = mapped_column(sa.Text)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))

    case_review: Mapped[CaseReview] = relationship(back_populates="stage_findings")
    updated_by: Mapped[User | None] = relationship()

    @property
    def panel(self) -> Panel:
        return self.case_review.panel


class ConfidentialityAgreement(db.Model):
    """The text members of a panel accept before they open any case review. Changing it means
    everyone accepts again."""

    __tablename__ = "confidentiality_agreement"

    id: Mapped[int] = mapped_column(primary_key=True)
    panel_id: Mapped[int] = mapped_column(sa.ForeignKey("panel.id"), unique=True)
    text: Mapped[str] = mapped_column(sa.Text)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))

    panel: Mapped[Panel] = relationship()


class AgreementAcceptance(db.Model):
    """A member's acceptance of their panel's agreement; it lapses after a year."""

    __tablename__ = "agreement_acceptance"
    __table_args__ = (sa.Index("ix_agreement_acceptance_user_panel", "user_id", "panel_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id"))
    panel_id: Mapped[int] = mapped_column(sa.ForeignKey("panel.id"))
    accepted_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    user: Mapped[User] = relationship()
    panel: Mapped[Panel] = relationship()


# --- The viewing record ------------------------------------------------------------------------

# The cases whose openings are counted, by table name.
CASE_TYPES = ("case_review", "live_case")


class CaseView(db.Model):
    """One person's openings of one case on one UK calendar day.

    Case material is need-to-know, so the chair of a case's panel answers for who sees it, and
    reads "Who has viewed this case" from here. A row counts the day's openings (first and last
    time and how many), so reloading a page adds to a count instead of a line. The audit trail
    stays the authoritative record of who opened what: it gets one VIEW event per person per case
    per day, written when the day's row is created. Administrators read those in the admin area.

    Case reviews and live cases share it: `object_type` is the case's table name, as in the audit
    trail.
    """

    __tablename__ = "case_view"
    # The unique constraint's index leads with (object_type, object_id): it also serves reading a
    # case's viewers, grouped by user_id, so no second index is kept up to date on every view.
    __table_args__ = (sa.UniqueConstraint("object_type", "object_id", "user_id", "day"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # "case_review" or "live_case": the case's table name, as in the audit trail.
    object_type: Mapped[str] = mapped_column(sa.String(20))
    object_id: Mapped[int]
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id"))
    day: Mapped[date]
    first_at: Mapped[datetime] = mapped_column(UTCDateTime())
    last_at: Mapped[datetime] = mapped_column(UTCDateTime())
    count: Mapped[int] = mapped_column(default=1)
