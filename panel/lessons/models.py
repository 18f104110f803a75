"""Lessons learnt and the recommendations that follow from them.

A lesson is recorded against a case review and a stage, or against a meeting for a theme across
cases. An area for improvement may carry recommendations, each addressed to one organisation and
followed through its lifecycle (see `panel.lessons.lifecycle`) until the chair closes it.

Lessons are found by full-text search: the index is described at the end of this module.
"""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from panel.accounts.models import Organisation, User
from panel.cases.models import CaseReview
from panel.cases.vocabularies import Stage, Strand
from panel.core.database import (
    LabelledEnum,
    UTCDateTime,
    choice_list,
    enum_column,
    tag_colours,
    utcnow,
)
from panel.extensions import db
from panel.meetings.models import Meeting
from panel.panels.models import Panel


class LessonKind(LabelledEnum):
    GOOD_PRACTICE = ("good_practice", "Good practice to share")
    IMPROVEMENT = ("improvement", "Area for improvement")

    TAG_COLOURS = tag_colours(GOOD_PRACTICE="green", IMPROVEMENT="orange")


class RecommendationStatus(LabelledEnum):
    OPEN = ("open", "Open")
    ACCEPTED = ("accepted", "Accepted")
    NOT_ACCEPTED = ("not_accepted", "Not accepted")
    IMPLEMENTED = ("implemented", "Implemented")
    CLOSED = ("closed", "Closed")
    WITHDRAWN = ("withdrawn", "Withdrawn")

    TAG_COLOURS = tag_colours(
        OPEN="blue",
        ACCEPTED="turquoise",
        NOT_ACCEPTED="pink",
        IMPLEMENTED="purple",
        CLOSED="green",
        WITHDRAWN="grey",
    )


class Lesson(db.Model):
    __tablename__ = "lesson"
    __table_args__ = (
        # A lesson belongs to a case review's stage, or to a meeting (a theme across cases).
        sa.CheckConstraint(
            "(case_review_id IS NOT NULL AND stage IS NOT NULL) OR meeting_id IS NOT NULL",
            name="case_stage_or_meeting",
        ),
        # The register lists a panel's lessons newest first, and filters by these.
        sa.Index("ix_lesson_panel_created", "panel_id", "created_at"),
        sa.Index("ix_lesson_created", "created_at"),
        sa.Index("ix_lesson_case_review", "case_review_id"),
        sa.Index("ix_lesson_meeting", "meeting_id"),
        sa.Index("ix_lesson_stage", "stage"),
        sa.Index("ix_lesson_kind", "kind"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    panel_id: Mapped[int] = mapped_column(sa.ForeignKey("panel.id"))
    case_review_id: Mapped[int | None] = mapped_column(sa.ForeignKey("case_review.id"))
    meeting_id: Mapped[int | None] = mapped_column(sa.ForeignKey("meeting.id"))
    stage: Mapped[Stage | None] = mapped_column(enum_column(Stage))
    kind: Mapped[LessonKind] = mapped_column(enum_column(LessonKind))
    text: Mapped[str] = mapped_column(sa.Text)
    # The lesson's text and its recommendations' text, kept by the services, indexed for
    # full-text search (an FTS5 table on SQLite; on PostgreSQL a generated tsvector column,
    # `search_vector`, with a GIN index, which the model leaves out: see "The search index" below).
    search_document: Mapped[str] = mapped_column(sa.Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))

    panel: Mapped[Panel] = relationship()
    case_review: Mapped[CaseReview | None] = relationship()
    meeting: Mapped[Meeting | None] = relationship()
    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id])
    updated_by: Mapped[User | None] = relationship(foreign_keys=[updated_by_id])
    strand_rows: Mapped[list[LessonStrand]] = relationship(
        cascade="all, delete-orphan", order_by="LessonStrand.strand"
    )
    recommendations: Mapped[list[Recommendation]] = relationship(
        back_populates="lesson", order_by="Recommendation.id"
    )

    # The strands of hate crime it concerns, in the order domain.md lists them.
    strands = choice_list("strand_rows", "strand", Strand)

    @property
    def about(self) -> str:
        """What the lesson is recorded against, as a short label."""
        if self.case_review is not None:
            return f"{self.case_review.reference}, {self.stage.label}"
        return "Theme across cases"

    def __repr__(self) -> str:
        return f"<Lesson {self.id} {self.kind.value}>"


class LessonStrand(db.Model):
    __tablename__ = "lesson_strand"
    __table_args__ = (sa.Index("ix_lesson_strand_strand", "strand", "lesson_id"),)

    lesson_id: Mapped[int] = mapped_column(sa.ForeignKey("lesson.id"), primary_key=True)
    strand: Mapped[Strand] = mapped_column(enum_column(Strand), primary_key=True)


