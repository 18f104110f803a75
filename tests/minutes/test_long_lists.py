"""The minutes stay the same size however long the panel's history: they list the oldest 25
matters arising and at most 100 lessons, recommendations and interventions, and say how many there
were and where the rest are. (tests/test_bounded_pages.py walks every page at scale.)"""

from __future__ import annotations

from datetime import timedelta

from panel.core.time import uk_today
from panel.lessons import services as lessons
from panel.meetings import services as meetings
from panel.minutes import services
from panel.minutes.document import assemble
from tests.conftest import sign_in
from tests.lessons.conftest import lesson
from tests.meetings.test_matters_arising import held as held_days_ago


def test_the_minutes_list_the_oldest_25_matters_arising_and_the_first_100_lessons(
    app, client, held
):
    people = held.people
    earlier = held_days_ago(people.panel, 14)
    for number in range(30):
        meetings.add_action(
            people.coordinator, earlier, f"Action number {number:02d}", people.member.organisation
        )
    for number in range(100 + 5 - 1):  # the case has one lesson already
        lesson(people.coordinator, held.case_review, text=f"Lesson text {number}")
    with app.test_request_context():
        minutes = services.start(people.coordinator, held.meeting)
        document = assemble(minutes)
    case_lessons = [item.case.lessons for item in document.items if item.case][0]
    assert len(case_lessons) == 100
    assert document.shortened == [
        "These minutes list the first 100 of 105 lessons learnt from this meeting's case "
        "reviews and themes; each case review's page in Panel lists all of its lessons."
    ]
    (arising,) = [item for item in document.items if item.matters_arising is not None]
    assert len(arising.matters_arising) == 25
    assert arising.matters_arising_total == "30"

    sign_in(client, people.coordinator)
    page = client.get(f"/meetings/{held.meeting.id}/minutes").get_data(as_text=True)
    assert "These are the oldest 25 of 30 matters arising open from earlier meetings" in page
    assert "These minutes list the first 100 of 105 lessons learnt" in page
    assert "Action number 24" in page and "Action number 25" not in page
    assert "Lesson 100:" in page and "Lesson 101:" not in page

    # Frozen so at approval, and read back the same.
    services.submit(people.coordinator, minutes, minutes.edit_version)
    with app.test_request_context():
        services.approve(people.chair, minutes, minutes.edit_version)
    version = client.get(f"/meetings/{held.meeting.id}/minutes/versions/1").get_data(as_text=True)
    assert "These minutes list the first 100 of 105 lessons learnt" in version


def test_minutes_with_lists_under_the_caps_say_nothing_of_them(app, held):
    people = held.people
    learnt = lesson(people.coordinator, held.case_review)
    lessons.add_recommendation(
        people.chair,
        learnt,
        lessons.RecommendationDetails(
            people.member.organisation, "Do it.", uk_today() + timedelta(days=30)
        ),
        notify=False,
    )
    with app.test_request_context():
        document = assemble(services.start(people.coordinator, held.meeting))
    assert document.shortened == []
