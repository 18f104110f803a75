"""Building the agenda from the meeting: case reviews added from the agenda page, several at once,
each with a duration; where any new item goes (before "Any other business"); the panel's default
duration for a case review; and changing a case review's item."""

from __future__ import annotations

import re

import pytest

from panel.cases import services as case_services
from panel.cases.models import CaseReview, CaseReviewStatus
from panel.cases.vocabularies import Rating, Stage, Strand
from panel.core.audit import AuditAction, AuditEvent
from panel.extensions import db as _db
from panel.meetings import queries
from panel.meetings.agenda import services as agenda
from panel.meetings.models import AgendaItem, AgendaItemKind, Meeting, MeetingStatus
from tests.cases import conftest as cases_conftest
from tests.cases import factories as cases
from tests.conftest import PanelPeople, sign_in
from tests.meetings.factories import agenda_items, meeting_on, meeting_with_agenda
from tests.querycount import count_queries

AOB = "Any other business"

# The scrutiny panel, its members having accepted the confidentiality agreement.
isp = cases_conftest.isp


@pytest.fixture
def meeting(isp: PanelPeople) -> Meeting:
    """Scheduled in three weeks at 6pm, with the standing agenda: 5, 15, 15 and 10 minutes."""
    return meeting_with_agenda(isp.coordinator, isp.panel)


def _case(app, people: PanelPeople, **overrides) -> CaseReview:
    with app.test_request_context():
        return cases.case_review(people.coordinator, people.panel, **overrides)


def _titles(meeting: Meeting) -> list[str]:
    _db.session.expire_all()
    return [item.title for item in agenda_items(meeting)]


def _url(meeting: Meeting) -> str:
    return f"/meetings/{meeting.id}/agenda/case-reviews"


def _choose(client, meeting: Meeting, durations: dict[CaseReview, str], **extra):
    """Tick each case review in `durations` and give it that duration."""
    data = {
        "case_review_ids": [str(case.id) for case in durations],
        **{f"duration_{case.id}": minutes for case, minutes in durations.items()},
        **extra,
    }
    return client.post(_url(meeting), data=data)


def _duration_shown(page: str, case_review: CaseReview) -> str | None:
    found = re.search(rf'<input[^>]* name="duration_{case_review.id}"[^>]* value="([^"]*)"', page)
    return found and found.group(1)


def _close(app, people: PanelPeople, case_review: CaseReview) -> None:
    with app.test_request_context():
        findings = {stage: case_services.FindingDetails(Rating.SATISFACTORY) for stage in Stage}
        case_services.record_stage_findings(people.coordinator, case_review, findings, "Fair.")
        case_services.close_case_review(people.coordinator, case_review)


# --- Adding case reviews from the agenda page --------------------------------------------------


def test_case_reviews_from_the_agenda_page_go_before_any_other_business_with_start_times(
    app,
    client,
    isp,
    meeting,
):
    first, second, third = (_case(app, isp) for _ in range(3))
    sign_in(client, isp.coordinator)
    page = client.get(f"/meetings/{meeting.id}/agenda").get_data(as_text=True)
    assert f'href="{_url(meeting)}"' in page and "Add case reviews" in page

    response = _choose(client, meeting, {first: "20", third: "35"})
    assert response.status_code == 302

    assert _titles(meeting) == [
        "Welcome and apologies",
        "Minutes of the last meeting and matters arising",
        "Community tension update",
        f"Case review {first.reference}",
        f"Case review {third.reference}",
        AOB,
    ]
    items = agenda_items(meeting)
    assert [item.duration_minutes for item in items] == [5, 15, 15, 20, 35, 10]
    assert [item.position for item in items] == [1, 2, 3, 4, 5, 6]
    assert items[3].kind == AgendaItemKind.CASE_REVIEW and items[3].case_review_id == first.id
    assert None not in agenda.start_times(meeting, items)
    _db.session.expire_all()
    assert first.status == third.status == CaseReviewStatus.ON_AGENDA
    assert second.status == CaseReviewStatus.ADDED

    page = client.get(response.location).get_data(as_text=True)
    assert "2 case reviews added to the agenda before “Any other business”." in page
    # 6pm + 5 + 15 + 15 = 6:35pm; + 20 = 6:55pm; + 35 = 7:30pm.
    starts = re.findall(
        r'<td class="govuk-table__cell"[^>]*>([^<]*)</td>\s*<td[^>]*>\s*<strong>', page
    )
    assert starts == ["6pm", "6:05pm", "6:20pm", "6:35pm", "6:55pm", "7:30pm"]


