"""Following recommendations up: matters arising at the panel's next meeting, the chair's "due for
response" list, and the list for the addressed organisation's members."""

from __future__ import annotations

from datetime import timedelta

from panel.extensions import db
from panel.lessons import services
from panel.lessons.lifecycle import Move
from panel.lessons.models import RecommendationStatus as S
from panel.lessons.queries import chair_follow_up, organisation_counts, uk_today
from tests.conftest import sign_in
from tests.lessons.conftest import lesson, recommendation
from tests.meetings.test_matters_arising import held, upcoming


def _recommendation(scrutiny, days: int, text: str = "Brief the response teams."):
    return recommendation(
        scrutiny.chair,
        lesson(scrutiny.chair, scrutiny.case_review),
        scrutiny.police,
        text=text,
        due_date=uk_today() + timedelta(days=days),
    )


def test_outstanding_recommendations_arise_at_the_next_meeting_until_closed(client, scrutiny):
    made = _recommendation(scrutiny, 30, "Offer interpreters at first account.")
    later = upcoming(scrutiny.panel, days_from_now=14)
    sign_in(client, scrutiny.people.member)
    page = client.get(f"/meetings/{later.id}").get_data(as_text=True)
    assert "Matters arising from earlier meetings" in page
    assert "Offer interpreters at first account." in page
    assert "Recommendation (open)" in page
    services.move_recommendation(
        scrutiny.police_member, made, Move.RESPOND, S.NOT_ACCEPTED, "No", 1
    )
    services.move_recommendation(scrutiny.chair, made, Move.CLOSE, S.CLOSED, None, 2)
    page = client.get(f"/meetings/{later.id}").get_data(as_text=True)
    assert "Offer interpreters at first account." not in page


def test_a_meeting_before_the_recommendation_does_not_list_it(client, scrutiny):
    earlier = held(scrutiny.panel, days_ago=7)
    _recommendation(scrutiny, 30, "Offer interpreters at first account.")
    sign_in(client, scrutiny.people.member)
    page = client.get(f"/meetings/{earlier.id}").get_data(as_text=True)
    assert "Offer interpreters at first account." not in page


def test_the_chair_sees_what_is_due_within_14_days_or_overdue_and_what_awaits_sign_off(
    scrutiny,
):
    overdue = _recommendation(scrutiny, 10)
    due_soon = _recommendation(scrutiny, 14)
    _recommendation(scrutiny, 15)  # not yet due for response
    answered = _recommendation(scrutiny, 40)
    services.move_recommendation(
        scrutiny.police_member, answered, Move.RESPOND, S.NOT_ACCEPTED, "No", 1
    )
    eleven_days_on = uk_today() + timedelta(days=11)  # `overdue` is due the day before
    found = chair_follow_up(scrutiny.chair, eleven_days_on)
    assert [r.id for r in found.due][:2] == [overdue.id, due_soon.id]  # soonest due first
    assert [r.id for r in found.to_sign_off] == [answered.id]
    found_now = chair_follow_up(scrutiny.chair, uk_today())
    assert [r.id for r in found_now.due] == [overdue.id, due_soon.id]
    # Only the chair signs off.
    assert not chair_follow_up(scrutiny.people.coordinator, uk_today())


def test_the_chairs_home_page_lists_the_20_most_urgent_and_links_to_the_rest(client, scrutiny):
    """Years of history leave hundreds of recommendations waiting: the home page lists the 20
    due soonest of each list, says how many there are, and links to the register for the rest."""
    made = [_recommendation(scrutiny, 1 + n % 14) for n in range(25)]
    sign_in(client, scrutiny.chair)
    page = client.get("/").get_data(as_text=True)
    due = page[page.index('id="chair-due"') : page.index('id="chair-due-all"')]
    assert due.count('href="/recommendations/') == 20
    assert f'href="/recommendations/{made[0].id}"' in due  # due tomorrow: among the soonest
    assert f'href="/recommendations/{made[13].id}"' not in due  # due in a fortnight
    assert "Showing 20 of 25 recommendations overdue or due within 14 days." in page
    assert 'href="/lessons?overdue=y"' in page


def test_home_pages_list_due_recommendations_for_the_chair_and_the_addressed_agency(
    client, scrutiny
):
    made = _recommendation(scrutiny, 7)
    sign_in(client, scrutiny.chair)
    page = client.get("/").get_data(as_text=True)
    assert "Recommendations due for response" in page
    assert f"Recommendation {made.id}" in page
    client.post("/sign-out")
    sign_in(client, scrutiny.police_member)
    page = client.get("/").get_data(as_text=True)
    work = page[page.index('id="organisation-work"') : page.index("Your panels")]
    assert "West Midlands Police has 1 open item" in work
    assert f"Recommendation {made.id}" in work
    assert f'href="/recommendations/{made.id}/respond"' in work
    # A member of another organisation on the panel has nothing to answer.
    assert not organisation_counts(scrutiny.people.member, uk_today()).total
    db.session.rollback()
