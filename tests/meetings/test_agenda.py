"""The agenda: adding, changing, removing and reordering items; the panel's standing items; the
printable agenda; who may do what; and pages that do not query once per item."""

from datetime import timedelta
from types import SimpleNamespace

import pytest

from panel.core.audit import AuditAction, AuditEvent
from panel.extensions import db as _db
from panel.meetings.agenda import services as agenda
from panel.meetings.models import (
    AgendaItem,
    AgendaItemKind,
    AgendaTemplateItem,
    InterestDeclaration,
    Meeting,
    MeetingStatus,
)
from panel.panels.models import Role
from tests import factories
from tests.conftest import sign_in
from tests.meetings.factories import agenda_items as _items
from tests.meetings.factories import coordinator_of, meeting_with_agenda
from tests.querycount import count_queries

STANDING = [
    "Welcome and apologies",
    "Minutes of the last meeting and matters arising",
    "Community tension update",
    "Any other business",
]


def _meeting(people, status: MeetingStatus = MeetingStatus.SCHEDULED) -> Meeting:
    return meeting_with_agenda(people.coordinator, people.panel, status=status)


def _titles(meeting: Meeting) -> list[str]:
    _db.session.expire_all()
    return [item.title for item in _items(meeting)]


def _positions(meeting: Meeting) -> list[int]:
    return [item.position for item in _items(meeting)]


def _events(action: AuditAction, object_type: str) -> list[AuditEvent]:
    return list(
        _db.session.scalars(
            _db.select(AuditEvent)
            .where(AuditEvent.action == action, AuditEvent.object_type == object_type)
            .order_by(AuditEvent.id)
        )
    )


def _add(client, meeting, **data):
    form = {"title": "Hate incidents at Foleshill schools", "presenter": "", **data}
    return client.post(f"/meetings/{meeting.id}/agenda/new", data=form)


# --- Adding, changing, removing, reordering ----------------------------------------------------


def test_coordinator_adds_an_item_with_a_presenter_before_any_other_business(client, people):
    meeting = _meeting(people)
    sign_in(client, people.coordinator)
    response = _add(client, meeting, presenter=f"user-{people.member.id}", duration_minutes="20")
    assert response.status_code == 302
    page = client.get(response.location).get_data(as_text=True)
    assert (
        "“Hate incidents at Foleshill schools” added to the agenda before “Any other business”."
        in page
    )
    assert "Grace Mensah, Coventry Homes Partnership" in page
    item, last = _items(meeting)[-2:]
    assert (item.position, item.kind, item.duration_minutes) == (4, AgendaItemKind.FREE, 20)
    assert (last.title, last.position) == ("Any other business", 5)
    assert item.presenter_user_id == people.member.id
    (event,) = _events(AuditAction.CREATE, "agenda_item")
    assert event.actor_id == people.coordinator.id
    assert event.changes["presenter"] == "Grace Mensah, Coventry Homes Partnership"


def test_an_organisation_on_the_panel_can_present(client, people):
    meeting = _meeting(people)
    housing = people.member.organisation
    sign_in(client, people.chair)
    _add(client, meeting, presenter=f"organisation-{housing.id}")
    item = _items(meeting)[-2]
    assert item.presenter_organisation_id == housing.id and item.presenter_user_id is None
    page = client.get(f"/meetings/{meeting.id}").get_data(as_text=True)
    assert "Coventry Homes Partnership" in page


def test_editing_an_item_records_what_changed_by_name(client, people):
    meeting = _meeting(people)
    item = _items(meeting)[2]
    sign_in(client, people.coordinator)
    edit = f"/meetings/{meeting.id}/agenda/{item.id}/edit"
    assert "Community tension update" in client.get(edit).get_data(as_text=True)
    response = client.post(
        edit,
        data={
            "title": "Community tension and cohesion update",
            "presenter": f"user-{people.chair.id}",
            "duration_minutes": "25",
        },
    )
    assert response.status_code == 302
    _db.session.expire_all()
    assert (item.title, item.duration_minutes) == ("Community tension and cohesion update", 25)
    (event,) = _events(AuditAction.UPDATE, "agenda_item")
    # The title is typed in: the trail says it changed, not what it says (issue 18, finding 7).
    assert event.changes == {
        "title": ["(hidden)", "(changed)"],
        "duration_minutes": [15, 25],
        "presenter": [None, "Claire Doyle, West Midlands Police, Coventry NPU"],
    }


