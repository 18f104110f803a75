"""Fixtures for the admin area: a signed-in admin, and the shared SQL counter as a fixture."""

from __future__ import annotations

import pytest

from tests.querycount import count_queries as _count_queries


@pytest.fixture
def admin_client(people, sign_in_as):
    return sign_in_as(people.admin)


@pytest.fixture
def count_queries(db):
    """`with count_queries() as queries:` counts the statements run inside the block."""
    return _count_queries
