"""Authorisation in one place: every route has a rule; objects outside a user's panels are 404."""

import re
from datetime import timedelta

import pytest

from panel import access, create_app
from panel.access import Action
from panel.cases.vocabularies import Stage, Strand
from panel.core.time import uk_today
from panel.lessons import services as lesson_services
from panel.lessons.models import LessonKind
from panel.panels.models import Role
from tests import factories
from tests.cases import factories as case_factories
from tests.interventions.conftest import live_case
from tests.meetings.factories import meeting_on


def test_every_route_declares_an_access_rule(app):
    with app.app_context():
        missing = [
            rule.endpoint
            for rule in app.url_map.iter_rules()
            if access.rule_for(rule.endpoint) is None
        ]
    assert missing == [], f"routes without an access rule: {missing}"


def test_every_route_with_an_id_loads_and_checks_its_object(app):
    """An id in a URL must go through a rule that loads the object, so that someone outside its
    panel gets 404 rather than a page."""
    unchecked = []
    with app.app_context():
        for rule in app.url_map.iter_rules():
            ids = [arg for arg in rule.arguments if arg.endswith("_id")]
            route_rule = access.rule_for(rule.endpoint)
            if ids and (route_rule.load is None or route_rule.id_arg not in ids):
                unchecked.append(rule.rule)
    assert unchecked == []


def test_a_route_without_a_rule_is_refused(app, tmp_path):
    other = create_app({**app.config, "TESTING": True})

    @other.get("/forgotten")
    def forgotten():
        return "secret"

    response = other.test_client().get("/forgotten")
    assert response.status_code == 403
    assert b"secret" not in response.data


def test_signed_out_visitor_is_sent_to_sign_in(client):
    response = client.get("/")
    assert response.status_code == 302
    assert response.location.startswith("/sign-in?next=")


@pytest.mark.parametrize("role", list(Role))
def test_each_role_may_view_its_panel(client, people, sign_in_as, role):
    sign_in_as(people.by_role(role))
    assert client.get(f"/panels/{people.panel.id}").status_code == 200


def test_reader_does_not_see_the_members_list(client, people, sign_in_as):
    sign_in_as(people.reader)
    page = client.get(f"/panels/{people.panel.id}").get_data(as_text=True)
    assert "Published minutes" in page
    assert "Grace Mensah" not in page


def test_member_sees_the_members_list(client, people, sign_in_as):
    sign_in_as(people.member)
    page = client.get(f"/panels/{people.panel.id}").get_data(as_text=True)
    assert "Grace Mensah" in page
    assert "Coventry Homes Partnership" in page


def test_another_panels_id_gives_404_like_a_missing_one(client, people, sign_in_as, db):
    other_panel = factories.panel("Dudley Independent Advisory Group")
    sign_in_as(people.chair)
    not_mine = client.get(f"/panels/{other_panel.id}")
    missing = client.get("/panels/999999")
    assert not_mine.status_code == missing.status_code == 404
    assert "Dudley" not in not_mine.get_data(as_text=True)


def test_admin_without_a_membership_cannot_read_a_panel(client, people, sign_in_as):
    """Admin is not a panel role: it manages accounts, not case material."""
    sign_in_as(people.admin)
    assert client.get(f"/panels/{people.panel.id}").status_code == 404


@pytest.mark.parametrize("path", ["/panels/abc", "/panels/1.5", "/panels/-1", "/panels/%00"])
def test_a_non_numeric_id_is_404(client, people, sign_in_as, path):
    sign_in_as(people.chair)
    assert client.get(path).status_code == 404


def test_non_admin_is_refused_the_admin_area(client, people, sign_in_as):
    sign_in_as(people.chair)
    response = client.get("/admin/users")
    assert response.status_code == 403
    assert "You do not have permission" in response.get_data(as_text=True)


def test_deactivated_user_has_no_permissions(app, db, people):
    people.member.active = False
    with app.test_request_context():
        assert not access.can(people.member, Action.VIEW_PANEL, people.panel)


