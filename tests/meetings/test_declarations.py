"""Conflicts of interest: declaring an interest in an agenda item, changing and withdrawing it,
where declarations show, and the functions case reviews use to hide a declared case."""

import json

import pytest

from panel import access
from panel.core.audit import AuditAction, AuditEvent
from panel.extensions import db as _db
from panel.meetings import queries
from panel.meetings.agenda import services as agenda
from panel.meetings.models import AgendaItemKind, InterestDeclaration, MeetingStatus
from tests import factories
from tests.cases import factories as case_factories
from tests.conftest import sign_in
from tests.meetings.factories import agenda_items as _items
from tests.meetings.factories import coordinator_of, meeting_with_agenda

REASON = "My organisation supports the family involved"
SHOWN = f"Interest declared by Grace Mensah (Coventry Homes Partnership): {REASON}"


def _meeting(people):
    return meeting_with_agenda(people.coordinator, people.panel)


def _declarations() -> list[InterestDeclaration]:
    _db.session.expire_all()
    return list(_db.session.scalars(_db.select(InterestDeclaration)))


def _events(action: AuditAction) -> list[AuditEvent]:
    return list(
        _db.session.scalars(
            _db.select(AuditEvent).where(
                AuditEvent.action == action, AuditEvent.object_type == "interest_declaration"
            )
        )
    )


def _declare_path(meeting, item) -> str:
    return f"/meetings/{meeting.id}/agenda/{item.id}/declare"


def test_member_declares_an_interest_and_it_shows_on_the_meeting_page(client, people):
    meeting = _meeting(people)
    item = _items(meeting)[2]
    sign_in(client, people.member)
    page = client.get(f"/meetings/{meeting.id}").get_data(as_text=True)
    assert "Declare an interest" in page
    form = client.get(_declare_path(meeting, item)).get_data(as_text=True)
    assert "Declare an interest in “Community tension update”" in form
    response = client.post(_declare_path(meeting, item), data={"reason": REASON})
    assert response.status_code == 302
    assert response.location.endswith(f"/meetings/{meeting.id}#item-{item.id}")
    page = client.get(response.location).get_data(as_text=True)
    assert "Your interest in “Community tension update” has been recorded." in page
    assert SHOWN in page
    assert "Withdraw your declaration" in page
    (declaration,) = _declarations()
    assert (declaration.user_id, declaration.agenda_item_id) == (people.member.id, item.id)
    (event,) = _events(AuditAction.CREATE)
    assert event.actor_id == people.member.id
    # The reason is shown on the meeting page, not kept in the trail (issue 18, finding 7).
    # Nor the item's title: the item by its number (the label names its meeting too).
    assert event.changes == {"agenda_item": item.position, "reason": "(set)"}


def test_declarations_show_to_organisers_and_on_the_printable_agenda(client, people):
    meeting = _meeting(people)
    agenda.declare_interest(people.member, _items(meeting)[2], REASON)
    sign_in(client, people.chair)
    assert SHOWN in client.get(f"/meetings/{meeting.id}").get_data(as_text=True)
    assert SHOWN in client.get(f"/meetings/{meeting.id}/agenda").get_data(as_text=True)
    assert SHOWN in client.get(f"/meetings/{meeting.id}/agenda/print").get_data(as_text=True)


def test_declaring_again_changes_the_reason(client, people):
    meeting = _meeting(people)
    item = _items(meeting)[2]
    sign_in(client, people.member)
    client.post(_declare_path(meeting, item), data={"reason": REASON})
    form = client.get(_declare_path(meeting, item)).get_data(as_text=True)
    assert "You declared an interest in this item on" in form and REASON in form
    client.post(_declare_path(meeting, item), data={"reason": "A relative lives on the estate"})
    (declaration,) = _declarations()
    assert declaration.reason == "A relative lives on the estate"
    (event,) = _events(AuditAction.UPDATE)
    assert event.changes == {"reason": ["(hidden)", "(changed)"]}


def test_withdrawing_a_declaration(client, people):
    meeting = _meeting(people)
    item = _items(meeting)[2]
    agenda.declare_interest(people.member, item, REASON)
    sign_in(client, people.member)
    response = client.post(f"/meetings/{meeting.id}/agenda/{item.id}/withdraw")
    assert response.status_code == 302
    page = client.get(response.location).get_data(as_text=True)
    assert "Your declaration of interest in “Community tension update” has been withdrawn." in page
    assert SHOWN not in page
    assert _declarations() == []
    (event,) = _events(AuditAction.DELETE)
    assert event.actor_id == people.member.id and event.changes["reason"] == "(hidden)"
    # Withdrawing again changes nothing and records nothing.
    client.post(f"/meetings/{meeting.id}/agenda/{item.id}/withdraw")
    assert len(_events(AuditAction.DELETE)) == 1


def test_the_audit_trail_never_holds_the_reason(client, people):
    """A reason ("I know the family of the victim") says who knows whom: it is for the panel's
    meeting, not for administrators reading the trail (issue 18, finding 7)."""
    meeting = _meeting(people)
    item = _items(meeting)[2]
    agenda.declare_interest(people.member, item, REASON)
    agenda.declare_interest(people.member, item, "I know the family of the victim")
    agenda.withdraw_interest(people.member, item)
    events = _events(AuditAction.CREATE) + _events(AuditAction.UPDATE)
    events += _events(AuditAction.DELETE)
    assert len(events) == 3
    trail = json.dumps([[event.changes, event.object_label] for event in events])
    assert "family" not in trail
    sign_in(client, people.admin)
    page = client.get("/admin/audit-trail").get_data(as_text=True)
    assert "family" not in page