def test_adding_several_is_one_change_audited_per_item(app, client, isp, meeting):
    chosen = [_case(app, isp) for _ in range(3)]
    sign_in(client, isp.chair)
    _choose(client, meeting, dict.fromkeys(chosen, "15"))

    created = _db.session.scalars(
        _db.select(AuditEvent).where(
            AuditEvent.object_type == "agenda_item", AuditEvent.action == AuditAction.CREATE
        )
    ).all()
    assert sorted(event.changes["title"] for event in created) == sorted(
        f"Case review {case.reference}" for case in chosen
    )
    assert {event.actor_id for event in created} == {isp.chair.id}
    assert all(event.changes["duration_minutes"] == 15 for event in created)
    moved = _db.session.scalars(
        _db.select(AuditEvent).where(
            AuditEvent.object_type == "case_review", AuditEvent.action == AuditAction.UPDATE
        )
    ).all()
    assert sorted(event.object_id for event in moved) == sorted(case.id for case in chosen)


def test_the_list_offers_only_case_reviews_ready_for_this_meeting(
    app,
    client,
    isp,
    people,
    meeting,
):
    ready = _case(app, isp)
    closed = _case(app, isp)
    _close(app, isp, closed)
    on_another = _case(app, isp)
    on_this = _case(app, isp)
    carried_over = _case(app, isp)
    other_panel = _case(app, people)
    later = meeting_on(isp.panel, days_from_now=60)
    held = meeting_on(isp.panel, days_from_now=-14, status=MeetingStatus.HELD)
    with app.test_request_context():
        case_services.place_on_agenda(isp.coordinator, on_another, later)
        case_services.place_on_agenda(isp.coordinator, on_this, meeting)
        case_services.place_on_agenda(isp.coordinator, carried_over, held)

    sign_in(client, isp.coordinator)
    page = client.get(_url(meeting)).get_data(as_text=True)
    assert ready.reference in page
    # Discussed at a meeting already held, and not finished: it may be carried over.
    assert carried_over.reference in page
    for absent in (closed, on_another, on_this, other_panel):
        assert f'value="{absent.id}"' not in page
    assert "Which case reviews should this meeting discuss?" in page

    # Nor is a case that is not offered accepted.
    response = _choose(client, meeting, {closed: "20", on_another: "20"})
    assert response.status_code == 200
    assert "Select case reviews from the list: one you selected is no longer ready" in (
        response.get_data(as_text=True)
    )


def test_the_list_runs_as_many_queries_for_30_case_reviews_as_for_3(app, client, isp, meeting):
    for _ in range(3):
        _case(app, isp)
    sign_in(client, isp.coordinator)

    def count() -> int:
        with count_queries() as statements:
            assert client.get(_url(meeting)).status_code == 200
        return len(statements)

    few = count()
    for _ in range(27):
        _case(app, isp, strands=[Strand.RACE, Strand.RELIGION])
    assert count() == few


def test_nothing_ready_says_so(client, isp, meeting):
    sign_in(client, isp.coordinator)
    page = client.get(_url(meeting)).get_data(as_text=True)
    assert "No case reviews are ready for this meeting" in page


def test_a_long_list_shows_the_longest_waiting_and_says_how_many_more(
    app,
    client,
    isp,
    meeting,
    monkeypatch,
):
    monkeypatch.setattr(queries, "READY_CASE_REVIEWS_SHOWN", 3)
    waiting = [_case(app, isp) for _ in range(5)]
    sign_in(client, isp.coordinator)
    page = client.get(_url(meeting)).get_data(as_text=True)
    assert all(f'value="{case.id}"' in page for case in waiting[:3])
    assert all(f'value="{case.id}"' not in page for case in waiting[3:])
    assert "2 more case reviews are ready" in page


def test_the_duration_starts_at_the_panels_default(app, client, isp, meeting):
    case_review = _case(app, isp)
    sign_in(client, isp.coordinator)
    page = client.get(_url(meeting)).get_data(as_text=True)
    assert _duration_shown(page, case_review) == "20"

    settings = client.get(f"/panels/{isp.panel.id}/settings").get_data(as_text=True)
    change = f"/panels/{isp.panel.id}/settings/case-review-duration"
    assert "20 minutes, unless changed when the case review is added" in settings
    assert f'href="{change}"' in settings
    form = client.get(change).get_data(as_text=True)
    assert "How long is a case review on the agenda, unless you say otherwise?" in form
    response = client.post(change, data={"minutes": "45"})
    assert response.location == f"/panels/{isp.panel.id}/settings"
    assert "Case reviews added to an agenda now start with 45 minutes each." in client.get(
        response.location
    ).get_data(as_text=True)
    _db.session.expire_all()
    assert isp.panel.default_case_review_minutes == 45
    event = _db.session.scalars(
        _db.select(AuditEvent)
        .where(AuditEvent.object_type == "panel", AuditEvent.action == AuditAction.UPDATE)
        .order_by(AuditEvent.id.desc())
    ).first()
    assert event.changes == {"default_case_review_minutes": [20, 45]}

    page = client.get(_url(meeting)).get_data(as_text=True)
    assert _duration_shown(page, case_review) == "45"


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("", "Enter how long a case review is on the agenda, in minutes"),
        ("twenty", "Enter the duration in minutes as a whole number, for example 20"),
        ("0", "Duration must be between 1 and 240 minutes"),
    ],
)
def test_a_bad_default_duration_is_named_beside_the_field(client, isp, value, message):
    sign_in(client, isp.coordinator)
    response = client.post(
        f"/panels/{isp.panel.id}/settings/case-review-duration", data={"minutes": value}
    )
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "There is a problem" in page and page.count(message) == 2
    _db.session.expire_all()
    assert isp.panel.default_case_review_minutes == 20