class Recommendation(db.Model):
    """What an agency is asked to change, followed until the chair closes it.

    `version` guards against two people moving it at once: the second save is refused rather
    than silently undoing the first.
    """

    __tablename__ = "recommendation"
    __table_args__ = (
        sa.Index("ix_recommendation_lesson", "lesson_id"),
        sa.Index("ix_recommendation_panel_status_due", "panel_id", "status", "due_date"),
        sa.Index("ix_recommendation_organisation_status", "organisation_id", "status"),
        # A panel's recommendations made in a period, for insight (migration 0024).
        sa.Index("ix_recommendation_panel_created", "panel_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    lesson_id: Mapped[int] = mapped_column(sa.ForeignKey("lesson.id"))
    # The lesson's panel, kept here so follow-up lists need no join.
    panel_id: Mapped[int] = mapped_column(sa.ForeignKey("panel.id"))
    organisation_id: Mapped[int] = mapped_column(sa.ForeignKey("organisation.id"))
    text: Mapped[str] = mapped_column(sa.Text)
    due_date: Mapped[date]
    status: Mapped[RecommendationStatus] = mapped_column(
        enum_column(RecommendationStatus), default=RecommendationStatus.OPEN
    )
    # The agency's answer (required to accept or not accept), the evidence of implementation,
    # and the reason for withdrawal: the latest of each, with the full story in `events`.
    response: Mapped[str | None] = mapped_column(sa.Text)
    evidence: Mapped[str | None] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    version: Mapped[int] = mapped_column(default=1)

    lesson: Mapped[Lesson] = relationship(back_populates="recommendations")
    panel: Mapped[Panel] = relationship()
    organisation: Mapped[Organisation] = relationship()
    created_by: Mapped[User | None] = relationship()
    events: Mapped[list[RecommendationEvent]] = relationship(
        back_populates="recommendation",
        order_by="RecommendationEvent.id",
        cascade="all, delete-orphan",
    )

    __mapper_args__ = {"version_id_col": version}

    @property
    def case_review(self) -> CaseReview | None:
        """For the conflict-of-interest check: a recommendation is part of its case."""
        return self.lesson.case_review

    def __repr__(self) -> str:
        return f"<Recommendation {self.id} {self.status.value}>"


class RecommendationEvent(db.Model):
    """One step in a recommendation's history: who moved it to which status, when, and why.
    Never changed once written."""

    __tablename__ = "recommendation_event"
    __table_args__ = (sa.Index("ix_recommendation_event_recommendation", "recommendation_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    recommendation_id: Mapped[int] = mapped_column(sa.ForeignKey("recommendation.id"))
    status: Mapped[RecommendationStatus] = mapped_column(enum_column(RecommendationStatus))
    note: Mapped[str | None] = mapped_column(sa.Text)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    # The organisation the person acted for, as it was on the day.
    by_organisation_id: Mapped[int | None] = mapped_column(sa.ForeignKey("organisation.id"))

    recommendation: Mapped[Recommendation] = relationship(back_populates="events")
    by: Mapped[User | None] = relationship()
    by_organisation: Mapped[Organisation | None] = relationship()


# --- The search index --------------------------------------------------------------------------
#
# Full-text search over lessons, with each database's own engine rather than ``LIKE '%x%'`` (which
# reads every row): SQLite's FTS5 and PostgreSQL's text search. The register's condition is built
# by `panel.lessons.queries.matches`.
#
# Both index `Lesson.search_document` (see `services.refresh_search_document`) and stem English
# words, so "trained" finds "training". The index objects live in the migrations, not the models,
# because they differ by database:
#
# * SQLite: an external-content FTS5 table `lesson_fts`, kept in step by triggers on `lesson`.
#   A later migration that rebuilds `lesson` (batch mode copies tables) must recreate the
#   triggers, as SQLite drops them with the old table.
# * PostgreSQL: a stored generated column ``search_vector``, ``to_tsvector('english',
#   search_document)``, with a GIN index. Stored rather than an expression index because the
#   planner often reads lessons newest first by `created_at` and checks each against the search:
#   with an expression index each check runs to_tsvector (about 15 µs a lesson), and a word found
#   only in old lessons took 1.9 s at 100,000 lessons; reading the stored vector takes 40 ms.

FTS_TABLE = "lesson_fts"
PG_INDEX = "ix_lesson_search"
PG_COLUMN = "search_vector"


def is_search_object(name: str | None) -> bool:
    """Whether a database object belongs to the search index: the migration comparison (and
    autogenerate) must leave these alone, as the models do not describe them."""
    return bool(name) and (name == PG_INDEX or name.startswith(FTS_TABLE))


def include_object(object_, name, type_, reflected, compare_to) -> bool:
    """Alembic's `include_object` hook."""
    if type_ == "column":
        return not (name == PG_COLUMN and object_.table.name == Lesson.__tablename__)
    return not is_search_object(name)