def test_withdrawing_removes_only_your_own_declaration(client, people):
    meeting = _meeting(people)
    item = _items(meeting)[2]
    agenda.declare_interest(people.member, item, REASON)
    sign_in(client, people.chair)
    client.post(f"/meetings/{meeting.id}/agenda/{item.id}/withdraw")
    assert len(_declarations()) == 1


def test_declared_interest_and_declared_items_for_case_reviews(people, db):
    meeting = _meeting(people)
    first, second, *_ = _items(meeting)
    second.kind = AgendaItemKind.CASE_REVIEW
    db.session.commit()
    agenda.declare_interest(people.member, second, REASON)
    assert queries.declared_interest(people.member, second)
    assert not queries.declared_interest(people.member, first)
    assert not queries.declared_interest(people.chair, second)
    assert queries.declared_items(people.member, meeting) == {second.id}
    assert queries.declared_items(people.chair, meeting) == set()
    # Another meeting's declarations are not this meeting's.
    assert queries.declared_items(people.member, _meeting(people)) == set()


def test_declare_page_for_a_case_review_says_the_case_will_be_hidden(client, people, db):
    meeting = _meeting(people)
    item = _items(meeting)[1]
    item.kind = AgendaItemKind.CASE_REVIEW
    db.session.commit()
    sign_in(client, people.member)
    page = client.get(_declare_path(meeting, item)).get_data(as_text=True)
    assert "the case is hidden from you" in page


def test_removing_an_item_removes_its_declarations(people):
    meeting = _meeting(people)
    item = _items(meeting)[2]
    agenda.declare_interest(people.member, item, REASON)
    agenda.remove_item(people.coordinator, item)
    assert _declarations() == []


@pytest.mark.parametrize(
    ("reason", "message"),
    [
        ("", "Enter why you have an interest in this item"),
        ("   ", "Enter why you have an interest in this item"),
        ("x" * 10_000, "Reason must be 500 characters or fewer"),
    ],
)
def test_bad_reason_is_named_in_the_error_summary(client, people, reason, message):
    meeting = _meeting(people)
    sign_in(client, people.member)
    response = client.post(_declare_path(meeting, _items(meeting)[0]), data={"reason": reason})
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "There is a problem" in page and message in page
    assert _declarations() == []


@pytest.mark.parametrize("status", [MeetingStatus.CANCELLED, MeetingStatus.MINUTES_PUBLISHED])
def test_declarations_cannot_change_once_the_meeting_is_past_held(client, people, status):
    meeting = _meeting(people)
    item = _items(meeting)[2]
    agenda.declare_interest(people.member, item, REASON)
    meeting.status = status
    _db.session.commit()
    sign_in(client, people.member)
    for path, data in [
        (_declare_path(meeting, _items(meeting)[0]), {"reason": REASON}),
        (f"/meetings/{meeting.id}/agenda/{item.id}/withdraw", {}),
    ]:
        page = client.post(path, data=data, follow_redirects=True).get_data(as_text=True)
        assert "Interests can only be declared or withdrawn while the meeting is" in page
    assert len(_declarations()) == 1
    page = client.get(f"/meetings/{meeting.id}").get_data(as_text=True)
    assert SHOWN in page
    assert "Declare an interest" not in page and "Withdraw your declaration" not in page


def test_reader_and_outsider_cannot_declare(client, people):
    meeting = _meeting(people)
    path = _declare_path(meeting, _items(meeting)[0])
    sign_in(client, people.reader)
    assert client.get(path).status_code == 404
    assert client.post(path, data={"reason": REASON}).status_code == 404
    client.post("/sign-out")
    sign_in(client, people.outsider)
    assert client.post(path, data={"reason": REASON}).status_code == 404
    assert _declarations() == []


def test_another_panels_agenda_item_cannot_be_declared_on(client, people):
    mine = _meeting(people)
    other_panel = factories.panel("Dudley Hate Crime Panel")
    # Scheduled by the other panel's coordinator: ours may not manage its meetings.
    theirs = meeting_with_agenda(coordinator_of(other_panel), other_panel)
    their_item = _items(theirs)[0]
    sign_in(client, people.member)
    assert client.get(_declare_path(mine, their_item)).status_code == 404
    assert client.post(_declare_path(mine, their_item), data={"reason": REASON}).status_code == 404
    withdraw = f"/meetings/{mine.id}/agenda/{their_item.id}/withdraw"
    assert client.post(withdraw).status_code == 404
    assert client.get(_declare_path(theirs, their_item)).status_code == 404
    assert _declarations() == []


def test_a_declaration_withholds_the_case_at_once_within_one_command(people, db):
    """A command (or a service calling another) that declares and then acts in the same unit of
    work sees the case withheld, and open again once the declaration is withdrawn."""
    meeting = _meeting(people)
    _, item, *_ = _items(meeting)
    review = case_factories.case_review(people.coordinator, people.panel)
    item.kind, item.case_review = AgendaItemKind.CASE_REVIEW, review
    db.session.flush()
    assert access.case_visibility(people.member, review) is access.CaseVisibility.FULL
    agenda.declare_interest(people.member, item, REASON)
    assert access.case_visibility(people.member, review) is access.CaseVisibility.WITHHELD
    agenda.withdraw_interest(people.member, item)
    assert access.case_visibility(people.member, review) is access.CaseVisibility.FULL
