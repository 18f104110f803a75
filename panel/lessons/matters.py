"""Outstanding recommendations under matters arising at the panel's later meetings, until the
chair closes them (or they are withdrawn)."""

from __future__ import annotations

import sqlalchemy as sa
from flask import url_for
from sqlalchemy.orm import joinedload

from panel import access
from panel.accounts.models import User
from panel.extensions import db
from panel.lessons.lifecycle import OUTSTANDING
from panel.lessons.models import Lesson, Recommendation
from panel.lessons.queries import is_overdue
from panel.meetings import matters as matters_arising
from panel.meetings.models import Meeting
from panel.panels.models import Panel


def _outstanding(panel: Panel, meeting: Meeting, viewer: User | None) -> sa.Select:
    select = db.select(Recommendation.id, Recommendation.created_at.label("raised_at")).where(
        Recommendation.panel_id == panel.id,
        Recommendation.status.in_(OUTSTANDING),
        Recommendation.created_at < meeting.starts_at,
    )
    # Leave out the cases the viewer declared an interest in, as everywhere else.
    hidden = access.withheld_case_ids(viewer) if viewer is not None else frozenset()
    if hidden:
        select = select.where(
            Recommendation.lesson_id.in_(
                db.select(Lesson.id).where(
                    sa.or_(Lesson.case_review_id.is_(None), Lesson.case_review_id.not_in(hidden))
                )
            )
        )
    return select


def _load(meeting: Meeting, ids: list[int]) -> list[matters_arising.MatterArising]:
    rows = db.session.scalars(
        db.select(Recommendation)
        .options(
            joinedload(Recommendation.organisation),
            joinedload(Recommendation.lesson).joinedload(Lesson.case_review),
        )
        .where(Recommendation.id.in_(ids))
    )
    by_id = {recommendation.id: recommendation for recommendation in rows}
    return [
        matters_arising.MatterArising(
            kind=f"Recommendation ({recommendation.status.label.lower()})",
            description=recommendation.text,
            owner=recommendation.organisation.name,
            due_date=recommendation.due_date,
            raised_at=recommendation.created_at,
            url=url_for("lessons.recommendation", recommendation_id=recommendation.id),
            overdue=is_overdue(recommendation),
            case_reference=(
                recommendation.case_review.reference if recommendation.case_review else None
            ),
        )
        for recommendation in (by_id[i] for i in ids)
    ]


OUTSTANDING_RECOMMENDATIONS = matters_arising.Source(
    kind="Recommendation", open_items=_outstanding, load=_load
)
