"""What a member's organisation owes, where she looks first: "Your organisation's work" on her home
page (interventions and recommendations, overdue first, each a tap from its update), the count of
overdue interventions in the navigation, and the bounded lists behind them, which take the same
queries with 5 interventions as with 5,000."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from panel.cases.vocabularies import Strand
from panel.core.time import uk_today
from panel.lessons import services as lessons
from panel.lessons.models import LessonKind, Recommendation
from panel.panels.models import Role
from tests import factories
from tests.conftest import sign_in
from tests.interventions.bulk import seed_interventions
from tests.interventions.conftest import agreed
from tests.meetings.test_matters_arising import held
from tests.querycount import count_queries


def _due(partners, owner, days: int, **kwargs):
    return agreed(
        partners.people.coordinator,
        partners.panel,
        owner,
        due=uk_today() + timedelta(days=days),
        **kwargs,
    )


def _recommendation(partners, owner, days: int) -> Recommendation:
    """A recommendation to `owner` from a lesson the Coventry panel recorded at a meeting."""
    coordinator = partners.people.coordinator
    lesson = lessons.record_lesson(
        coordinator,
        lessons.LessonDetails(
            kind=LessonKind.IMPROVEMENT,
            strands=[Strand.DISABILITY],
            text="Repeat reports from one street were not linked until the third visit.",
        ),
        meeting=held(partners.panel, days_ago=7),
    )
    details = lessons.RecommendationDetails(
        organisation=owner,
        text="Link repeat reports from the same address before the first visit.",
        due_date=uk_today() + timedelta(days=days),
    )
    return lessons.add_recommendation(coordinator, lesson, details).recommendation


def _section(page: str, start: str) -> str:
    """From the heading with id `start` to the next section's heading."""
    begin = page.index(f'id="{start}"')
    end = page.find('<h2 class="govuk-heading-m"', begin + 1)
    return page[begin : end if end != -1 else len(page)]


