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
from panel.core.pagination import Shown, first, first_of_each, paginate
from panel.core.reminders import DUE_SOON_DAYS, Count, DueCounts, count_due
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
from panel.panels.models import Membership, Role


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


# A lesson listed with others (the register, a case's or a meeting's lessons) shows this many of
# its recommendations, and each recommendation the latest few steps of its history, then links
# to the lesson's or the recommendation's own page for the rest.
RECOMMENDATIONS_SHOWN = 5
HISTORY_SHOWN = 5


def _lesson_options(*, strands=joinedload) -> list:
    """What a listed lesson shows about itself. Its strands (at most one row per strand) come in
    the same query, so that a page's queries do not depend on whether it lists any lessons; an
    export read in batches takes them by `selectinload`, as batches need."""
    return [
        joinedload(Lesson.panel),
        joinedload(Lesson.case_review),
        joinedload(Lesson.meeting),
        strands(Lesson.strand_rows),
    ]


def _register_options(filters: RegisterFilters) -> list:
    """Everything a lesson and all its recommendations show, for the CSV export (which is the
    whole list by design, read in batches)."""
    # and_() returns the same relationship with criteria, though SQLAlchemy types it as [bool].
    recommendations: QueryableAttribute[Any] = Lesson.recommendations
    if filters.narrows_recommendations:
        recommendations = recommendations.and_(*filters.recommendation_conditions())
    loaded = selectinload(recommendations)
    return [
        *_lesson_options(strands=selectinload),
        loaded.joinedload(Recommendation.organisation),
        loaded.selectinload(Recommendation.events).joinedload(RecommendationEvent.by),
    ]


def with_recommendations(lessons: list[Lesson], filters: RegisterFilters | None = None) -> list:
    """`lessons`, each given `shown_recommendations` (its first RECOMMENDATIONS_SHOWN, those
    matching the register's filters if they narrow them, with how many in all), and each of those
    `shown_history` (its latest HISTORY_SHOWN steps, oldest first): two queries, whatever the
    number of recommendations and steps."""
    filters = filters or RegisterFilters()
    select = db.select(Recommendation).options(joinedload(Recommendation.organisation))
    if filters.narrows_recommendations:
        select = select.where(*filters.recommendation_conditions())
    shown = first_of_each(
        select,
        Recommendation.lesson_id,
        [lesson.id for lesson in lessons],
        [Recommendation.id],
        RECOMMENDATIONS_SHOWN,
    )
    # Set on each lesson for the templates (`lesson_summary`), not mapped.
    for lesson in lessons:
        setattr(lesson, "shown_recommendations", shown.get(lesson.id, Shown([], Count())))  # noqa: B010
    with_history([r for lesson in lessons for r in shown.get(lesson.id, [])])
    return lessons


def with_history(recommendations: list[Recommendation]) -> list[Recommendation]:
    """`recommendations`, each given `shown_history`: its latest HISTORY_SHOWN steps, oldest
    first, with how many in all. One query."""
    history = first_of_each(
        db.select(RecommendationEvent).options(joinedload(RecommendationEvent.by)),
        RecommendationEvent.recommendation_id,
        [recommendation.id for recommendation in recommendations],
        [RecommendationEvent.at.desc(), RecommendationEvent.id.desc()],
        HISTORY_SHOWN,
    )
    for recommendation in recommendations:
        latest = history.get(recommendation.id, Shown([], Count()))
        setattr(recommendation, "shown_history", Shown(latest.items[::-1], latest.total))  # noqa: B010
    return recommendations


def register_page(panel_ids: list[int], user: User, filters: RegisterFilters) -> Pagination:
    """A page of the register: a count, the page's lesson ids, the lessons, their strands, the
    first few recommendations of each and their latest steps, in six queries.

    The page is picked by lesson id alone, then its lessons are loaded (a "deferred join"). Where
    no index gives the order (SQLite, across several panels), the database sorts every matching
    row before taking 25: sorting ids takes milliseconds, sorting whole rows joined to their
    panel, case review and meeting took 300 ms at 100,000 lessons, and 600 ms on page 40.
    """
    select = register_select(panel_ids, user, filters).with_only_columns(Lesson.id)
    page = paginate(select, few=_newest_of_few)
    lessons = db.session.scalars(
        db.select(Lesson).where(Lesson.id.in_(page.items)).options(*_lesson_options())
    ).unique()
    by_id = {lesson.id: lesson for lesson in lessons}
    page.items = with_recommendations([by_id[lesson_id] for lesson_id in page.items], filters)
    return page


def _newest_of_few(select: sa.Select) -> sa.Select:
    """The register's lessons when there are few of them (its count stopped short of the cap):
    every match found first, by whichever index serves the filters (the search index for a
    rare word, a recommendation's organisation), then sorted newest first. Asked for the newest
    25, PostgreSQL reads the lessons newest first and tests each against the filters, expecting
    matches to be common: for a word no lesson uses, that read a busy panel's two million
    lessons (2.4 s on the national dataset); finding the matches through the index takes
    milliseconds. A materialised CTE keeps the planner from folding the two steps back into
    one."""
    matches = (
        select.order_by(None)
        .with_only_columns(Lesson.id, Lesson.created_at)
        .cte("matches")
        .prefix_with("MATERIALIZED", dialect="postgresql")
    )
    return sa.select(matches.c.id).order_by(matches.c.created_at.desc(), matches.c.id.desc())


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
    """The lesson with what its page shows about it loaded (its recommendations are paginated:
    `recommendations_page`)."""
    return (
        db.session.scalars(
            db.select(Lesson)
            .options(*_lesson_options(), joinedload(Lesson.created_by))
            .where(Lesson.id == lesson.id)
        )
        .unique()
        .one()
    )


