"""Long admin lists come in pages whose links keep the search, and odd page numbers are 404s."""

import pytest

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
