"""Only admins reach the admin area: others are refused its lists and never learn its objects."""

import pytest

ADMIN_LISTS = [
    "/admin/organisations",
    "/admin/organisations/new",
    "/admin/users",
    "/admin/users/new",
    "/admin/panels",
    "/admin/panels/new",
    "/admin/audit-trail",
]


@pytest.mark.parametrize("url", ADMIN_LISTS)
def test_non_admin_is_refused_admin_lists(client, people, sign_in_as, url):
    sign_in_as(people.chair)
    assert client.get(url).status_code == 403


def test_non_admin_gets_not_found_for_admin_objects(client, people, sign_in_as):
    sign_in_as(people.member)
    organisation_id = people.member.organisation_id
    assert client.get(f"/admin/organisations/{organisation_id}/edit").status_code == 404
    assert (
        client.post(
            f"/admin/organisations/{organisation_id}/edit",
            data={"name": "Taken over", "kind": "other"},
        ).status_code
        == 404
    )
    assert client.get(f"/admin/users/{people.chair.id}/edit").status_code == 404
    assert client.get(f"/admin/users/{people.chair.id}/password").status_code == 404


def test_non_admin_off_the_panel_gets_not_found_for_its_admin_pages(client, people, sign_in_as):
    sign_in_as(people.outsider)
    membership = people.panel.memberships[0]
    assert client.get(f"/admin/panels/{people.panel.id}").status_code == 404
    assert client.get(f"/admin/panels/{people.panel.id}/members/new").status_code == 404
    url = f"/admin/panels/{people.panel.id}/members/{membership.id}/role"
    assert client.post(url, data={"role": "chair"}).status_code == 404


def test_panel_chair_cannot_manage_their_own_panel(client, people, sign_in_as, db):
    sign_in_as(people.chair)
    membership = people.panel.memberships[0]
    assert client.get(f"/admin/panels/{people.panel.id}/edit").status_code == 403
    url = f"/admin/panels/{people.panel.id}/members/{membership.id}/remove"
    assert client.post(url).status_code == 403


def test_signed_out_visitor_is_sent_to_sign_in(client, people):
    response = client.get("/admin/users")
    assert response.status_code == 302
    assert response.location.startswith("/sign-in")
