"""What was saved past the personal-data guard, on the home page of the panel's chair and
coordinator: the latest 20, newest first, each with who, when, where (a link), the reason and the
kinds of personal data kept, never the text; nothing about a case withheld from them."""

from __future__ import annotations

from panel.core.guard import GuardOutcome
from panel.extensions import db
from panel.meetings.agenda import services as agenda
from panel.minutes import services as minutes_services
from panel.panels.services import record_override
from tests.cases.conftest import isp  # noqa: F401  (the scrutiny panel)
from tests.conftest import sign_in
from tests.minutes.conftest import held  # noqa: F401  (a held meeting with a case review)
from tests.querycount import count_queries

HEADING = "Text saved past the personal-data guard"


def _override(actor, obj, reason: str, kinds=("NAME",)) -> None:
    """As a service does when someone saves past the guard."""
    record_override(actor, obj, GuardOutcome(True, reason, {"text": list(kinds)}), str(obj))
    db.session.commit()


def _listed(client) -> str:
    home = client.get("/").get_data(as_text=True)
    if HEADING not in home:
        return ""
    listed = home[home.index('id="guard-overrides"') :]
    return listed[: listed.index("</table>")]


def test_the_coordinator_sees_the_latest_twenty_newest_first_with_links(app, client, held):  # noqa: F811
    people = held.people
    with app.test_request_context():
        minutes = minutes_services.start(people.coordinator, held.meeting)
        for number in range(1, 21):
            _override(people.chair, held.case_review, f"Reason {number:02d}.")
        _override(people.member, minutes, "The helpline is public.", kinds=("PHONE", "DATE"))

    sign_in(client, people.coordinator)
    listed = _listed(client)
    assert listed.count('<tr class="govuk-table__row">') == 1 + 20  # the head and 20 rows
    assert "Reason 01." not in listed  # the oldest of 21 is left out
    assert listed.index("The helpline is public.") < listed.index("Reason 20.")
    assert listed.index("Reason 20.") < listed.index("Reason 02.")
    assert f'href="/meetings/{held.meeting.id}/minutes"' in listed
    assert f'href="/case-reviews/{held.case_review.id}"' in listed
    assert "Joe Barker" in listed and "Harriet Lang" in listed
    assert "a phone number, an exact date" in listed or "an exact date, a phone number" in listed


def test_members_and_readers_have_no_such_list(app, client, held):  # noqa: F811
    people = held.people
    with app.test_request_context():
        _override(people.member, held.case_review, "Because.")
    for person in (people.member, people.reader):
        sign_in(client, person)
        assert HEADING not in client.get("/").get_data(as_text=True)
        client.post("/sign-out")
    sign_in(client, people.chair)
    assert "Because." in _listed(client)


def test_a_case_withheld_from_the_coordinator_is_left_out(app, client, held):  # noqa: F811
    people = held.people
    with app.test_request_context():
        agenda.declare_interest(
            people.coordinator, held.case_item(), "My organisation supports them."
        )
        _override(people.chair, held.case_review, "About the withheld case.")
        minutes = minutes_services.start(people.chair, held.meeting)
        _override(people.chair, minutes, "About the minutes.")
    sign_in(client, people.coordinator)
    listed = _listed(client)
    assert "About the minutes." in listed
    assert "About the withheld case." not in listed


def test_the_list_costs_the_same_queries_for_one_override_as_for_twenty(app, client, held):  # noqa: F811
    people = held.people
    with app.test_request_context():
        _override(people.chair, held.case_review, "The first.")
    sign_in(client, people.coordinator)
    client.get("/")
    with count_queries() as one:
        client.get("/")
    with app.test_request_context():
        minutes = minutes_services.start(people.chair, held.meeting)
        for number in range(19):
            _override(people.member if number % 2 else people.chair, minutes, f"Next {number}.")
    with count_queries() as twenty:
        page = client.get("/").get_data(as_text=True)
    assert "Next 18." in page
    assert len(twenty) == len(one)