def test_a_presenter_who_left_the_panel_stays_on_their_item(client, people, db):
    meeting = _meeting(people)
    item = _items(meeting)[2]
    agenda.edit_item(
        people.coordinator, item, agenda.ItemDetails(item.title, 15, presenter_user=people.member)
    )
    db.session.delete(people.member.memberships[0])
    db.session.commit()
    sign_in(client, people.coordinator)
    response = client.post(
        f"/meetings/{meeting.id}/agenda/{item.id}/edit",
        data={"title": "Tension update", "presenter": f"user-{people.member.id}"},
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert (item.title, item.presenter_user_id) == ("Tension update", people.member.id)


def test_removing_an_item_keeps_positions_contiguous(client, people):
    meeting = _meeting(people)
    second = _items(meeting)[1]
    sign_in(client, people.coordinator)
    remove = f"/meetings/{meeting.id}/agenda/{second.id}/remove"
    assert "Are you sure you want to remove" in client.get(remove).get_data(as_text=True)
    response = client.post(remove)
    assert response.status_code == 302
    assert "removed from the agenda" in client.get(response.location).get_data(as_text=True)
    assert _titles(meeting) == [STANDING[0], STANDING[2], STANDING[3]]
    assert _positions(meeting) == [1, 2, 3]
    (removed,) = _events(AuditAction.DELETE, "agenda_item")
    assert removed.changes["title"] == "(hidden)"
    assert removed.object_label.startswith("Agenda item 2 of the ")


def test_moving_items_up_and_down_swaps_neighbours(client, people):
    meeting = _meeting(people)
    first, _, third, last = _items(meeting)
    sign_in(client, people.coordinator)
    response = client.post(f"/meetings/{meeting.id}/agenda/{third.id}/move-up")
    assert response.status_code == 302
    assert response.location.endswith(f"/meetings/{meeting.id}/agenda#item-{third.id}")
    assert _titles(meeting) == [STANDING[0], STANDING[2], STANDING[1], STANDING[3]]
    client.post(f"/meetings/{meeting.id}/agenda/{first.id}/move-down")
    assert _titles(meeting) == [STANDING[2], STANDING[0], STANDING[1], STANDING[3]]
    # Already at the top or the bottom: nothing changes, nothing is recorded.
    client.post(f"/meetings/{meeting.id}/agenda/{third.id}/move-up")
    client.post(f"/meetings/{meeting.id}/agenda/{last.id}/move-down")
    assert _titles(meeting) == [STANDING[2], STANDING[0], STANDING[1], STANDING[3]]
    assert _positions(meeting) == [1, 2, 3, 4]
    assert len(_events(AuditAction.UPDATE, "agenda_item")) == 2


def test_move_is_post_only(client, people):
    meeting = _meeting(people)
    item = _items(meeting)[1]
    sign_in(client, people.coordinator)
    assert client.get(f"/meetings/{meeting.id}/agenda/{item.id}/move-up").status_code == 405
    assert client.post(f"/meetings/{meeting.id}/agenda/{item.id}/move-sideways").status_code == 404


def test_moving_closes_gaps_left_in_positions(people, db):
    meeting = _meeting(people)
    items = _items(meeting)
    for item, position in zip(items, [2, 5, 5, 9], strict=True):
        item.position = position
    db.session.commit()
    agenda.move_item(people.coordinator, items[3], agenda.UP)
    assert _titles(meeting) == [STANDING[0], STANDING[1], STANDING[3], STANDING[2]]
    assert _positions(meeting) == [1, 2, 3, 4]


def test_adding_to_an_empty_agenda_starts_at_one(people, db):
    meeting = _meeting(people)
    for item in _items(meeting):
        agenda.remove_item(people.coordinator, item)
    item = agenda.add_item(people.coordinator, meeting, agenda.ItemDetails("Welcome"))
    assert item.position == 1


@pytest.mark.parametrize(
    "status",
    [MeetingStatus.CANCELLED, MeetingStatus.MINUTES_DRAFTED, MeetingStatus.MINUTES_PUBLISHED],
)
def test_agenda_cannot_change_once_the_meeting_is_past_held(client, people, status):
    meeting = _meeting(people, status)
    item = _items(meeting)[1]
    sign_in(client, people.coordinator)
    base = f"/meetings/{meeting.id}/agenda"
    attempts = [
        client.post(f"{base}/new", data={"title": "Late item"}, follow_redirects=True),
        client.post(f"{base}/{item.id}/edit", data={"title": "Renamed"}, follow_redirects=True),
        client.post(f"{base}/{item.id}/remove", follow_redirects=True),
        client.post(f"{base}/{item.id}/move-up", follow_redirects=True),
    ]
    for response in attempts:
        page = response.get_data(as_text=True)
        assert response.status_code == 200
        assert "The agenda can only be changed while the meeting is scheduled or held" in page
        assert status.label.lower() in page
    assert _titles(meeting) == STANDING
    page = client.get(base).get_data(as_text=True)
    assert "Add an item" not in page and "Move up" not in page


def test_agenda_of_a_held_meeting_can_still_change(client, people):
    meeting = _meeting(people, MeetingStatus.HELD)
    sign_in(client, people.coordinator)
    assert _add(client, meeting).status_code == 302
    assert len(_items(meeting)) == 5


# --- Presenters ----------------------------------------------------------------------------------


def test_presenter_from_another_panel_is_refused(client, people, db):
    other_panel = factories.panel("Dudley Hate Crime Panel")
    stranger = factories.user(full_name="Nadia Rahman")
    factories.membership(other_panel, stranger, Role.MEMBER)
    meeting = _meeting(people)
    sign_in(client, people.coordinator)
    for presenter in (f"user-{stranger.id}", f"organisation-{stranger.organisation.id}"):
        response = _add(client, meeting, presenter=presenter)
        assert response.status_code == 200
        assert "Select a presenter from the list" in response.get_data(as_text=True)
    assert len(_items(meeting)) == 4
    with pytest.raises(agenda.AgendaRefused, match="must be a member of the panel"):
        agenda.add_item(
            people.coordinator, meeting, agenda.ItemDetails("Item", presenter_user=stranger)
        )
    with pytest.raises(agenda.AgendaRefused, match="must have a member on the panel"):
        agenda.add_item(
            people.coordinator,
            meeting,
            agenda.ItemDetails("Item", presenter_organisation=stranger.organisation),
        )


def test_presenter_choices_are_the_panels_members_and_their_organisations(client, people):
    meeting = _meeting(people)
    sign_in(client, people.coordinator)
    page = client.get(f"/meetings/{meeting.id}/agenda/new").get_data(as_text=True)
    assert "Grace Mensah (Coventry Homes Partnership)" in page
    assert "Coventry Homes Partnership (organisation)" in page
    # Readers do not see meetings, so they do not present at them.
    assert "Tom Whitfield" not in page and "Coventry Community Voices" not in page
    assert "Nina Patel" not in page


# --- Bad input -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"title": ""}, "Enter the item title"),
        ({"title": "   "}, "Enter the item title"),
        ({"title": "x" * 10_000}, "Title must be 200 characters or fewer"),
        ({"duration_minutes": "0"}, "Duration must be between 1 and 240 minutes"),
        ({"duration_minutes": "999"}, "Duration must be between 1 and 240 minutes"),
        ({"duration_minutes": "-5"}, "Duration must be between 1 and 240 minutes"),
        ({"duration_minutes": "abc"}, "Duration must be between 1 and 240 minutes"),
        ({"duration_minutes": "1" * 5000}, "Duration must be between 1 and 240 minutes"),
        ({"presenter": "user-999999"}, "Select a presenter from the list"),
        ({"presenter": "organisation-abc"}, "Select a presenter from the list"),
        ({"presenter": "nonsense"}, "Select a presenter from the list"),
    ],
)
def test_bad_input_is_named_in_the_error_summary(client, people, data, message):
    meeting = _meeting(people)
    sign_in(client, people.coordinator)
    for path in (
        f"/meetings/{meeting.id}/agenda/new",
        f"/meetings/{meeting.id}/agenda/{_items(meeting)[0].id}/edit",
    ):
        response = client.post(path, data={"title": "Prevent update", **data})
        page = response.get_data(as_text=True)
        assert response.status_code == 200
        assert "There is a problem" in page
        assert message in page
    assert _titles(meeting) == STANDING


