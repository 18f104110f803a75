"""The annual reports a chair or coordinator produced: stored documents, served as they were
produced, never re-rendered.

One report per panel per financial year, in two versions rendered together: the full report
(the chair's to the board, for the panel's organisers) and the reader-safe one (figures, and the
recommendations whose text readers were already given in published minutes). Producing the year
again replaces both, and records who produced it and when.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, deferred, mapped_column, relationship

from panel.accounts.models import User
from panel.core.database import UTCDateTime, utcnow
from panel.extensions import db
from panel.panels.models import Panel


class AnnualReport(db.Model):
    __tablename__ = "annual_report"
    __table_args__ = (sa.UniqueConstraint("panel_id", "year"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    panel_id: Mapped[int] = mapped_column(sa.ForeignKey("panel.id"))
    # The financial year from April of this year to March of the next.
    year: Mapped[int]
    produced_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    produced_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    # Loaded only when downloaded.
    full_pdf: Mapped[bytes] = deferred(mapped_column(sa.LargeBinary, nullable=False))
    full_sha256: Mapped[str] = mapped_column(sa.String(64))
    reader_pdf: Mapped[bytes] = deferred(mapped_column(sa.LargeBinary, nullable=False))
    reader_sha256: Mapped[str] = mapped_column(sa.String(64))

    panel: Mapped[Panel] = relationship()
    produced_by: Mapped[User | None] = relationship()

    @property
    def label(self) -> str:
        return f"{self.year} to {self.year + 1}"

    def __repr__(self) -> str:
        return f"<AnnualReport {self.id} panel {self.panel_id} {self.year}>"


class AnnualReportRequest(db.Model):
    """A report asked for and not produced yet: producing one takes seconds at national scale, so
    a job does it after the page has answered (`panel.insight.services.produce_requested`), and
    the insight page says it is on its way until it is stored. `failed_at` is set when the job
    failed; asking again, or `flask jobs-retry-failed`, tries again."""

    __tablename__ = "annual_report_request"
    __table_args__ = (sa.UniqueConstraint("panel_id", "year"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    panel_id: Mapped[int] = mapped_column(sa.ForeignKey("panel.id"))
    year: Mapped[int]
    requested_by_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id"))
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    failed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    panel: Mapped[Panel] = relationship()
    requested_by: Mapped[User] = relationship()

    @property
    def label(self) -> str:
        return f"April {self.year} to March {self.year + 1}"


class InsightSnapshot(db.Model):
    """The figures of one insight page (a set of panels, a period, a day) as worked out at
    `computed_at`, so that the page and its CSV downloads are served from them for a few
    minutes instead of working out every measure again (panel.insight.snapshots)."""

    __tablename__ = "insight_snapshot"

    id: Mapped[int] = mapped_column(primary_key=True)
    # sha256 of the panels, the period and the day the figures are for.
    key: Mapped[str] = mapped_column(sa.String(64), unique=True)
    computed_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    # The tables, as panel.insight.snapshots encodes them (JSON, never pickle).
    figures: Mapped[str] = mapped_column(sa.Text)

    def __repr__(self) -> str:
        return f"<InsightSnapshot {self.key[:8]} {self.computed_at:%H:%M}>"