def _words(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def _rows(section: str) -> int:
    body = section[section.index("<tbody") : section.index("</tbody>")]
    return body.count('<tr class="govuk-table__row">')


def test_a_members_home_page_lists_what_her_organisation_owes_overdue_first_a_tap_from_updating(
    client, partners
):
    housing = partners.housing
    late = _due(partners, housing, -3, live_case=partners.live_case)
    soon = _due(partners, housing, 5)
    later = _due(partners, housing, 40)
    theirs = _due(partners, partners.centre, -10)
    answer = _recommendation(partners, housing, 7)

    sign_in(client, partners.people.member)
    page = client.get("/").get_data(as_text=True)
    work = _section(page, "organisation-work")
    assert "Your organisation’s work" in work
    assert (
        "Coventry Homes Partnership has 4 open items: 1 overdue, 2 due within 14 days, "
        "1 due later." in _words(work)
    )
    # Most urgent first, each with a link straight to its update form.
    updates = [
        f'href="/interventions/{late.id}#update"',
        f'href="/interventions/{soon.id}#update"',
        f'href="/recommendations/{answer.id}/respond"',
        f'href="/interventions/{later.id}#update"',
    ]
    assert [work.index(link) for link in updates] == sorted(work.index(link) for link in updates)
    late_row = work[work.index(f"/interventions/{late.id}") : work.index(updates[1])]
    assert partners.live_case.reference in late_row and "Overdue" in late_row
    assert f"/interventions/{theirs.id}" not in page
    # The recommendation is listed here only, not a second time further down.
    assert page.count(f'href="/recommendations/{answer.id}"') == 1
    assert "See all 3 open interventions" in _words(work)
    assert 'href="/interventions"' in work
    assert f'href="/lessons?organisation={housing.id}"' in work


def test_someone_whose_organisation_owes_nothing_is_told_so(client, partners):
    _due(partners, partners.centre, -1)
    sign_in(client, partners.people.member)
    work = _section(client.get("/").get_data(as_text=True), "organisation-work")
    assert "Nothing is waiting on Coventry Homes Partnership" in work


def test_a_reader_has_no_organisations_work_section(client, partners):
    sign_in(client, partners.people.reader)
    assert 'id="organisation-work"' not in client.get("/").get_data(as_text=True)


def test_the_home_page_lists_the_20_most_urgent_then_links_to_all(client, partners):
    seed_interventions(partners.panel, partners.housing, 23, overdue_days=30)
    sign_in(client, partners.people.member)
    page = client.get("/").get_data(as_text=True)
    work = _section(page, "organisation-work")
    assert _rows(work) == 20
    assert "23 open items: 23 overdue. These are the 20 most urgent." in _words(work)
    assert "See all 23 open interventions" in _words(work)


def test_the_navigation_counts_the_organisations_overdue_interventions(client, partners):
    for days in (-5, -1):
        _due(partners, partners.housing, days)
    _due(partners, partners.housing, 3)
    _due(partners, partners.centre, -2)

    def navigation(user) -> str:
        sign_in(client, user)
        page = client.get("/account").get_data(as_text=True)
        client.post("/sign-out")
        link = re.search(r'<a [^>]*href="/interventions"[^>]*>(.*?)</a>', page, re.S)
        return _words(link.group(1))

    assert navigation(partners.people.member) == "Interventions 2 overdue"
    assert navigation(partners.centre_member) == "Interventions 1 overdue"
    # The police own none: no count.
    assert navigation(partners.people.chair) == "Interventions"


def test_the_organisers_overdue_list_shows_the_20_most_overdue_then_each_panels_list(
    client, partners
):
    seed_interventions(partners.panel, partners.housing, 23, overdue_days=30)
    _due(partners, partners.centre, 1)  # not overdue
    sign_in(client, partners.people.coordinator)
    page = client.get("/").get_data(as_text=True)
    overdue = _section(page, "overdue-interventions")
    assert _rows(overdue) == 20
    assert "23 past their due date and not yet reported done: the 20 most overdue" in overdue
    link = f'href="/panels/{partners.panel.id}/interventions?overdue=y"'
    assert link in overdue
    assert "See all 23 overdue on Coventry Hate Crime Panel" in _words(overdue)
    listed = client.get(f"/panels/{partners.panel.id}/interventions?overdue=y")
    assert listed.status_code == 200
    assert "23 interventions" in _words(listed.get_data(as_text=True))


def test_the_interventions_page_shows_a_page_at_a_time_and_updates_come_back_to_it(
    client, partners
):
    seed_interventions(partners.panel, partners.housing, 30, overdue_days=30)
    sign_in(client, partners.people.member)
    first = client.get("/interventions").get_data(as_text=True)
    assert first.count('class="govuk-summary-card"') == 25
    assert "Overdue (30)" in first
    assert "30 open interventions: showing 1 to 25." in _words(first)
    assert 'href="/interventions?page=2"' in first
    second = client.get("/interventions?page=2").get_data(as_text=True)
    assert second.count('class="govuk-summary-card"') == 5
    assert 'name="next" type="hidden" value="/interventions?page=2"' in second
    assert client.get("/interventions?page=3").status_code == 404


@pytest.mark.parametrize(
    "path, who", [("/", "member"), ("/interventions", "member"), ("/", "coordinator")]
)
def test_pages_run_the_same_queries_with_5_or_5000_interventions(client, partners, path, who):
    """The done-when of issue 14: the home page of a member whose organisation owns 5,000
    interventions runs the same queries as with 5 (and so do the lists behind it)."""
    seed_interventions(partners.panel, partners.housing, 5)
    sign_in(client, getattr(partners.people, who))
    client.get(path)
    with count_queries() as five:
        response = client.get(path)
    assert response.status_code == 200
    seed_interventions(partners.panel, partners.housing, 4_995)
    with count_queries() as five_thousand:
        page = client.get(path).get_data(as_text=True)
    assert len(five_thousand) == len(five), "\n\n".join(five_thousand.statements)
    if path == "/" and who == "member":
        # Each group is counted as far as 100: counting further would cost more with more.
        assert (
            "has more than 300 open items: more than 100 overdue, more than 100 due within 14 "
            "days, more than 100 due later. These are the 20 most urgent." in _words(page)
        )
        assert "See all open interventions (more than 300)" in _words(page)
        assert "Interventions 100+ overdue" in _words(page)


def test_a_member_on_two_panels_sees_her_organisations_work_on_both(client, partners):
    other = factories.panel("Warwickshire Hate Crime Panel", partners.panel.kind)
    factories.membership(other, partners.people.member, Role.MEMBER)
    # Not on this one: she does not sit on it, a colleague does.
    elsewhere = factories.panel("Solihull Hate Crime Panel", partners.panel.kind)
    colleague = factories.user(
        email="colleague@housing.example.org", organisation_=partners.housing
    )
    factories.membership(elsewhere, colleague, Role.MEMBER)
    for panel in (other, elsewhere):
        factories.membership(panel, partners.people.coordinator, Role.COORDINATOR)
    here = _due(partners, partners.housing, 2)
    there = agreed(
        partners.people.coordinator, other, partners.housing, due=uk_today() + timedelta(days=1)
    )
    away = agreed(
        partners.people.coordinator, elsewhere, partners.housing, due=uk_today() - timedelta(1)
    )
    sign_in(client, partners.people.member)
    work = _section(client.get("/").get_data(as_text=True), "organisation-work")
    assert work.index(f"/interventions/{there.id}#") < work.index(f"/interventions/{here.id}#")
    assert f"/interventions/{away.id}" not in work
