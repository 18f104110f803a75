"""Lessons pages stay the same size however long the history behind them: a case's lessons, a
lesson's recommendations and a recommendation's history come a page at a time, a listed lesson
shows its first few recommendations and their latest steps with links to the rest, and the
organisations offered are those on the panel. (tests/test_bounded_pages.py walks every page at
scale.)"""

from __future__ import annotations

import re
from datetime import timedelta

from panel.core.database import utcnow
from panel.extensions import db
from panel.lessons.models import RecommendationEvent, RecommendationStatus
from tests import factories
from tests.conftest import sign_in
from tests.lessons.conftest import lesson, recommendation


def _numbers(pattern: str, page: str) -> list[int]:
    return [int(n) for n in re.findall(pattern, page)]


def test_a_case_lists_its_lessons_25_a_page(client, scrutiny):
    made = [
        lesson(scrutiny.chair, scrutiny.case_review, text=f"Lesson text {n}") for n in range(30)
    ]
    sign_in(client, scrutiny.chair)
    path = f"/case-reviews/{scrutiny.case_review.id}"
    first = client.get(path).get_data(as_text=True)
    assert "30 lessons, page 1 of 2." in first
    assert len(set(_numbers(r"Lesson text (\d+)", first))) == 25
    assert f'href="{path}?lessons_page=2#lessons"' in first
    second = client.get(f"{path}?lessons_page=2").get_data(as_text=True)
    assert len(set(_numbers(r"Lesson text (\d+)", second))) == 5
    assert len(made) == 30


def test_a_listed_lesson_shows_5_of_its_recommendations_and_links_to_all(client, scrutiny):
    learnt = lesson(scrutiny.chair, scrutiny.case_review)
    for n in range(7):
        recommendation(scrutiny.chair, learnt, scrutiny.police, text=f"Recommendation text {n}")
    sign_in(client, scrutiny.chair)
    for path in (
        f"/panels/{scrutiny.panel.id}/lessons",
        f"/case-reviews/{scrutiny.case_review.id}",
    ):
        page = client.get(path).get_data(as_text=True)
        assert _numbers(r"Recommendation text (\d+)", page) == [0, 1, 2, 3, 4], path
        assert "Showing 5 of 7 recommendations." in page
        assert f'href="/lessons/{learnt.id}#recommendations"' in page


def test_a_lesson_lists_its_recommendations_25_a_page(client, scrutiny):
    learnt = lesson(scrutiny.chair, scrutiny.case_review)
    for n in range(30):
        recommendation(scrutiny.chair, learnt, scrutiny.police, text=f"Recommendation text {n}")
    sign_in(client, scrutiny.chair)
    first = client.get(f"/lessons/{learnt.id}").get_data(as_text=True)
    assert "30 recommendations, page 1 of 2." in first
    assert _numbers(r"Recommendation text (\d+)", first) == list(range(25))
    assert "Delete the lesson" not in first
    second = client.get(f"/lessons/{learnt.id}?recommendations_page=2").get_data(as_text=True)
    assert _numbers(r"Recommendation text (\d+)", second) == list(range(25, 30))


def test_a_recommendations_history_comes_25_steps_a_page_and_elsewhere_its_latest_5(
    client, scrutiny
):
    learnt = lesson(scrutiny.chair, scrutiny.case_review)
    made = recommendation(scrutiny.chair, learnt, scrutiny.police)
    start = utcnow() - timedelta(days=60)
    db.session.add_all(
        RecommendationEvent(
            recommendation_id=made.id,
            status=RecommendationStatus.OPEN,
            note=f"Chased, time {n:02d}",
            at=start + timedelta(days=n),
            by_id=scrutiny.chair.id,
        )
        for n in range(29)
    )
    db.session.commit()
    sign_in(client, scrutiny.police_member)
    page = client.get(f"/recommendations/{made.id}").get_data(as_text=True)
    assert "30 steps, oldest first, page 1 of 2." in page
    assert _numbers(r"Chased, time (\d\d)", page) == list(range(25))
    later = client.get(f"/recommendations/{made.id}?history_page=2").get_data(as_text=True)
    assert _numbers(r"Chased, time (\d\d)", later) == [25, 26, 27, 28]

    respond = client.get(f"/recommendations/{made.id}/respond").get_data(as_text=True)
    assert "The latest 5 of 30 steps." in respond
    assert f'href="/recommendations/{made.id}#history"' in respond
    # The newest step (addressing it, just now) last, after the latest of the history.
    assert _numbers(r"Chased, time (\d\d)", respond) == [25, 26, 27, 28]


def test_the_organisations_offered_are_those_on_the_panel(client, scrutiny):
    """Nationally there are thousands of organisations: the register's filter and a
    recommendation's form offer the panel's (and one chosen already), not every one."""
    elsewhere = factories.organisation("Somewhere Else Trust")
    learnt = lesson(scrutiny.chair, scrutiny.case_review)
    made = recommendation(scrutiny.chair, learnt, elsewhere, text="To an outside agency.")
    sign_in(client, scrutiny.chair)

    register = client.get(f"/panels/{scrutiny.panel.id}/lessons").get_data(as_text=True)
    assert ">West Midlands Police</option>" in register
    assert "Somewhere Else Trust</option>" not in register
    chosen = client.get(
        f"/panels/{scrutiny.panel.id}/lessons", query_string={"organisation": elsewhere.id}
    ).get_data(as_text=True)
    assert f'<option value="{elsewhere.id}" selected>Somewhere Else Trust</option>' in chosen
    assert "To an outside agency." in chosen

    new = client.get(f"/lessons/{learnt.id}/recommendations/new").get_data(as_text=True)
    assert ">West Midlands Police</option>" in new
    assert "Somewhere Else Trust</option>" not in new
    edit = client.get(f"/recommendations/{made.id}/edit").get_data(as_text=True)
    assert "Somewhere Else Trust</option>" in edit  # addressed to it already
