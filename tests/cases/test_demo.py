"""The demo case reviews: anonymised (the guard finds nothing), at different points of review,
and added only once."""

from __future__ import annotations

from panel.accounts import services as accounts
from panel.cases.demo import load_demo_case_reviews
from panel.cases.models import CaseReview, CaseReviewStatus
from panel.cases.pool.models import PoolCase
from panel.core import anonymise
from panel.demo import ISP, load_demo_data
from panel.lessons.models import Lesson, Recommendation
from panel.meetings.models import AgendaItem, InterestDeclaration, MeetingStatus
from panel.minutes.key_messages.models import KeyMessage, KeyMessagesPublication
from panel.minutes.models import Minutes
from panel.panels.models import Panel


def test_demo_case_reviews_are_anonymised_and_added_once(app, db):
    with app.test_request_context():
        load_demo_data()
        panel = db.session.scalar(db.select(Panel).where(Panel.name == ISP))
        coordinator = accounts.find_user_by_email("coordinator@panel.example")
        # `load_demo_data` may add them itself: start from none to see what is added.
        # The demo minutes moved the last held meeting on, and their notes hang off its agenda:
        # remove them and put the meeting back as held.
        # The key messages hang off the minutes and their published versions.
        db.session.execute(db.delete(KeyMessagesPublication))
        db.session.execute(db.delete(KeyMessage))
        for minutes in db.session.scalars(db.select(Minutes)):
            minutes.meeting.status = MeetingStatus.HELD
            db.session.delete(minutes)
        db.session.flush()
        # The demo minutes record a declaration of interest in a case review's item.
        db.session.execute(db.delete(InterestDeclaration))
        db.session.execute(db.delete(AgendaItem).where(AgendaItem.case_review_id.is_not(None)))
        # The demo lessons hang off the case reviews: remove them (and their recommendations).
        for recommendation in db.session.scalars(db.select(Recommendation)):
            db.session.delete(recommendation)
        db.session.flush()
        for lesson in db.session.scalars(db.select(Lesson)):
            db.session.delete(lesson)
        # The demo draw's cases point at the draft case reviews it made.
        db.session.execute(db.update(PoolCase).values(case_review_id=None))
        for existing in db.session.scalars(db.select(CaseReview)):
            db.session.delete(existing)
        db.session.commit()

        assert load_demo_case_reviews(panel, coordinator) == 3
        assert load_demo_case_reviews(panel, coordinator) == 0

    case_reviews = db.session.scalars(
        db.select(CaseReview).where(CaseReview.panel_id == panel.id).order_by(CaseReview.id)
    ).all()
    assert [c.status for c in case_reviews] == [
        CaseReviewStatus.REVIEWED,
        CaseReviewStatus.ON_AGENDA,
        CaseReviewStatus.ON_AGENDA,
    ]
    assert [len(c.stage_findings) for c in case_reviews] == [7, 4, 2]
    for case_review in case_reviews:
        texts = [
            case_review.narrative,
            case_review.legislation,
            case_review.policing_area,
            case_review.overall_view or "",
            *(finding.comment or "" for finding in case_review.stage_findings),
        ]
        assert all(anonymise.find(text) == [] for text in texts), case_review.reference
    carried_over = db.session.scalar(
        db.select(db.func.count())
        .select_from(AgendaItem)
        .where(AgendaItem.case_review_id == case_reviews[1].id)
    )
    assert carried_over == 2