def test_an_empty_duration_is_no_duration(client, people):
    meeting = _meeting(people)
    sign_in(client, people.coordinator)
    assert _add(client, meeting, duration_minutes="").status_code == 302
    assert _items(meeting)[-2].duration_minutes is None


# --- Who may do what -----------------------------------------------------------------------------


def test_member_cannot_change_the_agenda_but_reader_cannot_even_see_it(client, people):
    meeting = _meeting(people)
    item = _items(meeting)[1]
    base = f"/meetings/{meeting.id}/agenda"
    sign_in(client, people.member)
    assert client.get(base).status_code == 403
    assert client.get(f"{base}/new").status_code == 403
    assert client.post(f"{base}/new", data={"title": "Mine"}).status_code == 403
    assert client.post(f"{base}/{item.id}/edit", data={"title": "Mine"}).status_code == 403
    assert client.post(f"{base}/{item.id}/remove").status_code == 403
    assert client.post(f"{base}/{item.id}/move-up").status_code == 403
    assert client.get(f"/panels/{people.panel.id}/agenda-template").status_code == 403
    assert client.get(f"{base}/print").status_code == 200
    page = client.get(f"/meetings/{meeting.id}").get_data(as_text=True)
    assert "Manage the agenda" not in page and "Declare an interest" in page
    client.post("/sign-out")
    sign_in(client, people.reader)
    assert client.get(f"{base}/print").status_code == 404
    assert client.get(base).status_code == 404
    assert _titles(meeting) == STANDING