def test_only_organisers_set_the_time_for_a_case_review(client, isp):
    sign_in(client, isp.member)
    change = f"/panels/{isp.panel.id}/settings/case-review-duration"
    assert client.get(change).status_code == 403
    assert client.post(change, data={"minutes": "5"}).status_code == 403


@pytest.mark.parametrize(
    ("durations", "message"),
    [
        ({}, "Select at least one case review"),
        ({0: ""}, "Enter the duration of case review {reference} in minutes, as a whole number"),
        (
            {0: "half an hour"},
            "Enter the duration of case review {reference} in minutes, as a whole number",
        ),
        ({0: "2.5"}, "Enter the duration of case review {reference} in minutes, as a whole number"),
        ({0: "0"}, "The duration of case review {reference} must be between 1 and 240 minutes"),
        ({0: "241"}, "The duration of case review {reference} must be between 1 and 240 minutes"),
    ],
)
def test_bad_input_is_named_in_the_error_summary_and_nothing_is_added(
    app,
    client,
    isp,
    meeting,
    durations,
    message,
):
    chosen = [_case(app, isp), _case(app, isp)]
    before = _titles(meeting)
    sign_in(client, isp.coordinator)
    # The second is ticked with a good duration: nothing is added while the first is wrong.
    ticked = {chosen[0]: durations[0], chosen[1]: "20"} if durations else {}
    response = _choose(client, meeting, ticked)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    expected = message.format(reference=chosen[0].reference)
    assert "There is a problem" in page and page.count(expected) == 2
    assert _titles(meeting) == before


def test_a_duration_left_wrong_on_an_unticked_case_is_ignored(app, client, isp, meeting):
    ticked, unticked = _case(app, isp), _case(app, isp)
    sign_in(client, isp.coordinator)
    response = _choose(client, meeting, {ticked: "25"}, **{f"duration_{unticked.id}": "x"})
    assert response.status_code == 302
    assert f"Case review {ticked.reference}" in _titles(meeting)


def test_a_meeting_whose_agenda_is_closed_offers_nothing(app, client, isp):
    case_review = _case(app, isp)
    published = meeting_on(isp.panel, days_from_now=-30, status=MeetingStatus.MINUTES_PUBLISHED)
    sign_in(client, isp.coordinator)
    response = client.get(_url(published))
    assert response.status_code == 302
    page = client.get(response.location).get_data(as_text=True)
    assert "The agenda can only be changed while the meeting is scheduled or held." in page
    response = _choose(client, published, {case_review: "20"})
    assert response.status_code == 302
    assert agenda_items(published) == []


def test_only_organisers_may_add_case_reviews(app, client, isp, meeting):
    case_review = _case(app, isp)
    sign_in(client, isp.member)
    assert client.get(_url(meeting)).status_code == 403
    assert _choose(client, meeting, {case_review: "20"}).status_code == 403
    assert f"Case review {case_review.reference}" not in _titles(meeting)


def test_the_service_refuses_a_case_not_ready_and_adds_none(app, isp, people, meeting):
    ready, closed, elsewhere = _case(app, isp), _case(app, isp), _case(app, people)
    _close(app, isp, closed)
    before = _titles(meeting)
    with app.test_request_context():
        for case_review, refusal in [
            (closed, "closed"),
            (elsewhere, "its own panel"),
        ]:
            with pytest.raises(agenda.AgendaRefused, match=refusal):
                agenda.add_case_reviews(isp.coordinator, meeting, [(ready, 20), (case_review, 20)])
            assert _titles(meeting) == before
        agenda.add_case_reviews(isp.coordinator, meeting, [(ready, 20)])
        with pytest.raises(agenda.AgendaRefused, match="already on"):
            agenda.add_case_reviews(isp.coordinator, meeting, [(ready, 20)])


# --- Where a new item goes: one rule for every path --------------------------------------------