def recommendations_page(lesson: Lesson) -> Pagination:
    """A page of the lesson's recommendations in the order they were made (the
    ``recommendations_page`` query argument), each with its latest steps."""
    page = paginate(
        db.select(Recommendation)
        .options(joinedload(Recommendation.organisation))
        .where(Recommendation.lesson_id == lesson.id)
        .order_by(Recommendation.id),
        arg="recommendations_page",
    )
    with_history(page.items)
    return page


def history_page(recommendation: Recommendation) -> Pagination:
    """A page of the recommendation's history, oldest first (the ``history_page`` argument)."""
    return paginate(
        db.select(RecommendationEvent)
        .options(joinedload(RecommendationEvent.by))
        .where(RecommendationEvent.recommendation_id == recommendation.id)
        .order_by(RecommendationEvent.at, RecommendationEvent.id),
        arg="history_page",
    )


def has_recommendations(lesson: Lesson) -> bool:
    return (
        db.session.scalar(
            db.select(Recommendation.id).where(Recommendation.lesson_id == lesson.id).limit(1)
        )
        is not None
    )


def _stage_order() -> sa.ColumnElement[int]:
    """A lesson's place in stage order (a theme across cases, with no stage, first)."""
    return sa.case(*((Lesson.stage == stage, i) for i, stage in enumerate(Stage)), else_=-1)


def lessons_of(*, case_review_id: int | None = None, meeting_id: int | None = None) -> Pagination:
    """A page of a case review's lessons (stage order), or of those recorded at a meeting, each
    with its first few recommendations (the ``lessons_page`` query argument)."""
    select = db.select(Lesson).options(*_lesson_options())
    if case_review_id is not None:
        select = select.where(Lesson.case_review_id == case_review_id)
    else:
        select = select.where(Lesson.meeting_id == meeting_id)
    page = paginate(
        select.order_by(_stage_order(), Lesson.created_at, Lesson.id), arg="lessons_page"
    )
    with_recommendations(page.items)
    return page


def organisations(panel_ids: list[int], also: int | None = None) -> list[Organisation]:
    """Who recommendations on these panels are addressed to, for a recommendation's form and the
    register's filter: the organisations of the panels' members (readers aside), and `also` (the
    one already chosen, if any), by name. Bounded by the panels' membership, never by how many
    organisations there are nationally."""
    on_the_panels = (
        db.select(User.organisation_id)
        .join(Membership, Membership.user_id == User.id)
        .where(Membership.panel_id.in_(panel_ids), Membership.role != Role.READER)
    )
    condition: sa.ColumnElement[bool] = Organisation.id.in_(on_the_panels)
    if also is not None:
        condition = condition | (Organisation.id == also)
    return list(
        db.session.scalars(db.select(Organisation).where(condition).order_by(Organisation.name))
    )


# --- Follow-up ---------------------------------------------------------------------------------


# A chair's home page lists the most urgent this many of each list, then links to the register.
FOLLOW_UP_SHOWN = 20


@dataclass(frozen=True)
class FollowUp:
    """Recommendations waiting on someone, for a home page: the first few of each list, soonest
    due first, with how many there are in all."""

    # Waiting on the agency, overdue or due within DUE_SOON_DAYS.
    due: Shown
    # Answered (not accepted) or implemented: waiting for the chair to close.
    to_sign_off: Shown

    def __bool__(self) -> bool:
        return bool(self.due or self.to_sign_off)


def _with_context(select: sa.Select) -> sa.Select:
    return select.options(
        joinedload(Recommendation.organisation),
        joinedload(Recommendation.panel),
        joinedload(Recommendation.lesson).joinedload(Lesson.case_review),
    ).order_by(Recommendation.due_date, Recommendation.id)


def chair_follow_up(user: User, today: date | None = None) -> FollowUp:
    """For a chair: their panels' recommendations due for response (overdue or due within 14
    days) and those waiting for them to close, the FOLLOW_UP_SHOWN due soonest of each: four
    queries however many there are."""
    chaired = access.panels_where(user, access.Action.SIGN_OFF_RECOMMENDATION)
    if not chaired:
        return FollowUp(Shown([], Count()), Shown([], Count()))
    select = _visible(db.select(Recommendation).where(Recommendation.panel_id.in_(chaired)), user)
    soon = (today or uk_today()) + timedelta(days=DUE_SOON_DAYS)
    due = select.where(Recommendation.status.in_(AWAITING_AGENCY), Recommendation.due_date <= soon)
    answered = select.where(
        Recommendation.status.in_(
            [RecommendationStatus.IMPLEMENTED, RecommendationStatus.NOT_ACCEPTED]
        )
    )
    return FollowUp(
        due=first(_with_context(due), FOLLOW_UP_SHOWN),
        to_sign_off=first(_with_context(answered), FOLLOW_UP_SHOWN),
    )


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