def test_another_panels_agenda_item_is_404(client, people):
    mine = _meeting(people)
    other_panel = factories.panel("Dudley Hate Crime Panel")
    # Scheduled by the other panel's coordinator: ours may not manage its meetings.
    theirs = meeting_with_agenda(coordinator_of(other_panel), other_panel)
    their_item = _items(theirs)[0]
    sign_in(client, people.coordinator)
    base = f"/meetings/{mine.id}/agenda/{their_item.id}"
    assert client.get(f"{base}/edit").status_code == 404
    assert client.post(f"{base}/edit", data={"title": "Mine now"}).status_code == 404
    assert client.post(f"{base}/remove").status_code == 404
    assert client.post(f"{base}/move-down").status_code == 404
    assert client.get(f"/meetings/{mine.id}/agenda/999999/edit").status_code == 404
    assert client.get(f"/meetings/{theirs.id}/agenda").status_code == 404
    assert client.get(f"/meetings/{theirs.id}/agenda/print").status_code == 404
    assert _titles(theirs) == STANDING


# --- The meeting page and the printable agenda -------------------------------------------------


def test_meeting_page_shows_the_agenda_with_running_times(client, people):
    meeting = _meeting(people)
    agenda.add_item(
        people.coordinator,
        meeting,
        agenda.ItemDetails("Prevent update", 20, presenter_user=people.member),
    )
    sign_in(client, people.chair)
    page = client.get(f"/meetings/{meeting.id}").get_data(as_text=True)
    assert "Manage the agenda" in page and "Printable agenda" in page
    # 6pm + 5 + 15 + 15 minutes; the new item, then Any other business.
    for start, minutes in [("6pm", 5), ("6:05pm", 15), ("6:20pm", 15), ("6:35pm", 20)]:
        assert f">{start}, {minutes} minutes<" in page
    assert ">6:55pm, 10 minutes<" in page
    assert "Presented by Grace Mensah, Coventry Homes Partnership" in page


def test_times_are_unknown_after_an_item_without_a_duration(people):
    meeting = _meeting(people)
    items = _items(meeting)
    items[1].duration_minutes = None
    times = agenda.start_times(meeting, items)
    assert times[:2] == [meeting.starts_at, meeting.starts_at + timedelta(minutes=5)]
    assert times[2:] == [None, None]