def test_policy_grants_readers_published_minutes_key_messages_and_the_reader_safe_report_only(
    app, db, people
):
    with app.test_request_context():
        allowed = {
            action
            for action in access.PANEL_PERMISSIONS
            if access.can(people.reader, action, people.panel)
        }
    assert allowed == {
        Action.VIEW_PANEL,
        Action.READ_PUBLISHED_MINUTES,
        Action.READ_KEY_MESSAGES,
        Action.READ_READER_SAFE_ANNUAL_REPORT,
    }


def test_navigation_shows_admin_links_to_admins_only(client, people, sign_in_as):
    sign_in_as(people.member)
    page = client.get("/").get_data(as_text=True)
    assert not re.search(r'href="/admin/', page)
    client.post("/sign-out")
    sign_in_as(people.admin)
    page = client.get("/").get_data(as_text=True)
    assert 'href="/admin/users"' in page


def test_a_route_about_another_domains_object_loads_it_through_that_domains_queries():
    def load(object_id):
        return f"user {object_id}"

    rule = access.on_loaded(Action.MANAGE_USERS, load, param="user")
    assert (rule.id_arg, rule.param, rule.load(7)) == ("user_id", "user", "user 7")
    assert not rule.needs_agreement


def test_a_panel_page_of_case_material_asks_for_the_agreement_first():
    assert access.on_panel(Action.VIEW_LIVE_CASES, case_material=True).needs_agreement
    assert not access.on_panel(Action.VIEW_LIVE_CASES).needs_agreement


def _reader_answers(client, people, path: str, missing_path: str) -> tuple[int, int]:
    """What a reader of the panel gets for an existing object of their panel, and for an id
    that does not exist."""
    return client.get(path).status_code, client.get(missing_path).status_code


def test_a_reader_cannot_tell_existing_case_material_from_missing_ids(client, people, sign_in_as):
    """Readers see published minutes only: a case review, lesson, recommendation or live case of
    their own panel is as Not Found to them as an id that does not exist, so they cannot count
    them by trying ids (403 for the real ones would tell them which exist)."""
    coordinator, panel = people.coordinator, people.panel
    case_review = case_factories.case_review(coordinator, panel)
    lesson = lesson_services.record_lesson(
        coordinator,
        lesson_services.LessonDetails(
            LessonKind.IMPROVEMENT, [Strand.RACE], "No interpreter offered.", Stage.INVESTIGATION
        ),
        case_review=case_review,
    )
    recommendation = lesson_services.add_recommendation(
        people.chair,
        lesson,
        lesson_services.RecommendationDetails(
            people.member.organisation,
            "Offer an interpreter first.",
            uk_today() + timedelta(days=60),
        ),
        notify=False,
    ).recommendation
    case = live_case(coordinator, panel)
    sign_in_as(people.reader)
    for path in (
        f"/case-reviews/{case_review.id}",
        f"/case-reviews/{case_review.id}/edit",
        f"/lessons/{lesson.id}",
        f"/lessons/{lesson.id}/edit",
        f"/recommendations/{recommendation.id}",
        f"/live-cases/{case.id}",
        f"/live-cases/{case.id}/edit",
        f"/panels/{panel.id}/case-reviews",
        f"/panels/{panel.id}/live-cases",
        f"/panels/{panel.id}/lessons",
        f"/meetings/{meeting_on(panel, days_from_now=7).id}",
    ):
        missing = re.sub(r"/\d+", "/999999", path, count=1)
        assert _reader_answers(client, people, path, missing) == (404, 404), path


def test_readers_are_kept_from_every_action_their_role_does_not_grant():
    """One rule, not a list kept by hand: a reader is never told that anything beyond the
    panel's page and its published minutes exists."""
    for action, roles in access.PANEL_PERMISSIONS.items():
        unknown = Role.READER in access.UNKNOWN_TO.get(action, frozenset())
        assert unknown == (Role.READER not in roles), action
