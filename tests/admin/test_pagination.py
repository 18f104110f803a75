"""Long admin lists come in pages whose links keep the search, and odd page numbers are 404s."""

import pytest

from panel.core.audit import AuditAction, record
from tests import factories


@pytest.fixture
def small_pages(app):
    size = app.config["PAGE_SIZE"]
    app.config["PAGE_SIZE"] = 2
    yield
    app.config["PAGE_SIZE"] = size


def test_users_list_is_paginated_and_keeps_the_search(admin_client, people, small_pages, db):
    for number in range(3):
        factories.user(full_name=f"Ash Example {number}")
    page = admin_client.get("/admin/users", query_string={"q": "ash"}).get_data(as_text=True)
    assert "Ash Example 0" in page and "Ash Example 1" in page
    assert "Ash Example 2" not in page
    assert 'href="/admin/users?q=ash&amp;page=2"' in page
    second = admin_client.get("/admin/users", query_string={"q": "ash", "page": "2"})
    assert "Ash Example 2" in second.get_data(as_text=True)


@pytest.mark.parametrize("number", ["0", "-1", "abc", "99", "1" * 30])
def test_odd_page_numbers_are_not_found(admin_client, people, small_pages, number):
    for url in ("/admin/users", "/admin/organisations", "/admin/panels", "/admin/audit-trail"):
        assert admin_client.get(url, query_string={"page": number}).status_code == 404


def test_first_page_of_an_empty_search_is_found(admin_client, people):
    response = admin_client.get("/admin/users", query_string={"q": "zzz", "page": "1"})
    assert response.status_code == 200


def test_a_long_list_is_counted_only_so_far_and_its_pages_go_on(
    admin_client, people, small_pages, db, monkeypatch
):
    """Counting a million events costs as much as reading them: past the cap the trail says
    "more than", and its pages go on while they are full."""
    monkeypatch.setattr("panel.core.pagination.COUNT_CAP", 4)
    for number in range(7):
        record(people.admin, AuditAction.UPDATE, label=f"Change {number}")
    db.session.commit()
    page = admin_client.get("/admin/audit-trail").get_data(as_text=True)
    assert "More than 4 events, page 1 of more than 3." in page
    last_counted = admin_client.get("/admin/audit-trail", query_string={"page": "3"})
    assert 'href="/admin/audit-trail?page=4"' in last_counted.get_data(as_text=True)
    assert admin_client.get("/admin/audit-trail", query_string={"page": "4"}).status_code == 200