def test_printable_agenda_has_the_marking_and_no_navigation(client, people):
    meeting = _meeting(people)
    agenda.add_item(
        people.coordinator,
        meeting,
        agenda.ItemDetails("Prevent update", 20, presenter_organisation=people.chair.organisation),
    )
    sign_in(client, people.member)
    page = client.get(f"/meetings/{meeting.id}/agenda/print").get_data(as_text=True)
    assert page.count("OFFICIAL-SENSITIVE") == 2
    assert page.index("OFFICIAL-SENSITIVE") < page.index("Welcome and apologies")
    assert page.rindex("OFFICIAL-SENSITIVE") > page.index("Prevent update")
    assert "Coventry Hate Crime Panel" in page and "Coventry Council House" in page
    assert "West Midlands Police, Coventry NPU" in page and "6:35pm" in page
    assert "govuk-service-navigation" not in page and "Sign out" not in page
    assert "<caption" in page


# --- The panel's standing items ------------------------------------------------------------------


def _standing_titles(panel) -> list[str]:
    _db.session.expire_all()
    return list(
        _db.session.scalars(
            _db.select(AgendaTemplateItem.title)
            .where(AgendaTemplateItem.panel_id == panel.id)
            .order_by(AgendaTemplateItem.position)
        )
    )


def _standing(panel) -> list[AgendaTemplateItem]:
    return list(
        _db.session.scalars(
            _db.select(AgendaTemplateItem)
            .where(AgendaTemplateItem.panel_id == panel.id)
            .order_by(AgendaTemplateItem.position)
        )
    )


def test_standing_item_changes_apply_only_to_meetings_scheduled_afterwards(client, people):
    before = _meeting(people)
    sign_in(client, people.coordinator)
    base = f"/panels/{people.panel.id}/agenda-template"
    assert "Community tension update" in client.get(base).get_data(as_text=True)
    response = client.post(
        f"{base}/new", data={"title": "Prevent update", "duration_minutes": "10"}
    )
    assert response.status_code == 302
    welcome, matters, tension, aob, prevent = _standing(people.panel)
    client.post(f"{base}/{tension.id}/edit", data={"title": "Community cohesion update"})
    client.post(f"{base}/{prevent.id}/move-up")
    client.post(f"{base}/{welcome.id}/remove")
    expected = [
        "Minutes of the last meeting and matters arising",
        "Community cohesion update",
        "Prevent update",
        "Any other business",
    ]
    assert _standing_titles(people.panel) == expected
    assert [item.position for item in _standing(people.panel)] == [1, 2, 3, 4]
    after = _meeting(people)
    assert _titles(before) == STANDING
    assert _titles(after) == expected
    assert _items(after)[2].duration_minutes == 10


def test_standing_items_page_saves_the_defaults_once(client, people):
    sign_in(client, people.coordinator)
    for _ in range(2):
        page = client.get(f"/panels/{people.panel.id}/agenda-template").get_data(as_text=True)
        assert "Any other business" in page
    assert _standing_titles(people.panel) == STANDING
    assert len(_events(AuditAction.CREATE, "panel")) == 1


def test_the_last_standing_item_cannot_be_removed(client, people):
    sign_in(client, people.coordinator)
    base = f"/panels/{people.panel.id}/agenda-template"
    client.get(base)
    *others, last = _standing(people.panel)
    for item in others:
        assert client.post(f"{base}/{item.id}/remove").status_code == 302
    response = client.post(f"{base}/{last.id}/remove", follow_redirects=True)
    assert "The last standing item cannot be removed" in response.get_data(as_text=True)
    assert _standing_titles(people.panel) == ["Any other business"]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"title": ""}, "Enter the item title"),
        ({"title": "x" * 10_000}, "Title must be 200 characters or fewer"),
        ({"duration_minutes": "0"}, "Duration must be between 1 and 240 minutes"),
        ({"duration_minutes": "abc"}, "Duration must be between 1 and 240 minutes"),
    ],
)
def test_bad_standing_item_is_named_in_the_error_summary(client, people, data, message):
    sign_in(client, people.coordinator)
    response = client.post(
        f"/panels/{people.panel.id}/agenda-template/new", data={"title": "Prevent", **data}
    )
    assert response.status_code == 200
    assert "There is a problem" in response.get_data(as_text=True)
    assert message in response.get_data(as_text=True)


