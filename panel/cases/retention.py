"""Retention of case reviews: the rule `panel.core.retention` runs for them (the app factory lists
it in the registry).

A closed case review's narrative, the panel's overall view and the stage comments are due
`Panel.case_review_retention_months` after the later of its closing and the first publication of
the minutes of the last meeting that discussed it. Until those minutes are published the panel
may still need the case, so nothing is due; a case review never discussed at a meeting (or only
at cancelled ones) counts from its closing. Its strands, offence, outcome and stage ratings stay,
and so do its lessons. Its viewing record (who opened it, how often: `panel.cases.models.CaseView`)
goes with its detail; the audit trail keeps the day's first opening by each person.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

from sqlalchemy.orm import joinedload, selectinload

from panel.cases.models import CaseReview, CaseReviewStatus
from panel.cases.services import delete_views
from panel.core.retention import (
    DueItem,
    RetentionRule,
    add_months,
    counted,
    is_deleted,
    replace_text,
    uk_day,
    words,
)
from panel.extensions import db
from panel.meetings import queries as meeting_queries
from panel.minutes import queries as minutes_queries

KIND = "Case review"


def case_reviews_due(today: date) -> Iterator[DueItem]:
    reviews = [
        review
        for review in db.session.scalars(
            db.select(CaseReview)
            .options(joinedload(CaseReview.panel), selectinload(CaseReview.stage_findings))
            .where(CaseReview.status == CaseReviewStatus.CLOSED)
        )
        if _text(review)
    ]
    published = _minutes_published([review.id for review in reviews])
    for review in reviews:
        if review.closed_at is None:
            continue  # closed before closing was dated; migration 0012 dates them all
        starts = [("closed", uk_day(review.closed_at))]
        if review.id in published:
            if published[review.id] is None:
                continue  # its minutes are not published yet
            starts.append(("minutes published", published[review.id]))
        since, started = max(starts, key=lambda start: start[1])
        months = review.panel.case_review_retention_months
        due = add_months(started, months)
        if due <= today:
            yield DueItem(
                panel=review.panel,
                kind=KIND,
                target=review,
                reference=review.reference,
                since=since,
                started=started,
                due=due,
                months=months,
                deletes=_text(review),
            )


def _minutes_published(case_review_ids: list[int]) -> dict[int, date | None]:
    """For each case review discussed at a meeting (not cancelled), the UK day the minutes of the
    last such meeting were first published, or None while they are unpublished; case reviews
    never discussed are left out."""
    last_meeting = meeting_queries.last_meetings_discussing(case_review_ids)
    first_published = {
        meeting_id: uk_day(at)
        for meeting_id, at in minutes_queries.first_published(last_meeting.values()).items()
    }
    return {
        case_review_id: first_published.get(meeting_id)
        for case_review_id, meeting_id in last_meeting.items()
    }


def _text(review: CaseReview) -> tuple[str, ...]:
    comments = sum(not is_deleted(finding.comment) for finding in review.stage_findings)
    return words(
        ("narrative", not is_deleted(review.narrative)),
        ("overall view", not is_deleted(review.overall_view)),
        (counted(comments, "stage comment"), comments > 0),
    )


def delete_case_review(review: CaseReview, note: str) -> None:
    replace_text(review, "narrative", note)
    replace_text(review, "overall_view", note)
    for finding in review.stage_findings:
        replace_text(finding, "comment", note)
    delete_views(review)


CASE_REVIEWS = RetentionRule(KIND, due=case_reviews_due, delete=delete_case_review)