def test_a_case_put_on_the_agenda_from_its_own_page_also_goes_before_any_other_business(
    app,
    client,
    isp,
    meeting,
):
    case_review = _case(app, isp)
    sign_in(client, isp.coordinator)
    client.post(f"/case-reviews/{case_review.id}/agenda", data={"meeting_id": str(meeting.id)})
    items = agenda_items(meeting)
    assert [item.title for item in items][-2:] == [f"Case review {case_review.reference}", AOB]
    # With the panel's default duration, so that the items after it keep their start times.
    assert items[-2].duration_minutes == 20
    assert None not in agenda.start_times(meeting, items)


def test_a_free_item_also_goes_before_any_other_business(client, isp, meeting):
    sign_in(client, isp.coordinator)
    client.post(
        f"/meetings/{meeting.id}/agenda/new",
        data={"title": "Third-party reporting centres", "presenter": ""},
    )
    assert _titles(meeting)[-2:] == ["Third-party reporting centres", AOB]


def _item(title: str, kind=AgendaItemKind.STANDING, position: int = 0) -> AgendaItem:
    return AgendaItem(title=title, kind=kind, position=position)


@pytest.mark.parametrize(
    ("titles", "expected"),
    [
        # Any other business is last: the new item goes just before it.
        (["Welcome", "Community tension update", AOB], 3),
        (["Welcome", "AOB"], 2),
        (["Welcome", "any other business"], 2),
        # Standing items after it close the meeting too ("Date of next meeting").
        (["Welcome", AOB, "Date of next meeting"], 2),
        # No such item: at the end.
        (["Welcome", "Community tension update"], 3),
        ([], 1),
    ],
)
def test_a_new_item_goes_before_any_other_business(titles, expected):
    items = [_item(title, position=n) for n, title in enumerate(titles, start=1)]
    assert agenda.position_for_new_item(items) == expected


def test_any_other_business_moved_up_on_purpose_is_left_where_it_is():
    """The coordinator moved Any other business above an item of the meeting's own: new items go
    at the end, after what they arranged."""
    items = [
        _item("Welcome", position=1),
        _item(AOB, position=2),
        _item("Prevent update", AgendaItemKind.FREE, position=3),
    ]
    assert agenda.position_for_new_item(items) == 4


def test_a_new_item_before_any_other_business_moves_it_down(app, isp, meeting):
    with app.test_request_context():
        agenda.add_item(isp.coordinator, meeting, agenda.ItemDetails("Prevent update", 10))
    items = agenda_items(meeting)
    assert [item.position for item in items] == [1, 2, 3, 4, 5]
    assert [item.title for item in items][-2:] == ["Prevent update", AOB]


# --- Changing a case review's item -------------------------------------------------------------


def test_a_case_review_item_can_be_changed_and_keeps_its_title(app, client, isp, meeting):
    case_review = _case(app, isp)
    title = f"Case review {case_review.reference}"  # e.g. "Case review ISP-2026-001"
    assert case_review.reference.startswith("ISP-")
    with app.test_request_context():
        (item,) = agenda.add_case_reviews(isp.coordinator, meeting, [(case_review, 20)])
    sign_in(client, isp.coordinator)
    edit = f"/meetings/{meeting.id}/agenda/{item.id}/edit"
    form = client.get(edit).get_data(as_text=True)
    # The title is the case's reference, shown, not a field to change.
    assert title in form
    assert 'name="title"' not in form

    response = client.post(edit, data={"presenter": "", "duration_minutes": "35"})
    assert response.status_code == 302, response.get_data(as_text=True)
    _db.session.expire_all()
    assert (item.title, item.duration_minutes) == (title, 35)
    assert f"“{title}” updated." in client.get(response.location).get_data(as_text=True)
    event = _db.session.scalars(
        _db.select(AuditEvent).where(
            AuditEvent.object_type == "agenda_item", AuditEvent.action == AuditAction.UPDATE
        )
    ).one()
    assert event.changes == {"duration_minutes": [20, 35]}

    # A title sent anyway is not taken.
    client.post(edit, data={"title": "Renamed", "presenter": "", "duration_minutes": "35"})
    _db.session.expire_all()
    assert item.title == title


def test_a_case_review_item_can_be_given_a_presenter(app, client, isp, meeting):
    case_review = _case(app, isp)
    with app.test_request_context():
        (item,) = agenda.add_case_reviews(isp.coordinator, meeting, [(case_review, 20)])
    sign_in(client, isp.coordinator)
    client.post(
        f"/meetings/{meeting.id}/agenda/{item.id}/edit",
        data={"presenter": f"user-{isp.chair.id}", "duration_minutes": "20"},
    )
    _db.session.expire_all()
    assert item.presenter_user_id == isp.chair.id


def test_the_item_form_for_another_item_still_asks_for_a_title(client, isp, meeting):
    item = agenda_items(meeting)[2]
    sign_in(client, isp.coordinator)
    form = client.get(f"/meetings/{meeting.id}/agenda/{item.id}/edit").get_data(as_text=True)
    assert 'name="title"' in form
