"""Read models for lessons: the register (one panel's or every panel the user sees) and its
full-text search, a lesson's page, and the follow-up lists. Each runs a fixed number of queries
however many lessons there are: the register's count is tested at 100,000 lessons.

Lessons of a case review the user declared a conflict of interest in are left out everywhere.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

import sqlalchemy as sa
from flask_sqlalchemy.pagination import Pagination
from sqlalchemy.dialects.postgresql import TSVECTOR
from sqlalchemy.orm import QueryableAttribute, joinedload, selectinload

from panel import access
from panel.accounts.models import Organisation, User
from panel.cases.vocabularies import Stage, Strand
from panel.core.pagination import paginate
from panel.core.reminders import DUE_SOON_DAYS, DueCounts, count_due
from panel.core.time import UK, uk_today
from panel.extensions import db
from panel.lessons.lifecycle import AWAITING_AGENCY
from panel.lessons.models import (
    PG_COLUMN,
    Lesson,
    LessonKind,
    LessonStrand,
    Recommendation,
    RecommendationEvent,
    RecommendationStatus,
)


@dataclass(frozen=True)
class RegisterFilters:
    """What the register is narrowed to. Recommendation filters (organisation, status, overdue)
    keep the lessons with a matching recommendation, and show only the matching ones."""

    search: str | None = None
    stage: Stage | None = None
    strand: Strand | None = None
    kind: LessonKind | None = None
    organisation_id: int | None = None
    status: RecommendationStatus | None = None
    overdue: bool = False
    recorded_from: date | None = None
    recorded_to: date | None = None
    today: date = field(default_factory=uk_today)

    @property
    def narrows_recommendations(self) -> bool:
        return self.organisation_id is not None or self.status is not None or self.overdue

    def recommendation_conditions(self) -> list[sa.ColumnElement[bool]]:
        conditions = []
        if self.organisation_id is not None:
            conditions.append(Recommendation.organisation_id == self.organisation_id)
        if self.status is not None:
            conditions.append(Recommendation.status == self.status)
        if self.overdue:
            conditions += overdue_conditions(self.today)
        return conditions


def overdue_conditions(today: date) -> list[sa.ColumnElement[bool]]:
    """Waiting on the agency past its due date."""
    return [Recommendation.status.in_(AWAITING_AGENCY), Recommendation.due_date < today]


def is_overdue(recommendation: Recommendation, today: date | None = None) -> bool:
    return recommendation.status in AWAITING_AGENCY and recommendation.due_date < (
        today or uk_today()
    )


def visible_panel_ids(user: User) -> list[int]:
    """The panels whose lessons the user may read."""
    return access.panels_where(user, access.Action.VIEW_LESSONS)


def register_select(panel_ids: list[int], user: User, filters: RegisterFilters) -> sa.Select:
    """The lessons the register lists, newest first, before loading options."""
    select = db.select(Lesson).where(Lesson.panel_id.in_(panel_ids))
    hidden = access.withheld_case_ids(user)
    if hidden:
        select = select.where(
            sa.or_(Lesson.case_review_id.is_(None), Lesson.case_review_id.not_in(hidden))
        )
    if filters.search and (condition := matches(filters.search)) is not None:
        select = select.where(condition)
    if filters.stage is not None:
        select = select.where(Lesson.stage == filters.stage)
    if filters.kind is not None:
        select = select.where(Lesson.kind == filters.kind)
    if filters.strand is not None:
        select = select.where(
            Lesson.id.in_(
                db.select(LessonStrand.lesson_id).where(LessonStrand.strand == filters.strand)
            )
        )
    if filters.recorded_from is not None:
        select = select.where(Lesson.created_at >= _uk_midnight(filters.recorded_from))
    if filters.recorded_to is not None:
        select = select.where(
            Lesson.created_at < _uk_midnight(filters.recorded_to + timedelta(days=1))
        )
    if filters.narrows_recommendations:
        select = select.where(
            Lesson.id.in_(
                db.select(Recommendation.lesson_id).where(*filters.recommendation_conditions())
            )
        )
    return select.order_by(Lesson.created_at.desc(), Lesson.id.desc())


def _register_options(filters: RegisterFilters) -> list:
    # and_() returns the same relationship with criteria, though SQLAlchemy types it as [bool].
    recommendations: QueryableAttribute[Any] = Lesson.recommendations
    if filters.narrows_recommendations:
        recommendations = recommendations.and_(*filters.recommendation_conditions())
    loaded = selectinload(recommendations)
    return [
        joinedload(Lesson.panel),
        joinedload(Lesson.case_review),
        joinedload(Lesson.meeting),
        selectinload(Lesson.strand_rows),
        loaded.joinedload(Recommendation.organisation),
        loaded.selectinload(Recommendation.events).joinedload(RecommendationEvent.by),
    ]


def register_page(panel_ids: list[int], user: User, filters: RegisterFilters) -> Pagination:
    """A page of the register: a count, the page's lesson ids, the lessons, their strands,
    recommendations and each recommendation's history, in six queries.

    The page is picked by lesson id alone, then its lessons are loaded (a "deferred join"). Where
    no index gives the order (SQLite, across several panels), the database sorts every matching
    row before taking 25: sorting ids takes milliseconds, sorting whole rows joined to their
    panel, case review and meeting took 300 ms at 100,000 lessons, and 600 ms on page 40.
    """
    page = paginate(register_select(panel_ids, user, filters).with_only_columns(Lesson.id))
    if page.items:
        lessons = db.session.scalars(
            db.select(Lesson).where(Lesson.id.in_(page.items)).options(*_register_options(filters))
        )
        by_id = {lesson.id: lesson for lesson in lessons}
        page.items = [by_id[lesson_id] for lesson_id in page.items]
    return page


def register_all(panel_ids: list[int], user: User, filters: RegisterFilters) -> Iterator[Lesson]:
    """Every lesson the filters select, for the CSV export, loaded in batches."""
    select = register_select(panel_ids, user, filters).options(*_register_options(filters))
    return iter(db.session.scalars(select.execution_options(yield_per=500)))


def _uk_midnight(day: date) -> datetime:
    return datetime.combine(day, time(), tzinfo=UK)


# --- Search ------------------------------------------------------------------------------------
# The register's full-text search, with each database's own engine: the index it reads is
# described in `panel.lessons.models` ("The search index").

_ENGLISH: sa.ColumnClause[Any] = sa.literal_column("'english'::regconfig")
# Not in the model (SQLite has no such column): named here for the PostgreSQL query only.
_PG_VECTOR = sa.literal_column(f"{Lesson.__tablename__}.{PG_COLUMN}", TSVECTOR)
_WORD = re.compile(r"\w+")


def matches(text: str) -> sa.ColumnElement[bool] | None:
    """A condition on `Lesson` for lessons matching every word of `text` (the last may be the
    start of a word), or None if `text` has no words to search for."""
    words = _WORD.findall(text or "")
    if not words:
        return None
    if db.session.get_bind().dialect.name == "postgresql":
        query = " & ".join(_pg_word(word) for word in words[:-1])
        last = _pg_word(words[-1]) + ":*"
        tsquery = sa.func.to_tsquery(_ENGLISH, f"{query} & {last}" if query else last)
        return _PG_VECTOR.op("@@")(tsquery)
    # FTS5 query syntax: each word quoted (so AND, OR, NEAR and punctuation are plain words).
    match = " ".join(f'"{word}"' for word in words[:-1])
    match = f'{match} "{words[-1]}"*'.strip()
    rowids = sa.text("SELECT rowid FROM lesson_fts WHERE lesson_fts MATCH :match")
    return Lesson.id.in_(rowids.bindparams(match=match).columns(sa.column("rowid")))


def _pg_word(word: str) -> str:
    # \w never matches the tsquery operators or quotes; quoting keeps digits-only words plain.
    return f"'{word}'"


# --- One lesson, one case, one meeting ---------------------------------------------------------


def lesson_page(lesson: Lesson) -> Lesson:
    """The lesson with everything its page shows loaded."""
    return db.session.scalars(
        db.select(Lesson)
        .options(
            *_register_options(RegisterFilters()),
            joinedload(Lesson.created_by),
        )
        .where(Lesson.id == lesson.id)
        .execution_options(populate_existing=True)
    ).one()


def lessons_of(*, case_review_id: int | None = None, meeting_id: int | None = None) -> list[Lesson]:
    """A case review's lessons (stage order), or those recorded at a meeting, with their
    recommendations."""
    select = db.select(Lesson).options(*_register_options(RegisterFilters()))
    if case_review_id is not None:
        select = select.where(Lesson.case_review_id == case_review_id)
    else:
        select = select.where(Lesson.meeting_id == meeting_id)
    lessons = list(db.session.scalars(select.order_by(Lesson.created_at, Lesson.id)))
    order = list(Stage)
    return sorted(lessons, key=lambda lesson: order.index(lesson.stage) if lesson.stage else -1)


def organisations() -> list[Organisation]:
    """Who a recommendation can be addressed to."""
    return list(db.session.scalars(db.select(Organisation).order_by(Organisation.name)))


# --- Follow-up ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class FollowUp:
    """Recommendations waiting on someone, for a home page."""

    overdue: list[Recommendation]
    due_soon: list[Recommendation]
    # Answered or implemented: waiting for the chair to close.
    to_sign_off: list[Recommendation]

    def __bool__(self) -> bool:
        return bool(self.overdue or self.due_soon or self.to_sign_off)


def _with_context(select: sa.Select) -> sa.Select:
    return select.options(
        joinedload(Recommendation.organisation),
        joinedload(Recommendation.panel),
        joinedload(Recommendation.lesson).joinedload(Lesson.case_review),
    ).order_by(Recommendation.due_date, Recommendation.id)


def _follow_up(select: sa.Select, today: date, sign_off: bool) -> FollowUp:
    soon = today + timedelta(days=DUE_SOON_DAYS)
    awaiting = select.where(
        Recommendation.status.in_(AWAITING_AGENCY), Recommendation.due_date <= soon
    )
    waiting = list(db.session.scalars(_with_context(awaiting)))
    to_sign_off = []
    if sign_off:
        to_sign_off = list(
            db.session.scalars(
                _with_context(
                    select.where(
                        Recommendation.status.in_(
                            [RecommendationStatus.IMPLEMENTED, RecommendationStatus.NOT_ACCEPTED]
                        )
                    )
                )
            )
        )
    return FollowUp(
        overdue=[r for r in waiting if r.due_date < today],
        due_soon=[r for r in waiting if today <= r.due_date <= soon],
        to_sign_off=to_sign_off,
    )


def chair_follow_up(user: User, today: date | None = None) -> FollowUp:
    """For a chair: their panels' recommendations due for response (overdue or due within 14
    days) and those waiting for them to close."""
    chaired = access.panels_where(user, access.Action.SIGN_OFF_RECOMMENDATION)
    if not chaired:
        return FollowUp([], [], [])
    select = _visible(db.select(Recommendation).where(Recommendation.panel_id.in_(chaired)), user)
    return _follow_up(select, today or uk_today(), sign_off=True)


def _to_organisation(user: User) -> sa.Select | None:
    """Recommendations addressed to the user's organisation on the panels whose lessons the user
    reads, waiting on the organisation (open or accepted), leaving out withheld case reviews'."""
    panels = access.panels_where(user, access.Action.VIEW_LESSONS)
    if not panels:
        return None
    return _visible(
        db.select(Recommendation).where(
            Recommendation.organisation_id == user.organisation_id,
            Recommendation.status.in_(AWAITING_AGENCY),
            Recommendation.panel_id.in_(panels),
        ),
        user,
    )


def organisation_counts(user: User, today: date | None = None, cap: int | None = None) -> DueCounts:
    """How many recommendations wait on the user's organisation, by how soon they are due, each
    group counted up to `cap` (`panel.core.reminders.count_due`): one query."""
    select = _to_organisation(user)
    if select is None:
        return DueCounts()
    return count_due(select, Recommendation.due_date, today or uk_today(), cap)


def most_urgent_for_organisation(user: User, limit: int) -> list[Recommendation]:
    """The `limit` recommendations waiting on the user's organisation that are due soonest
    (overdue first), with their panel and case review: one query."""
    select = _to_organisation(user)
    if select is None:
        return []
    return list(db.session.scalars(_with_context(select).limit(limit)))


def _visible(select: sa.Select, user: User) -> sa.Select:
    hidden = access.withheld_case_ids(user)
    if not hidden:
        return select
    return select.where(
        Recommendation.lesson_id.in_(
            db.select(Lesson.id).where(
                sa.or_(Lesson.case_review_id.is_(None), Lesson.case_review_id.not_in(hidden))
            )
        )
    )
