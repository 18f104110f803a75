"""The placeholder summary a drawn case review starts with, and whether it still has it. A
drawn case review cannot pass the check for identifying detail while its summary is the
placeholder: the check deletes the agency's reference (`retention`), and without it the
coordinator could no longer find the file to write the summary from."""

from __future__ import annotations

from panel.cases.models import CaseReview
from panel.cases.pool.models import PoolCase, PoolDraw
from panel.core.time import UK
from panel.extensions import db


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
