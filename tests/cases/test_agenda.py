"""Putting a case review on a meeting's agenda: before any other business, carried over to a
later meeting, and only on an open meeting of its own panel; the meeting's agenda links to the
case."""

from __future__ import annotations

import pytest

from panel.cases import services
from panel.cases.models import CaseReviewStatus
from panel.meetings.models import AgendaItemKind, MeetingStatus
from panel.panels.models import Role
from tests import factories
from tests.cases import factories as cases
from tests.conftest import sign_in
from tests.meetings import factories as meetings


@pytest.fixture
def case_review(app, isp):
    with app.test_request_context():
        return cases.case_review(isp.coordinator, isp.panel)


def test_case_review_goes_before_any_other_business(client, isp, db, case_review):
    meeting = meetings.meeting_with_agenda(isp.coordinator, isp.panel)
    standing = len(meetings.agenda_items(meeting))
    sign_in(client, isp.coordinator)
    url = f"/case-reviews/{case_review.id}/agenda"
    assert "Which meeting should discuss this case review?" in client.get(url).get_data(
        as_text=True
    )

    response = client.post(url, data={"meeting_id": str(meeting.id)})
    assert response.status_code == 302
    items = meetings.agenda_items(meeting)
    added, last = items[-2:]
    assert len(items) == standing + 1
    assert (added.kind, added.case_review_id) == (AgendaItemKind.CASE_REVIEW, case_review.id)
    assert added.title == f"Case review {case_review.reference}"
    assert last.title == "Any other business"
    db.session.refresh(case_review)
    assert case_review.status == CaseReviewStatus.ON_AGENDA
    page = client.get(response.location).get_data(as_text=True)
    assert "added to the agenda" in page
    assert f'href="/meetings/{meeting.id}"' in page


def test_a_case_is_carried_over_to_a_second_meeting(client, isp, db, case_review):
    first = meetings.meeting_on(isp.panel, days_from_now=-7, status=MeetingStatus.HELD)
    second = meetings.meeting_on(isp.panel, days_from_now=80)
    sign_in(client, isp.coordinator)
    url = f"/case-reviews/{case_review.id}/agenda"
    client.post(url, data={"meeting_id": str(first.id)})
    # The meeting it is already on is no longer offered.
    form = client.get(url).get_data(as_text=True)
    assert f'value="{first.id}"' not in form and f'value="{second.id}"' in form
    client.post(url, data={"meeting_id": str(second.id)})

    page = client.get(f"/case-reviews/{case_review.id}").get_data(as_text=True)
    assert f'href="/meetings/{first.id}"' in page and f'href="/meetings/{second.id}"' in page
    assert "the case was on the agenda of 2 meetings" in page


@pytest.mark.parametrize("status", [MeetingStatus.CANCELLED, MeetingStatus.MINUTES_PUBLISHED])
def test_a_closed_meeting_is_neither_offered_nor_accepted(client, isp, db, case_review, status):
    meeting = meetings.meeting_on(isp.panel, status=status)
    sign_in(client, isp.coordinator)
    url = f"/case-reviews/{case_review.id}/agenda"
    assert f'value="{meeting.id}"' not in client.get(url).get_data(as_text=True)
    response = client.post(url, data={"meeting_id": str(meeting.id)})
    assert response.status_code == 200
    assert "Select a meeting" in response.get_data(as_text=True)
    assert meetings.agenda_items(meeting) == []


def test_the_service_refuses_a_closed_meeting_or_another_panels(app, isp, people, db, case_review):
    cancelled = meetings.meeting_on(isp.panel, status=MeetingStatus.CANCELLED)
    elsewhere = meetings.meeting_on(people.panel)
    with app.test_request_context():
        with pytest.raises(services.CaseReviewRefused, match="scheduled or held"):
            services.place_on_agenda(isp.coordinator, case_review, cancelled)
        # As someone who coordinates both panels, so that it is the agenda's rule that refuses.
        both = meetings.coordinator_of(people.panel)
        factories.membership(isp.panel, both, Role.COORDINATOR)
        with pytest.raises(services.CaseReviewRefused, match="its own panel"):
            services.place_on_agenda(both, case_review, elsewhere)
        scheduled = meetings.meeting_on(isp.panel)
        services.place_on_agenda(isp.coordinator, case_review, scheduled)
        with pytest.raises(services.CaseReviewRefused, match="already on"):
            services.place_on_agenda(isp.coordinator, case_review, scheduled)


def test_no_open_meeting_says_so(client, isp, db, case_review):
    sign_in(client, isp.coordinator)
    page = client.get(f"/case-reviews/{case_review.id}/agenda").get_data(as_text=True)
    assert "There is no scheduled or held meeting" in page
    assert "Schedule a meeting" in page


def test_the_meeting_agenda_links_to_the_case(app, client, isp, db, case_review):
    meeting = meetings.meeting_on(isp.panel)
    with app.test_request_context():
        services.place_on_agenda(isp.coordinator, case_review, meeting)
    sign_in(client, isp.member)
    page = client.get(f"/meetings/{meeting.id}").get_data(as_text=True)
    assert f'href="/case-reviews/{case_review.id}">Case review {case_review.reference}</a>' in page


def test_taking_a_case_off_its_only_agenda_puts_it_back_to_added(client, isp, db, case_review):
    first = meetings.meeting_with_agenda(isp.coordinator, isp.panel)
    second = meetings.meeting_on(isp.panel, days_from_now=30)
    sign_in(client, isp.coordinator)
    for meeting in (first, second):
        client.post(f"/case-reviews/{case_review.id}/agenda", data={"meeting_id": str(meeting.id)})

    def remove_case_item(meeting):
        item = next(i for i in meetings.agenda_items(meeting) if i.case_review_id)
        client.post(f"/meetings/{meeting.id}/agenda/{item.id}/remove")

    remove_case_item(first)
    db.session.refresh(case_review)
    assert case_review.status == CaseReviewStatus.ON_AGENDA  # still on the second meeting
    remove_case_item(second)
    db.session.refresh(case_review)
    assert case_review.status == CaseReviewStatus.ADDED
