"""The demo lessons: anonymised (the guard finds nothing), one recommendation at each point of
the lifecycle, and added only once."""

from __future__ import annotations

from panel.core import anonymise
from panel.demo import ISP, load_demo_data
from panel.lessons.models import Lesson, Recommendation
from panel.lessons.models import RecommendationStatus as S
from panel.lessons.queries import is_overdue
from panel.panels.models import Panel


def test_demo_lessons_show_the_whole_lifecycle_and_are_added_once(app, db):
    with app.test_request_context():
        first = load_demo_data()
        again = load_demo_data()
    assert first["lessons"] == 8 and again["lessons"] == 0
    panel = db.session.scalar(db.select(Panel).where(Panel.name == ISP))
    lessons = db.session.scalars(db.select(Lesson).where(Lesson.panel_id == panel.id)).all()
    recommendations = db.session.scalars(db.select(Recommendation)).all()
    for text in [*(lesson.text for lesson in lessons), *(r.text for r in recommendations)]:
        assert anonymise.find(text) == [], text
    statuses = sorted(r.status.value for r in recommendations)
    assert statuses == sorted(
        [S.CLOSED.value, S.IMPLEMENTED.value, S.ACCEPTED.value, S.OPEN.value, S.OPEN.value]
    )
    assert sum(is_overdue(r) for r in recommendations) == 1
    assert any(lesson.meeting_id for lesson in lessons)