def test_another_panels_standing_item_is_404(client, people):
    other_panel = factories.panel("Dudley Hate Crime Panel")
    # Saved by the other panel's coordinator: ours may not manage its standing items.
    theirs = agenda.standing_items(coordinator_of(other_panel), other_panel)[0]
    sign_in(client, people.coordinator)
    base = f"/panels/{people.panel.id}/agenda-template/{theirs.id}"
    assert client.get(f"{base}/edit").status_code == 404
    assert client.post(f"{base}/remove").status_code == 404
    assert client.post(f"{base}/move-down").status_code == 404
    assert client.get(f"/panels/{other_panel.id}/agenda-template").status_code == 404


def test_meetings_list_links_to_standing_items_for_organisers_only(client, people):
    sign_in(client, people.coordinator)
    link = f'href="/panels/{people.panel.id}/agenda-template"'
    assert link in client.get(f"/panels/{people.panel.id}/meetings").get_data(as_text=True)
    client.post("/sign-out")
    sign_in(client, people.member)
    assert link not in client.get(f"/panels/{people.panel.id}/meetings").get_data(as_text=True)


# --- Queries -------------------------------------------------------------------------------------


def _fill(people, meeting, how_many):
    """Items up to `how_many`, each with a presenter and two declarations of interest."""
    others = [factories.user() for _ in range(2)]
    for person in others:
        factories.membership(people.panel, person, Role.MEMBER)
    while len(meeting.agenda_items) < how_many:
        n = len(meeting.agenda_items)
        meeting.agenda_items.append(
            AgendaItem(
                position=n + 1,
                kind=AgendaItemKind.FREE,
                title=f"Item {n + 1}",
                duration_minutes=10,
                presenter_user=others[n % 2],
            )
        )
    _db.session.flush()
    for n, item in enumerate(meeting.agenda_items):
        if item.presenter is None:
            if n % 2:
                item.presenter_organisation = others[0].organisation
            else:
                item.presenter_user = others[1]
        for person in others:
            if not any(d.user_id == person.id for d in item.declarations):
                item.declarations.append(InterestDeclaration(user=person, reason="Supports them"))
    _db.session.commit()


def test_agenda_pages_run_as_many_queries_for_40_items_as_for_4(client, people):
    meeting = _meeting(people)
    _fill(people, meeting, 4)
    sign_in(client, people.coordinator)
    paths = [
        f"/meetings/{meeting.id}",
        f"/meetings/{meeting.id}/agenda",
        f"/meetings/{meeting.id}/agenda/print",
    ]

    def counts():
        found = []
        for path in paths:
            with count_queries() as queries:
                assert client.get(path).status_code == 200
            found.append(len(queries))
        return found

    few = counts()
    _fill(people, meeting, 40)
    many = counts()
    assert "Item 40" in client.get(paths[0]).get_data(as_text=True)
    assert many == few


def _agenda(*titles: str):
    """Items of one meeting's agenda, by title, in order (not stored: the message reads them)."""
    meeting = SimpleNamespace(agenda_items=[])
    for position, title in enumerate(titles, start=1):
        meeting.agenda_items.append(
            SimpleNamespace(title=title, position=position, meeting=meeting)
        )
    return meeting.agenda_items


def test_the_message_says_where_a_new_item_went():
    items = _agenda("Apologies", "Case review CHP-2026-001", "Any other business")
    assert agenda.where_added(items[1]) == " before “Any other business”"
    assert agenda.where_added(items[2]) == " at the end"
    assert agenda.where_added(items[0]) == ""


def test_the_message_counts_the_case_reviews_added():
    items = _agenda("Case review A", "Case review B", "Any other business")
    assert agenda.case_reviews_added(items[:1]) == "1 case review added to the agenda."
    assert agenda.case_reviews_added(items[:2]) == (
        "2 case reviews added to the agenda before “Any other business”."
    )
