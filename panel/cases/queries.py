"""Read models for case review pages, each in a fixed number of queries whatever the case's
history, and who has opened a case review or a live case. Lists leave out the cases the reader
declared a conflict of interest in."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from flask_sqlalchemy.pagination import Pagination
from sqlalchemy.orm import selectinload

from panel import access
from panel.accounts.models import Organisation, User
from panel.cases.models import CaseReview, CaseReviewStatus, CaseView, StageFinding
from panel.cases.vocabularies import Stage
from panel.core.pagination import paginate, paginate_rows
from panel.extensions import db
from panel.meetings.agenda.services import OPEN_STATUSES
from panel.meetings.models import AgendaItem, Meeting, MeetingStatus
from panel.panels.models import Panel

# How many upcoming meetings the agenda page offers: a long series would bury the choice.
UPCOMING_CHOICES = 12
# People listed per page of "Who has viewed this case".
VIEWERS_PER_PAGE = 20
VIEWERS_PAGE_ARG = "viewers_page"


def case_reviews_of(panel: Panel, user: User, status: CaseReviewStatus | None) -> Pagination:
    """A page of the panel's case reviews the user may see, newest first, with their strands and
    findings loaded for the list."""
    select = (
        db.select(CaseReview)
        .options(selectinload(CaseReview.strand_rows), selectinload(CaseReview.stage_findings))
        .where(CaseReview.panel_id == panel.id)
        .order_by(CaseReview.created_at.desc(), CaseReview.id.desc())
    )
    hidden = access.withheld_case_ids(user)
    if hidden:
        select = select.where(CaseReview.id.not_in(hidden))
    if status is not None:
        select = select.where(CaseReview.status == status)
    return paginate(select)


@dataclass(frozen=True)
class StageRow:
    stage: Stage
    finding: StageFinding | None


@dataclass(frozen=True)
class CaseReviewPage:
    case_review: CaseReview
    stages: list[StageRow]
    # The meetings it was on, earliest first: more than one when it was carried over.
    meetings: list[Meeting]

    @property
    def rated(self) -> int:
        return sum(1 for row in self.stages if row.finding is not None)


def case_review_page(case_review: CaseReview) -> CaseReviewPage:
    """Everything the case page shows: the facts, every stage in order, and its meetings."""
    db.session.scalars(
        db.select(CaseReview)
        .options(
            selectinload(CaseReview.strand_rows),
            selectinload(CaseReview.stage_findings),
            selectinload(CaseReview.created_by),
            selectinload(CaseReview.checked_by),
        )
        .where(CaseReview.id == case_review.id)
        .execution_options(populate_existing=True)
    ).one()
    meetings = list(
        db.session.scalars(
            db.select(Meeting)
            .join(AgendaItem, AgendaItem.meeting_id == Meeting.id)
            .where(AgendaItem.case_review_id == case_review.id)
            .order_by(Meeting.starts_at)
        ).unique()
    )
    stages = [StageRow(stage, case_review.finding_for(stage)) for stage in Stage]
    return CaseReviewPage(case_review=case_review, stages=stages, meetings=meetings)


def meetings_for_agenda(case_review: CaseReview) -> list[Meeting]:
    """The panel's meetings whose agenda can still take the case and do not have it yet: the
    next scheduled ones, soonest first, then those held but not yet minuted, latest first."""
    already = (
        db.select(AgendaItem.meeting_id)
        .where(AgendaItem.case_review_id == case_review.id)
        .scalar_subquery()
    )
    base = db.select(Meeting).where(
        Meeting.panel_id == case_review.panel_id,
        Meeting.status.in_(OPEN_STATUSES),
        Meeting.id.not_in(already),
    )
    upcoming = db.session.scalars(
        base.where(Meeting.status == MeetingStatus.SCHEDULED)
        .order_by(Meeting.starts_at)
        .limit(UPCOMING_CHOICES)
    )
    held = db.session.scalars(
        base.where(Meeting.status != MeetingStatus.SCHEDULED).order_by(Meeting.starts_at.desc())
    )
    return [*upcoming, *held]


# --- Who has viewed a case ---------------------------------------------------------------------


@dataclass(frozen=True)
class Viewer:
    """One person's openings of a case: their name now, their organisation, when they first and
    last opened it, and how many times."""

    person: str
    organisation: str | None
    first_at: datetime
    last_at: datetime
    count: int


@dataclass(frozen=True)
class CaseViewers:
    """A page of the people who have opened a case, latest viewer first, with the totals."""

    page: Pagination  # of Viewer
    total: int  # openings, by everyone
    people: int


def case_viewers(case, page: int = 1) -> CaseViewers:
    """Who has opened `case` (a case review or a live case), one line per person, the most
    recently seen first: page `page` of VIEWERS_PER_PAGE people. Two queries however long the
    history (the totals, then the page), served by the unique index on (object_type, object_id,
    user_id, day)."""
    of_case = (CaseView.object_type == case.__tablename__, CaseView.object_id == case.id)
    total, people = db.session.execute(
        sa.select(
            sa.func.coalesce(sa.func.sum(CaseView.count), 0),
            sa.func.count(sa.distinct(CaseView.user_id)),
        ).where(*of_case)
    ).one()
    per_person = (
        sa.select(
            CaseView.user_id,
            sa.func.min(CaseView.first_at).label("first_at"),
            sa.func.max(CaseView.last_at).label("last_at"),
            sa.func.sum(CaseView.count).label("count"),
        )
        .where(*of_case)
        .group_by(CaseView.user_id)
        .subquery()
    )
    rows = (
        sa.select(
            User.full_name,
            User.email,
            Organisation.name,
            per_person.c.first_at,
            per_person.c.last_at,
            per_person.c.count,
        )
        .join(User, User.id == per_person.c.user_id)
        .outerjoin(Organisation, Organisation.id == User.organisation_id)
        .order_by(per_person.c.last_at.desc(), per_person.c.user_id)
    )
    pagination = paginate_rows(rows, people, page=page, per_page=VIEWERS_PER_PAGE, item=_viewer)
    return CaseViewers(pagination, total, people)


def _viewer(row) -> Viewer:
    full_name, email, organisation, first_at, last_at, count = row
    return Viewer(full_name or email, organisation, first_at, last_at, count)
